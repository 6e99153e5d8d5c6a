"""The runner's lines in a log, read back as runs and steps (``lcc logs``).

The runner (assets/runtime/runner.sh) writes, among the steps' own output (``[NAME] text``),
lines of its own, ``<UTC time> lcc-constructs[<kind>]: <message>``: ``step NAME: start as
USER, limit Ns (why)``, ``step NAME: STATUS "reason"`` when a step ends, and last ``done
{json}``, the run's status (schema 3: kind, run, started, finished, budget_seconds, exit_code
and each step's name, user, status, exit_code, seconds, reason).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..printable import printable

_RUNNER = re.compile(r"^(?P<time>\S+) lcc-constructs\[(?P<kind>on-start|on-create)\]: (?P<message>.*)$")
_START = re.compile(r"^step (?P<name>\S+): start as (?P<user>\S+), limit (?P<limit>\S+) \((?P<why>.*)\)$")
_END = re.compile(r"^step (?P<name>\S+): (?P<status>ok|failed|timed_out|skipped) ?(?P<reason>.*)$")
_ERROR = re.compile(r"^lcc-constructs(\[[a-z-]+\])?: ERROR: (?P<message>.*)$")


@dataclass
class StepState:
    """A step as the lines tell it so far."""

    name: str
    user: str = ""
    status: str = "running"
    exit_code: int | None = None
    seconds: float | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The step for ``lcc logs --json``."""
        return {"name": self.name, "user": self.user, "status": self.status, "exit_code": self.exit_code,
                "seconds": self.seconds, "reason": self.reason}


@dataclass
class Run:
    """One run of the runner: its steps in order, its final status when it got that far (checked:
    see :func:`final_status`), the errors the loader or runner reported, and notes on lines that
    looked like the runner's and were skipped."""

    steps: dict[str, StepState] = field(default_factory=dict)
    done: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def final_steps(self) -> list[StepState]:
        """The steps: as the final status line gives them, else as the step lines do."""
        if self.done is None:
            return list(self.steps.values())
        return [StepState(s["name"], s.get("user") or "", s.get("status") or "", s.get("exit_code"),
                          s.get("seconds"), s.get("reason") or "") for s in self.done.get("steps", [])]

    def to_dict(self) -> dict[str, Any]:
        """The run for ``lcc logs --json`` (the values as read, not escaped)."""
        done = self.done or {}
        return {"complete": self.done is not None,
                **{key: done.get(key) for key in ("run", "started", "finished", "exit_code")},
                "steps": [s.to_dict() for s in self.final_steps], "errors": self.errors, "notes": self.notes}

    def format(self) -> list[str]:
        """The run's summary: a heading and a row per step (what came from the log escaped)."""
        if self.done is not None:
            heading = (f"run {self.done.get('run')}: exit {self.done.get('exit_code')} (started "
                       f"{self.done.get('started')}, finished {self.done.get('finished')})")
        else:
            heading = "run without a final status line: still running, or stopped by the service"
        rows = [("step", "user", "status", "exit", "seconds", "reason")] + [
            tuple(printable(cell) for cell in (
                s.name, s.user, s.status, "" if s.exit_code is None else str(s.exit_code),
                "" if s.seconds is None else f"{s.seconds:g}", s.reason)) for s in self.final_steps]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        table = ["  " + "  ".join(c.ljust(w) for c, w in zip(r[:5], widths, strict=True)) + "  " + r[5]
                 for r in rows]
        return [printable(heading), *(f"  ERROR: {printable(e)}" for e in self.errors),
                *(f"  note: {printable(n)}" for n in self.notes), *(t.rstrip() for t in table)]


def _no_constant(name: str) -> Any:
    """JSON has no NaN nor Infinity (Python's reader takes them)."""
    raise ValueError(f"{name} is not JSON")


def _is(value: Any, *types: type) -> bool:
    """Whether ``value`` is None or one of ``types`` (a bool is not a number here)."""
    return value is None or isinstance(value, types) and not isinstance(value, bool)


#: The fields of a step in the final status line that lcc reads: their types (or null).
_STEP_FIELDS: tuple[tuple[str, tuple[type, ...], str], ...] = (
    ("user", (str,), "a string"), ("status", (str,), "a string"), ("reason", (str,), "a string"),
    ("exit_code", (int,), "an integer"), ("seconds", (int, float), "a number"))


def _step_problem(index: int, step: Any) -> str | None:
    """What is wrong with the final status line's ``steps[index]``, if anything."""
    where = f"steps[{index}]"
    if not isinstance(step, dict):
        return f"{where} is not an object"
    if not isinstance(step.get("name"), str):
        return f"{where}.name is not a string"
    for key, types, kind in _STEP_FIELDS:
        if not _is(step.get(key), *types):
            return f"{where}.{key} is not {kind}"
    if step.get("seconds") is not None and not math.isfinite(step["seconds"]):
        return f"{where}.seconds is not finite"
    return None


def final_status(text: str) -> tuple[dict[str, Any] | None, str]:
    """The JSON of a final status line (after ``done ``), when it has the runner's shape (the
    fields read are checked: strings, integers, numbers, or null); else None and why not."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None, "not JSON"
    if not isinstance(value, dict):
        return None, "not a JSON object"
    for key in ("run", "kind", "started", "finished"):
        if not _is(value.get(key), str):
            return None, f"{key} is not a string"
    if not _is(value.get("exit_code"), int):
        return None, "exit_code is not an integer"
    steps = value.get("steps", [])
    if not isinstance(steps, list):
        return None, "steps is not a list"
    for i, step in enumerate(steps):
        problem = _step_problem(i, step)
        if problem:
            return None, problem
    return value, ""


def _reason(text: str) -> str:
    """A step's reason: the JSON string the runner writes, or the text as it is."""
    try:
        value = json.loads(text)
        return value if isinstance(value, str) else text
    except (ValueError, RecursionError):
        return text


class RunLog:
    """Reads log lines one at a time; :meth:`add` says when a line ended a run."""

    def __init__(self) -> None:
        self.runs: list[Run] = []
        self._open: Run | None = None

    @property
    def current(self) -> Run:
        """The run lines go to: the open one, or a new one."""
        if self._open is None:
            self._open = Run()
            self.runs.append(self._open)
        return self._open

    def add(self, line: str) -> Run | None:
        """Take one line (with or without its newline); the run it completed, if it was a run's
        final status line. A final status line that is not the runner's is skipped (the run
        goes on) with a note."""
        line = line.removesuffix("\n")
        error = _ERROR.fullmatch(line)
        if error:
            self.current.errors.append(error["message"])
            return None
        m = _RUNNER.fullmatch(line)
        if not m:
            return None
        message = m["message"]
        start, end = _START.fullmatch(message), _END.fullmatch(message)
        if message.startswith("done "):
            done, why = final_status(message[len("done "):])
            run = self.current
            if done is None:
                run.notes.append(f"a final status line that is not the runner's was skipped ({why})")
                return None
            run.done = done
            self._open = None
            return run
        if start:
            self.current.steps[start["name"]] = StepState(start["name"], start["user"])
        elif end:
            step = self.current.steps.setdefault(end["name"], StepState(end["name"]))
            step.status, step.reason = end["status"], _reason(end["reason"].strip())
        return None

    @property
    def unfinished(self) -> Run | None:
        """The last run, when its final status line has not come (yet)."""
        return self._open
