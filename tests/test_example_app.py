"""The example app through the real, pinned CDK CLI; its on-start script run in the sandbox."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest

from lcc_constructs.sandbox import availability, simulate

from .conftest import LCC, ROOT, cdk_cli, require
from .helpers import assert_ran_as_planned, of_type, standins, who_hook

pytestmark = pytest.mark.cdk_cli


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cdk = cdk_cli()
    out = tmp_path_factory.mktemp("cdk") / "cdk.out"
    proc = subprocess.run([cdk, "synth", "--quiet", "--output", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return out


def lifecycle_contents(cdk_out: Path) -> dict[str, str]:
    found = {}
    for template in cdk_out.glob("*.template.json"):
        for lid, res in of_type(template, "AWS::SageMaker::NotebookInstanceLifecycleConfig").items():
            for hook in ("OnStart", "OnCreate"):
                for entry in res["Properties"].get(hook, []):
                    found[f"{lid}.{hook}"] = entry["Content"]
    return found


def test_cli_version_is_the_pinned_one() -> None:
    cdk = cdk_cli()
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["aws-cdk"]
    out = subprocess.run([cdk, "--version"], capture_output=True, text=True, check=True).stdout
    assert out.startswith(pinned + " ")


def test_synth_emits_literal_content_within_the_limit(synthesized: Path) -> None:
    contents = lifecycle_contents(synthesized)
    assert contents, "no lifecycle configuration in the example app"
    for where, content in contents.items():
        assert isinstance(content, str), where
        assert 0 < len(content) <= 16384, where


def test_lcc_inspect_reads_the_assembly(synthesized: Path) -> None:
    assert Path(LCC).is_file()
    proc = subprocess.run([LCC, "inspect", str(synthesized), "--json"], capture_output=True,
                          text=True, check=True)
    found = json.loads(proc.stdout)
    assert found and all(f["fits"] for f in found)
    assert "stop-ssm-agent" in found[0]["step_names"]


@pytest.mark.sandbox
def test_the_synthesized_on_start_runs_in_the_sandbox(synthesized: Path, tmp_path: Path) -> None:
    require(availability() is None, f"sandbox unavailable: {availability()}")
    content = next(c for w, c in lifecycle_contents(synthesized).items() if w.endswith("OnStart"))
    script = tmp_path / "on-start.sh"
    script.write_bytes(base64.b64decode(content))
    # As on the instance, systemd runs (the systemctl stand-in, tests/README.md).
    result = simulate(script, keep=tmp_path / "keep", volume=tmp_path / "volume",
                      files={**standins(tmp_path, "systemctl"), **who_hook(tmp_path)})
    run = result.last
    assert not run.would_fail, run.output
    assert run.steps and all(s.status in ("ok", "started") for s in run.steps), result.format()
    assert_ran_as_planned(run)
    keep = tmp_path / "keep"
    assert (keep / "etc/profile.d/lcc-persistent-bin.sh").exists()
    assert (keep / "etc/systemd/system/lcc-autostop.timer").exists()
