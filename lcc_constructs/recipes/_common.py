"""What every recipe module uses: its files from assets/, and one way of checking options.

A recipe function checks all its options with an :class:`Options` and raises every problem at
once (:class:`~lcc_constructs.errors.ValidationError`), then returns :func:`recipe_scripts`:
its asset folder's files and its steps, with the IAM actions it needs on the notebook.
"""

from __future__ import annotations

import inspect
import json
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any, cast

from ..bundle import BundleFile, OnPlatform, RecipeCall, Scripts, Step
from ..bundle.assets import assets_dir, packed
from ..bundle.checks import seconds_in_range
from ..bundle.manifest import toml_number
from ..bundle.render import RECIPE_LIB
from ..bundle.steps import DEFAULT_EXCLUDES
from ..errors import got, raise_if
from ..limits import (
    MAX_STEP_TIMEOUT_SECONDS,
    MIN_STEP_SECONDS,
    PERSISTENT_DIR,
    SAFE_PATH_PATTERN,
    STEP_NAME_PATTERN,
)

URL = re.compile(r"^(https?|file)://[^\s'\"\\]+$")

#: TCP ports.
PORTS = range(1, 65536)


class Options:
    """Checks the options of one use of a recipe, collecting every problem.

    Each method checks one kind of value and returns it cleaned (or a harmless stand-in when it
    is wrong, so that checking can go on); :meth:`done` raises all problems together.
    """

    def __init__(self, recipe: str, name: object = None) -> None:
        """``name``: the name given to this use of the recipe (its step's), when it takes one."""
        self.recipe = recipe
        self.problems: list[str] = []
        if name is not None and not isinstance(name, str):
            self.problems.append(f"recipe {recipe!r}: name must be a string (the step's name), {got(name)}")

    def problem(self, option: str, value: object, fix: str) -> None:
        self.problems.append(f"recipe {self.recipe!r}: {option}={value!r} {fix}")

    def done(self) -> None:
        raise_if(self.problems)

    def seconds(self, option: str, value: object) -> float:
        if not seconds_in_range(value, MIN_STEP_SECONDS, MAX_STEP_TIMEOUT_SECONDS):
            self.problem(option, value,
                         f"must be a number of seconds from {MIN_STEP_SECONDS} to {MAX_STEP_TIMEOUT_SECONDS}")
            return float(MIN_STEP_SECONDS)
        return float(cast(float, value))

    def flag(self, option: str, value: object) -> str:
        if not isinstance(value, bool):
            self.problem(option, value, "must be True or False")
        return "1" if value else "0"

    def text(self, option: str, value: object) -> str:
        if not isinstance(value, str) or "\0" in value:
            self.problem(option, value, "must be a string without NUL characters")
            return ""
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.problem(option, value, "must be valid Unicode (no lone surrogates)")
            return ""
        return value

    def matching(self, option: str, value: object, pattern: re.Pattern[str], what: str) -> str:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            self.problem(option, value, f"must be {what}" if isinstance(value, str) else
                         f"must be a string: {what}")
            return ""
        return value

    def strings(self, option: str, values: object, pattern: re.Pattern[str] | None, what: str,
                at_least_one: str | None = None) -> list[str]:
        """A list of strings (each matching ``pattern``); ``at_least_one``: what an empty list
        lacks, when it must not be empty."""
        if isinstance(values, str) or not isinstance(values, Sequence):
            kind = f"a value of type {type(values).__name__}"
            kind = "a single string" if isinstance(values, str) else kind
            self.problem(option, values, f"must be a list of {what}, not {kind}")
            return []
        for value in values:
            if not isinstance(value, str) or pattern and not pattern.fullmatch(value):
                self.problem(option, values, f"holds {value!r}, which is not {what}")
                return []
        if not values and at_least_one:
            self.problem(option, values, f"is empty: name at least one {at_least_one}")
        return list(values)

    def table(self, option: str, value: object) -> dict[str, str]:
        """A mapping of names to strings (None: empty)."""
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.problem(option, value, "must be a table of names to strings")
            return {}
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                self.problem(option, value, f"has the key {key!r}, which is not a string")
            else:
                out[key] = self.text(f"{option}[{key!r}]", item)
        return out

    def port(self, option: str, value: str, port: str | None) -> None:
        """``port``, the port ``value`` names (None: none named), is one (1 to 65535)."""
        if port is not None and int(port) not in PORTS:
            self.problem(option, value, f"names port {port}: ports are {PORTS.start} to {PORTS.stop - 1}")

    def url_port(self, option: str, url: str) -> None:
        """The port of a URL already matched by :data:`URL`, if it names one, is one."""
        netloc = urllib.parse.urlsplit(url).netloc.rpartition("@")[2]  # no user:password
        _, colon, port = netloc.rpartition(":")
        if colon and port.isdigit():  # (not "1]" of "[::1]")
            self.port(option, url, port)

    def persistent_path(self, option: str, value: object) -> str:
        """An absolute folder strictly inside the persistent volume, in plain characters."""
        path = PurePosixPath(value) if isinstance(value, str) else None
        if (path is None or not SAFE_PATH_PATTERN.fullmatch(str(value)) or ".." in path.parts
                or not path.is_relative_to(PERSISTENT_DIR) or path == PurePosixPath(PERSISTENT_DIR)):
            self.problem(option, value,
                         ("must be a folder" if path else "must be a string naming a folder") +
                         f" inside the persistent volume {PERSISTENT_DIR} (an absolute "
                         f"path of letters, digits and _ . / -), e.g. '{PERSISTENT_DIR}/.bin'")
            return f"{PERSISTENT_DIR}/x"
        return path.as_posix()


