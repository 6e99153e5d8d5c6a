#!/usr/bin/env python3
"""Example CDK Pipelines app: the notebook stack of examples/app.py deployed by a
`CodePipeline`, through a "Test" stage and then a "Prod" stage.

The Prod stage carries its scripts as an S3 payload (as a team whose scripts outgrow the
inline limit would): its lifecycle script downloads them from the pipeline's asset bucket,
and the notebook's role may read just that object.

    cdk synth --app "python3 examples/pipeline.py"
    lcc inspect cdk.out        # every lifecycle configuration of every stage

Context: ``-c connection_arn=...`` names the CodeStar connection to the repository
(a placeholder by default: synth works without one, a deploy needs a real one).

Needs aws-cdk-lib 2.189.0 or newer (pyproject.toml allows 2.180.0): ``pipeline_type`` of
``pipelines.CodePipeline`` first appears in 2.189.0 (docs/versions.md).
"""

import aws_cdk as cdk
from app import NotebookStack
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import pipelines
from constructs import Construct

PLACEHOLDER_CONNECTION = (
    "arn:aws:codeconnections:eu-west-1:111111111111:connection/00000000-0000-0000-0000-000000000000"
)


class NotebookStage(cdk.Stage):
    """One deployment of the notebook stack."""

    def __init__(self, scope: Construct, id: str, *, payload: str = "inline", **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)
        NotebookStack(self, "Notebook", payload=payload)


class PipelineStack(cdk.Stack):
    """The pipeline: source, synth (which builds the lifecycle scripts), then the stages."""

    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)
        connection = self.node.try_get_context("connection_arn") or PLACEHOLDER_CONNECTION
        pipeline = pipelines.CodePipeline(
            self, "Pipeline",
            pipeline_type=codepipeline.PipelineType.V2,
            synth=pipelines.ShellStep(
                "Synth",
                input=pipelines.CodePipelineSource.connection(
                    "data-team/notebooks", "main", connection_arn=connection),
                # This repository's pins: the package (a team's own repository would install
                # lcc-constructs from its index, e.g. from requirements.txt) and the CDK CLI of
                # package-lock.json.
                install_commands=["pip install '.[node]'", "npm ci"],
                commands=['npx cdk synth --app "python3 examples/pipeline.py"'],
            ),
        )
        pipeline.add_stage(NotebookStage(self, "Test"))
        pipeline.add_stage(NotebookStage(self, "Prod", payload="s3"),
                           pre=[pipelines.ManualApprovalStep("PromoteToProd")])


def main() -> None:
    app = cdk.App()
    PipelineStack(app, "LccNotebookPipeline")
    app.synth()


if __name__ == "__main__":
    main()
