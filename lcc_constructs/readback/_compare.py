"""What differs between two scripts of one kind: steps, files and options for two of ours, the
text otherwise. ``lcc deploy`` prints the summary; ``lcc diff`` also the unified diffs."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..bundle import Kind, Step
from ..printable import printable
from ._script import InspectedScript
from ._scripts import ReadScript

#: A text's lines, each with its newline: only a newline ends one (str.splitlines would also
#: split at a carriage return, form feed and other separators inside a line).
_LINES = re.compile(r"[^\n]*\n|[^\n]+")


@dataclass(frozen=True)
class Comparison:
    """The differences of one kind's scripts: ``summary`` (a line each: ``+`` added, ``-``
    removed, ``~`` changed) and ``details`` (unified diffs of text files, or of the scripts),
    each line printable (:func:`compare` escapes what came from the scripts); ``deployed`` and
    ``wanted``: whether each side has a script of this kind."""

    kind: Kind
    equal: bool
    summary: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    deployed: bool = False
    wanted: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The comparison in the ``--json`` documents of ``lcc diff`` and ``lcc deploy``."""
        return {"kind": self.kind, "same": self.equal, "deployed": self.deployed, "wanted": self.wanted,
                "changes": self.summary, "diff": self.details}


def _seconds(value: float | None) -> str:
    """A duration as the summary shows it."""
    return "none" if value is None else f"{value:g}s"


def _user(step: Step) -> str:
    """Whom a step runs as (None: the script's user; a built or deployed step says)."""
    return step.run_as.value if step.run_as else "the script's user"


def describe_step(step: Step) -> str:
    """A step in a few words: its script, user and what is not a default."""
    words = [step.script, f"as {_user(step)}"]
    words += ["background"] * step.background + ["required"] * step.required
    words += [f"timeout {_seconds(step.timeout_seconds)}"] if step.timeout_seconds else []
    words += [f"env {' '.join(sorted(step.env))}"] if step.env else []
    return ", ".join(words)


def _short(value: str, limit: int = 60) -> str:
    """A value for a summary line, cut when long."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 4] + "...'"


def _env_changes(old: Mapping[str, str], new: Mapping[str, str]) -> list[str]:
    """A step's variables changed, added and removed."""
    changes = [f"env {k}: {_short(old[k])} -> {_short(new[k])}"
               for k in sorted(old) if k in new and old[k] != new[k]]
    changes += [f"env +{k}={_short(new[k])}" for k in sorted(set(new) - set(old))]
    return changes + [f"env -{k}" for k in sorted(set(old) - set(new))]


def _step_field_changes(old: Step, new: Step) -> list[str]:
    """What differs between two steps of one name."""
    fields = [("script", old.script, new.script), ("user", _user(old), _user(new)),
              ("once", old.once, new.once), ("background", old.background, new.background),
              ("required", old.required, new.required),
              ("timeout", _seconds(old.timeout_seconds), _seconds(new.timeout_seconds))]
    changes = [f"{label} {a} -> {b}" for label, a, b in fields if a != b]
    return changes + _env_changes(old.env, new.env)


def step_changes(old: Sequence[Step], new: Sequence[Step]) -> list[str]:
    """Steps added, removed, changed (by name) and a change of their order."""
    before, after = {s.name: s for s in old}, {s.name: s for s in new}
    lines = [f"+ step {s.name}: {describe_step(s)}" for s in new if s.name not in before]
    lines += [f"- step {s.name}: {describe_step(s)}" for s in old if s.name not in after]
    for s in new:
        changes = _step_field_changes(before[s.name], s) if s.name in before else []
        if changes:
            lines.append(f"~ step {s.name}: {'; '.join(changes)}")
    kept_old = [s.name for s in old if s.name in after]
    kept_new = [s.name for s in new if s.name in before]
    if kept_old != kept_new:
        lines.append(f"~ step order: {', '.join(kept_old)} -> {', '.join(kept_new)}")
    return lines


def _file_line(sign: str, path: str, mode: int, data: bytes) -> str:
    """A file added or removed, with its mode and size."""
    return f"{sign} file {path} (mode {mode:o}, {len(data)} bytes)"


