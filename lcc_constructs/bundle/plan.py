"""The plan the runner follows, written into the bundle and read back from it.

The plan is the top of ``lcc/runner.sh`` (assets/runtime/runner.sh names its variables): a line
of settings, an array per step column, and ``e``, a ``case`` on the step's number whose entries
set the root steps' variables and run their scripts; the notebook user's entries are ``lcc/u``.
Both directions use the one table of names below, so a name changes in one place.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

from ..errors import ValidationError
from ..limits import PERSISTENT_DIR, ROOT_LOG_DIR, STUDIO_HOME
from .languages import interpreter
from .steps import Platform, RunAs, Scripts, Step

#: Inside the bundle: the user's files, the runner with its plan (root's alone), the notebook
#: user's steps' entries (their variables and scripts: readable by that user) and the notebook
#: user's copy of the logs (assets/runtime/copy.sh).
SCRIPTS_PREFIX = "scripts/"
RUNNER_PATH = "lcc/runner.sh"
USER_STEPS_PATH = "lcc/u"
COPY_PATH = "lcc/c"

#: The variables the runner sets for each step of its own (the rest are the step's env).
RUNNER_VARIABLES = ("LCC_STEP", "LCC_KIND", "LCC_SCRIPTS_DIR")


@dataclass(frozen=True)
class _Column:
    """A per-step array of the plan: its bash name, the runner part that reads it (None: the
    runner itself; the array is written only when that part is), its value for a step, the
    value a step has when the array is not written, and the step field it reads back into."""

    array: str
    part: str | None
    #: None: another field's column holds this one too (written there).
    write: Callable[[Step], str | int] | None
    default: str
    read: Callable[[str], Any]


def _cs(seconds: float) -> int:
    """Seconds as the plan holds them: centiseconds."""
    return int(round(seconds * 100))


#: The plan's step columns, by Step field; the settings line is SETTINGS.
COLUMNS: dict[str, _Column] = {
    "name": _Column("N", None, lambda s: s.name, "", str),
    # (Its default is the runner's user: runner_user.)
    "run_as": _Column("U", "user", lambda s: (s.run_as or RunAs.ROOT).value, RunAs.ROOT.value, RunAs),
    "background": _Column("B", "background", lambda s: int(s.background), "0", lambda v: v == "1"),
    # Q: 0, 1 required, 2 required and stopping the steps after it when it fails.
    "required": _Column("Q", "required", lambda s: 2 if s.stop_on_failure else int(s.required), "0",
                        lambda v: v in ("1", "2")),
    "stop_on_failure": _Column("Q", "required", None, "0", lambda v: v == "2"),
    "timeout_seconds": _Column("T", "timeout", lambda s: _cs(s.timeout_seconds or 0), "0",
                               lambda v: int(v) / 100 if v != "0" else None),
    "once": _Column("O", "once", lambda s: int(s.once), "0", lambda v: v == "1"),
}

#: The run folders' folder in a state folder the runner writes itself (Studio's).
LOGS = "/logs"

#: The settings line: kind, where the kind's bundle is unpacked (home), root's log folder, the
#: notebook user's copy of it (empty: none), the runs kept and the budget in centiseconds.
SETTINGS = ("k", "h", "r", "s", "n", "b")


def runner_user(platform: str) -> RunAs:
    """Whom the script (and so the runner) runs as."""
    return RunAs.STUDIO_USER if platform == Platform.STUDIO.value else RunAs.ROOT


def features(steps: Sequence[Step], platform: str = Platform.NOTEBOOK_INSTANCE.value) -> dict[str, bool]:
    """The runner's parts (assets/runtime/<name>.sh) that only some configurations need, and
    whether these steps (each saying its user: render.for_platform) do. ``user``: a step runs
    as another user than the runner."""
    return {"user": any(s.run_as not in (None, runner_user(platform)) for s in steps),
            "background": any(s.background for s in steps),
            "required": any(s.required for s in steps),
            "stop": any(s.stop_on_failure for s in steps),
            "timeout": any(s.timeout_seconds for s in steps),
            "once": any(s.once for s in steps)}


def state_folders(state_dir: str) -> tuple[str, str]:
    """The runner's log folder (root's on a notebook instance), and the notebook user's copy of
    it on the volume (empty: none). On Studio the runner writes ``<state_dir>/logs`` itself."""
    if state_dir.startswith(STUDIO_HOME + "/"):
        return state_dir + LOGS, ""
    if state_dir.startswith(PERSISTENT_DIR + "/"):
        return ROOT_LOG_DIR, state_dir
    return state_dir, ""


@dataclass(frozen=True)
class Settings:
    """What the settings line holds, as the build options give it."""

    kind: str
    unpack_dir: str
    state_dir: str
    keep_runs: int
    budget_seconds: float
    platform: str = Platform.NOTEBOOK_INSTANCE.value

    @property
    def home(self) -> str:
        return f"{self.unpack_dir}/{self.kind}"


def _bash_array(name: str, values: Sequence[str | int]) -> str:
    return f"{name}=(" + " ".join(shlex.quote(str(v)) for v in values) + ")"


def _entries(scripts: Scripts, settings: Settings, *, plan: bool) -> list[str]:
    """The entries of a ``case`` on a step's number, for the plan (the steps the runner starts
    through ``runner.sh x``: root's on a notebook instance, all on Studio) or the notebook user's
    (``lcc/u``): the step's variables, then its script."""
    data = {f.path: f.data for f in scripts.files}
    home = settings.home
    # The plan's steps get the runner's LCC_KIND and LCC_SCRIPTS_DIR (Studio's root steps through
    # runtime/sudo.sh); sudo -i starts the notebook user's afresh.
    own = () if plan else (f"LCC_KIND={settings.kind}", f"LCC_SCRIPTS_DIR={home}/scripts")
    studio = settings.platform == Platform.STUDIO.value
    entries = []
    for i, step in enumerate(scripts.steps):
        if (studio or step.run_as in (None, RunAs.ROOT)) == plan:
            interp, arg = interpreter(step.script, data[step.script])
            command = shlex.join([interp, *([arg] if arg else []), f"{home}/{SCRIPTS_PREFIX}{step.script}"])
            env = [f"LCC_STEP={step.name}", *own,
                   *(f"{k}={shlex.quote(v)}" for k, v in sorted(step.env.items()))]
            entries.append(f"{i})export {' '.join(env)};exec {command};;")
    return entries


