"""lcc-constructs: SageMaker notebook instance lifecycle configurations from a folder of scripts.

The layers (docs/architecture.md): :mod:`.bundle` (pure Python: steps to a checked, compressed
script and back) <- :mod:`.recipes` (built-in steps) <- :mod:`.cdk` (the constructs), the ``lcc``
command (:mod:`.cli`) and the :mod:`.sandbox`. Importing this package does not import
``aws_cdk`` (``lcc`` starts without jsii): the constructs load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import recipes
from .bundle import (
    BuildOptions,
    FileSize,
    Payload,
    RenderedScript,
    RunAs,
    Scripts,
    SizeReport,
    Step,
    build,
)
from .errors import BundleError, ValidationError
from .limits import CONTENT_LIMIT_CHARS, DEFAULT_BUDGET_SECONDS, SERVICE_TIMEOUT_SECONDS

if TYPE_CHECKING:
    from .cdk import (
        AttachLifecycleConfig,
        AutostopPolicy,
        ILifecycleConfig,
        INotebookInstance,
        IStudioLifecycleConfig,
        LifecycleConfig,
        NotebookInstance,
        NotebookPolicy,
        StudioApp,
        StudioLifecycleConfig,
    )

__version__ = "0.2.0"

__all__ = [
    "CONTENT_LIMIT_CHARS",
    "DEFAULT_BUDGET_SECONDS",
    "SERVICE_TIMEOUT_SECONDS",
    "AttachLifecycleConfig",
    "AutostopPolicy",
    "BuildOptions",
    "BundleError",
    "FileSize",
    "ILifecycleConfig",
    "INotebookInstance",
    "IStudioLifecycleConfig",
    "LifecycleConfig",
    "NotebookInstance",
    "NotebookPolicy",
    "Payload",
    "RenderedScript",
    "RunAs",
    "Scripts",
    "SizeReport",
    "Step",
    "StudioApp",
    "StudioLifecycleConfig",
    "ValidationError",
    "__version__",
    "build",
    "recipes",
]

#: The names of the CDK layer, loaded when first asked for (they import aws_cdk and start jsii).
_CDK = ("AttachLifecycleConfig", "AutostopPolicy", "ILifecycleConfig", "INotebookInstance",
        "IStudioLifecycleConfig", "LifecycleConfig", "NotebookInstance", "NotebookPolicy", "StudioApp",
        "StudioLifecycleConfig")


def __getattr__(name: str) -> Any:
    if name in _CDK:
        return getattr(import_module(".cdk", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
