"""Checks run on the scripts before they are bundled: one check, one small function.

Each check returns the problems it found (empty when all is well); every message names the
file, step or property at fault and says how to fix it. :func:`run_checks` runs them all so
that one build reports every problem at once.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath

from ..errors import got
from ..limits import (
    BASH_SPECIAL_VARIABLES,
    CONFIG_NAME_MAX_CHARS,
    CONFIG_NAME_PATTERN,
    DEFAULT_STATE_DIR,
    DEFAULT_STUDIO_STATE_DIR,
    DEFAULT_STUDIO_UNPACK_DIR,
    ENV_NAME_PATTERN,
    ENV_STRING_MAX_BYTES,
    INLINE_FILES_MAX_BYTES,
    MAX_BUDGET_SECONDS,
    MAX_KEEP_RUNS,
    MAX_STEP_TIMEOUT_SECONDS,
    MIN_STEP_SECONDS,
    NOTEBOOK_USER,
    RESERVED_ENV_PREFIX,
    RUNNER_FILES,
    S3_FILES_MAX_BYTES,
    SAFE_PATH_PATTERN,
    STATE_DIR_PARENTS,
    STEP_FILE_SUFFIXES,
    STEP_NAME_PATTERN,
    STUDIO_HOME,
    STUDIO_UNPACK_DIR_PARENTS,
    SYSTEM_FOLDERS,
    UNPACK_DIR_PARENTS,
)
from ._python39 import python39_problem
from .languages import language, runs_on_instance_python
from .steps import KIND_SCRIPTS, MANIFEST_NAME, BundleFile, RunAs, Scripts, too_many_bytes

Check = Callable[[Scripts], list[str]]


def _step_files(scripts: Scripts) -> set[str]:
    return {s.script for s in scripts.steps}


def _text_files(scripts: Scripts) -> list[BundleFile]:
    """Files that are read as text by an interpreter: scripts, step files and the manifest."""
    steps = _step_files(scripts)
    return [
        f for f in scripts.files
        if f.path in steps or language(f.path, f.data) is not None
        or PurePosixPath(f.path).name == MANIFEST_NAME
    ]


def check_has_steps(scripts: Scripts) -> list[str]:
    if scripts.steps:
        return []
    # A folder laid out for the service runs its kind's script; with only the other's, this one
    # has nothing to run.
    others = {kind: name for kind, name in KIND_SCRIPTS.items()
              if any(PurePosixPath(f.path).name == name for f in scripts.files)}
    if len(others) == 1:
        (kind, name), = others.items()
        this = next(k for k in KIND_SCRIPTS if k != kind)
        return [
            f"no step to run: the folder holds {name}, the {kind} script, and no {KIND_SCRIPTS[this]}, so "
            f"the {this} script has nothing to run. Fix: build the folder as the {kind} script "
            f"(LifecycleConfig(..., {kind.replace('-', '_')}=folder), Scripts.from_folder(folder, "
            f"kind={kind!r}), lcc build --kind {kind}" + (", lcc deploy --on-create FOLDER"
                                                          if kind == "on-create" else "")
            + f"), or add {KIND_SCRIPTS[this]}."
        ]
    return [
        "no step to run: the folder has no lifecycle.toml and no top-level *.sh or *.py file. "
        "Fix: add a script at the top of the folder or declare steps in lifecycle.toml."
    ]


def check_step_names(scripts: Scripts) -> list[str]:
    return [
        f"step name {s.name!r} is not allowed: use letters, digits, '_', '.', '-' "
        "(starting with a letter or digit, at most 64 characters)"
        for s in scripts.steps
        if not STEP_NAME_PATTERN.fullmatch(s.name)
    ]


def check_runner_file_names(scripts: Scripts) -> list[str]:
    """A step's files in the run's folder (``<name>.log``, ``<name>.result.json``) must not be
    one of the runner's own."""
    problems = []
    for s in scripts.steps:
        taken = [f"{s.name}{suffix}" for suffix in STEP_FILE_SUFFIXES if f"{s.name}{suffix}" in RUNNER_FILES]
        if taken:
            problems.append(
                f"step name {s.name!r} is not allowed: the step's file {taken[0]} would be the runner's own "
                f"(the runner writes {', '.join(RUNNER_FILES)} in each run's folder, beside each step's "
                "<name>.log). Fix: choose another name."
            )
    return problems


