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
from constructs import Construct
from network import private_network, volume_key

from lcc_constructs import LifecycleConfig, NotebookInstance, Scripts, recipes

SCRIPTS = Path(__file__).resolve().parent / "scripts"


class NotebookStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, *, payload: str = "inline", **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)
        # No route to the internet: autostop reaches the SageMaker API through an endpoint
        # which only the notebook's security group may use.
        vpc, notebook_sg = private_network(self)
        lifecycle = LifecycleConfig(
            self, "Lifecycle",
            on_start=[Scripts.from_folder(SCRIPTS), recipes.autostop(idle_minutes=60)],
            payload=payload,
        )
        self.notebook = NotebookInstance(
            self, "Notebook",
            lifecycle_config=lifecycle,
            vpc=vpc,
            security_groups=[notebook_sg],
            kms_key=volume_key(self),
        )


def main() -> None:
    app = cdk.App()
    bootstrapless = str(app.node.try_get_context("bootstrapless")).lower() == "true"
    NotebookStack(app, "LccExample",
                  synthesizer=cdk.LegacyStackSynthesizer() if bootstrapless else None)
    app.synth()


if __name__ == "__main__":
    main()
