#!/usr/bin/env python3
"""Example CDK app: a notebook instance whose on-start script is built from examples/scripts.

`./dev synth` synthesizes it and prints what the lifecycle configuration carries.
"""

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from lcc_constructs import LifecycleConfig

SCRIPTS = Path(__file__).resolve().parent / "scripts"


class NotebookStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)
        lcc = LifecycleConfig(self, "Lifecycle", on_start=SCRIPTS)
        role = iam.Role(
            self, "NotebookRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com")
        )
        sagemaker.CfnNotebookInstance(
            self,
            "Notebook",
            instance_type="ml.t3.medium",
            role_arn=role.role_arn,
            lifecycle_config_name=lcc.attr_lifecycle_config_name,
            platform_identifier="notebook-al2023-v1",
            root_access="Disabled",
        )


app = cdk.App()
NotebookStack(app, "LccExample")
app.synth()