def check_duplicate_step_names(scripts: Scripts) -> list[str]:
    uses: dict[str, list[int]] = {}
    for i, s in enumerate(scripts.steps, start=1):  # #i: the script's i-th step
        uses.setdefault(s.name, []).append(i)
    problems = []
    for name, numbers in sorted(uses.items()):
        if len(numbers) > 1:
            steps = ", ".join(f"#{i} ({scripts.steps[i - 1].script})" for i in numbers)
            rename = ("one of them a name of its own" if len(numbers) == 2
                      else f"{len(numbers) - 1} of them names of their own")
            problems.append(
                f"step name {name!r} is used {len(numbers)} times, by steps {steps}: each step needs its own "
                f"name (it names the step's log file). Fix: give {rename} (name= of Step, name = \"...\" "
                f"in lifecycle.toml), for example steps {', '.join(f'#{i}' for i in numbers[1:])}."
            )
    return problems


def check_recipes_used_once(scripts: Scripts) -> list[str]:
    uses: dict[str, list[str]] = {}
    for s in scripts.steps:
        if s.recipe is not None and s.recipe.once:
            uses.setdefault(s.recipe.recipe, []).append(s.name)
    return [
        f"recipe {recipe!r} is used {len(names)} times (steps {', '.join(map(repr, names))}): it sets "
        "up one thing for the whole instance, so the later use would replace the earlier. Fix: use it once."
        for recipe, names in sorted(uses.items())
        if len(names) > 1
    ]


def check_duplicate_paths(scripts: Scripts) -> list[str]:
    counts = Counter(f.path for f in scripts.files)
    return [
        f"file {path!r} comes from more than one source "
        f"({', '.join(f.origin for f in scripts.files if f.path == path)}). "
        "Fix: give one of the sources a prefix."
        for path, n in sorted(counts.items())
        if n > 1
    ]


def check_step_scripts_exist(scripts: Scripts) -> list[str]:
    paths = {f.path for f in scripts.files}
    return [
        f"step {s.name!r}: script {s.script!r} is not in the bundle. Fix: add the file to the "
        f"scripts folder or correct the path (relative to the folder, '/' separators)."
        for s in scripts.steps
        if s.script not in paths
    ]


def seconds_in_range(value: object, low: float, high: float) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and low <= value <= high)


def check_step_options(scripts: Scripts) -> list[str]:
    problems = []
    for s in scripts.steps:
        t = s.timeout_seconds
        if t is not None and not seconds_in_range(t, MIN_STEP_SECONDS, MAX_STEP_TIMEOUT_SECONDS):
            problems.append(
                f"step {s.name!r}: timeout_seconds={t!r} must be a number of seconds from "
                f"{MIN_STEP_SECONDS} to {MAX_STEP_TIMEOUT_SECONDS} (a day), or None for no limit"
            )
        if s.required and s.background:
            problems.append(
                f"step {s.name!r}: a background step cannot be required (the script returns "
                "before it ends). Fix: make it foreground, or not required."
            )
    return problems


def check_step_env(scripts: Scripts) -> list[str]:
    problems = []
    for s in scripts.steps:
        reserved = []
        for key, value in s.env.items():
            if not isinstance(key, str) or not ENV_NAME_PATTERN.fullmatch(key):
                problems.append(
                    f"step {s.name!r}: environment variable name {key!r} is not valid "
                    "(letters, digits and '_', not starting with a digit)"
                )
            elif key.startswith(RESERVED_ENV_PREFIX) or key in BASH_SPECIAL_VARIABLES:
                reserved.append(key)
            elif not isinstance(value, str) or "\0" in value:
                problems.append(
                    f"step {s.name!r}: value of {key} must be a string without NUL characters"
                )
            else:
                problems += _env_string(s.name, key, value)
        if reserved:
            problems.append(
                f"step {s.name!r}: environment variable(s) {', '.join(sorted(reserved))} are "
                f"reserved: names starting with {RESERVED_ENV_PREFIX} are the runner's, and bash "
                f"sets these itself: {', '.join(sorted(BASH_SPECIAL_VARIABLES))}. Fix: rename them."
            )
    return problems


