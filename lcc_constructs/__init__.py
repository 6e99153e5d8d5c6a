"""lcc-constructs: SageMaker notebook instance lifecycle configurations from a folder of scripts.

The bundle layer (steps, checks, bundle, report) imports nothing from aws_cdk, so the ``lcc``
command starts fast; the constructs are loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .bundle import BuildOptions, RenderedScript, build
from .errors import BundleError
from .limits import CONTENT_LIMIT_CHARS, DEFAULT_BUDGET_SECONDS, SERVICE_TIMEOUT_SECONDS
from .report import FileSize, SizeReport
from .steps import RunAs, Scripts, Step

if TYPE_CHECKING:
    from .lifecycle_config import LifecycleConfig
    from .notebook import AttachLifecycleConfig, AutostopPolicy, NotebookInstance

__all__ = [
    "AttachLifecycleConfig",
    "AutostopPolicy",
    "CONTENT_LIMIT_CHARS",
    "DEFAULT_BUDGET_SECONDS",
    "SERVICE_TIMEOUT_SECONDS",
    "BuildOptions",
    "BundleError",
    "FileSize",
    "LifecycleConfig",
    "NotebookInstance",
    "RenderedScript",
    "RunAs",
    "Scripts",
    "SizeReport",
    "Step",
    "build",
]

_LAZY = {
    "LifecycleConfig": "lifecycle_config",
    "NotebookInstance": "notebook",
    "AutostopPolicy": "notebook",
    "AttachLifecycleConfig": "notebook",
}


def __getattr__(name: str) -> Any:
    # The CDK constructs import aws_cdk (and start jsii): load them only when asked for.
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
