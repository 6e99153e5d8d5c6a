"""What a lifecycle script is made of: files to pack and the steps that run them.

Steps are declared either in Python (:class:`Step`) or in a ``lifecycle.toml`` manifest in the
scripts folder; both produce the same :class:`Step` values.
"""

from __future__ import annotations

import fnmatch
import os
import stat
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import BundleError
from .limits import NOTEBOOK_USER

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

#: Name of the manifest file looked up in a scripts folder.
MANIFEST_NAME = "lifecycle.toml"

#: Never packed: caches and editor/OS droppings that differ from machine to machine.
DEFAULT_EXCLUDES: tuple[str, ...] = ("__pycache__", "*.pyc", ".DS_Store", ".git")

#: In a folder without manifest, top-level files with these suffixes are the steps.
DEFAULT_STEP_SUFFIXES: tuple[str, ...] = (".sh", ".py")


class RunAs(str, Enum):
    """Who runs a step."""

    #: root, as the lifecycle script itself runs.
    ROOT = "root"
    #: The notebook user (ec2-user), through a login shell (``sudo -u ec2-user -i``).
    NOTEBOOK_USER = NOTEBOOK_USER


@dataclass(frozen=True)
class Step:
    """One script of the bundle to run at start.

    :param name: unique within the script; used for its log file and status entry
        (letters, digits, ``_ . -``; at most 64 characters).
    :param script: path of the file to run, relative to the scripts folder (POSIX separators).
        A file with a ``#!`` line runs with that interpreter; otherwise ``.py`` files run with
        ``python3`` and everything else with ``/bin/bash``.
    :param run_as: ``RunAs.ROOT`` (default) or ``RunAs.NOTEBOOK_USER`` (``"ec2-user"``).
    :param background: run detached (new session, stdin from /dev/null, output to its own log)
        so the lifecycle script can return while it goes on. Default: foreground.
    :param timeout_seconds: kill the step (its whole process group) after this many seconds.
        Default: foreground steps get what is left of the budget; background steps have none.
    :param env: extra environment variables for the step.
    :param required: when True, a failure, timeout or skip of this step makes the lifecycle
        script exit non-zero (which fails the instance start). Default: failures are logged
        and ignored.
    """

    name: str
    script: str
    run_as: RunAs = RunAs.ROOT
    background: bool = False
    timeout_seconds: float | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    required: bool = False

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "run_as", RunAs(self.run_as))
        except ValueError:
            allowed = ", ".join(repr(r.value) for r in RunAs)
            raise BundleError(
                f"step {self.name!r}: run_as={self.run_as!r} is not a known user; use one of {allowed}"
            ) from None
        object.__setattr__(self, "env", dict(self.env))


@dataclass(frozen=True)
class BundleFile:
    """A file to pack: its path inside the bundle, content and permission bits."""

    path: str
    data: bytes
    mode: int
    #: Where it came from, for error messages (a path on disk).
    origin: str


@dataclass(frozen=True)
class Scripts:
    """Files and steps of one lifecycle script (on-start or on-create).

    Build one with :meth:`from_folder`; combine several with ``+`` (for example a folder of
    your own and the built-in recipes).
    """

    files: tuple[BundleFile, ...]
    steps: tuple[Step, ...]

    def __post_init__(self) -> None:
        # The very same file from two sources (the helpers every built-in recipe brings) is
        # packed once; different files on one path remain an error of the build's checks.
        unique: dict[tuple[str, bytes, int], BundleFile] = {}
        for f in self.files:
            unique.setdefault((f.path, f.data, f.mode), f)
        if len(unique) != len(self.files):
            object.__setattr__(self, "files", tuple(unique.values()))

    @classmethod
    def from_folder(
        cls,
        folder: str | os.PathLike[str],
        *,
        steps: Sequence[Step] | None = None,
        exclude: Sequence[str] = DEFAULT_EXCLUDES,
        prefix: str = "",
    ) -> Scripts:
        """Pack every file under ``folder`` (but its ``lifecycle.toml``, read here).

        :param steps: the steps to run. Default: those of ``lifecycle.toml`` in the folder, or,
            without a manifest, every top-level ``*.sh`` and ``*.py`` file in name order, run
            by root in the foreground.
        :param exclude: glob patterns (matched against each path component and the relative
            path) of files not to pack. Default: caches and OS droppings (``__pycache__``,
            ``*.pyc``, ``.DS_Store``, ``.git``).
        :param prefix: a sub-folder of the bundle to put these files in (used to keep several
            sources apart); step scripts are adjusted to match.
        """
        root = Path(folder)
        # The manifest is read here, at build time; it is not needed on the instance.
        files = [f for f in collect_files(root, exclude=exclude) if f.path != MANIFEST_NAME]
        extra: tuple[BundleFile, ...] = ()  # files of recipes named in the manifest
        if steps is None:
            manifest = root / MANIFEST_NAME
            if manifest.is_file():
                declared = load_manifest(manifest)
                steps, extra = declared.steps, declared.files
            else:
                steps = default_steps(f.path for f in files)
        if prefix:
            clean = PurePosixPath(prefix).as_posix().strip("/")
            files = [
                BundleFile(f"{clean}/{f.path}", f.data, f.mode, f.origin) for f in files
            ]
            own = {f.path for f in extra}
            steps = [s if s.script in own else replace(s, script=f"{clean}/{s.script}") for s in steps]
        return cls(files=tuple(files) + extra, steps=tuple(steps))

    def __add__(self, other: Scripts) -> Scripts:
        if not isinstance(other, Scripts):
            return NotImplemented
        return Scripts(files=self.files + other.files, steps=self.steps + other.steps)