def env_string_bytes(key: str, value: str) -> int:
    """The bytes ``key=value`` takes among a program's environment strings (with its NUL)."""
    return len(f"{key}={value}".encode()) + 1


def _env_string(step: str, key: str, value: str) -> list[str]:
    try:
        size = env_string_bytes(key, value)
    except UnicodeEncodeError:
        return [f"step {step!r}: value of {key} must be valid Unicode (it holds a lone surrogate, "
                "which cannot be written as UTF-8)"]
    if size > ENV_STRING_MAX_BYTES:
        return [
            f"step {step!r}: {key}=... is {size} bytes (with its name and the final NUL); Linux passes "
            f"at most {ENV_STRING_MAX_BYTES} bytes (128 KiB) per environment string, so the step would "
            "fail to start with 'Argument list too long'. Fix: put the value in a file of the folder "
            "and read it from $LCC_SCRIPTS_DIR."
        ]
    return []


#: Variables that make a program load, run or write files they name (a search path, a library or
#: module to preload, a startup, history or configuration file, a command another program runs):
#: in a root step, a value naming a place the notebook user can write lets that user run code as
#: root. Dynamic loader: LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT; glibc's iconv modules:
#: GCONV_PATH; shells: PATH, BASH_ENV, ENV, CDPATH, HISTFILE, PROMPT_COMMAND, PS0, PS1, PS4;
#: interpreters: PYTHONPATH, PYTHONHOME, PYTHONSTARTUP, PYTHONUSERBASE, PERL5LIB, PERL5OPT,
#: PERLLIB, RUBYLIB, RUBYOPT, NODE_OPTIONS, NODE_PATH, JAVA_TOOL_OPTIONS; tools' configuration
#: and helpers: AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE (credential_process),
#: GIT_CONFIG_GLOBAL, GIT_EXEC_PATH, GIT_SSH_COMMAND, PIP_CONFIG_FILE, CONDARC, XDG_CONFIG_HOME,
#: PAGER, EDITOR, VISUAL, LESSOPEN, SUDO_ASKPASS, TMPDIR. A list of what is known to be risky,
#: not a proof that others are safe.
DANGEROUS_VARIABLES = frozenset({
    "PATH", "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "GCONV_PATH", "BASH_ENV", "ENV", "CDPATH",
    "HISTFILE", "PROMPT_COMMAND", "PS0", "PS1", "PS4",
    "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "PERL5LIB", "PERL5OPT", "PERLLIB",
    "RUBYLIB", "RUBYOPT", "NODE_OPTIONS", "NODE_PATH", "JAVA_TOOL_OPTIONS",
    "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "GIT_CONFIG_GLOBAL", "GIT_EXEC_PATH",
    "GIT_SSH_COMMAND", "PIP_CONFIG_FILE", "CONDARC", "XDG_CONFIG_HOME", "PAGER", "EDITOR", "VISUAL",
    "LESSOPEN", "SUDO_ASKPASS", "TMPDIR",
})

#: Where the notebook user can put files: its home (the persistent volume is in it) and the
#: world-writable temporary folders.
USER_WRITABLE = (f"/home/{NOTEBOOK_USER}", "/tmp", "/var/tmp", "/dev/shm")

# A path in a value: from a / (or ~ec2-user) to the next separator of lists and options.
_PATH_IN_VALUE = re.compile(rf"(?:~{NOTEBOOK_USER}|/)[^:;,\s'\"=]*")

