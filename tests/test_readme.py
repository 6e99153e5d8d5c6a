"""The README's first example is a working app."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def test_the_first_example_synthesizes(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", readme, re.S)
    assert code is not None
    assert len(code.group(1).strip().splitlines()) <= 12
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "hello.sh").write_text("echo hello\n")
    (tmp_path / "app.py").write_text(code.group(1))
    out = tmp_path / "cdk.out"
    proc = subprocess.run([sys.executable, "app.py"], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "CDK_OUTDIR": str(out)})
    assert proc.returncode == 0, proc.stderr
    template = json.loads((out / "Notebooks.template.json").read_text())
    types = sorted(r["Type"] for r in template["Resources"].values())
    assert types.count("AWS::SageMaker::NotebookInstance") == 1
    assert types.count("AWS::SageMaker::NotebookInstanceLifecycleConfig") == 1
    assert "AWS::IAM::ManagedPolicy" in types  # autostop's grant
