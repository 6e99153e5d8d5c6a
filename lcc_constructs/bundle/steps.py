"""What a lifecycle script is made of: files to pack and the steps that run them.

Steps are declared in Python (:class:`Step`) or in a ``lifecycle.toml`` manifest in the scripts
folder (manifest.py); both give the same :class:`Step` values. A folder without a manifest runs
what its files say (:func:`default_steps`).
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

from ..errors import ValidationError, got, raise_if
from ..limits import (
    INLINE_FILES_MAX_BYTES,
    MANIFEST_MAX_BYTES,
    NOTEBOOK_USER,
    S3_FILES_MAX_BYTES,
    STUDIO_USER,
)

#: Name of the manifest file looked up in a scripts folder.
MANIFEST_NAME = "lifecycle.toml"

#: Never packed: caches and editor/OS droppings that differ from machine to machine.
DEFAULT_EXCLUDES: tuple[str, ...] = ("__pycache__", "*.pyc", ".DS_Store", ".git")

#: In a folder without manifest (and without on-start.sh or on-create.sh), top-level files with
#: these suffixes are the steps.
DEFAULT_STEP_SUFFIXES: tuple[str, ...] = (".sh", ".py")

#: Scripts with these names mean what they mean to the service: the whole on-start or on-create
#: script of a folder laid out as people lay them out (the other files are its helpers).
KIND_SCRIPTS = {"on-start": "on-start.sh", "on-create": "on-create.sh"}


class RunAs(str, Enum):
    """Who runs a step."""

    #: root, as the lifecycle script itself runs.
    ROOT = "root"
    #: The notebook user (ec2-user), through a login shell (``sudo -u ec2-user -i``), from its home.
    #: On Studio: the space's user (sagemaker-user).
    NOTEBOOK_USER = NOTEBOOK_USER
    #: Studio's user (sagemaker-user), as whom the script runs there; on a notebook instance: the
    #: notebook user (ec2-user).
    STUDIO_USER = STUDIO_USER


class Platform(str, Enum):
    """What a script is built for."""

    #: A SageMaker notebook instance (Amazon Linux 2023): the script runs as root.
    NOTEBOOK_INSTANCE = "notebook-instance"
    #: A JupyterLab or Code Editor space of SageMaker Studio: the script runs as sagemaker-user.
    STUDIO = "studio"


@dataclass(frozen=True)
class RecipeCall:
    """Which recipe made a step, with the options given (JSON), so that the bundle can be read
    back into the manifest that makes it again (``lcc pull``)."""

    recipe: str
    options: str = "{}"
    #: The recipe sets up something an instance has one of (autostop's timer): a script may
    #: use it once.
    once: bool = False
    #: Folders on the persistent volume this use of the recipe keeps its things in (persistent-bin's
    #: programs, conda environments, home folders): the state folder must stay apart from them.
    folders: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Step:
    """One script of the bundle to run at start. Immutable and hashable.

    :param name: unique within the script; used for its log file and status entry
        (letters, digits, ``_ . -``; at most 64 characters).
    :param script: path of the file to run, relative to the scripts folder (POSIX separators).
        A file with a ``#!`` line runs with that interpreter; otherwise ``.py`` files run with
        ``python3`` and everything else with ``/bin/bash``.
    :param run_as: ``RunAs.ROOT`` (``"root"``) or the platform's user: ``RunAs.NOTEBOOK_USER``
        (``"ec2-user"``) or ``RunAs.STUDIO_USER`` (``"sagemaker-user"``), which are one user: the
        one of the platform built for. Default (None): the user the script runs as, root on a
        notebook instance, sagemaker-user on Studio (where root steps run through ``sudo -n``).
    :param background: run detached (new session, stdin from /dev/null, output to its own log)
        so the lifecycle script can return while it goes on. Default: foreground.
    :param timeout_seconds: kill the step (its whole session) after this many seconds.
        Default: foreground steps get what is left of the budget; background steps have none.
    :param env: extra environment variables for the step (read-only once the step is made).
    :param required: when True, a failure, timeout or skip of this step makes the lifecycle
        script exit non-zero (which fails the instance start). Default: failures are logged
        and ignored.
    :param stop_on_failure: when True, a failure, timeout or skip of this step also skips the
        steps after it, as ``set -e`` stops a script (for a script split into steps); it makes
        the step required. Default: the other steps run.
    :param once: run the step at the first start only (Studio, which has no on-create script):
        once it ended ok, a marker in the state folder (``<state_dir>/once/<name>``) makes later
        starts skip it; one that failed runs again at the next start. A notebook instance refuses
        it: put the step in on_create there. Default: every start.
    :param recipe: set by recipes on the steps they make (see :class:`RecipeCall`).
    """

    name: str
    script: str
    run_as: RunAs | None = None
    background: bool = False
    timeout_seconds: float | None = None
    # Compared as a mapping; left out of the hash (a mapping proxy has none), which equal steps
    # still share.
    env: Mapping[str, str] = field(default_factory=dict, hash=False)
    required: bool = False
    stop_on_failure: bool = False
    recipe: RecipeCall | None = None
    once: bool = False

    def __post_init__(self) -> None:
        raise_if(self._type_problems())
        object.__setattr__(self, "run_as", None if self.run_as is None else RunAs(self.run_as))
        if self.stop_on_failure:  # a step that stops the others fails the start too
            object.__setattr__(self, "required", True)
        object.__setattr__(self, "env", MappingProxyType(dict(self.env)))

    def _type_problems(self) -> list[str]:
        """Every field of the wrong type (the values are checked at build)."""
        where = (f"step {self.name!r}" if isinstance(self.name, str)
                 else f"step of script {self.script!r}" if isinstance(self.script, str) else "step")
        timeout = self.timeout_seconds
        number = isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
        expected = {
            "name": (isinstance(self.name, str), "a string"),
            "script": (isinstance(self.script, str), "a string (a path relative to the scripts folder)"),
            "background": (isinstance(self.background, bool), "True or False"),
            "required": (isinstance(self.required, bool), "True or False"),
            "stop_on_failure": (isinstance(self.stop_on_failure, bool), "True or False"),
            "once": (isinstance(self.once, bool), "True or False"),
            "timeout_seconds": (timeout is None or number, "a number of seconds or None"),
            "recipe": (self.recipe is None or isinstance(self.recipe, RecipeCall),
                       "None (recipes set it to a RecipeCall)"),
        }
        problems = [f"{where}: {field} must be {what}, {got(getattr(self, field))}"
                    for field, (ok, what) in expected.items() if not ok]
        try:
            if self.run_as is not None:
                RunAs(self.run_as)
        except ValueError:
            allowed = ", ".join(repr(r.value) for r in RunAs)
            problems.append(f"{where}: run_as={self.run_as!r} is not a known user; use RunAs.ROOT, "
                            f"RunAs.NOTEBOOK_USER or one of {allowed}")
        if not isinstance(self.env, Mapping):
            problems.append(f"{where}: env={self.env!r} must map names to values (a dict of strings)")
        else:
            problems += [f"{where}: env must map strings to strings, {got(key)} as a name"
                         for key in self.env if not isinstance(key, str)]
            problems += [f"{where}: env[{key!r}] must be a string, {got(value)}"
                         for key, value in self.env.items()
                         if isinstance(key, str) and not isinstance(value, str)]
        return problems


@dataclass(frozen=True)
class BundleFile:
    """A file to pack: its path inside the bundle, content and permission bits."""

    path: str
    data: bytes
    mode: int
    #: Where it came from, for error messages (a path on disk).
    origin: str

    def __post_init__(self) -> None:
        expected = {"path": (str, "a string"), "data": (bytes, "bytes"), "origin": (str, "a string"),
                    "mode": (int, "permission bits (an int such as 0o755)")}
        raise_if([f"file {self.path!r}: {field} must be {what}, {got(getattr(self, field))}"
                  for field, (typ, what) in expected.items()
                  if not isinstance(getattr(self, field), typ) or isinstance(getattr(self, field), bool)])


#: How a manifest's ``recipe = "..."`` entries become scripts: (name, options, where) -> Scripts.
RecipeResolver = Callable[[str, Mapping[str, Any], str], "Scripts"]


@dataclass(frozen=True)
class OnPlatform:
    """What a step becomes on a platform where it does not run as it is (recipes say so)."""

    #: The platform (a :class:`Platform` value): ``"studio"`` or ``"notebook-instance"``.
    platform: str
    #: Why: the build's error when the step is refused, its warning when it becomes configuration.
    reason: str
    #: Studio only: no script runs; the step becomes the app's idle shutdown after this many
    #: minutes (``StudioLifecycleConfig.attach`` sets it). None: a build for the platform
    #: refuses the step.
    idle_minutes: int | None = None
    #: The step runs this script (a path in the bundle, packed only for this platform) instead
    #: of its own there, as the same user with the same variables: what the recipe does
    #: differently on the platform, at no cost to the other one.
    script: str | None = None


@dataclass(frozen=True)
class Scripts:
    """Files and steps of one lifecycle script (on-start or on-create), and the IAM actions they
    need on the notebook instance (``notebook_actions``: autostop's, for example), which the
    constructs grant.

    Build one with :meth:`from_folder`; combine several with ``+`` (for example a folder of
    your own and the built-in recipes).
    """

    files: tuple[BundleFile, ...]
    steps: tuple[Step, ...]
    notebook_actions: tuple[str, ...] = ()
    #: The build options the folder sets (its lifecycle.toml's ``[options]``, as
    #: :class:`BuildOptions` fields): used for those a build is not given.
    options: Mapping[str, Any] = field(default_factory=dict)
    #: What steps (by name) become on a platform where they do not run as they are.
    on_platform: Mapping[str, OnPlatform] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("files", "steps", "notebook_actions"):  # (an iterator is read once)
            items = getattr(self, name)
            if isinstance(items, Iterable) and not isinstance(items, (str, bytes)):
                object.__setattr__(self, name, tuple(items))
        raise_if([*_items_problems("files", self.files, BundleFile, "BundleFile"),
                  *_items_problems("steps", self.steps, Step, "Step"),
                  *_items_problems("notebook_actions", self.notebook_actions, str, "string")])
        # The very same file from two sources (the helpers every built-in recipe brings) is
        # packed once; different files on one path remain an error of the build's checks.
        unique: dict[tuple[str, bytes, int], BundleFile] = {}
        for f in self.files:
            unique.setdefault((f.path, f.data, f.mode), f)
        object.__setattr__(self, "files", tuple(unique.values()))
        object.__setattr__(self, "steps", tuple(self.steps))
        object.__setattr__(self, "notebook_actions", tuple(sorted(set(self.notebook_actions))))
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))
        object.__setattr__(self, "on_platform", MappingProxyType(dict(self.on_platform)))

    @classmethod
    def from_folder(
        cls,
        folder: str | os.PathLike[str],
        *,
        steps: Sequence[Step] | None = None,
        exclude: Sequence[str] = DEFAULT_EXCLUDES,
        prefix: str = "",
        kind: str = "on-start",
        recipes: RecipeResolver | None = None,
    ) -> Scripts:
        """Pack every file under ``folder`` (but its ``lifecycle.toml``, read here).

        :param steps: the steps to run. Default: those of ``lifecycle.toml`` in the folder; or,
            without a manifest, the folder's ``on-start.sh`` / ``on-create.sh`` for that
            ``kind``; or, without those, every top-level ``*.sh`` and ``*.py`` file in name
            order, run by root in the foreground (:func:`default_steps`).
        :param exclude: glob patterns (matched against each path component and the relative
            path) of files not to pack. Default: caches and OS droppings (``__pycache__``,
            ``*.pyc``, ``.DS_Store``, ``.git``).
        :param prefix: a sub-folder of the bundle to put these files in (used to keep several
            sources apart); step scripts are adjusted to match.
        :param kind: which script these files are for, ``"on-start"`` or ``"on-create"``: it
            picks the folder's ``on-start.sh`` or ``on-create.sh`` when there is no manifest.
        :param recipes: how the manifest's ``recipe = ...`` entries are made. Default: the
            built-in recipes (:mod:`lcc_constructs.recipes`).
        """
        # (An iterator is read once.)
        steps = list(steps) if isinstance(steps, Iterable) and not isinstance(steps, (str, bytes)) else steps
        exclude = list(exclude) if isinstance(exclude, Iterable) and not isinstance(exclude, str) else exclude
        raise_if(_from_folder_problems(folder, steps, exclude, prefix, kind, recipes))
        root = Path(folder)
        manifest = manifest_of(root)
        # The manifest is read here, at build time; it is not needed on the instance.
        files = [f for f in collect_files(root, exclude=exclude) if f.path != MANIFEST_NAME]
        extra = Scripts((), ())  # what the recipes named in the manifest bring
        options: dict[str, Any] = {}
        if manifest is not None:
            from .manifest import load_options

            options = load_options(manifest)
        if steps is None:
            if manifest is not None:
                from .manifest import load_manifest

                declared = load_manifest(manifest, recipes or _builtin_recipes(), kind)
                steps, extra = declared.steps, declared
            else:
                steps = default_steps((f.path for f in files), kind)
        if prefix:
            clean = PurePosixPath(prefix).as_posix().strip("/")
            files = [replace(f, path=f"{clean}/{f.path}") for f in files]
            own = {f.path for f in extra.files}
            steps = [s if s.script in own else replace(s, script=f"{clean}/{s.script}") for s in steps]
        return cls(files=tuple(files) + extra.files, steps=tuple(steps),
                   notebook_actions=extra.notebook_actions, options=options,
                   on_platform=extra.on_platform)

    def __add__(self, other: Scripts) -> Scripts:
        if not isinstance(other, Scripts):
            return NotImplemented
        clash = sorted(k for k in set(self.options) & set(other.options)
                       if self.options[k] != other.options[k])
        if clash:
            raise ValidationError(
                f"two folders set {', '.join(clash)} differently in their [options] "
                f"({', '.join(f'{self.options[k]!r} and {other.options[k]!r}' for k in clash)}). "
                "Fix: set it in one folder only, or give it to the build (a prop or a flag).")
        return Scripts(files=self.files + other.files, steps=self.steps + other.steps,
                       notebook_actions=self.notebook_actions + other.notebook_actions,
                       options={**self.options, **other.options},
                       on_platform={**self.on_platform, **other.on_platform})


def _from_folder_problems(folder: object, steps: object, exclude: object, prefix: object, kind: object,
                          recipes: object) -> list[str]:
    """:meth:`Scripts.from_folder`'s arguments of the wrong type."""
    where = "Scripts.from_folder"
    problems = [] if isinstance(folder, (str, os.PathLike)) else [
        f"{where}: folder must be a path (a string or os.PathLike), {got(folder)}"]
    if steps is not None:
        problems += _items_problems("steps", steps, Step, "Step", where)
    problems += _items_problems("exclude", exclude, str, "glob pattern", where)
    if not isinstance(prefix, str):
        problems.append(f"{where}: prefix must be a string (a sub-folder of the bundle), {got(prefix)}")
    if not (isinstance(kind, str) and kind in KIND_SCRIPTS):
        problems.append(f"{where}: kind must be one of {', '.join(map(repr, KIND_SCRIPTS))}, {got(kind)}")
    if recipes is not None and not callable(recipes):
        problems.append(f"{where}: recipes must be a function (name, options, where) -> Scripts, "
                        f"{got(recipes)}")
    return problems


def _items_problems(field: str, items: object, typ: type, what: str, where: str = "Scripts") -> list[str]:
    """A sequence of ``typ`` (a list or tuple, not a string): a field of :class:`Scripts`, or an
    argument of ``where``."""
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        return [f"{where}: {field} must be a list or tuple of {what}s, {got(items)}"]
    return [f"{where}: {field}[{i}] must be a {what}, {got(item)}"
            for i, item in enumerate(items) if not isinstance(item, typ)]


def manifest_of(root: Path) -> Path | None:
    """The folder's ``lifecycle.toml``, or None when it has none.

    It must be a regular file; a symlink is followed as the folder's other files are (it must
    stay inside the folder: one to ``/etc/hostname`` was read as the manifest). A folder, a FIFO,
    a dangling or outside symlink named so is an error, not a folder without a manifest.
    """
    path = root / MANIFEST_NAME
    if not path.is_symlink() and not path.exists():
        return None
    source = check_symlink(root, root.resolve(), path) if path.is_symlink() else path
    if source.is_dir():
        raise ValidationError(
            f"{path}: is a folder; {MANIFEST_NAME} is the folder's manifest, a file. Fix: rename the "
            "folder (or make it the manifest)."
        )
    st = source.stat()
    if not stat.S_ISREG(st.st_mode):
        raise ValidationError(f"{path}: not a regular file (a socket, FIFO or device). Fix: remove it.")
    if st.st_size > MANIFEST_MAX_BYTES:
        raise ValidationError(f"{path}: {st.st_size} bytes, more than a manifest may hold "
                              f"({MANIFEST_MAX_BYTES} bytes: it lists steps and options). Fix: is it the "
                              "right file?")
    return path


def _builtin_recipes() -> RecipeResolver:
    # A manifest names recipes, which sit a layer above the bundle (they are made of its
    # Scripts and Steps): reached here at call time, the one way the layers meet upwards.
    from ..recipes import from_spec

    return from_spec


def combine(parts: Sequence[Scripts]) -> Scripts:
    """Several :class:`Scripts` as one: their files together, their steps in order."""
    if not parts:
        raise ValidationError("nothing to combine: give at least one scripts folder or recipe")
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


def _walk(root: Path, real_root: Path, exclude: Sequence[str]) -> Iterator[tuple[Path, str]]:
    """Every file under ``root`` to pack, with its path relative to it; a symlink to a
    directory or a directory met twice (a loop) is an error."""
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        st = here.stat()
        if (st.st_dev, st.st_ino) in seen:
            raise ValidationError(f"{here}: this folder is reached twice (a loop). Fix: remove the link.")
        seen.add((st.st_dev, st.st_ino))
        for d in list(dirnames):
            if _excluded(PurePosixPath((here / d).relative_to(root).as_posix()), exclude):
                dirnames.remove(d)
            elif (here / d).is_symlink():
                check_symlink(root, real_root, here / d)  # outside, dangling or a loop: say so
                raise ValidationError(
                    f"{here / d}: is a symlink to a directory; lcc-constructs packs regular files "
                    "only. Fix: replace it with a real directory (or list the files it holds)."
                )
        dirnames.sort()
        for name in sorted(filenames):
            rel = PurePosixPath((here / name).relative_to(root).as_posix())
            if not _excluded(rel, exclude):
                yield here / name, rel.as_posix()


def collect_files(root: Path, *, exclude: Sequence[str] = DEFAULT_EXCLUDES) -> list[BundleFile]:
    """Read every regular file under ``root``, sorted by path.

    Symlinks are followed when they stay inside ``root`` (the file is packed as a regular file
    with the target's content and mode); a symlink leaving the folder, a dangling one, a loop or
    one to a directory is an error, as are sockets, FIFOs and devices. Every file is looked at
    before any is read: a folder holding more than any script can carry
    (:data:`~lcc_constructs.limits.S3_FILES_MAX_BYTES`) is refused unread.
    """
    if not root.is_dir():
        raise ValidationError(f"scripts folder {str(root)!r} does not exist or is not a directory")
    real_root = root.resolve()
    found = []
    for path, rel in _walk(root, real_root, exclude):
        source, st = regular_file(root, real_root, path)
        found.append((path, rel, source, st))
    if not found:
        raise ValidationError(
            f"scripts folder {str(root)!r} is empty (or all its files are excluded). "
            "Fix: add at least one script."
        )
    raise_if(too_many_bytes(str(root), {str(path): st.st_size for path, _, _, st in found},
                            S3_FILES_MAX_BYTES, "before any of them was read"))
    files, left = [], S3_FILES_MAX_BYTES
    for path, rel, source, st in found:
        files.append(read_file(path, rel, source, st, left))
        left -= len(files[-1].data)
    files.sort(key=lambda f: f.path)
    return files


def too_many_bytes(where: str, sizes: Mapping[str, int], limit: int, when: str) -> list[str]:
    """A bundle's files (``sizes``: bytes by path) over ``limit``: the problem, naming the
    largest files; none within it."""
    total = sum(sizes.values())
    if total <= limit:
        return []
    largest = ", ".join(f"{path} ({size} bytes)" for path, size in
                        sorted(sizes.items(), key=lambda item: (-item[1], item[0]))[:3])
    return [
        f"{where}: its files hold {total} bytes, more than a script can carry ({limit} bytes; "
        f"at most {INLINE_FILES_MAX_BYTES >> 20} MiB inline, {S3_FILES_MAX_BYTES >> 20} MiB with "
        f"payload='s3'); refused {when}. Largest: {largest}. Fix: remove those files or leave them "
        "out (exclude=); fetch large data at start instead of packing it."
    ]


def check_symlink(root: Path, real_root: Path, path: Path) -> Path:
    """Resolve a symlink found in the folder; it must stay inside the folder."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:  # a loop of symlinks
        raise ValidationError(f"{path}: symlink loop. Fix: remove it or point it at a file.") from None
    except OSError:
        raise ValidationError(f"{path}: dangling symlink. Fix: remove it or point it at a file.") from None
    if not target.is_relative_to(real_root):
        raise ValidationError(
            f"{path}: symlink points outside the scripts folder {str(root)!r} (to {target}). "
            "Fix: copy the file into the folder instead of linking to it."
        )
    return target


def regular_file(root: Path, real_root: Path, path: Path) -> tuple[Path, os.stat_result]:
    """The file a path of the folder stands for (a symlink's target inside it) and its status,
    refusing anything but regular files."""
    source = check_symlink(root, real_root, path) if path.is_symlink() else path
    st = source.stat()
    if not stat.S_ISREG(st.st_mode):
        raise ValidationError(
            f"{path}: not a regular file (a socket, FIFO or device). Fix: remove it from the folder."
        )
    return source, st


def read_file(path: Path, rel: str, source: Path, st: os.stat_result, limit: int) -> BundleFile:
    """Read one regular file of the folder (``source``, with its status ``st``): at most
    ``limit`` bytes, refusing one that grew beyond them since it was looked at."""
    try:
        with source.open("rb") as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise ValidationError(f"{path}: cannot be read ({e.strerror}). Fix: check its permissions.") from None
    if len(data) > limit:
        raise ValidationError(f"{path}: grew to more than {limit} bytes while the folder was read, more "
                              "than a script can carry. Fix: pack it when it is done changing.")
    return BundleFile(path=rel, data=data, mode=stat.S_IMODE(st.st_mode) & 0o777, origin=str(path))


def default_steps(paths: Iterable[str], kind: str = "on-start") -> list[Step]:
    """Steps of a folder without manifest. A folder holding ``on-start.sh`` or ``on-create.sh``
    is laid out for the service: the script of this ``kind`` is the one step (none when the
    folder has only the other's), every other file a helper. Otherwise the top-level ``*.sh``
    and ``*.py`` files are the steps, in name order. All run as root."""
    paths = sorted(paths)
    if set(paths) & set(KIND_SCRIPTS.values()):
        script = KIND_SCRIPTS.get(kind)
        return [Step(name=kind, script=script)] if script in paths else []
    return [
        Step(name=PurePosixPath(p).stem, script=p)
        for p in paths
        if "/" not in p and p.endswith(DEFAULT_STEP_SUFFIXES)
    ]