#: Why a root step may not have such a variable, and the fix (check_root_step_env, and the
#: environment-variables recipe, whose variables root's login shells get too).
LOADS_USER_FILES = (f"names a place the notebook user can write ({', '.join(USER_WRITABLE)}), and "
                    "root would load or run what ec2-user planted there. Fix: point it at a folder "
                    "of root's (e.g. under /opt), or set it in a step of ec2-user's")


def loads_user_files(key: str, value: object) -> bool:
    """Whether variable ``key`` set to ``value`` in root's environment would make root load or
    run what the notebook user can write."""
    return key in DANGEROUS_VARIABLES and isinstance(value, str) and names_a_user_path(value)


def names_a_user_path(value: str) -> bool:
    """Whether ``value`` (a list, an option string) names a path in :data:`USER_WRITABLE`,
    however it is spelled (``//home/ec2-user``, ``/home/./ec2-user``, ``/x/../home/ec2-user``),
    or passes through one on its way (``/home/ec2-user/link/../..``: the notebook user decides
    where a ``..`` after its own folder leads)."""
    for path in _PATH_IN_VALUE.findall(value):
        if path.startswith("~"):
            path = USER_WRITABLE[0] + path[len(f"~{NOTEBOOK_USER}"):]
        parts: list[str] = []
        for part in path.split("/"):
            if part == "..":
                parts = parts[:-1]
            elif part not in ("", "."):
                parts.append(part)
            here = "/" + "/".join(parts)
            if any(here == top or here.startswith(top + "/") for top in USER_WRITABLE):
                return True
    return False


def check_root_step_env(scripts: Scripts) -> list[str]:
    return [f"step {s.name!r}: {key}={value!r} {LOADS_USER_FILES} (the step runs as root)"
            for s in scripts.steps if s.run_as in (None, RunAs.ROOT)
            for key, value in sorted(s.env.items()) if loads_user_files(key, value)]


def check_line_endings(scripts: Scripts) -> list[str]:
    problems = []
    for f in _text_files(scripts):
        cr = f.data.find(b"\r")
        if cr >= 0:
            line = f.data[:cr].count(b"\n") + 1
            kind = "Windows (CRLF)" if f.data[cr + 1:cr + 2] == b"\n" else "old Mac (CR)"
            problems.append(
                f"{f.origin}: {kind} line endings, first at line {line}. On the instance this "
                "fails with '/bin/bash^M: bad interpreter' (which the service reports as a start "
                "that took longer than 5 minutes) or runs wrongly. Fix: convert to LF (dos2unix, "
                "or '* text eol=lf' in .gitattributes)."
            )
    return problems


def check_byte_order_mark(scripts: Scripts) -> list[str]:
    return [
        f"{f.origin}: starts with a UTF-8 byte order mark, which hides its #! line. "
        "Fix: save it as UTF-8 without BOM."
        for f in _text_files(scripts)
        if f.data.startswith(b"\xef\xbb\xbf")
    ]


def check_shell_syntax(scripts: Scripts) -> list[str]:
    """``bash -n`` on every shell file (skipped, with a warning from the builder, without bash)."""
    bash = shutil.which("bash")
    shell_files = [f for f in scripts.files if language(f.path, f.data) == "shell"]
    if bash is None or not shell_files:
        return []
    problems = []
    with tempfile.TemporaryDirectory(prefix="lcc-check-") as tmp:
        for i, f in enumerate(shell_files):
            copy = Path(tmp) / f"{i}.sh"
            copy.write_bytes(f.data)
            proc = subprocess.run(
                [bash, "-n", str(copy)], capture_output=True, text=True, errors="replace"
            )
            if proc.returncode != 0:
                detail = proc.stderr.strip().replace(str(copy), f.path)
                problems.append(f"{f.origin}: bash -n fails: {detail}. Fix the shell syntax.")
    return problems


