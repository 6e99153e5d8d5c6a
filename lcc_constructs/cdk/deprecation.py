"""How a deprecated name of the CDK layer says so: a CDK deprecation warning on the construct
that used it, as aws-cdk-lib's own deprecated APIs do. ``cdk synth`` prints it with the
construct's path (whatever module the call was made from); ``cdk synth --strict`` fails on it;
with ``CDK_BLOCK_DEPRECATIONS`` set in the environment the call raises at once."""

from __future__ import annotations

from aws_cdk import Annotations
from constructs import IConstruct

from ..limits import AUTOSTOP_ACTIONS

#: Prefix of the API names in the warnings: ``lcc-constructs.NotebookInstance#grant_autostop``.
API_PREFIX = "lcc-constructs."

#: Autostop's actions as the arguments of a call, for the messages of its deprecated names.
AUTOSTOP_ARGS = ", ".join(repr(a) for a in AUTOSTOP_ACTIONS)


def deprecated(scope: IConstruct, api: str, instead: str) -> None:
    """Warn once per construct and API that ``api`` is deprecated; ``instead``: what to use."""
    Annotations.of(scope).add_deprecation(f"{API_PREFIX}{api}", instead)