def combine(parts: Sequence[Scripts]) -> Scripts:
    """Several :class:`Scripts` as one: their files together, their steps in order."""
    if not parts:
        raise BundleError("nothing to combine: give at least one scripts folder or recipe")
    combined = parts[0]
    for part in parts[1:]:
        combined = combined + part
    return combined


def _excluded(rel: PurePosixPath, patterns: Sequence[str]) -> bool:
    parts = rel.parts
    return any(
        fnmatch.fnmatchcase(rel.as_posix(), pat) or any(fnmatch.fnmatchcase(p, pat) for p in parts)
        for pat in patterns
    )


def collect_files(root: Path, *, exclude: Sequence[str] = DEFAULT_EXCLUDES) -> list[BundleFile]:
    """Read every regular file under ``root``, sorted by path.

    Symlinks are followed when they stay inside ``root`` (the file is packed as a regular file
    with the target's content and mode); a symlink leaving the folder, a dangling one or one to
    a directory is an error, as are sockets, FIFOs and devices.
    """
    if not root.is_dir():
        raise BundleError(f"scripts folder {str(root)!r} does not exist or is not a directory")
    real_root = root.resolve()
    files: list[BundleFile] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        for d in list(dirnames):
            if _excluded(PurePosixPath((here / d).relative_to(root).as_posix()), exclude):
                dirnames.remove(d)
            elif (here / d).is_symlink():
                check_symlink(root, real_root, here / d)
                raise BundleError(
                    f"{here / d}: is a symlink to a directory; lcc-constructs packs regular files "
                    "only. Fix: replace it with a real directory (or list the files it holds)."
                )
        dirnames.sort()
        for name in sorted(filenames):
            path = here / name
            rel = PurePosixPath(path.relative_to(root).as_posix())
            if _excluded(rel, exclude):
                continue
            files.append(read_file(root, real_root, path, rel.as_posix()))
    if not files:
        raise BundleError(
            f"scripts folder {str(root)!r} is empty (or all its files are excluded). "
            "Fix: add at least one script."
        )
    files.sort(key=lambda f: f.path)
    return files


def check_symlink(root: Path, real_root: Path, path: Path) -> Path:
    """Resolve a symlink found in the folder; it must stay inside the folder."""
    target = path.resolve()
    if not target.is_relative_to(real_root):
        raise BundleError(
            f"{path}: symlink points outside the scripts folder {str(root)!r} (to {target}). "
            "Fix: copy the file into the folder instead of linking to it."
        )
    if not target.exists():
        raise BundleError(f"{path}: dangling symlink. Fix: remove it or point it at a file.")
    return target


def read_file(root: Path, real_root: Path, path: Path, rel: str) -> BundleFile:
    """Read one file of the folder, refusing anything but regular files."""
    source = check_symlink(root, real_root, path) if path.is_symlink() else path
    st = source.stat()
    if not stat.S_ISREG(st.st_mode):
        raise BundleError(
            f"{path}: not a regular file (a socket, FIFO or device). Fix: remove it from the folder."
        )
    try:
        data = source.read_bytes()
    except OSError as e:
        raise BundleError(f"{path}: cannot be read ({e.strerror}). Fix: check its permissions.") from None
    return BundleFile(path=rel, data=data, mode=stat.S_IMODE(st.st_mode) & 0o777, origin=str(path))