def check_python_syntax(scripts: Scripts) -> list[str]:
    """Every Python file compiles with the Python running the build, and those the instance's
    python3 runs (no ``#!`` line naming another Python) with Python 3.9's grammar too."""
    problems = []
    for f in scripts.files:
        if language(f.path, f.data) != "python":
            continue
        try:
            compile(f.data, f.origin, "exec", dont_inherit=True)
        except SyntaxError as e:
            problems.append(
                f"{f.origin}: Python syntax error at line {e.lineno}: {e.msg}. Fix the syntax."
            )
            continue
        except ValueError as e:
            problems.append(f"{f.origin}: cannot be compiled as Python ({e}).")
            continue
        if runs_on_instance_python(f.path, f.data):
            newer = python39_problem(f.data)
            if newer:
                problems.append(
                    f"{f.origin}: line {newer[0]}: {newer[1]}: the instance runs this file with its "
                    "python3, Python 3.9 (Amazon Linux 2023's), which cannot compile it. Fix: write it "
                    "for Python 3.9, or give it a #! line naming a newer Python of the instance (a "
                    "conda environment's)."
                )
    return problems


#: The checks :func:`run_checks` runs, in order.
CHECKS: tuple[Check, ...] = (
    check_has_steps,
    check_step_names,
    check_runner_file_names,
    check_duplicate_step_names,
    check_recipes_used_once,
    check_duplicate_paths,
    check_step_scripts_exist,
    check_step_options,
    check_step_env,
    check_root_step_env,
    check_byte_order_mark,
    check_line_endings,
    check_shell_syntax,
    check_python_syntax,
)


def run_checks(scripts: Scripts, checks: Sequence[Check] = CHECKS) -> list[str]:
    return [problem for check in checks for problem in check(scripts)]


def check_config_name(name: object, prop: str = "lifecycle_config_name",
                      unset: str = "let CloudFormation generate one.") -> list[str]:
    """A lifecycle configuration name (notebook instance or Studio) as the service accepts it,
    given as ``prop``; ``unset`` says what leaving it out does."""
    if not isinstance(name, str):
        return [f"{prop} must be a string, {got(name)}"]
    if len(name) > CONFIG_NAME_MAX_CHARS:
        return [
            f"{prop} {name!r} has {len(name)} characters; the service allows at "
            f"most {CONFIG_NAME_MAX_CHARS}. Fix: shorten it, or leave it unset to {unset}"
        ]
    if not CONFIG_NAME_PATTERN.fullmatch(name):
        return [
            f"{prop} {name!r} is not valid: use letters, digits and hyphens, "
            f"starting and ending with a letter or digit (pattern {CONFIG_NAME_PATTERN.pattern})"
        ]
    return []


def check_budget(budget_seconds: float) -> list[str]:
    if isinstance(budget_seconds, bool) or not isinstance(budget_seconds, (int, float)):
        return [f"budget must be a number of seconds from {MIN_STEP_SECONDS} to {MAX_BUDGET_SECONDS}, "
                f"{got(budget_seconds)}"]
    if not seconds_in_range(budget_seconds, MIN_STEP_SECONDS, MAX_BUDGET_SECONDS):
        return [
            f"budget of {budget_seconds!r} seconds is out of range: it must be from "
            f"{MIN_STEP_SECONDS} to {MAX_BUDGET_SECONDS} seconds (foreground steps need at least "
            f"{MIN_STEP_SECONDS}s; at most {MAX_BUDGET_SECONDS}s leaves the margin the service's "
            "5-minute limit needs). Fix: choose a budget in that range."
        ]
    return []


