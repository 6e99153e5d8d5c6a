"""The wheel users share through their package index: it carries assets/ and works alone."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    (whl,) = dist.glob("*.whl")
    return whl


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assets = {p.relative_to(ROOT).as_posix() for p in (ROOT / "assets").rglob("*") if p.is_file()}
    assert {f"lcc_constructs/{a}" for a in assets} <= names
    assert "lcc_constructs/py.typed" in names
    assert not [n for n in names if n.startswith(("tests/", "examples/"))]


def test_wheel_metadata(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    text = archive.read(metadata).decode()
    assert "License-Expression: Apache-2.0" in text and "License-File: LICENSE" in text
    assert archive.read(metadata.replace("METADATA", "licenses/LICENSE")) == (ROOT / "LICENSE").read_bytes()
    urls = {line.split(": ", 1)[1].split(", ")[0] for line in text.splitlines()
            if line.startswith("Project-URL: ")}
    assert {"Homepage", "Documentation", "Issues", "Changelog"} <= {u.lower().capitalize() for u in urls}
    assert "Provides-Extra: node" in text and "Provides-Extra: minify" in text


def test_wheel_works_from_a_fresh_virtualenv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-compile", str(wheel)], check=True, capture_output=True)
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "hello.sh").write_text("echo hello\n")
    app = tmp_path / "app.py"
    app.write_text(textwrap.dedent(f"""
        import json, aws_cdk as cdk, lcc_constructs
        from lcc_constructs import LifecycleConfig
        assert "site-packages" in lcc_constructs.__file__, lcc_constructs.__file__
        app = cdk.App(outdir={str(tmp_path / "out")!r})
        stack = cdk.Stack(app, "S")
        LifecycleConfig(stack, "L", on_start={str(scripts)!r})
        assembly = app.synth()
        template = assembly.get_stack_by_name("S").template
        print(json.dumps([r["Type"] for r in template["Resources"].values()]))
    """))
    # Only the installed wheel: a PYTHONPATH at a checkout (a worktree's tests) would shadow it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([str(python), str(app)], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "AWS::SageMaker::NotebookInstanceLifecycleConfig" in proc.stdout
    report = subprocess.run([str(venv / "bin" / "lcc"), "report", str(scripts), "--json"],
                            cwd=tmp_path, capture_output=True, text=True, env=env)
    assert report.returncode == 0, report.stderr
    assert '"fits": true' in report.stdout
    version = subprocess.run([str(venv / "bin" / "lcc"), "--version"], capture_output=True, text=True)
    assert version.stdout.strip() == f"lcc-constructs {wheel.name.split('-')[1]}"
