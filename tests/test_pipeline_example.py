"""The CDK Pipelines example (examples/pipeline.py) through the real, pinned CDK CLI, and
`lcc inspect` on its cloud assembly: every stage's lifecycle configuration, inline and S3."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import LCC, ROOT, cdk_cli
from .helpers import of_type

pytestmark = pytest.mark.cdk_cli

@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cdk = cdk_cli()
    out = tmp_path_factory.mktemp("pipeline") / "cdk.out"
    proc = subprocess.run([cdk, "synth", "--quiet", "--app", f"{sys.executable} examples/pipeline.py",
                           "--output", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return out


def lifecycle_configs(assembly: Path) -> dict[str, dict[str, Any]]:
    """Each stage's lifecycle configuration resource, read from the templates by hand."""
    found = {}
    for template in assembly.glob("assembly-*/*.template.json"):
        for res in of_type(template, "AWS::SageMaker::NotebookInstanceLifecycleConfig").values():
            found[template.parent.name.rsplit("-", 1)[1]] = res
    return found


def test_each_stage_has_a_lifecycle_configuration(assembly: Path) -> None:
    configs = lifecycle_configs(assembly)
    assert sorted(configs) == ["Prod", "Test"]
    # Inline: the literal base64; S3: the loader names the pipeline's asset bucket, a token.
    assert isinstance(configs["Test"]["Properties"]["OnStart"][0]["Content"], str)
    assert "Fn::Base64" in configs["Prod"]["Properties"]["OnStart"][0]["Content"]


def test_inspect_reports_every_stage_inline_and_s3(assembly: Path) -> None:
    proc = subprocess.run([LCC, "inspect", str(assembly), "--json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    stage = lambda source: Path(source.split(":")[0]).parent.name.rsplit("-", 1)[1]  # noqa: E731
    found = {stage(r["source"]): r for r in json.loads(proc.stdout)}
    assert sorted(found) == ["Prod", "Test"]
    assert found["Prod"]["codec"].endswith("+s3") and not found["Test"]["codec"].endswith("+s3")
    # The S3 payload was read from the asset the assembly staged (in its top folder): the same
    # steps and files as the inline one.
    for key in ("step_names", "raw_bytes", "files"):
        assert found["Prod"][key] == found["Test"][key], key
    assert found["Test"]["step_names"] == ["stop-ssm-agent", "persistent-bin", "git-config", "disk-report",
                                           "autostop"]


def test_the_s3_stage_grants_read_of_its_payload_only(assembly: Path) -> None:
    (template,) = assembly.glob("assembly-*-Prod/*.template.json")
    resources = json.loads(template.read_text())["Resources"]
    statements = [s for r in resources.values() if r["Type"] == "AWS::IAM::Policy"
                  for s in r["Properties"]["PolicyDocument"]["Statement"]]
    reads = [s for s in statements if "s3:GetObject" in json.dumps(s["Action"])]
    assert len(reads) == 1 and json.dumps(reads[0]["Action"]) == '"s3:GetObject"'
    assert ".lcc" in json.dumps(reads[0]["Resource"])