def table_env(prefix: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> dict[str, str]:
    """Rows of values for a recipe script: ``<prefix>_COUNT`` and ``<prefix>_<column>_<i>``.

    The runner hands any value to the step unchanged (newlines included), and the script reads
    row ``i`` by indirect expansion."""
    env = {f"{prefix}_COUNT": str(len(rows))}
    for i, row in enumerate(rows):
        env.update({f"{prefix}_{column}_{i}": value for column, value in zip(columns, row, strict=True)})
    return env


def table_rows(env: Mapping[str, str], prefix: str, columns: Sequence[str]) -> list[list[str]]:
    """The rows :func:`table_env` wrote into ``env`` (KeyError when one is missing)."""
    return [[env[f"{prefix}_{column}_{i}"] for column in columns] for i in range(int(env[f"{prefix}_COUNT"]))]


def step_timeout(step: Step) -> float:
    """A step's timeout as a recipe option."""
    return toml_number(step.timeout_seconds or 0.0)


def _plain(value: Any) -> Any:
    """A value as a manifest holds it (lists, not tuples)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def recipe_call(recipe: str, fn: Callable[..., Any], given: Mapping[str, Any], *,
                once: bool = False) -> RecipeCall:
    """How a use of a recipe is remembered in the bundle: its name and the options given that
    differ from their defaults, as JSON. ``once``: the instance can have one of what it sets up."""
    defaults = {p.name: p.default for p in inspect.signature(fn).parameters.values()}
    options = {k: _plain(v) for k, v in given.items() if k in defaults and _plain(v) != _plain(defaults[k])}
    # (A value JSON cannot hold is a wrong one, which the recipe refuses: its repr is never kept.)
    return RecipeCall(recipe, json.dumps(options, sort_keys=True, separators=(",", ":"), default=repr), once)


def recipe_scripts(recipe: str, steps: Sequence[Step], *, call: RecipeCall,
                   leave_out: Sequence[str] = (), shared_lib: bool = False,
                   notebook_actions: Sequence[str] = (), folders: Sequence[str] = (),
                   on_platform: OnPlatform | None = None) -> Scripts:
    """The files of ``assets/recipes/<recipe>`` (but ``leave_out``, files the chosen options do
    not use) under ``recipes/<first step's name>/`` in the bundle, with ``steps`` (whose scripts
    are relative to that folder, each marked as coming from ``call``); with ``shared_lib``, the
    helper of recipes whose root step has ec2-user do part of the work (``recipes/lib.sh``,
    packed once however many recipes bring it). ``notebook_actions``: the IAM actions the
    recipe needs on the notebook instance, which constructs grant its role. ``folders``: the
    folders on the persistent volume it keeps its things in (the build keeps the state folder
    apart from them). ``on_platform``: what every one of its steps becomes on a platform where
    they do not run as they are (refused, configuration, or a script of the recipe's folder run
    instead, packed only for that platform). Files travel as
    tools/pack_assets.py minified them (assets/packed)."""
    problems = [f"recipe {recipe!r}: step name {s.name!r} is not valid: letters, digits and _ . - "
                "(at most 64, not starting with . _ or -)"
                for s in steps if not (isinstance(s.name, str) and STEP_NAME_PATTERN.fullmatch(s.name))]
    raise_if(problems)  # before a name becomes a path
    folder = Scripts.from_folder(assets_dir() / "packed" / "recipes" / recipe, steps=[], exclude=[
        *DEFAULT_EXCLUDES, *leave_out])
    prefix = f"recipes/{steps[0].name}"
    files = [BundleFile(f"{prefix}/{f.path}", f.data, f.mode, f"recipe {recipe}: {f.path}")
             for f in folder.files]
    shared = [RECIPE_LIB] if shared_lib else []
    files += [BundleFile(path, packed(path), 0o644, f"recipe {recipe}: {path}") for path in shared]
    call = replace(call, folders=tuple(folders))
    own = tuple(replace(s, script=f"{prefix}/{s.script}", recipe=call) for s in steps)
    if on_platform and on_platform.script:
        on_platform = replace(on_platform, script=f"{prefix}/{on_platform.script}")
    return Scripts(files=tuple(files), steps=own, notebook_actions=tuple(notebook_actions),
                   on_platform={s.name: on_platform for s in own} if on_platform else {})
