"""The Studio example (examples/studio.py) through the real, pinned CDK CLI; `lcc inspect` of its
cloud assembly; cdk-nag's AwsSolutions pack on its stack."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from .conftest import LCC, ROOT, cdk_cli
from .helpers import of_type

pytestmark = pytest.mark.cdk_cli

#: The one finding the example acknowledges, with its reason in examples/studio.py.
ACKNOWLEDGED = ("AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:"
                "log-group:/aws/sagemaker/studio:log-stream:*]")


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("studio") / "cdk.out"
    proc = subprocess.run([cdk_cli(), "synth", "--quiet", "--app", f"{sys.executable} examples/studio.py",
                           "--output", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout + proc.stderr


def resources(assembly: Path) -> dict[str, dict[str, Any]]:
    template = json.loads((assembly / "LccStudioExample.template.json").read_text())
    return template["Resources"]  # type: ignore[no-any-return]


def example_stack(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    spec = importlib.util.spec_from_file_location("studio_example", ROOT / "examples" / "studio.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.StudioStack(cdk.App(), "LccStudioExample")


def test_a_vpc_only_domain_with_one_folder_for_two_apps_and_a_built_in(synthesized: tuple[Path, str]) -> None:
    res = resources(synthesized[0])
    configs = {r["Properties"]["StudioLifecycleConfigName"]: r["Properties"]
               for r in of_type({"Resources": res}, "AWS::SageMaker::StudioLifecycleConfig").values()}
    assert sorted(p["StudioLifecycleConfigAppType"] for p in configs.values()) == \
        ["CodeEditor", "JupyterLab", "JupyterLab"]
    team = {p["StudioLifecycleConfigAppType"]: p for n, p in configs.items() if "-Team" in n}
    content = "StudioLifecycleConfigContent"
    assert team["JupyterLab"][content] == team["CodeEditor"][content]
    ids = {r["Properties"]["StudioLifecycleConfigName"]: lid for lid, r in res.items()
           if r["Type"] == "AWS::SageMaker::StudioLifecycleConfig"}
    role = {n: "Admin" if "-Admin-" in n else p["StudioLifecycleConfigAppType"] for n, p in configs.items()}
    ref = {app: {"Fn::GetAtt": [ids[n], "StudioLifecycleConfigArn"]} for n, app in role.items()}

    (domain,) = of_type({"Resources": res}, "AWS::SageMaker::Domain").values()
    d = domain["Properties"]
    assert d["AppNetworkAccessType"] == "VpcOnly" and len(d["SubnetIds"]) == 2
    jl = d["DefaultUserSettings"]["JupyterLabAppSettings"]
    assert jl["BuiltInLifecycleConfigArn"] == ref["Admin"]
    assert jl["LifecycleConfigArns"] == [ref["JupyterLab"]]
    assert jl["DefaultResourceSpec"] == {"InstanceType": "ml.t3.medium",
                                         "LifecycleConfigArn": ref["JupyterLab"]}
    assert jl["AppLifecycleManagement"]["IdleSettings"] == {"LifecycleManagement": "ENABLED",
                                                            "IdleTimeoutInMinutes": 120}
    assert d["DefaultSpaceSettings"]["JupyterLabAppSettings"] == {k: v for k, v in jl.items()
                                                                  if k != "DefaultResourceSpec"} | {
        "DefaultResourceSpec": {"LifecycleConfigArn": ref["JupyterLab"]}}
    assert d["DefaultUserSettings"]["CodeEditorAppSettings"]["DefaultResourceSpec"] == {
        "LifecycleConfigArn": ref["CodeEditor"]}

    (profile,) = of_type({"Resources": res}, "AWS::SageMaker::UserProfile").values()
    assert profile["Properties"]["UserSettings"]["JupyterLabAppSettings"]["AppLifecycleManagement"] == {
        "IdleSettings": {"LifecycleManagement": "ENABLED", "IdleTimeoutInMinutes": 60}}
    (space,) = of_type({"Resources": res}, "AWS::SageMaker::Space").values()
    assert space["Properties"]["SpaceSettings"]["JupyterLabAppSettings"] == {
        "DefaultResourceSpec": {"LifecycleConfigArn": ref["JupyterLab"]}}


def test_the_template_validation_finds_nothing(synthesized: tuple[Path, str]) -> None:
    # aws-cdk-lib's own CloudFormation validation (its finding on the profile's idle settings
    # is acknowledged by attach: its schema predates them).
    assert "CloudFormation Validate" not in synthesized[1], synthesized[1]


def test_lcc_inspect_lists_the_studio_configurations(synthesized: tuple[Path, str]) -> None:
    proc = subprocess.run([LCC, "inspect", str(synthesized[0]), "--json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    properties = [f["source"].rsplit(":", 1)[1].split(".")[1] for f in found]
    assert properties == ["StudioLifecycleConfigContent"] * 3
    steps = sorted(tuple(f["step_names"]) for f in found)
    assert steps == [("git-config", "welcome", "disk-report")] * 2 + [("pip-index",)]
    assert all(f["fits"] and f["platform"] == "studio" for f in found)


def test_cdk_nag_finds_nothing_the_example_can_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    from cdk_nag import AwsSolutionsChecks

    stack = example_stack(monkeypatch)
    report = AwsSolutionsChecks().validate_scope(stack)
    found = [(v.rule_name, [r.construct_path for r in v.violating_resources]) for v in report.violations]
    assert report.success and found == [], found
    # What is acknowledged: that one finding, with a reason.
    key = cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    acknowledged = [entry.data for c in stack.node.find_all() for entry in c.node.metadata
                    if entry.type == key]
    rules = json.dumps(acknowledged)
    assert ACKNOWLEDGED in rules and rules.count("AwsSolutions-") == 1


def test_cdk_nag_would_see_what_the_example_leaves_out(monkeypatch: pytest.MonkeyPatch) -> None:
    # The check above can fail: a wildcard on the execution role is reported.
    from cdk_nag import AwsSolutionsChecks

    stack = example_stack(monkeypatch)
    stack.role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:*"], resources=["*"]))
    rules = {v.rule_name for v in AwsSolutionsChecks().validate_scope(stack).violations}
    assert "AwsSolutions-IAM5[Resource::*]" in rules