def _new_folder(option: str, path: str, parents: tuple[str, ...], examples: str) -> list[str]:
    """A new folder directly inside one of ``parents``, in plain characters, written plainly."""
    if not isinstance(path, str):
        return [f"{option} must be a string (an absolute folder such as {examples}), {got(path)}"]
    if isinstance(path, str) and SAFE_PATH_PATTERN.fullmatch(path):
        parts = path.split("/")[1:]
        plain = "/" + "/".join(p for p in parts if p not in ("", "."))
        if plain != path and ".." not in parts:
            return [f"{option} {path!r} is not written plainly (a trailing '/', '//' or '.'): the script "
                    "would name the folder in two ways, and lcc pull could not build the same script again. "
                    f"Fix: write it as {plain!r}."]
    parent, _, name = path.rstrip("/").rpartition("/") if isinstance(path, str) else ("", "", "")
    if (not isinstance(path, str) or not SAFE_PATH_PATTERN.fullmatch(path) or name in ("", ".", "..")
            or (parent or "/") not in parents or path.rstrip("/") in SYSTEM_FOLDERS):
        where = " or ".join(f"{p.rstrip('/')}/<name>" for p in parents)
        return [
            f"{option} {path!r} is not allowed: it must be a new folder directly inside "
            f"{' or '.join(parents)} ({where}; letters, digits, '_', '.', '-'), never an "
            f"existing system folder such as /root, /opt/ml or the persistent volume itself. "
            f"Fix: use e.g. {examples}."
        ]
    return []


def check_unpack_dir(path: str, platform: str = "notebook-instance") -> list[str]:
    """Root unpacks and runs its code there: a new folder of root's alone (on Studio: of the
    space user's, in /tmp)."""
    if platform == "studio":
        return _new_folder("unpack_dir", path, STUDIO_UNPACK_DIR_PARENTS, DEFAULT_STUDIO_UNPACK_DIR)
    return _new_folder("unpack_dir", path, UNPACK_DIR_PARENTS, "/startup or /opt/lifecycle")


def check_state_dir(path: str, platform: str = "notebook-instance") -> list[str]:
    """The logs: a new folder on the persistent volume, or one in /var/log named lcc* (on
    Studio: a new folder in the home, which persists)."""
    if platform == "studio":
        return _new_folder("state_dir", path, (STUDIO_HOME,), DEFAULT_STUDIO_STATE_DIR)
    problems = _new_folder("state_dir", path, STATE_DIR_PARENTS,
                           "/home/ec2-user/SageMaker/.lifecycle or /var/log/lcc-lifecycle")
    if not problems and path.startswith("/var/log/") and not path[len("/var/log/"):].startswith("lcc"):
        problems.append(f"state_dir {path!r}: a folder in /var/log must have a name starting "
                        "with 'lcc' (the others are the system's). Fix: e.g. /var/log/lcc-lifecycle.")
    return problems


def check_state_dir_apart(scripts: Scripts, state_dir: str) -> list[str]:
    """The state folder is the runner's alone: not a folder a recipe keeps its things in, nor
    inside or around one (the notebook user's copy makes ``<state_dir>/logs``, deletes old runs
    there and moves aside whatever is in the state folder's way)."""
    problems = []
    state = PurePosixPath(state_dir)
    for recipe, name, folder in sorted({(s.recipe.recipe, s.name, f) for s in scripts.steps
                                        if s.recipe is not None for f in s.recipe.folders}):
        there = PurePosixPath(folder)
        if state == there or state.is_relative_to(there) or there.is_relative_to(state):
            how = "is" if state == there else "is inside" if state.is_relative_to(there) else "holds"
            problems.append(
                f"state_dir {state_dir!r} {how} the folder {folder!r} of recipe {recipe!r} (step "
                f"{name!r}): the logs' copy would mix with what the recipe keeps there. Fix: give one "
                f"of them a folder of its own (state_dir's default is {DEFAULT_STATE_DIR})."
            )
    return problems


def check_files_size(scripts: Scripts, payload: str) -> list[str]:
    """The files of a bundle within what a script of this payload carries (``"inline"`` or
    ``"s3"``)."""
    limit = S3_FILES_MAX_BYTES if payload == "s3" else INLINE_FILES_MAX_BYTES
    return too_many_bytes(f"the {payload} bundle", {f.origin: len(f.data) for f in scripts.files}, limit,
                          "before it was checked or compressed")


def check_keep_runs(keep_runs: int) -> list[str]:
    if isinstance(keep_runs, bool) or not isinstance(keep_runs, int) or not 1 <= keep_runs <= MAX_KEEP_RUNS:
        return [f"keep_runs must be a whole number from 1 to {MAX_KEEP_RUNS}, {got(keep_runs)}"]
    return []