def default_steps(paths: Iterable[str]) -> list[Step]:
    """Steps of a folder without manifest: top-level ``*.sh`` and ``*.py`` in name order, as root."""
    return [
        Step(name=PurePosixPath(p).stem, script=p)
        for p in sorted(paths)
        if "/" not in p and p.endswith(DEFAULT_STEP_SUFFIXES)
    ]


_STEP_KEYS = {"name", "script", "run_as", "background", "timeout", "env", "required"}
_RECIPE_KEYS = {"recipe", "with"}


def load_manifest(path: Path) -> Scripts:
    """Read the steps of a ``lifecycle.toml`` manifest (and the files of the recipes it names).

    Format: one ``[[step]]`` table per step, in order. A step of the folder has the keys
    ``script`` (required), ``name`` (default: the script's file name without suffix),
    ``run_as`` (``"root"`` or ``"ec2-user"``), ``background``, ``timeout`` (seconds),
    ``required`` and an ``[step.env]`` table. A built-in recipe has the keys ``recipe`` (its
    name) and an optional ``[step.with]`` table of its options.
    """
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise BundleError(f"{path}: not valid TOML ({e}). Fix the syntax.") from None
    unknown = set(doc) - {"step"}
    if unknown:
        raise BundleError(
            f"{path}: unknown top-level key(s) {sorted(unknown)}; the manifest holds [[step]] tables only."
        )
    tables = doc.get("step", [])
    if not isinstance(tables, list) or not tables:
        raise BundleError(f"{path}: no [[step]] table. Fix: declare at least one step.")
    files: list[BundleFile] = []
    steps: list[Step] = []
    for i, table in enumerate(tables, start=1):
        if isinstance(table, dict) and "recipe" in table:
            part = _recipe_from_table(path, i, table)
            files += part.files
            steps += part.steps
        else:
            steps.append(_step_from_table(path, i, table))
    return Scripts(files=tuple(files), steps=tuple(steps))


def _recipe_from_table(path: Path, index: int, table: dict[str, Any]) -> Scripts:
    from .recipe_registry import from_spec

    where = f"{path}: step #{index}"
    unknown = set(table) - _RECIPE_KEYS
    if unknown:
        raise BundleError(
            f"{where}: unknown key(s) {sorted(unknown)} for a recipe; allowed: {sorted(_RECIPE_KEYS)} "
            "(options go in the [step.with] table)"
        )
    options = table.get("with", {})
    if not isinstance(table["recipe"], str) or not isinstance(options, dict):
        raise BundleError(f"{where}: 'recipe' must be a name and 'with' a table of options")
    return from_spec(table["recipe"], options, where)


def _step_from_table(path: Path, index: int, table: Any) -> Step:
    where = f"{path}: step #{index}"
    if not isinstance(table, dict):
        raise BundleError(f"{where}: must be a table")
    unknown = set(table) - _STEP_KEYS
    if unknown:
        raise BundleError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_STEP_KEYS)}")
    script = table.get("script")
    if not isinstance(script, str) or not script:
        raise BundleError(f"{where}: 'script' is required (the file to run, relative to the folder)")
    name = table.get("name", PurePosixPath(script).stem)
    checks: list[tuple[str, type | tuple[type, ...]]] = [
        ("name", str), ("run_as", str), ("background", bool), ("required", bool),
        ("timeout", (int, float)), ("env", dict),
    ]
    for key, typ in checks:
        if key in table and (not isinstance(table[key], typ) or
                             (key == "timeout" and isinstance(table[key], bool))):
            raise BundleError(f"{where}: {key!r} has the wrong type ({table[key]!r})")
    env = table.get("env", {})
    for k, v in env.items():
        if not isinstance(v, str):
            raise BundleError(f"{where}: env value of {k!r} must be a string, got {v!r}")
    try:
        return Step(
            name=name,
            script=script,
            run_as=table.get("run_as", RunAs.ROOT),
            background=table.get("background", False),
            timeout_seconds=table.get("timeout"),
            env=env,
            required=table.get("required", False),
        )
    except BundleError as e:
        raise BundleError(f"{path}: {e}") from None