def render_plan(scripts: Scripts, settings: Settings) -> str:
    """The plan: its settings and steps as bash variables, written above the runner's code. An
    array that only a part of the runner reads is written only when the steps use that part."""
    steps = [replace(s, run_as=s.run_as or runner_user(settings.platform)) for s in scripts.steps]
    root_log, copy = state_folders(settings.state_dir)
    values = (settings.kind, settings.home, root_log, copy, settings.keep_runs, _cs(settings.budget_seconds))
    used = features(steps, settings.platform)
    lines = [" ".join(f"{k}={shlex.quote(str(v))}" for k, v in zip(SETTINGS, values, strict=True))]
    lines += [_bash_array(c.array, [c.write(s) for s in steps])
              for c in COLUMNS.values() if c.write and (c.part is None or used[c.part])]
    lines.append("e(){ case $1 in\n" + "\n".join(_entries(scripts, settings, plan=True)) + "\nesac;}")
    return "\n".join(lines) + "\n"


def render_user_steps(scripts: Scripts, settings: Settings) -> str | None:
    """``lcc/u``: the entries of the steps that run as the notebook user (None: there are none)."""
    entries = _entries(scripts, settings, plan=False)
    return "case $1 in\n" + "\n".join(entries) + "\nesac\n" if entries else None


# --- reading back ---------------------------------------------------------------------------

def _array(line: str, name: str) -> list[str]:
    prefix = f"{name}=("
    if not (line.startswith(prefix) and line.endswith(")")):
        raise ValidationError(f"not an lcc-constructs plan: expected {name}=(...), got {line[:40]!r}")
    return shlex.split(line[len(prefix):-1])


