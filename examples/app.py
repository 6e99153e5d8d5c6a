#!/usr/bin/env python3
"""Example CDK app: a secure notebook instance whose on-start script is built from
examples/scripts plus autostop.

The notebook sits in a private subnet without internet access (the SageMaker API reached through
an interface endpoint, so autostop can stop it), its volume encrypted with a rotating KMS key,
root access off, IMDSv2 only; its role may only describe and stop this instance. cdk-nag's
AwsSolutions pack finds nothing to report (tests/test_notebook.py).

`./dev synth` synthesizes it and prints what the lifecycle configuration carries. Context:
``-c bootstrapless=true`` selects a synthesizer that needs no `cdk bootstrap` (the template
goes inline to CloudFormation; fine for this asset-free stack, used to deploy to an emulator).
"""

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from constructs import Construct

from lcc_constructs import LifecycleConfig, NotebookInstance, Scripts, recipes

SCRIPTS = Path(__file__).resolve().parent / "scripts"


class NotebookStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)
        vpc = ec2.Vpc(
            self, "Vpc", max_azs=1, nat_gateways=0,
            subnet_configuration=[ec2.SubnetConfiguration(
                name="notebooks", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
        )
        vpc.add_flow_log("FlowLog")
        # No route to the internet: autostop reaches the SageMaker API through this endpoint,
        # which only the notebook's security group may use.
        notebook_sg = ec2.SecurityGroup(self, "NotebookSecurityGroup", vpc=vpc,
                                        description="Notebook instance: no inbound traffic")
        endpoint = vpc.add_interface_endpoint(
            "SageMakerApi", service=ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API, open=False)
        endpoint.connections.allow_default_port_from(notebook_sg, "notebook instance to the SageMaker API")
        lifecycle = LifecycleConfig(
            self, "Lifecycle",
            on_start=[Scripts.from_folder(SCRIPTS), recipes.autostop(idle_minutes=60)],
        )
        self.notebook = NotebookInstance(
            self, "Notebook",
            lifecycle_config=lifecycle,
            vpc=vpc,
            security_groups=[notebook_sg],
            kms_key=kms.Key(self, "VolumeKey", enable_key_rotation=True,
                            description="Notebook instance ML storage volume"),
        )


def main() -> None:
    app = cdk.App()
    bootstrapless = str(app.node.try_get_context("bootstrapless")).lower() == "true"
    NotebookStack(app, "LccExample",
                  synthesizer=cdk.LegacyStackSynthesizer() if bootstrapless else None)
    app.synth()


if __name__ == "__main__":
    main()