def file_changes(old: Mapping[str, tuple[int, bytes]], new: Mapping[str, tuple[int, bytes]]) -> list[str]:
    """Files added, removed and changed (content, mode), by path."""
    lines = [_file_line("+", p, *new[p]) for p in sorted(set(new) - set(old))]
    lines += [_file_line("-", p, *old[p]) for p in sorted(set(old) - set(new))]
    for path in sorted(set(old) & set(new)):
        (old_mode, old_data), (new_mode, new_data) = old[path], new[path]
        what = (["content"] if old_data != new_data else []) + (
            [f"mode {old_mode:o} -> {new_mode:o}"] if old_mode != new_mode else [])
        if what:
            lines.append(f"~ file {path}: {', '.join(what)}")
    return lines


def _option_changes(old: InspectedScript, new: InspectedScript) -> list[str]:
    """The build options (and codec) that differ."""
    pairs = [("budget", _seconds(old.options.budget_seconds), _seconds(new.options.budget_seconds)),
             ("unpack_dir", old.options.unpack_dir, new.options.unpack_dir),
             ("state_dir", old.options.state_dir, new.options.state_dir),
             ("keep_runs", old.options.keep_runs, new.options.keep_runs),
             ("codec", old.report.codec, new.report.codec)]
    return [f"~ option {name}: {a} -> {b}" for name, a, b in pairs if a != b]


def text_diff(old: bytes | str, new: bytes | str, old_label: str, new_label: str) -> list[str]:
    """A unified diff of two texts (lines without their newline), or one line for binary data."""
    try:
        a = old.decode() if isinstance(old, bytes) else old
        b = new.decode() if isinstance(new, bytes) else new
    except UnicodeDecodeError:
        return [f"binary files {old_label} and {new_label} differ ({len(old)} -> {len(new)} bytes)"]
    return [line.rstrip("\n") for line in difflib.unified_diff(
        _LINES.findall(a), _LINES.findall(b), old_label, new_label)]


def _ours(kind: Kind, old: ReadScript, new: ReadScript, a: InspectedScript, b: InspectedScript) -> Comparison:
    """The differences of two scripts of ours: steps, files, options, and the diffs of the text files."""
    summary = step_changes(a.steps, b.steps) + file_changes(a.files, b.files) + _option_changes(a, b)
    if not summary:
        summary = ["~ same steps, files and options, another runtime (built by another version of "
                   "lcc-constructs, or packed differently)"]
    details = []
    for path in sorted(set(a.files) & set(b.files)):
        if a.files[path][1] != b.files[path][1]:
            details += text_diff(a.files[path][1], b.files[path][1],
                                 f"{old.source}: {path}", f"{new.source}: {path}")
    return Comparison(kind, False, summary, details)


def _differences(kind: Kind, old: ReadScript | None, new: ReadScript | None) -> Comparison:
    """:func:`compare`, its lines as they come."""
    if old is None and new is None or old is not None and new is not None and old.text == new.text:
        return Comparison(kind, True)
    if old is None:
        assert new is not None
        return Comparison(kind, False, [f"+ {kind} script: {new.describe()}"])
    if new is None:
        return Comparison(kind, False, [f"- {kind} script: {old.describe()}"])
    if old.inspected is not None and new.inspected is not None:
        return _ours(kind, old, new, old.inspected, new.inspected)
    summary = [f"~ {kind} script: {old.describe()} -> {new.describe()}"]
    return Comparison(kind, False, summary, text_diff(old.text, new.text, old.source, new.source))


def compare(kind: Kind, old: ReadScript | None, new: ReadScript | None) -> Comparison:
    """The differences from ``old`` (deployed) to ``new`` (wanted); None: no script of this kind.
    Each line is escaped (names, paths and lines of a deployed script are anyone's)."""
    found = _differences(kind, old, new)
    return Comparison(kind, found.equal, [printable(line) for line in found.summary],
                      [printable(line) for line in found.details], old is not None, new is not None)
