"""A deployed script back as a scripts folder (``lcc pull``).

Three kinds of script, each made into the folder that builds it again:

* one this library built: its files and modes, and a ``lifecycle.toml`` with its steps, its
  recipes named as recipes (found by each recipe's inverse, lcc_constructs/recipes/_readback.py)
  and the build options that differ from the defaults; the codec too when the automatic choice
  would pick another one. A build of the folder gives the deployed script byte for byte.
* the hand-made method (_handmade.py): the archive's files, and a step for each call.
* anything else: the script as ``on-start.sh`` / ``on-create.sh``, run as one required step.

Each folder is written into a new folder beside the target, built there as ``lcc build``
builds it and compared with what was deployed, and only then moved into place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from ..bundle import BuildOptions, Kind, Scripts, Step, build
from ..bundle.archive import path_problems
from ..bundle.manifest import OPTION_KEYS, manifest_text, toml_number
from ..bundle.plan import Settings
from ..bundle.steps import KIND_SCRIPTS, MANIFEST_NAME
from ..errors import ValidationError, raise_if
from ..limits import MAX_BUDGET_SECONDS
from ..recipes import RecipeUse, recipe_uses, unmarked
from ._handmade import NotArticle, read_article
from ._script import InspectedScript
from ._scripts import ReadScript

#: How a script became a folder (``lcc pull --json``'s ``method``).
Method = Literal["lcc", "hand-made", "as-is"]

#: The build options a pulled manifest states when they are not the defaults: those the plan
#: holds (the codec apart, which only the automatic choice may need).
_PLAN_OPTIONS = {f.name for f in fields(Settings)} - {"kind"}


@dataclass(frozen=True)
class Pulled:
    """The folder made of one script: its files (path: (mode, data)) but the manifest, the
    manifest's steps, recipe uses, ``[options]`` and comments, and what a build of it must give:
    the very script (``same_text``), or the same steps."""

    kind: Kind
    what: str
    files: dict[str, tuple[int, bytes]]
    steps: tuple[Step, ...]
    #: lcc: a folder of this library's; hand-made: the hand-made method read; as-is: the script kept.
    method: Method = "lcc"
    options: dict[str, Any] = field(default_factory=dict)
    uses: tuple[RecipeUse, ...] = ()
    comments: tuple[str, ...] = ()
    same_text: str | None = None

    def manifest(self) -> str:
        """The ``lifecycle.toml`` of the folder."""
        return manifest_text(self.steps, self.uses, self.options, self.comments)


def _options_table(options: BuildOptions) -> dict[str, Any]:
    """The manifest's ``[options]`` for what differs from the defaults."""
    defaults = BuildOptions().resolved()
    table = {}
    for key, spec in OPTION_KEYS.items():
        value = getattr(options, spec.field)
        if spec.field in _PLAN_OPTIONS and value != getattr(defaults, spec.field):
            table[key] = toml_number(value) if spec.field == "budget_seconds" else value
    return table


def _ours(script: ReadScript, inspected: InspectedScript, config: str) -> Pulled:
    """The folder of a script this library built."""
    uses = recipe_uses(inspected.steps, inspected.files)
    brought = {path for use in uses for path in use.files}
    files = {p: v for p, v in inspected.files.items() if p not in brought}
    names = ", ".join(u.recipe for u in uses)
    what = f"built by lcc-constructs: {len(inspected.steps)} step(s)" + (f", recipes {names}" if uses else "")
    comments = (f"Pulled by lcc pull from the lifecycle configuration {config} ({script.kind}): {what}.",
                "lcc build of this folder gives the deployed script again.")
    inline = "s3" not in inspected.report.codec
    return Pulled(script.kind, what, files, inspected.steps, "lcc", _options_table(inspected.options),
                  tuple(uses), comments, script.text if inline else None)


