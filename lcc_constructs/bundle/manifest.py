"""``lifecycle.toml``: the steps of a scripts folder, in order, with their options.

Format: one ``[[step]]`` table per step. A step of the folder has the keys ``script``
(required), ``name`` (default: the script's file name without suffix), ``run_as`` (``"root"``
or ``"ec2-user"``), ``background``, ``timeout`` (seconds), ``required`` and an ``[step.env]``
table. A recipe has the keys ``recipe`` (its name) and an optional ``[step.with]`` table of its
options. An optional ``[options]`` table holds build options for ``lcc build`` and ``lcc
deploy`` of the folder (``budget`` in seconds, ``keep_runs``, ``unpack_dir``, ``state_dir``,
``codec``, ``minify``), which their command-line flags override; a construct takes its own props
instead. Unknown keys are errors (typos); every problem of the file is reported at once.
"""

from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import ValidationError, raise_if
from .steps import RecipeResolver, RunAs, Scripts, Step

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

STEP_KEYS = ("name", "script", "run_as", "background", "timeout", "env", "required")

#: The [options] table: its keys, the BuildOptions field each sets and the type it must have.
OPTION_KEYS: dict[str, tuple[str, type | tuple[type, ...]]] = {
    "budget": ("budget_seconds", (int, float)), "keep_runs": ("keep_runs", int),
    "unpack_dir": ("unpack_dir", str), "state_dir": ("state_dir", str), "codec": ("codec", str),
    "minify": ("minify", bool),
}
RECIPE_KEYS = ("recipe", "with")

#: The type each key of a step must have.
_TYPES: dict[str, type | tuple[type, ...]] = {
    "name": str, "script": str, "run_as": str, "background": bool, "required": bool,
    "timeout": (int, float), "env": dict,
}

#: What a key of each type holds, as a manifest says it.
_EXPECTED: dict[str, str] = {
    "name": "a string", "script": "a string (the file's path)", "run_as": 'a string ("root" or "ec2-user")',
    "background": "true or false", "required": "true or false", "timeout": "a number of seconds",
    "env": "a table ([step.env]) of names to strings", "budget": "a number of seconds",
    "keep_runs": "a whole number", "unpack_dir": "a string (a folder)", "state_dir": "a string (a folder)",
    "codec": 'a string (such as "deflate+base85")', "minify": "true or false",
}

#: TOML's names of the types a value read from a manifest has.
_TOML_TYPES = {str: "a string", bool: "a boolean", int: "an integer", float: "a float", dict: "a table",
               list: "an array"}


def _wrong_type_problem(where: str, key: str, value: object) -> str:
    """A key of a manifest holding a value of the wrong type: what it must hold, and what it held."""
    held = _TOML_TYPES.get(type(value), "a date or time")
    return f"{where}: {key!r} must be {_EXPECTED[key]}, not {held} ({value!r})"


def toml_number(seconds: float) -> int | float:
    """Seconds as people write them: whole ones as an integer (a recipe option, a manifest)."""
    return int(seconds) if float(seconds).is_integer() else seconds


def _wrong_type(value: object, typ: type | tuple[type, ...]) -> bool:
    """Whether ``value`` is not a ``typ``: true and false are no numbers in a manifest, though
    Python counts them as ints."""
    return not isinstance(value, typ) or isinstance(value, bool) is not (typ is bool)


def _read(path: Path) -> dict[str, Any]:
    # A byte order mark, which Windows editors write and TOML does not allow, is dropped.
    try:
        doc: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        return doc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ValidationError(f"{path}: not valid TOML ({e}). Fix the syntax.") from None


def load_options(path: Path) -> dict[str, Any]:
    """The manifest's ``[options]``, as BuildOptions fields (checked there, with the others)."""
    table = _read(path).get("options", {})
    if not isinstance(table, dict):
        raise ValidationError(f"{path}: 'options' must be a table ([options])")
    problems = [f"{path}: [options]: unknown key {key!r}; allowed: {sorted(OPTION_KEYS)}"
                for key in table if key not in OPTION_KEYS]
    problems += [_wrong_type_problem(f"{path}: [options]", key, value) for key, value in table.items()
                 if key in OPTION_KEYS and _wrong_type(value, OPTION_KEYS[key][1])]
    raise_if(problems)
    return {OPTION_KEYS[key][0]: value for key, value in table.items()}


def load_manifest(path: Path, recipes: RecipeResolver) -> Scripts:
    """The steps of a manifest, and the files and steps of the recipes it names."""
    doc = _read(path)
    problems = []
    unknown = set(doc) - {"step", "options"}
    if unknown:
        problems.append(f"{path}: unknown top-level key(s) {sorted(unknown)}; the manifest holds "
                        "[[step]] tables and an [options] table only.")
    tables = doc.get("step", [])
    if not isinstance(tables, list) or not tables:
        problems.append(f"{path}: no [[step]] table. Fix: declare at least one step.")
        tables = []
    parts: list[Scripts] = []
    for i, table in enumerate(tables, start=1):
        where = f"{path}: step #{i}"
        try:
            if isinstance(table, dict) and "recipe" in table:
                parts.append(_recipe(where, table, recipes))
            else:
                parts.append(Scripts((), (_step(where, table),)))
        except ValidationError as e:
            problems += e.problems
    raise_if(problems)
    combined = Scripts((), ())
    for part in parts:
        combined = combined + part
    return combined


def _recipe(where: str, table: dict[str, Any], recipes: RecipeResolver) -> Scripts:
    unknown = set(table) - set(RECIPE_KEYS)
    if unknown:
        raise ValidationError(f"{where}: unknown key(s) {sorted(unknown)} for a recipe; allowed: "
                              f"{sorted(RECIPE_KEYS)} (options go in the [step.with] table)")
    options = table.get("with", {})
    if not isinstance(table["recipe"], str) or not isinstance(options, dict):
        raise ValidationError(f"{where}: 'recipe' must be a name and 'with' a table of options")
    return recipes(table["recipe"], options, where)


def _step(where: str, table: Any) -> Step:
    if not isinstance(table, dict):
        raise ValidationError(f"{where}: must be a table")
    problems = []
    unknown = set(table) - set(STEP_KEYS)
    if unknown:
        problems.append(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(STEP_KEYS)}")
    script = table.get("script")
    if not isinstance(script, str) or not script:
        problems.append(f"{where}: 'script' is required (the file to run, relative to the folder)")
    for key, typ in _TYPES.items():
        value = table.get(key)
        if key in table and _wrong_type(value, typ):
            problems.append(_wrong_type_problem(where, key, value))
    env = table.get("env", {})
    if isinstance(env, dict):
        problems += [f"{where}: env value of {k!r} must be a string, got {v!r}"
                     for k, v in env.items() if not isinstance(v, str)]
    raise_if(problems)
    try:
        return Step(
            name=table.get("name", PurePosixPath(str(script)).stem),
            script=str(script),
            run_as=table.get("run_as", RunAs.ROOT),
            background=table.get("background", False),
            timeout_seconds=table.get("timeout"),
            env=env,
            required=table.get("required", False),
        )
    except ValidationError as e:
        raise ValidationError([f"{where}: {p}" for p in e.problems]) from None
