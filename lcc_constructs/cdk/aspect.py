"""``AttachLifecycleConfig``: an Aspect giving every notebook instance of a scope a lifecycle
configuration, with what its scripts need."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import jsii
from aws_cdk import IAspect
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct, IConstruct

from ..errors import raise_if
from .lifecycle_config import ILifecycleConfig
from .notebook import notebook_of
from .policy import action_problems


@jsii.implements(IAspect)
class AttachLifecycleConfig:
    """Attaches ``lifecycle_config`` to every notebook instance in the scope that has none, and
    gives each instance what the configuration needs on it, as ``NotebookInstance`` does:
    ``lifecycle_config.bind(notebook)`` (the IAM actions its recipes declare, on that instance,
    and its S3 payload object), and ``notebook_actions`` (for an existing configuration, whose
    needs are not known).

    ``Aspects.of(app).add(AttachLifecycleConfig(lcc))`` gives every notebook of an app autostop.
    """

    def __init__(self, lifecycle_config: ILifecycleConfig, *, notebook_actions: Sequence[str] = ()) -> None:
        raise_if(action_problems(notebook_actions, prop="notebook_actions"), path="AttachLifecycleConfig")
        self.lifecycle_config = lifecycle_config
        self._actions = tuple(notebook_actions)

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, sagemaker.CfnNotebookInstance) or node.lifecycle_config_name:
            return
        node.lifecycle_config_name = self.lifecycle_config.lifecycle_config_name
        notebook = notebook_of(node, cast(Construct, node.node.scope), f"{node.node.id}Lifecycle")
        self.lifecycle_config.bind(notebook)
        if self._actions:
            notebook.grant(notebook, *self._actions)
