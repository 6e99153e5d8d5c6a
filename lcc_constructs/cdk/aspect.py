"""``AttachLifecycleConfig``: an Aspect giving every notebook instance of a scope a lifecycle
configuration, with what its scripts need."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import jsii
from aws_cdk import IAspect
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct, IConstruct

from .lifecycle_config import ILifecycleConfig
from .policy import NotebookPolicy


@jsii.implements(IAspect)
class AttachLifecycleConfig:
    """Attaches ``lifecycle_config`` to every notebook instance in the scope that has none, and
    grants each instance's role what the configuration needs on that instance: the IAM actions
    its recipes declare (or ``notebook_actions`` for an existing configuration), and its S3
    payload object.

    ``Aspects.of(app).add(AttachLifecycleConfig(lcc))`` gives every notebook of an app autostop.
    """

    def __init__(self, lifecycle_config: ILifecycleConfig, *, notebook_actions: Sequence[str] = ()) -> None:
        self.lifecycle_config = lifecycle_config
        # NotebookPolicy sorts them and drops repeats.
        self._actions = (*notebook_actions, *lifecycle_config.notebook_actions)

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, sagemaker.CfnNotebookInstance) or node.lifecycle_config_name:
            return
        node.lifecycle_config_name = self.lifecycle_config.lifecycle_config_name
        scope = cast(Construct, node.node.scope)
        # Mutable: a grant of the S3 payload adds a policy attached to the role by name.
        role = iam.Role.from_role_arn(scope, f"{node.node.id}LifecycleRole", node.role_arn)
        self.lifecycle_config.grant_read_payload(role)
        if self._actions:
            NotebookPolicy(scope, f"{node.node.id}LifecyclePolicy", actions=self._actions,
                           notebook_instance_arn=node.ref).grant(role)
