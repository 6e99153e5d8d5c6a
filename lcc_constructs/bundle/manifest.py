"""``lifecycle.toml``: the steps of a scripts folder, in order, with their options; read here
for a build, and written here for ``lcc pull`` (with only what is not a default), both from
the one table of keys below (STEP_KEYS, OPTION_KEYS).

Format: one ``[[step]]`` table per step. A step of the folder has the keys ``script``
(required), ``name`` (default: the script's file name without suffix), ``run_as`` (``"root"``
or ``"ec2-user"``), ``background``, ``timeout`` (seconds), ``required`` and an ``[step.env]``
table. A recipe has the keys ``recipe`` (its name) and an optional ``[step.with]`` table of its
options. An optional ``[options]`` table holds the folder's build options (``budget`` in
seconds, ``keep_runs``, ``unpack_dir``, ``state_dir``, ``codec``, ``minify``), used by every
build of the folder for the options it is not given (a flag, a prop). Unknown keys are errors
(typos); every problem of the file is reported at once.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from ..errors import ValidationError, raise_if
from ..printable import printable
from .steps import RecipeResolver, RunAs, Scripts, Step

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib



@dataclass(frozen=True)
class _Key:
    """A key of a manifest's table: the field it sets (of Step, or of BuildOptions for
    ``[options]``), the type it must have, what it holds as a message says it, and for a step's
    key what a Step's value is written as (None: left out, it is the default)."""

    field: str
    type: type | tuple[type, ...]
    expected: str
    written: Callable[[Step], Any] = lambda _: None


#: The keys of a step's table, read (load_manifest) and written (manifest_text) by this table.
_FLAG = "true or false"
STEP_KEYS: dict[str, _Key] = {
    "script": _Key("script", str, "a string (the file's path)", lambda s: s.script),
    "name": _Key("name", str, "a string",
                 lambda s: None if s.name == PurePosixPath(s.script).stem else s.name),
    "run_as": _Key("run_as", str, 'a string ("root", "ec2-user" or "sagemaker-user")',
                   lambda s: None if s.run_as in (None, RunAs.ROOT) else s.run_as.value),
    "background": _Key("background", bool, _FLAG, lambda s: s.background or None),
    "required": _Key("required", bool, _FLAG, lambda s: s.required or None),
    "stop_on_failure": _Key("stop_on_failure", bool, _FLAG, lambda s: s.stop_on_failure or None),
    "timeout": _Key("timeout_seconds", (int, float), "a number of seconds",
                    lambda s: None if s.timeout_seconds is None else toml_number(s.timeout_seconds)),
    "once": _Key("once", bool, _FLAG, lambda s: s.once or None),
    "env": _Key("env", dict, "a table ([step.env]) of names to strings", lambda s: dict(s.env) or None),
}

#: The [options] table's keys, each with the BuildOptions field it sets.
OPTION_KEYS: dict[str, _Key] = {
    "budget": _Key("budget_seconds", (int, float), "a number of seconds"),
    "keep_runs": _Key("keep_runs", int, "a whole number"),
    "unpack_dir": _Key("unpack_dir", str, "a string (a folder)"),
    "state_dir": _Key("state_dir", str, "a string (a folder)"),
    "codec": _Key("codec", str, 'a string (such as "deflate+base85")'),
    "minify": _Key("minify", bool, _FLAG),
}
RECIPE_KEYS = ("recipe", "with")
#: The scripts a step's or a recipe's table may say it belongs to (``kind``).
STEP_KINDS = ("on-start", "on-create")


#: TOML's names of the types a value read from a manifest has.
_TOML_TYPES = {str: "a string", bool: "a boolean", int: "an integer", float: "a float", dict: "a table",
               list: "an array"}


def _wrong_type_problem(where: str, key: str, value: object) -> str:
    """A key of a manifest holding a value of the wrong type: what it must hold, and what it held."""
    held = _TOML_TYPES.get(type(value), "a date or time")
    expected = (STEP_KEYS.get(key) or OPTION_KEYS[key]).expected
    return f"{where}: {key!r} must be {expected}, not {held} ({value!r})"


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
                 if key in OPTION_KEYS and _wrong_type(value, OPTION_KEYS[key].type)]
    raise_if(problems)
    return {OPTION_KEYS[key].field: value for key, value in table.items()}


