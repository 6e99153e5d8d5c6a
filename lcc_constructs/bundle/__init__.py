"""The bundle layer: pure Python, no ``aws_cdk``. From scripts and steps to one checked,
compressed lifecycle script, and back (docs/architecture.md).

steps (steps.py, manifest.py) -> checks (checks.py) -> the archive (archive.py) inside the
unpacking program -> codecs (codecs.py, minify.py) -> the script (render.py) with its size
report (report.py). The plan the runner follows is written and read in plan.py; reading a
script back is the readback layer's (lcc_constructs/readback).
"""

from .render import KINDS, BuildOptions, Kind, Payload, RenderedScript, build, render
from .report import FileSize, SizeReport
from .steps import BundleFile, OnPlatform, Platform, RecipeCall, RecipeResolver, RunAs, Scripts, Step, combine

__all__ = [
    "KINDS",
    "BuildOptions",
    "BundleFile",
    "FileSize",
    "Kind",
    "OnPlatform",
    "Payload",
    "Platform",
    "RecipeCall",
    "RecipeResolver",
    "RenderedScript",
    "RunAs",
    "Scripts",
    "SizeReport",
    "Step",
    "build",
    "combine",
    "render",
]
