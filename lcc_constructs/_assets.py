"""Where the files that run on the instance live: ``assets/`` in a checkout, inside the package
in a wheel (the wheel build copies them there)."""

from __future__ import annotations

import ast
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


def strip_shell_comments(text: str) -> str:
    """Drop comment lines, blank lines and indentation from our own shell files in assets/.

    Only for those files: they are written so that this is safe (no multi-line strings, no
    here-document other than the bootstrap's payload, which holds no '#').
    """
    out = []
    for i, line in enumerate(text.splitlines()):
        stripped = line.strip()
        if i == 0 and stripped.startswith("#!") or stripped and not stripped.startswith("#"):
            out.append(stripped)
    return "\n".join(out) + "\n"


def compact(path: str, data: bytes) -> bytes:
    """One of our own asset files as it travels to the instance: shell without comment lines and
    indentation; Python without comments and docstrings (rebuilt from its syntax tree, which the
    tests check still runs on Python 3.7). The files in assets/ stay the readable source."""
    if path.endswith(".sh"):
        return strip_shell_comments(data.decode()).encode()
    if path.endswith(".py"):
        tree = ast.parse(data)
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and body and \
                    isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                node.body = body[1:] or [ast.Pass()]
        return (ast.unparse(tree) + "\n").encode()
    return data
