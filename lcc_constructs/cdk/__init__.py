"""The CDK layer: the only package that imports ``aws_cdk``. Thin constructs over the bundle
layer: a lifecycle configuration, a notebook instance, their IAM, and an Aspect; a Studio
lifecycle configuration and its attaching to a Domain, UserProfile or Space."""

from .aspect import AttachLifecycleConfig
from .interfaces import INotebookInstance
from .lifecycle_config import ILifecycleConfig, LifecycleConfig
from .notebook import NotebookInstance
from .policy import AutostopPolicy, NotebookPolicy
from .studio import IStudioLifecycleConfig, StudioApp, StudioLifecycleConfig

__all__ = [
    "AttachLifecycleConfig",
    "AutostopPolicy",
    "ILifecycleConfig",
    "INotebookInstance",
    "IStudioLifecycleConfig",
    "LifecycleConfig",
    "NotebookInstance",
    "NotebookPolicy",
    "StudioApp",
    "StudioLifecycleConfig",
]
