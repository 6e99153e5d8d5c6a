"""The runner's lines in a log, read back as runs and steps (``lcc logs``).

The runner (assets/runtime/runner.sh) writes, among the steps' own output (``[NAME] text``),
lines of its own, ``<UTC time> lcc-constructs[<kind>]: <message>``: ``step NAME: start as
USER, limit Ns (why)``, ``step NAME: STATUS "reason"`` when a step ends, and last ``done
{json}``, the run's status (schema 2: kind, run, started, finished, budget_seconds, exit_code
and each step's name, user, status, exit_code, seconds, reason).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

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


@dataclass
class Run:
    """One run of the runner: its steps in order, its final status when it got that far, and
    the errors the loader or runner reported."""

    steps: dict[str, StepState] = field(default_factory=dict)
    done: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)

    def format(self) -> list[str]:
        """The run's summary: a heading and a row per step."""
        if self.done is not None:
            heading = (f"run {self.done.get('run')}: exit {self.done.get('exit_code')} (started "
                       f"{self.done.get('started')}, finished {self.done.get('finished')})")
            steps = [_from_status(s) for s in self.done.get("steps", [])]
        else:
            heading = "run without a final status line: still running, or stopped by the service"
            steps = list(self.steps.values())
        rows = [("step", "user", "status", "exit", "seconds", "reason")] + [
            (s.name, s.user, s.status, "" if s.exit_code is None else str(s.exit_code),
             "" if s.seconds is None else f"{s.seconds:g}", s.reason) for s in steps]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        table = ["  " + "  ".join(c.ljust(w) for c, w in zip(r[:5], widths, strict=True)) + "  " + r[5]
                 for r in rows]
        return [heading, *(f"  ERROR: {e}" for e in self.errors), *(t.rstrip() for t in table)]


def _from_status(entry: dict[str, Any]) -> StepState:
    """A step of the final status line's JSON."""
    return StepState(str(entry.get("name")), str(entry.get("user", "")), str(entry.get("status", "")),
                     entry.get("exit_code"), entry.get("seconds"), str(entry.get("reason") or ""))


def _reason(text: str) -> str:
    """A step's reason: the JSON string the runner writes, or the text as it is."""
    try:
        value = json.loads(text)
        return value if isinstance(value, str) else text
    except ValueError:
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
        final status line."""
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
            run = self.current
            try:
                run.done = json.loads(message[len("done "):])
            except ValueError:
                run.errors.append("the final status line is not JSON")
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
