"""``lifecycle.toml`` written from steps, recipe uses and build options (``lcc pull``): the
manifest format of lcc_constructs/bundle/manifest.py, with only what is not a default."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from ..bundle import RunAs, Step
from ..bundle.manifest import toml_number
from ..printable import printable
from ..recipes import RecipeUse

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


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
    return key if _BARE_KEY.match(key) else toml_string(key)


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
    """A ``[[step]]`` table with the keys that are not defaults."""
    values: dict[str, Any] = {"script": step.script}
    if step.name != PurePosixPath(step.script).stem:
        values["name"] = step.name
    if step.run_as is not RunAs.ROOT:
        values["run_as"] = step.run_as.value
    flags = (("background", step.background), ("required", step.required))
    values.update({key: True for key, on in flags if on})
    if step.timeout_seconds is not None:
        values["timeout"] = toml_number(step.timeout_seconds)
    lines = _table("[[step]]", values)
    return lines + (_table("[step.env]", dict(step.env)) if step.env else [])


def _recipe_table(use: RecipeUse) -> list[str]:
    """A recipe's ``[[step]]`` table, with its options in ``[step.with]``."""
    lines = _table("[[step]]", {"recipe": use.recipe})
    return lines + (_table("[step.with]", use.options) if use.options else [])


def manifest_text(steps: Sequence[Step], uses: Sequence[RecipeUse], options: Mapping[str, Any],
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
