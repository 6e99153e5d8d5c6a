#!/usr/bin/env python3
"""The example app (examples/app.py) written without this library: the baseline of the
synth-overhead benchmark. The same network, key, role and notebook; a hand-written L1
lifecycle configuration packing the same files the hand-made way (benchmarks/handmade.py);
the same autostop permissions as a hand-written policy."""

import shutil
import sys
import tempfile
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT / "examples")]
import handmade  # noqa: E402
from network import private_network, volume_key  # noqa: E402

RECIPES = ROOT / "assets" / "recipes"
#: What the example's bundle packs: its scripts folder and the recipes it uses.
USED = ("stop-ssm-agent", "persistent-bin", "git-config", "autostop")
SOURCES = {"": ROOT / "examples" / "scripts", **{f"recipes/{r}": RECIPES / r for r in USED}}
STEPS = ["recipes/stop-ssm-agent/stop-ssm-agent.sh", "recipes/persistent-bin/persistent-bin.sh",
         "recipes/git-config/git-config.sh", "disk_report.py",
         "recipes/autostop/autostop.sh"]


def packed_folder(dest: Path) -> Path:
    for prefix, source in SOURCES.items():
        shutil.copytree(source, dest / prefix, dirs_exist_ok=True)
    shutil.copy2(RECIPES / "lib.sh", dest / "recipes" / "lib.sh")
    return dest


app = cdk.App()
stack = cdk.Stack(app, "LccExample")
vpc, notebook_sg = private_network(stack)
with tempfile.TemporaryDirectory() as tmp:
    text = handmade.script(packed_folder(Path(tmp)), STEPS)
lifecycle = sagemaker.CfnNotebookInstanceLifecycleConfig(
    stack, "Lifecycle", on_start=[{"content": handmade.content(text)}])
role = iam.Role(stack, "NotebookRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
notebook = sagemaker.CfnNotebookInstance(
    stack, "Notebook", instance_type="ml.t3.medium", role_arn=role.role_arn,
    lifecycle_config_name=lifecycle.attr_notebook_instance_lifecycle_config_name,
    platform_identifier="notebook-al2023-v1", root_access="Disabled",
    subnet_id=vpc.isolated_subnets[0].subnet_id, security_group_ids=[notebook_sg.security_group_id],
    direct_internet_access="Disabled", kms_key_id=volume_key(stack).key_arn,
    instance_metadata_service_configuration={"minimumInstanceMetadataServiceVersion": "2"},
)
iam.ManagedPolicy(stack, "AutostopPolicy", roles=[role], statements=[iam.PolicyStatement(
    actions=["sagemaker:DescribeNotebookInstance", "sagemaker:StopNotebookInstance"],
    resources=[notebook.ref])])
app.synth()
