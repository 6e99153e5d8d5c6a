#!/usr/bin/env python3
"""The example app (examples/app.py) with a hand-written L1 lifecycle configuration instead
of LifecycleConfig: the baseline of the synth-overhead benchmark. Same resources, same
scripts, packed the hand-made way (benchmarks/handmade.py)."""

import sys
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker

sys.path.insert(0, str(Path(__file__).resolve().parent))
import handmade  # noqa: E402

SCRIPTS = Path(__file__).resolve().parent.parent / "examples" / "scripts"
STEPS = ["stop-ssm-agent.sh", "persistent-bin.sh", "git-identity.sh", "disk_report.py"]

app = cdk.App()
stack = cdk.Stack(app, "LccExample")
lcc = sagemaker.CfnNotebookInstanceLifecycleConfig(
    stack, "Lifecycle",
    on_start=[{"content": handmade.content(handmade.script(SCRIPTS, STEPS))}],
)
role = iam.Role(stack, "NotebookRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
sagemaker.CfnNotebookInstance(
    stack, "Notebook", instance_type="ml.t3.medium", role_arn=role.role_arn,
    lifecycle_config_name=lcc.attr_notebook_instance_lifecycle_config_name,
    platform_identifier="notebook-al2023-v1", root_access="Disabled",
)
app.synth()
