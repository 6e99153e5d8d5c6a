"""The guides in docs/ whose examples talk to the service (docs/development.md, "Examples in the
docs"): each page's blocks run in order, in one folder, against moto's server with this
repository's extension, as tests/test_service_docs.py runs docs/service-commands.md:

- ``sh``: run with ``bash -euo pipefail`` (one calling ``lcc simulate`` needs the sandbox, one
  calling ``cdk`` the pinned CDK CLI); a ``text`` block right after it is what it prints (sizes
  in characters and seconds waited aside);
- ``python``: run in that folder with tests/test_docs.py's prelude (``app``, ``stack``, ...),
  its cloud assembly in ``cdk.out``;
- ``bash``: what the page says the test deployed or wrote before (each page's ``SETUP``);
- ``console``, ``json`` and other ``text`` blocks: not run.
"""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from lcc_constructs.sandbox import availability

from .conftest import ROOT, cdk_cli, require
from .moto_ext_controls import fail_next_start
from .servers import Moto
from .service_helpers import create_config, put_log_lines
from .test_docs import PRELUDE
from .test_service_docs import normal

FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


def blocks(page: Path) -> list[tuple[str, str, str | None]]:
    """(language, code, the ``text`` block right after it or None) of each fenced block."""
    text = page.read_text()
    found = [(m.start(), m.end(), m[1], m[2]) for m in FENCE.finditer(text)]
    out = []
    for i, (_, end, language, body) in enumerate(found):
        after = found[i + 1] if i + 1 < len(found) else None
        output = after[3] if after and after[2] == "text" and not text[end:after[0]].strip() else None
        out.append((language, body, output))
    return out


def shown(page: Path, language: str) -> list[str]:
    return [code for lang, code, _ in blocks(page) if lang == language]


def setup_migrating(moto: Moto, page: Path, env: dict[str, str]) -> None:
    """The hand-made configuration the page starts from: its ``bash`` block."""
    (script,) = shown(page, "bash")
    create_config(moto, "team-setup", on_start=script)


def setup_debugging(moto: Moto, page: Path, env: dict[str, str]) -> None:
    """An instance whose next start fails with the reason the page shows, and the log lines
    the page's ``lcc logs`` example shows, in its stream."""
    moto.notebook("my-notebook")
    fail_next_start(moto.url, "my-notebook", "Notebook Instance Lifecycle Config 'team-lcc' for Notebook "
                    "Instance 'my-notebook' took longer than 5 minutes. Please check your CloudWatch logs "
                    "for more details if your Notebook Instance has Internet access.")
    logs = next(out for lang, code, out in blocks(page) if lang == "sh" and "lcc logs my-notebook" in code)
    assert logs is not None
    lines = logs.splitlines()
    put_log_lines(moto, "my-notebook/LifecycleConfigOnStart",
                  lines[:next(i for i, line in enumerate(lines) if line.startswith("run "))])


def setup_upgrading(moto: Moto, page: Path, env: dict[str, str]) -> None:
    """``team-lcc`` holding what lcc-constructs 0.2 built of a folder with one ``hello.sh``
    (its source, ``git archive 4a3f851``: the last commit before the python3 loader)."""
    older = Path(__file__).parent / "guides" / "on-start-0.2.sh"
    create_config(moto, "team-lcc", on_start=older.read_text())


def setup_updating(moto: Moto, page: Path, env: dict[str, str]) -> None:
    moto.notebook("my-notebook")


SETUP: dict[str, Callable[[Moto, Path, dict[str, str]], None]] = {
    "docs/migrating.md": setup_migrating,
    "docs/debugging-a-failed-start.md": setup_debugging,
    "docs/updating-a-running-notebook.md": setup_updating,
    "docs/upgrading.md": setup_upgrading,
}
#: Languages of the blocks on these pages; any other fails the test.
KNOWN = {"sh", "text", "python", "bash", "console", "json"}


@pytest.mark.parametrize("name", sorted(SETUP))
def test_every_example_runs_and_prints_what_the_page_shows(name: str, moto: Moto, lcc_env: dict[str, str],
                                                            tmp_path: Path) -> None:
    page = ROOT / name
    found = blocks(page)
    assert {lang for lang, _, _ in found} <= KNOWN, name
    assert any(lang == "sh" for lang, _, _ in found)
    # Each page starts from nothing: no instance, configuration or log of another page.
    urllib.request.urlopen(urllib.request.Request(moto.url + "/moto-api/reset", method="POST"), timeout=10)
    SETUP[name](moto, page, lcc_env)
    env = {**lcc_env, "CDK_OUTDIR": str(tmp_path / "cdk.out"), "PYTHONPATH": str(ROOT)}
    for language, code, output in found:
        if language == "sh":
            if "lcc simulate" in code:
                require(availability() is None, f"sandbox unavailable: {availability()}")
            if re.search(r"^cdk ", code, re.M):
                cdk_cli()
            proc = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=tmp_path, env=env,
                                  capture_output=True, text=True, timeout=300)
        elif language == "python":
            proc = subprocess.run([sys.executable, "-c", PRELUDE + code], cwd=tmp_path, env=env,
                                  capture_output=True, text=True, timeout=300)
        else:
            continue
        assert proc.returncode == 0, f"{name}: {code}\n{proc.stdout}\n{proc.stderr}"
        if language == "sh" and output is not None:
            assert normal(proc.stdout) == normal(output), f"{name}: {code}\n{proc.stdout}"


def test_every_page_with_service_examples_is_run_here() -> None:
    """A page of docs/ with ``sh`` blocks is run against moto: here or by test_service_docs."""
    with_sh = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md")
               if any(lang == "sh" for lang, _, _ in blocks(p))}
    assert with_sh == set(SETUP) | {"docs/service-commands.md"}
