"""Recipes found again among the steps of a bundle read back (``lcc pull``).

A bundle keeps no trace of which recipe made a step: the steps' scripts and variables are all
there is. Each recipe module holds the inverse of its recipe next to it: ``SCRIPT``, the script
of the recipe's first step (found at ``recipes/<step name>/SCRIPT``), and ``options_of``, the
options that made those steps. A guess is kept only when the recipe, called again with the
options found, makes exactly the steps and files the bundle holds; otherwise the steps stay
plain steps with their files, which build the same bundle.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..bundle import Scripts, Step
from ..errors import ValidationError
from ._common import recipe_call

#: A recipe's inverse: the steps from its first one on -> the options that made them.
Inverse = Callable[[Sequence[Step]], dict[str, Any]]


@dataclass(frozen=True)
class RecipeUse:
    """One use of a recipe found among the steps: its name and the options that differ from
    their defaults (as a manifest's ``[step.with]`` table holds them), the index of its first
    step and how many steps it made, and the bundle files it brings."""

    recipe: str
    options: dict[str, Any]
    first: int
    count: int
    files: frozenset[str]


def _inverses(recipes: Mapping[str, Callable[..., Scripts]]) -> dict[str, tuple[str, Inverse]]:
    """Each recipe's first script and inverse, from the module that defines the recipe."""
    found = {}
    for name, fn in recipes.items():
        module = importlib.import_module(fn.__module__)
        found[name] = (module.SCRIPT, module.options_of)
    return found


def unmarked(steps: Sequence[Step]) -> list[Step]:
    """Steps without the mark of the recipe that made them (a bundle keeps none)."""
    return [replace(s, recipe=None) for s in steps]


def _use_at(steps: Sequence[Step], i: int, files: Mapping[str, tuple[int, bytes]],
            recipes: Mapping[str, Callable[..., Scripts]]) -> RecipeUse | None:
    """The use of a recipe that made the steps from ``steps[i]`` on, if one did."""
    step = steps[i]
    for recipe, (script, inverse) in _inverses(recipes).items():
        if step.script != f"recipes/{step.name}/{script}":
            continue
        try:
            options = inverse(steps[i:])
            made = recipes[recipe](**options)
        except (ValidationError, KeyError, ValueError, TypeError):
            continue
        count = len(made.steps)
        # (A script the recipe runs on Studio instead is not packed for a notebook instance.)
        other = {rule.script for rule in made.on_platform.values() if rule.script}
        made = replace(made, files=tuple(f for f in made.files if f.path not in other))
        same_files = all(files.get(f.path) == (f.mode & 0o755, f.data) for f in made.files)
        if same_files and unmarked(made.steps) == unmarked(steps[i:i + count]):
            call = recipe_call(recipe, recipes[recipe], options)
            paths = frozenset(f.path for f in made.files)
            return RecipeUse(recipe, json.loads(call.options), i, count, paths)
    return None


def find_uses(steps: Sequence[Step], files: Mapping[str, tuple[int, bytes]],
              recipes: Mapping[str, Callable[..., Scripts]]) -> list[RecipeUse]:
    """Every use of one of ``recipes`` found among ``steps``, in order. ``files``: the bundle's
    files under scripts/, by path: (mode, data)."""
    uses: list[RecipeUse] = []
    i = 0
    while i < len(steps):
        use = _use_at(steps, i, files, recipes)
        if use:
            uses.append(use)
        i += use.count if use else 1
    return uses
