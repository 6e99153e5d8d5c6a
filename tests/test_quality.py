"""Lint and types: the package ships py.typed, so its hints must hold."""

from __future__ import annotations

import shutil
import subprocess

from .conftest import ROOT, require


def test_ruff() -> None:
    ruff = shutil.which("ruff")
    require(ruff is not None, "ruff is not installed")
    proc = subprocess.run([ruff, "check", "lcc_constructs", "tests", "examples", "benchmarks"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_mypy_strict() -> None:
    mypy = shutil.which("mypy")
    require(mypy is not None, "mypy is not installed")
    proc = subprocess.run([mypy], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
