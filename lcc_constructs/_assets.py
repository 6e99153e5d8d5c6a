"""Where the files that run on the instance live: ``assets/`` in a checkout, inside the package
in a wheel (the wheel build copies them there)."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def assets_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "assets", here.parent / "assets"):
        if (candidate / "bootstrap.sh").is_file():
            return candidate
    raise FileNotFoundError(
        f"lcc-constructs assets not found next to {here}; reinstall the package"
    )


def asset_path(relative: str) -> Path:
    return assets_dir() / relative


def read_asset(relative: str) -> bytes:
    return asset_path(relative).read_bytes()


def shell_body(relative: str) -> str:
    """A shell asset without its #! line, to paste into another script."""
    return "\n".join(read_asset(relative).decode().splitlines()[1:])