def _read_entries(text: str) -> dict[int, tuple[dict[str, str], list[str]]]:
    """Each step's variables and command, from the entries ``I)export K=V ...;exec COMMAND;;`` of
    the first ``case $1 in ... esac`` of ``text`` (the plan's ``e``, or ``lcc/u``); a value may
    span lines, and hold anything."""
    start = text.find("case $1 in")
    if start < 0:
        return {}
    lexer = shlex.shlex(text[start + len("case $1 in"):], posix=True, punctuation_chars=";)")
    lexer.whitespace_split = True
    found: dict[int, tuple[dict[str, str], list[str]]] = {}
    entry: list[str] = []
    for token in lexer:
        if not entry and token.startswith("esac"):
            return found
        if token != ";;":
            entry.append(token)
            continue
        index, paren, export, *words = entry
        if not (index.isdigit() and paren == ")" and export == "export" and ";" in words
                and words[words.index(";") + 1:words.index(";") + 2] == ["exec"]):
            raise ValidationError(f"not an lcc-constructs plan: unexpected {entry[:3]}")
        cut = words.index(";")
        found[int(index)] = (dict(w.partition("=")[::2] for w in words[:cut]), words[cut + 2:])
        entry = []
    raise ValidationError("not an lcc-constructs plan: its step entries do not end")


def read_plan(runner: str, user_steps: str = "") -> tuple[Settings, tuple[Step, ...]]:
    """The settings and steps a runner's plan (the lines above its code) and the notebook
    user's step entries (``lcc/u``) were written from.

    :raises ValidationError: when they are not such a plan (read back: input from a stranger).
    """
    try:
        return _read_plan(runner, user_steps)
    except ValidationError:
        raise
    except (KeyError, ValueError, IndexError, TypeError) as e:  # a setting, a number, a column missing
        raise ValidationError(f"not an lcc-constructs plan: {type(e).__name__}: {e}") from None


def _read_plan(runner: str, user_steps: str) -> tuple[Settings, tuple[Step, ...]]:
    lines = runner.split("\n")
    settings = dict(word.split("=", 1) for word in shlex.split(lines[0]))
    # Studio's runner keeps its runs in <state_dir>/logs, in the home (state_folders).
    studio = settings["r"].startswith(STUDIO_HOME + "/") and settings["r"].endswith(LOGS)
    platform = Platform.STUDIO.value if studio else Platform.NOTEBOOK_INSTANCE.value
    state_dir = settings["r"][:-len(LOGS)] if studio else settings["s"] or settings["r"]
    names = _array(lines[1], COLUMNS["name"].array)
    # The arrays a part of the runner reads, between N and the step entries (whose values may
    # span lines); an array that is not there holds the default for every step.
    arrays = {}
    for line in lines[2:]:
        if line.startswith("e(){"):
            break
        arrays[line[:1]] = _array(line, line[:1])
    defaults = {"name": names, "run_as": [runner_user(platform).value] * len(names)}
    columns = {field: arrays.get(c.array, defaults.get(field, [c.default] * len(names)))
               for field, c in COLUMNS.items()}
    entries = _read_entries(runner) | _read_entries(user_steps)
    home = settings["h"] + "/" + SCRIPTS_PREFIX
    steps = []
    for i, name in enumerate(names):
        env, command = entries.get(i, ({}, []))
        script = command[-1] if command else ""
        if not script.startswith(home) or env.pop("LCC_STEP", None) != name:
            raise ValidationError(f"not an lcc-constructs plan: step {name!r} runs {script!r}")
        for own in RUNNER_VARIABLES:
            env.pop(own, None)
        values = {field: COLUMNS[field].read(column[i]) for field, column in columns.items()}
        steps.append(Step(script=script[len(home):], env=env, **values))
    read = Settings(kind=settings["k"], unpack_dir=str(PurePosixPath(settings["h"]).parent),
                    state_dir=state_dir, keep_runs=int(settings["n"]),
                    budget_seconds=int(settings["b"]) / 100, platform=platform)
    return read, tuple(steps)
