"""Where the files that run on the instance live, and how they travel.

``assets/`` holds the readable sources (in a checkout; inside the package in a wheel, which the
wheel build copies there). They travel minified: ``assets/packed/`` holds each one as
``tools/pack_assets.py`` minified it (shell by shfmt, Python by python-minifier), committed, so
that a build reads fixed bytes whatever the machine, its tools or its Python version.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def assets_dir() -> Path:
    package = Path(__file__).resolve().parent.parent
    # In a wheel: lcc_constructs/assets; in a checkout: assets/ beside the package.
    for candidate in (package / "assets", package.parent / "assets"):
        if (candidate / "packed" / "loader.sh").is_file():
            return candidate
    raise FileNotFoundError(
        f"lcc-constructs assets not found next to {package}; reinstall the package"
    )


@cache
def packed(relative: str) -> bytes:
    """An asset as it travels: its minified form from assets/packed."""
    return (assets_dir() / "packed" / relative).read_bytes()


def snippet(relative: str) -> str:
    """A packed shell asset without its #! line and final newline, to put into another."""
    text = packed(relative).decode()
    if text.startswith("#!"):
        text = text.split("\n", 1)[1]
    return text.rstrip("\n")
