"""The recipe registry: how manifests and the CLI find built-in recipes by name.

Built-in recipes are steps every notebook team writes, shipped as scripts in
``assets/recipes``. A recipe is a function returning :class:`~lcc_constructs.steps.Scripts` (its
files and steps), registered under a name so that the manifest and the CLI can use it too::

    LifecycleConfig(stack, "L", on_start=[recipes.stop_ssm_agent(), Scripts.from_folder("s")])

    # lifecycle.toml
    [[step]]
    recipe = "stop-ssm-agent"
    [step.with]
    uninstall = true

    lcc build scripts/ --recipe 'stop-ssm-agent={uninstall = true}' -o on-start.sh

Every recipe takes a keyword ``name`` (its step name, default the recipe's name); its files go
under ``recipes/<name>/`` in the bundle, so one recipe can be used twice under two names.
"""

from __future__ import annotations

import inspect
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from ._assets import assets_dir, packed
from .errors import BundleError
from .limits import STEP_NAME_PATTERN
from .steps import DEFAULT_EXCLUDES, BundleFile, Scripts, Step

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

RecipeFunction = Callable[..., Scripts]
F = TypeVar("F", bound=RecipeFunction)

_REGISTRY: dict[str, RecipeFunction] = {}

#: The helpers every recipe script sources: their path in assets/ and in the bundle.
RECIPE_LIB = "recipes/lib.sh"

def _load_builtins() -> None:
    # Importing the recipes module registers every built-in recipe (autostop's included).
    from . import recipes  # noqa: F401


def register(name: str) -> Callable[[F], F]:
    """Make a recipe function available to manifests and the CLI under ``name``."""

    def decorate(fn: F) -> F:
        _REGISTRY[name] = fn
        return fn

    return decorate


def available() -> dict[str, RecipeFunction]:
    """Registered recipes by name."""
    _load_builtins()
    return dict(sorted(_REGISTRY.items()))


def recipe_scripts(recipe: str, steps: Sequence[Step], *, leave_out: Sequence[str] = (),
                   libs: Sequence[str] = (), shared_lib: bool = True) -> Scripts:
    """The files of ``assets/recipes/<recipe>`` (but ``leave_out``, files the chosen options do
    not use) under ``recipes/<first step's name>/`` in the bundle, with ``steps`` (whose scripts
    are relative to that folder); unless ``shared_lib`` is False, the helpers recipes share as
    ``recipes/lib.sh``, and the helper files ``libs`` names (``assets/recipes/lib/<name>.sh``),
    which lib.sh sources: each packed once however many recipes bring it. Like the runner,
    recipe files travel as tools/pack_assets.py minified them (assets/packed)."""
    for step in steps:  # before the name becomes a path
        if not STEP_NAME_PATTERN.match(step.name):
            raise BundleError(f"recipe {recipe!r}: step name {step.name!r} is not valid: letters, "
                              "digits and _ . - (at most 64, not starting with . _ or -)")
    own = Scripts.from_folder(assets_dir() / "packed" / "recipes" / recipe, steps=steps,
                              prefix=f"recipes/{steps[0].name}", exclude=[*DEFAULT_EXCLUDES, *leave_out])
    shared = [RECIPE_LIB, *(f"recipes/lib/{lib}.sh" for lib in libs)] if shared_lib else []
    files = [*own.files, *(BundleFile(path, packed(path), 0o644, path) for path in shared)]
    return Scripts(files=tuple(files), steps=own.steps)


def _matches(value: Any, hint: Any) -> bool:
    """Whether a manifest/CLI value fits a recipe parameter's annotation (simple types only)."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, h) for h in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin in (list, tuple, Sequence) or hint in (list, tuple):
        args = typing.get_args(hint)
        return isinstance(value, (list, tuple)) and all(_matches(v, args[0]) for v in value) \
            if args else isinstance(value, (list, tuple))
    if origin in (dict, Mapping) or hint is dict:
        args = typing.get_args(hint)
        return isinstance(value, dict) and (not args or all(
            _matches(k, args[0]) and _matches(v, args[1]) for k, v in value.items()))
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def from_spec(name: str, options: Mapping[str, Any], where: str = "") -> Scripts:
    """A recipe by name with options from a manifest or the command line, checked against the
    recipe function's signature."""
    prefix = f"{where}: " if where else ""
    _load_builtins()
    fn = _REGISTRY.get(name)
    if fn is None:
        known = ", ".join(_REGISTRY) or "none"
        raise BundleError(f"{prefix}unknown recipe {name!r}; known recipes: {known}")
    params = {p.name: p for p in inspect.signature(fn).parameters.values()
              if p.kind is inspect.Parameter.KEYWORD_ONLY}
    hints = typing.get_type_hints(fn)
    for key, value in options.items():
        if key not in params:
            raise BundleError(
                f"{prefix}recipe {name!r} has no option {key!r}; its options: {sorted(params)}"
            )
        if key in hints and not _matches(value, hints[key]):
            raise BundleError(
                f"{prefix}recipe {name!r}: option {key!r}={value!r} is not of type {hints[key]}"
            )
    try:
        return fn(**options)
    except BundleError as e:
        raise BundleError(f"{prefix}{e}") from None
    except (TypeError, ValueError) as e:
        raise BundleError(f"{prefix}recipe {name!r}: {e}") from None


def parse_cli_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """``NAME`` or ``NAME={key = value, ...}`` (a TOML inline table) from ``lcc --recipe``."""
    name, sep, table = spec.partition("=")
    name = name.strip()
    if not sep:
        return name, {}
    try:
        options = tomllib.loads(f"options = {table}")["options"]
    except tomllib.TOMLDecodeError as e:
        raise BundleError(
            f"--recipe {spec!r}: options must be a TOML inline table, e.g. "
            f"'{name}={{key = \"value\"}}' ({e})"
        ) from None
    if not isinstance(options, dict):
        raise BundleError(f"--recipe {spec!r}: options must be a TOML inline table {{...}}")
    return name, options


def describe(name: str) -> str:
    """A recipe's signature and the first paragraph of its documentation, for ``lcc recipes``."""
    fn = available()[name]
    doc = inspect.getdoc(fn) or ""
    params = [p for p in inspect.signature(fn).parameters.values()
              if p.kind is inspect.Parameter.KEYWORD_ONLY]
    opts = ", ".join(p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
                     for p in params)
    return f"{name}({opts})\n    " + doc.split("\n\n")[0].replace("\n", "\n    ")
