"""The boto3 floor of pyproject.toml: the service commands promise that ``AWS_ENDPOINT_URL``
points them at another endpoint (docs/service-commands.md, ``lcc deploy --help``), and botocore
reads that variable only from 1.31.0 (boto3 1.28.0). The floor's boto3, with the lowest
botocore it accepts, is installed with pip into a folder of pytest's cache (once; reruns reuse
it), and a client made as the service layer makes it (lcc_constructs/service/_aws.py), in a
Python with that folder first on its path, must take the variable; the release before the
floor must not (so the floor is the first that works, not merely one that does)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from packaging.version import Version

from .conftest import ROOT, require

#: boto3's floor, as pyproject.toml states it (boto3>=X).
FLOOR = re.search(r'"boto3>=([0-9.]+),', (ROOT / "pyproject.toml").read_text())[1]  # type: ignore[index]
#: The last boto3 before 1.28.0, with the lowest botocore it accepts (1.30.1).
BEFORE_FLOOR = "1.27.1"

#: What the subprocess prints: the versions it imported and the client's endpoint.
PROBE = """
import json, boto3, botocore
from lcc_constructs.service._aws import Aws
print(json.dumps({"boto3": boto3.__version__, "botocore": botocore.__version__,
                  "from": boto3.__file__, "endpoint": Aws()._client("sagemaker").meta.endpoint_url}))
"""


def pip(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", *args, "--quiet", "--disable-pip-version-check"],
                          capture_output=True, text=True, timeout=900)
    require(proc.returncode == 0, f"pip {' '.join(args)} failed (no package index?): {proc.stderr[-2000:]}")


def lowest_botocore(boto3_version: str, work: Path) -> str:
    """The lowest botocore the boto3 release accepts (its wheel's Requires-Dist)."""
    pip("download", "--no-deps", "--only-binary", ":all:", "--dest", str(work), f"boto3=={boto3_version}")
    (wheel,) = work.glob("boto3-*.whl")
    with zipfile.ZipFile(wheel) as z:
        (name,) = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = z.read(name).decode()
    found = re.search(r"^Requires-Dist: botocore\s*\(?[^;\n]*>=\s*([0-9.]+)", metadata, re.M)
    assert found, metadata
    return found[1]


def installed(cache: Path, boto3_version: str) -> tuple[Path, str]:
    """A folder holding boto3 ``boto3_version``, the lowest botocore it accepts and their
    dependencies (made once in ``cache``, then reused), and that botocore's version."""
    target = cache / f"boto3-{boto3_version}"
    if (target / ".complete").is_file():
        return target, (target / ".complete").read_text().strip()
    work = Path(tempfile.mkdtemp(dir=cache, prefix=".work-"))
    try:
        botocore = lowest_botocore(boto3_version, work / "wheels")
        pip("install", "--no-compile", "--target", str(work / "site"), f"boto3=={boto3_version}",
            f"botocore=={botocore}")
        (work / "site" / ".complete").write_text(f"{botocore}\n")
        shutil.rmtree(target, ignore_errors=True)  # a folder left by a run that was stopped
        os.replace(work / "site", target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target, botocore


def client_made_with(site: Path) -> dict[str, str]:
    """What a client made as the service layer makes it reports, in a Python that imports
    boto3 and botocore from ``site``, with AWS_ENDPOINT_URL set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"PYTHONPATH": os.pathsep.join([str(site), str(ROOT)]), "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing", "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true"})
    proc = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    found: dict[str, str] = json.loads(proc.stdout)
    assert Path(found["from"]).is_relative_to(site), found  # not the virtualenv's boto3
    return found


@pytest.fixture(scope="module")
def cache(request: pytest.FixtureRequest) -> Path:
    return Path(request.config.cache.mkdir("boto3-floor"))


def test_the_floor_takes_aws_endpoint_url(cache: Path) -> None:
    site, botocore = installed(cache, FLOOR)
    found = client_made_with(site)
    assert (Version(found["boto3"]), found["botocore"]) == (Version(FLOOR), botocore)
    assert found["endpoint"] == "http://127.0.0.1:9", f"boto3 {FLOOR} (botocore {botocore}) ignores it"


def test_the_release_before_the_floor_does_not(cache: Path) -> None:
    assert Version(BEFORE_FLOOR) < Version(FLOOR)
    site, botocore = installed(cache, BEFORE_FLOOR)
    found = client_made_with(site)
    assert (found["boto3"], found["botocore"], botocore) == (BEFORE_FLOOR, "1.30.1", "1.30.1")
    assert found["endpoint"] == "https://api.sagemaker.us-east-1.amazonaws.com"
