"""Built-in recipes: steps every notebook team writes, shipped as scripts in ``assets/recipes``.

Each is a function returning the :class:`~lcc_constructs.bundle.Scripts` of one use of it (its
files, its steps, the IAM actions it needs on the notebook), ready to combine with your own::

    LifecycleConfig(stack, "L", on_start=[recipes.stop_ssm_agent(), Scripts.from_folder("s")])

Manifests (``recipe = "stop-ssm-agent"`` with a ``[step.with]`` table) and ``lcc --recipe``
find them by name in :data:`RECIPES`, the explicit list below: a recipe is there because it is
listed, not because some module was imported. Every recipe takes a keyword ``name`` (its step
name, default the recipe's name); its files go under ``recipes/<name>/`` in the bundle, so one
recipe can be used twice under two names. Bad options raise
:class:`~lcc_constructs.errors.ValidationError` listing each one, with the value and the fix.
docs/architecture.md has the checklist for adding a recipe.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..bundle import Scripts, Step
from ..errors import ValidationError
from ._readback import RecipeUse, find_uses, unmarked
from .apt_packages import apt_packages
from .autostop import autostop
from .environment_variables import environment_variables
from .git_config import git_config
from .jupyter_extensions import jupyter_extensions
from .jupyter_settings import jupyter_settings
from .package_index import package_index
from .persist_conda_envs import persist_conda_envs
from .persist_home_folders import persist_home_folders
from .persistent_bin import persistent_bin
from .stop_ssm_agent import stop_ssm_agent

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "RECIPES",
    "Recipe",
    "RecipeUse",
    "apt_packages",
    "autostop",
    "describe",
    "environment_variables",
    "from_spec",
    "git_config",
    "jupyter_extensions",
    "jupyter_settings",
    "package_index",
    "parse_cli_spec",
    "persist_conda_envs",
    "persist_home_folders",
    "persistent_bin",
    "recipe_uses",
    "stop_ssm_agent",
    "unmarked",
]

#: A recipe: keyword options in, the Scripts of one use of it out.
Recipe = Callable[..., Scripts]

#: Every built-in recipe, by the name manifests and the command line use.
RECIPES: Mapping[str, Recipe] = {
    "persist-conda-envs": persist_conda_envs,
    "stop-ssm-agent": stop_ssm_agent,
    "persist-home-folders": persist_home_folders,
    "persistent-bin": persistent_bin,
    "environment-variables": environment_variables,
    "package-index": package_index,
    "git-config": git_config,
    "autostop": autostop,
    "apt-packages": apt_packages,
    "jupyter-settings": jupyter_settings,
    "jupyter-extensions": jupyter_extensions,
}


def _options(fn: Recipe) -> dict[str, inspect.Parameter]:
    return {p.name: p for p in inspect.signature(fn).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY}


def from_spec(name: str, options: Mapping[str, Any], where: str = "") -> Scripts:
    """A recipe by name with options from a manifest or the command line; every problem is
    named after ``where`` (the manifest step, or the ``--recipe`` argument)."""
    prefix = f"{where}: " if where else ""
    fn = RECIPES.get(name)
    if fn is None:
        raise ValidationError(f"{prefix}unknown recipe {name!r}; known recipes: {', '.join(RECIPES)}")
    params = _options(fn)
    problems = [f"{prefix}recipe {name!r} has no option {key!r}; its options: {sorted(params)}"
                for key in options if key not in params]
    problems += [f"{prefix}recipe {name!r} needs the option {key!r}" for key, p in params.items()
                 if p.default is inspect.Parameter.empty and key not in options]
    if problems:
        raise ValidationError(problems)
    try:
        return fn(**options)
    except ValidationError as e:
        raise ValidationError([f"{prefix}{p}" for p in e.problems]) from None


def parse_cli_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """``NAME`` or ``NAME={key = value, ...}`` (a TOML inline table) from ``lcc --recipe``."""
    name, sep, table = spec.partition("=")
    name = name.strip()
    if not sep:
        return name, {}
    try:
        options = tomllib.loads(f"options = {table}")["options"]
    except tomllib.TOMLDecodeError as e:
        raise ValidationError(
            f"--recipe {spec!r}: options must be a TOML inline table, e.g. "
            f"'{name}={{key = \"value\"}}' ({e})"
        ) from None
    if not isinstance(options, dict):
        raise ValidationError(f"--recipe {spec!r}: options must be a TOML inline table {{...}}")
    return name, options


def describe(name: str) -> dict[str, Any]:
    """A recipe's options with their defaults, and the first paragraph of its documentation,
    for ``lcc recipes``."""
    fn = RECIPES[name]
    doc = inspect.getdoc(fn) or ""
    return {
        "name": name,
        "summary": " ".join(doc.split("\n\n")[0].split()),
        "options": {key: None if p.default is inspect.Parameter.empty else p.default
                    for key, p in _options(fn).items()},
        "required": [key for key, p in _options(fn).items() if p.default is inspect.Parameter.empty],
    }


def recipe_uses(steps: Sequence[Step], files: Mapping[str, tuple[int, bytes]]) -> list[RecipeUse]:
    """Every use of a built-in recipe found among the steps of a bundle read back (``lcc
    pull``), each checked by calling the recipe again; ``files``: the bundle's files under
    scripts/, by path: (mode, data)."""
    return find_uses(steps, files, RECIPES)