def _article(script: ReadScript, config: str) -> Pulled:
    """The folder of a hand-made wrapper (NotArticle when it is not one)."""
    article = read_article(script.text)
    files = {p: v for p, v in article.files.items() if p.split("/")[0] != MANIFEST_NAME}
    if len(files) != len(article.files):
        raise NotArticle(f"the archive holds a {MANIFEST_NAME} of its own")
    what = f"the hand-made method: a {article.archive}, {len(article.steps)} call(s)"
    comments = (f"Pulled by lcc pull from the lifecycle configuration {config} ({script.kind}): {what}.",
                "Each call of the wrapper is a step; the budget is the most lcc allows (the service",
                "stops a script after 300 s).")
    return Pulled(script.kind, what, files, article.steps, "hand-made", {"budget": MAX_BUDGET_SECONDS},
                  comments=comments)


def _plain(script: ReadScript, config: str, why: str) -> Pulled:
    """The folder of any other script: the script as it is, run as one required step."""
    path = KIND_SCRIPTS[script.kind]
    what = f"{script.describe()}, kept as {path}"
    comments = (f"Pulled by lcc pull from the lifecycle configuration {config} ({script.kind}): {what}",
                f"({why}). It runs as one required step, as the service ran it; the budget is the",
                "most lcc allows (the service stops a script after 300 s).")
    step = Step(name=script.kind, script=path, required=True)
    data = script.text.encode("utf-8", "surrogateescape")
    return Pulled(script.kind, what, {path: (0o755, data)}, (step,), "as-is", {"budget": MAX_BUDGET_SECONDS},
                  comments=comments)


def candidates(script: ReadScript, config: str) -> list[Pulled]:
    """The folders ``script`` can become, the best first; the last one always exists."""
    if script.inspected is not None:
        return [_ours(script, script.inspected, config)]
    if script.origin == "ours":
        why = f"built by lcc-constructs, but its bundle cannot be read: {script.problem}"
    elif script.origin == "other-version":
        why = "built by another version of lcc-constructs, whose bundle this version does not read"
    else:
        try:
            return [_article(script, config), _plain(script, config, "")]
        except NotArticle as e:
            why = f"not the hand-made method: {e}"
    return [_plain(script, config, why)]


# --- writing and checking ---------------------------------------------------------------

def stage(folder: Path, pulled: Pulled) -> None:
    """Write the folder's files (with their modes) and manifest into the empty ``folder``.

    :raises ValidationError: when the paths are not a folder's (read back: a stranger chose
        them), or a file would land outside ``folder``; nothing is written then.
    """
    files = {MANIFEST_NAME: (0o644, pulled.manifest().encode())}
    problems = path_problems([*pulled.files, MANIFEST_NAME])
    raise_if([f"the pulled files: {p}" for p in problems])
    files.update(pulled.files)
    root = folder.resolve()
    for path, (mode, data) in sorted(files.items()):
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.parent.resolve().is_relative_to(root):
            raise ValidationError(f"the pulled file {path!r} would be written outside {folder}")
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            os.fchmod(f.fileno(), mode & 0o777)


def rebuild(folder: Path, kind: Kind) -> tuple[Scripts, str]:
    """The scripts and the script ``lcc build FOLDER --kind KIND`` makes of ``folder``."""
    scripts = Scripts.from_folder(folder, kind=kind)
    rendered = build(scripts, BuildOptions(kind=kind))
    # Its steps as they run: each saying its user, as the deployed plan does.
    return replace(scripts, steps=rendered.steps), rendered.text


def check(folder: Path, pulled: Pulled) -> str | None:
    """What is wrong with the staged ``folder``, if anything: a build must succeed and give the
    deployed script again, or at least its steps."""
    try:
        scripts, text = rebuild(folder, pulled.kind)
    except ValidationError as e:
        return f"lcc build refuses the folder: {e}"
    left_out = sorted(set(pulled.files) - {f.path for f in scripts.files})
    if left_out:
        return f"lcc build leaves out {', '.join(left_out)}"
    if unmarked(scripts.steps) != unmarked(pulled.steps):
        return "a build of the folder gives other steps"  # a fault of ours: say so, write anyway
    if pulled.same_text is not None and text != pulled.same_text:
        return "a build of the folder gives a script other than the deployed one"
    return None