def load_manifest(path: Path, recipes: RecipeResolver, kind: str = "on-start") -> Scripts:
    """The steps of a manifest for the script ``kind``, and the files and steps of the recipes
    it names. A table's ``kind`` says which script it belongs to; when no table names one, all
    are the built kind's (a folder for one script); when some do, a table without is on-start's."""
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
    named = any(isinstance(table, dict) and "kind" in table for table in tables)
    parts: list[Scripts] = []
    kinds: set[str] = set()
    for i, table in enumerate(tables, start=1):
        where = f"{path}: step #{i}"
        try:
            table = dict(table) if isinstance(table, dict) else table
            of = table.pop("kind", "on-start" if named else kind) if isinstance(table, dict) else kind
            if of not in STEP_KINDS:
                raise ValidationError(f"{where}: kind must be one of {list(STEP_KINDS)}, not {of!r}")
            kinds.add(of)
            if of != kind:
                continue
            if isinstance(table, dict) and "recipe" in table:
                parts.append(_recipe(where, table, recipes))
            else:
                parts.append(Scripts((), (_step(where, table),)))
        except ValidationError as e:
            problems += e.problems
    if not problems and not parts:
        problems.append(f"{path}: no step of the {kind} script: its steps are {', '.join(sorted(kinds))} "
                        f"steps (a table's kind). Fix: build it as {' or '.join(sorted(kinds))} "
                        "(--kind, on_create=), or add a step of this kind.")
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
    for key, spec in STEP_KEYS.items():
        value = table.get(key)
        if key in table and _wrong_type(value, spec.type):
            problems.append(_wrong_type_problem(where, key, value))
    env = table.get("env", {})
    if isinstance(env, dict):
        problems += [f"{where}: env value of {k!r} must be a string, got {v!r}"
                     for k, v in env.items() if not isinstance(v, str)]
    raise_if(problems)
    values = {spec.field: table[key] for key, spec in STEP_KEYS.items() if key in table}
    try:
        return Step(**{"name": PurePosixPath(str(script)).stem, **values})
    except ValidationError as e:
        raise ValidationError([f"{where}: {p}" for p in e.problems]) from None


# --- writing (lcc pull) ---------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


class RecipeTable(Protocol):
    """A recipe's table in place of the steps it made: its name, its options (``[step.with]``),
    the index of its first step and how many it made (recipes.RecipeUse is one)."""

    @property
    def recipe(self) -> str: ...
    @property
    def options(self) -> Mapping[str, Any]: ...
    @property
    def first(self) -> int: ...
    @property
    def count(self) -> int: ...


def toml_string(text: str) -> str:
    """A TOML basic string holding exactly ``text`` (control characters escaped)."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_comment(text: str) -> str:
    """A comment line holding ``text`` on one line: line breaks and other control characters
    escaped as ``\\n``, ``\\x1b``, ... (a TOML comment may hold none of them)."""
    return f"# {printable(text)}" if text else "#"


def toml_key(key: str) -> str:
    """A key: bare when it can be, else quoted."""
    return key if _BARE_KEY.fullmatch(key) else toml_string(key)


def toml_value(value: Any) -> str:
    """A value of a manifest: a string, boolean, number, list or table (inline)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML value for {value!r}")


def _table(header: str, values: Mapping[str, Any]) -> list[str]:
    """A table's header line and a ``key = value`` line per value."""
    return [header, *(f"{toml_key(k)} = {toml_value(v)}" for k, v in values.items())]


def _step_table(step: Step) -> list[str]:
    """A ``[[step]]`` table with the keys that are not defaults; its variables in ``[step.env]``."""
    values = {key: spec.written(step) for key, spec in STEP_KEYS.items()}
    env = values.pop("env")
    lines = _table("[[step]]", {k: v for k, v in values.items() if v is not None})
    return lines + (_table("[step.env]", env) if env else [])


def _recipe_table(use: RecipeTable) -> list[str]:
    """A recipe's ``[[step]]`` table, with its options in ``[step.with]``."""
    lines = _table("[[step]]", {"recipe": use.recipe})
    return lines + (_table("[step.with]", use.options) if use.options else [])


def manifest_text(steps: Sequence[Step], uses: Sequence[RecipeTable], options: Mapping[str, Any],
                  comments: Sequence[str] = ()) -> str:
    """A manifest: ``comments`` on top, the ``[options]`` table (manifest keys) and a
    ``[[step]]`` table for each step, a recipe's table in place of the steps it made."""
    lines = [toml_comment(c) for c in comments]
    blocks = [_table("[options]", options)] if options else []
    starts = {use.first: use for use in uses}
    i = 0
    while i < len(steps):
        use = starts.get(i)
        blocks.append(_recipe_table(use) if use else _step_table(steps[i]))
        i += use.count if use else 1
    for block in blocks:
        lines += ([""] if lines else []) + block
    return "\n".join(lines) + "\n"
