"""The CDK layer: the only package that imports ``aws_cdk``. Thin constructs over the bundle
layer: a lifecycle configuration, a notebook instance, their IAM, and an Aspect."""

from .aspect import AttachLifecycleConfig
from .interfaces import INotebookInstance
from .lifecycle_config import ILifecycleConfig, LifecycleConfig
from .notebook import NotebookInstance
from .policy import AutostopPolicy, NotebookPolicy

__all__ = [
    "AttachLifecycleConfig",
    "AutostopPolicy",
    "ILifecycleConfig",
    "INotebookInstance",
    "LifecycleConfig",
    "NotebookInstance",
    "NotebookPolicy",
]