def _clear(folder: Path) -> None:
    """Empty ``folder`` for another try."""
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _with_codec(pulled: Pulled, script: ReadScript) -> Pulled | None:
    """``pulled`` with the deployed codec stated, when it is not stated yet."""
    assert script.inspected is not None
    if "codec" in pulled.options or pulled.same_text is None:
        return None  # stated already, or an S3 payload (a build of the folder is inline)
    return replace(pulled, options={**pulled.options, "codec": script.inspected.report.codec})


def _try(folder: Path, pulled: Pulled, script: ReadScript) -> tuple[Pulled, str | None, bool]:
    """Stage ``pulled`` (with the codec stated if need be) into ``folder`` and check it: the
    folder staged, what is wrong with it, and whether it was staged at all."""
    while True:
        _clear(folder)
        try:
            stage(folder, pulled)
        except ValidationError as e:
            return pulled, str(e), False
        problem = check(folder, pulled)
        again = _with_codec(pulled, script) if problem and script.inspected else None
        if again is None:
            return pulled, problem, True
        pulled = again


def stage_best(folder: Path, script: ReadScript, config: str) -> tuple[Pulled, list[str]]:
    """Stage the best folder ``script`` can become into ``folder``: the first candidate whose
    build checks out (ours with the codec stated if need be); the last one otherwise, with
    the problems found as warnings; the script as it is when even that one's files are not a
    folder's (a stranger chose their paths)."""
    problems: list[str] = []
    for candidate in candidates(script, config):
        pulled, problem, staged = _try(folder, candidate, script)
        if problem is None:
            return pulled, problems
        problems.append(f"{pulled.what}: {problem}")
    if not staged:
        pulled = _plain(script, config, problems[-1])
        _clear(folder)
        stage(folder, pulled)
    return pulled, problems


def target_problem(target: Path, replace_existing: bool) -> str | None:
    """Why ``target`` cannot receive a pulled folder, if it cannot."""
    if target.is_symlink() or target.exists() and not target.is_dir():
        return f"{target} exists and is not a folder"
    if target.is_dir() and any(target.iterdir()) and not replace_existing:
        return f"{target} is not empty: give an empty or new folder, or --replace to replace what it holds"
    if not target.parent.is_dir():
        return f"the folder {target.parent} does not exist"
    return None


def staging_folder(target: Path) -> Path:
    """A new, empty folder beside ``target``, with the modes a new folder gets."""
    folder = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.pull-"))
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)
    return folder


def move_into_place(staged: Path, target: Path) -> None:
    """Make ``staged`` the folder ``target``: an empty or missing target is replaced at once;
    a full one is moved aside first and removed after."""
    if not target.exists() or not any(target.iterdir()):
        os.replace(staged, target)
        return
    aside = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
    os.replace(target, aside / "old")
    os.replace(staged, target)
    shutil.rmtree(aside)


@dataclass(frozen=True)
class PulledFolder:
    """One script of a pulled configuration: where it was written, what it became (``what``,
    ``method``); ``folder`` None: the configuration has no script of this kind."""

    kind: Kind
    folder: Path | None
    what: str | None = None
    method: Method | None = None

    def to_dict(self) -> dict[str, Any]:
        """The script's entry in ``lcc pull --json``."""
        return {"kind": self.kind, "folder": None if self.folder is None else str(self.folder),
                "what": self.what, "method": self.method}


def pull_folders(scripts: dict[Path, ReadScript], config: str,
                 say: Callable[[str], None]) -> tuple[list[PulledFolder], list[str]]:
    """Write each script's folder to its target path (checked by :func:`target_problem`), all
    or none; what each became, and the notes on what could not be made as well as hoped."""
    staged: dict[Path, Path] = {}
    warnings: list[str] = []
    written: list[PulledFolder] = []
    try:
        for target, script in scripts.items():
            staged[target] = staging_folder(target)
            pulled, problems = stage_best(staged[target], script, config)
            warnings += [f"{script.kind}: {p}" for p in problems]
            say(f"{script.kind}: {pulled.what} -> {target}")
            written.append(PulledFolder(script.kind, target, pulled.what, pulled.method))
        for target, folder in staged.items():
            move_into_place(folder, target)
    finally:
        for folder in staged.values():
            shutil.rmtree(folder, ignore_errors=True)
    return written, warnings
