"""Build one lifecycle script from :class:`~lcc_constructs.steps.Scripts`: pure Python, no CDK.

collect (steps.py) -> check (checks.py) -> the bundle: your files under ``scripts/`` and the
runner with its plan as ``lcc/runner.sh`` -> the archive inside the unpacking program ->
for every codec (codecs.py): compress -> encode -> the loader around it -> keep the smallest ->
base64 ``Content`` with its length checked. docs/architecture.md shows the chain.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Literal, cast

from ..errors import ValidationError, got, raise_if
from ..limits import (
    CONTENT_LIMIT_CHARS,
    DEFAULT_BUDGET_SECONDS,
    DEFAULT_KEEP_RUNS,
    DEFAULT_STATE_DIR,
    DEFAULT_STUDIO_STATE_DIR,
    DEFAULT_STUDIO_UNPACK_DIR,
    DEFAULT_UNPACK_DIR,
    NOTEBOOK_PATH,
    S3_BUCKET_MAX_CHARS,
    S3_BUCKET_PATTERN,
    STUDIO_HOME,
    STUDIO_IDLE_MINUTES,
    STUDIO_PATH,
    STUDIO_USER,
)
from .archive import ArchiveEntry, build_shar
from .assets import packed, snippet
from .checks import (
    CHECKS,
    check_budget,
    check_files_size,
    check_has_steps,
    check_keep_runs,
    check_state_dir,
    check_state_dir_apart,
    check_unpack_dir,
    run_checks,
)
from .codecs import DEFLATE, S3_OBJECT, Codec, candidates, codec_named
from .languages import language
from .plan import (
    COPY_PATH,
    RUNNER_PATH,
    SCRIPTS_PREFIX,
    USER_STEPS_PATH,
    Settings,
    features,
    render_plan,
    render_user_steps,
    state_folders,
)
from .report import FileSize, SizeReport, file_sizes
from .steps import Platform, RunAs, Scripts, Step

Kind = Literal["on-start", "on-create"]
KINDS: tuple[Kind, ...] = ("on-start", "on-create")


class Payload(str, Enum):
    """Where the bundle travels."""

    #: In the script itself, within the service's 16384 characters.
    INLINE = "inline"
    #: As an S3 object (up to limits.S3_FILES_MAX_BYTES of files), downloaded by the script with
    #: the instance role.
    S3 = "s3"


@dataclass(frozen=True)
class BuildOptions:
    """How the rendered script behaves on the instance.

    :param kind: ``"on-start"`` (every start) or ``"on-create"`` (once, at creation; not on
        Studio, where a step marked ``once`` runs at the first start only).
    :param platform: what the script is for: ``"notebook-instance"`` (default), or
        ``"studio"``, a JupyterLab or Code Editor space of SageMaker Studio (docs/studio.md): the
        script runs as sagemaker-user, steps run as sagemaker-user unless they say root (then
        through ``sudo -n``), the bundle is unpacked into ``/tmp/lcc`` and the logs kept in
        ``/home/sagemaker-user/.lifecycle``; recipes say what they become there.
    :param budget_seconds: total time the foreground steps may take; steps that would start
        after it is spent are skipped and logged. Default 240 (the service allows 300 in all).
    :param unpack_dir: root-owned folder the bundle is unpacked into, as ``<unpack_dir>/<kind>``.
    :param state_dir: where the logs and status files of each run are kept: a folder on the
        persistent volume (default ``/home/ec2-user/SageMaker/.lifecycle``, so they survive a
        restart), where the notebook user copies root's record of each run
        (``/var/log/lcc-constructs``); or a folder ``/var/log/lcc*``, then root's record itself.
        On Studio: a new folder in ``/home/sagemaker-user`` (default ``.lifecycle``), written
        by the runner itself.
    :param keep_runs: run folders of each kind kept in ``<state_dir>/logs`` on the volume. Default 10.
    :param codec: force one codec by name (``compressor+encoding``, e.g. ``deflate+base85``;
        python3 decodes every one on the instance). Default: every codec is tried and the one
        giving the fewest characters is kept.
    :param payload: ``"inline"`` (default): the bundle travels in the script, within the
        service's 16384 characters. ``"s3"``: the bundle is an S3 object (up to 256 MiB of files) that the
        script downloads with the instance role and checks against the sha256 it carries; the
        result's ``payload`` is the object and :meth:`RenderedScript.with_location` names it.
    :param minify: drop comments, blank lines and indentation from your shell and Python
        files (lcc_constructs.minify; needs the ``minify`` extra for shell). A file whose
        minified form is not provably the same program is packed as it was. Default: off.
        Line numbers in error messages then refer to the minified files.

    An option left out (None) is taken from the scripts' folder (its ``lifecycle.toml``'s
    ``[options]``, carried by :class:`Scripts`), else it has its default: every door (``build``,
    the constructs, ``lcc build``, ``lcc pull``'s check) resolves options this one way.
    """

    kind: Kind = "on-start"
    budget_seconds: float | None = None
    unpack_dir: str | None = None
    state_dir: str | None = None
    keep_runs: int | None = None
    codec: str | Codec | None = None
    minify: bool | None = None
    payload: Payload | str = Payload.INLINE
    platform: Platform | str = Platform.NOTEBOOK_INSTANCE

    def __post_init__(self) -> None:
        # Typed values or their names (manifests and the command line give names).
        if isinstance(self.codec, Codec):
            object.__setattr__(self, "codec", self.codec.name)
        for name in ("payload", "platform"):
            if isinstance(getattr(self, name), Enum):
                object.__setattr__(self, name, getattr(self, name).value)

    def resolved(self, folder: Mapping[str, Any] | None = None) -> BuildOptions:
        """These options with each one left out taken from ``folder`` (a folder's ``[options]``
        as BuildOptions fields), else its default."""
        given = folder or {}
        defaults = {**_DEFAULTS, **_STUDIO_DEFAULTS} if self.platform == Platform.STUDIO.value else _DEFAULTS
        return replace(self, **{name: given.get(name, default) if getattr(self, name) is None
                                else getattr(self, name) for name, default in defaults.items()})

    def problems(self) -> list[str]:
        """What is wrong with the options given (those left out are not checked)."""
        problems = [] if self.kind in KINDS else [f"kind {self.kind!r} must be one of {KINDS}"]
        if self.platform not in PLATFORMS:
            problems.append(f"platform={self.platform!r} must be one of {PLATFORMS}")
        elif self.platform == Platform.STUDIO.value and self.kind != "on-start":
            problems.append(f"kind {self.kind!r}: Studio runs one script, at every start of the app. Fix: "
                            "build the steps as on-start, and mark those that should run at the first "
                            "start only with once=True (once = true in lifecycle.toml).")
        if self.minify is not None and not isinstance(self.minify, bool):
            problems.append(f"minify must be True or False, {got(self.minify)}")
        if self.payload not in PAYLOADS:
            problems.append(f"payload={self.payload!r} must be one of {PAYLOADS}")
        elif self.codec is not None and not isinstance(self.codec, str):
            problems.append(f"codec must be a codec's name (a string such as 'deflate+base85') or a Codec, "
                            f"{got(self.codec)}")
        elif self.codec is not None:
            try:
                codec = codec_named(str(self.codec))
                if (codec.encoding is S3_OBJECT) != (self.payload == "s3"):
                    problems.append(f"codec {self.codec!r} does not go with payload={self.payload!r}")
            except ValidationError as e:
                problems += e.problems
        platform = str(self.platform)
        checks: list[tuple[Any, Callable[[Any], list[str]]]] = [
            (self.budget_seconds, check_budget), (self.unpack_dir, lambda v: check_unpack_dir(v, platform)),
            (self.state_dir, lambda v: check_state_dir(v, platform)), (self.keep_runs, check_keep_runs)]
        return problems + [p for value, check in checks if value is not None for p in check(value)]


#: The options a folder may set (its lifecycle.toml's [options]: manifest.OPTION_KEYS, which a
#: test keeps the same) and their defaults; codec None: the smallest of all.
_DEFAULTS: dict[str, Any] = {
    "budget_seconds": DEFAULT_BUDGET_SECONDS, "unpack_dir": DEFAULT_UNPACK_DIR,
    "state_dir": DEFAULT_STATE_DIR, "keep_runs": DEFAULT_KEEP_RUNS, "codec": None, "minify": False,
}
#: Where Studio's defaults differ.
_STUDIO_DEFAULTS: dict[str, Any] = {"unpack_dir": DEFAULT_STUDIO_UNPACK_DIR,
                                     "state_dir": DEFAULT_STUDIO_STATE_DIR}
PLATFORMS = tuple(p.value for p in Platform)


@dataclass(frozen=True)
class RenderedScript:
    """A lifecycle script ready for the API."""

    kind: str
    #: The script itself (bash).
    text: str
    #: base64 of ``text``: the ``Content`` the API and CloudFormation take.
    content: str
    #: sha256 (hex) of the compressed payload, checked by the loader before anything of it runs.
    payload_sha256: str
    report: SizeReport
    steps: tuple[Step, ...]
    #: payload="s3": the object to store (the compressed bundle); None for an inline payload.
    payload: bytes | None = None
    #: The IAM actions the steps need on the notebook instance (their recipes said so).
    notebook_actions: tuple[str, ...] = ()
    #: ``"notebook-instance"`` or ``"studio"``.
    platform: str = Platform.NOTEBOOK_INSTANCE.value
    #: Studio: the idle shutdown a step became (autostop's idle minutes), which
    #: ``StudioLifecycleConfig.attach`` sets; None: none.
    idle_minutes: int | None = None

    def with_location(self, bucket: str, key: str) -> RenderedScript:
        """payload="s3": the script that downloads the payload from ``s3://bucket/key``."""
        if self.payload is None or S3_LOCATION not in self.text:
            raise ValidationError("only a script built with payload='s3' takes an S3 location")
        if not S3_BUCKET_PATTERN.fullmatch(bucket) or not key or any(c.isspace() for c in key):
            raise ValidationError(f"bucket {bucket!r} and key {key!r} are not an S3 location this script can "
                                  "use: bucket names are 3-63 of a-z 0-9 . - (starting and ending with a "
                                  "letter or digit), keys are not empty and hold no spaces or newlines")
        text = self.text.replace(S3_LOCATION, f"{bucket} {key}", 1)
        content = base64.b64encode(text.encode()).decode("ascii")
        report = replace(self.report, script_bytes=len(text.encode()), encoded_chars=len(content))
        return replace(self, text=text, content=content, report=report)


#: payload="s3": what the loader's here-document holds until the bucket and key are known.
S3_LOCATION = "@@S3_BUCKET@@ @@S3_KEY@@"
PAYLOADS = ("inline", "s3")


def plan_settings(options: BuildOptions) -> Settings:
    """What the plan's settings line holds of ``options`` (resolved)."""
    o = options.resolved()
    return Settings(o.kind, cast(str, o.unpack_dir), cast(str, o.state_dir), cast(int, o.keep_runs),
                    cast(float, o.budget_seconds), str(o.platform))


#: The runner's tokens that each platform fills in its own way: the runner's HOME, its user
#: (a step's when U does not say), where a step of the plan's e starts (bash's ~: its HOME).
_PLATFORM_TOKENS = {
    Platform.NOTEBOOK_INSTANCE.value: {"@@HOME@@": "/root", "@@ME@@": "root", "@@CWD@@": "/"},
    Platform.STUDIO.value: {"@@HOME@@": STUDIO_HOME, "@@ME@@": STUDIO_USER, "@@CWD@@": "~"},
}


def render_runner(scripts: Scripts, options: BuildOptions) -> str:
    """``lcc/runner.sh``: the plan, then the runner's code with the parts the steps use, on
    their platform: steps of another user through ``sudo -i`` (user.sh) on a notebook instance,
    root steps through ``sudo -n`` (sudo.sh) on Studio; the notebook user's copy of each run to
    the volume (volume.sh) on a notebook instance, the runner's own keeping of its runs
    (rotate.sh) on Studio."""
    settings = plan_settings(options)
    studio = settings.platform == Platform.STUDIO.value
    used = features(scripts.steps, settings.platform)
    parts = {part: on for part, on in used.items() if part != "user"}
    parts |= {"user": used["user"] and not studio, "sudo": used["user"] and studio,
              "volume": not studio, "rotate": studio}
    tokens = {f"@@{part.upper()}@@": snippet(f"runtime/{part}.sh") if on else ""
              for part, on in parts.items()}
    tokens["@@COPY@@"] = tokens.pop("@@VOLUME@@") or "copy(){ :;}"
    tokens |= {"@@KILL@@": "sudo -n " if parts["sudo"] else "", **_PLATFORM_TOKENS[settings.platform]}
    go = "go" if used["background"] else "step"
    code = fill(fill(snippet("runtime/runner.sh"), tokens), {"@@GO@@": "once" if used["once"] else go})
    # The parts' own tokens: once's step, and the background step's marker.
    if used["once"]:
        code = fill(code, {"@@STEP@@": go})
    if used["background"]:
        code = fill(code, {"@@MARK@@": 'mark "$2"' if used["once"] else ""})
    # A part left out leaves an empty line.
    code = "\n".join(line for line in code.split("\n") if line.strip())
    return render_plan(scripts, settings) + code + "\n"


def bundle_entries(scripts: Scripts, options: BuildOptions) -> list[ArchiveEntry]:
    """Every file of the bundle: yours under scripts/; the runner with its plan as lcc/runner.sh
    (root's alone), and, when used, the notebook user's steps (lcc/u) and copy (lcc/c)."""
    entries = [ArchiveEntry(SCRIPTS_PREFIX + f.path, f.data, f.mode & 0o755) for f in scripts.files]
    entries.append(ArchiveEntry(RUNNER_PATH, render_runner(scripts, options).encode(), 0o600))
    user = render_user_steps(scripts, plan_settings(options))
    if user:
        entries.append(ArchiveEntry(USER_STEPS_PATH, user.encode(), 0o644))
    if state_folders(plan_settings(options).state_dir)[1]:
        entries.append(ArchiveEntry(COPY_PATH, snippet("runtime/copy.sh").encode() + b"\n", 0o644))
    return entries


def fill(template: str, values: dict[str, str]) -> str:
    for token, value in values.items():
        if token not in template:
            raise RuntimeError(f"template lacks {token}")  # a packaging bug
        template = template.replace(token, value)
    return template


def unpack_program(entries: Sequence[ArchiveEntry], options: BuildOptions, fail_code: int) -> bytes:
    """The program the loader runs: assets/runtime/unpack.sh around the archive of ``entries``."""
    settings = plan_settings(options)
    head, tail = fill(snippet("runtime/unpack.sh"), {
        "@@UNPACK_DIR@@": settings.unpack_dir, "@@KIND@@": options.kind, "@@FAIL@@": str(fail_code),
        "@@PATH@@": STUDIO_PATH if settings.platform == Platform.STUDIO.value else NOTEBOOK_PATH,
    }).split("@@ARCHIVE@@\n")
    return head.encode() + build_shar(entries) + tail.encode() + b"\n"


def render_loader(codec: Codec, *, sha256: str, fail_code: int, payload_text: str) -> str:
    """The script itself: the loader (assets/loader.sh) with the codec's Python pieces and the
    payload text."""
    decode, decompress = codec.encoding.piece(), codec.compressor.piece()
    modules = sorted(decode.modules | decompress.modules)
    lines = (*decode.defs, *decompress.defs)
    defs = "".join(f",{m}" for m in modules) + "".join(f"\n{line}" for line in lines)
    text = fill(packed("loader.sh").decode(), {
        "@@DEFS@@": defs, "@@DECODE@@": decode.expression, "@@DECOMPRESS@@": decompress.expression,
        "@@SHA256@@": sha256, "@@FAIL@@": str(fail_code)})
    # The payload goes in last: nothing may touch it.
    return fill(text, {"@@PAYLOAD@@": payload_text})


def build(scripts: Scripts, options: BuildOptions | None = None) -> RenderedScript:
    """Check ``scripts`` and render them into one lifecycle script.

    :raises ValidationError: listing every problem found, or when the result is over the limit.
    """
    options = (options or BuildOptions()).resolved(scripts.options)
    scripts, adapted = _check(scripts, options)
    rendered = _render_checked(scripts, options, adapted)
    if rendered.report.fits:
        return rendered
    # Over the limit: say what minification and an S3 payload would make of it.
    minified_chars = None
    if not options.minify:
        with contextlib.suppress(ValidationError):  # no shfmt here: the message names the extra
            minified = _render_checked(scripts, replace(options, minify=True), adapted)
            minified_chars = minified.report.encoded_chars
    # The S3 script hardly depends on the object, nor on minification: the quickest codec
    # tells (the others would compress a large bundle for seconds).
    s3 = _render(scripts, replace(options, payload="s3", codec="deflate+s3"), (), [], None, adapted)
    raise ValidationError(oversize_message(rendered.report, minified_chars=minified_chars,
                                       s3_chars=s3.report.encoded_chars + MAX_S3_LOCATION_CHARS))


#: What the bucket name and a CDK asset key (a hash and a suffix) add to an s3 script, at most.
MAX_S3_LOCATION_CHARS = 4 * -(-(S3_BUCKET_MAX_CHARS + 1 + 80) // 3)

#: No codec beats deflate+base85 by this factor on what we pack: when deflate's output is larger than
#: this many times the limit, no other codec is tried (the build is refused anyway).
HOPELESS_FACTOR = 3


def render(scripts: Scripts, options: BuildOptions | None = None) -> RenderedScript:
    """:func:`build` without the limit: for measuring how far over it a set of scripts is.

    With ``minify``, the script is rendered both ways and the smaller kept: minified files can
    compress worse than the originals, and minification must never cost characters.

    :raises ValidationError: listing every problem found.
    """
    options = (options or BuildOptions()).resolved(scripts.options)
    checked, adapted = _check(scripts, options)
    return _render_checked(checked, options, adapted)


def _check(scripts: Scripts, options: BuildOptions) -> tuple[Scripts, Adapted]:
    """``scripts`` as the options' platform runs them (:func:`for_platform`), checked."""
    headline = f"cannot build the {options.kind} script"
    problems = options.problems()
    adapted = Adapted(None, ())
    checks = CHECKS
    if not problems:  # checks of the scripts with the options
        given = scripts
        scripts, adapted, problems = for_platform(scripts, str(options.platform))
        if given.steps and not scripts.steps and not problems:
            # Every step became configuration (autostop on Studio): no script is needed.
            checks = tuple(c for c in CHECKS if c is not check_has_steps)
            problems.append(f"{adapted.warnings[0]}; no other step is left, so there is no script to run. "
                            "Fix: set the idle shutdown without a lifecycle configuration (the domain's, "
                            "user profile's or space's AppLifecycleManagement), or add the steps to run.")
        # Too many bytes for any script: the other checks would read them all for nothing.
        raise_if(check_files_size(scripts, str(options.payload)), headline=headline)
        problems += check_state_dir_apart(scripts, plan_settings(options).state_dir)
    raise_if(problems + run_checks(scripts, checks), headline=headline)
    return scripts, adapted


@dataclass(frozen=True)
class Adapted:
    """What :func:`for_platform` found: the idle minutes a step became, and its warnings."""

    idle_minutes: int | None
    warnings: tuple[str, ...]


def for_platform(scripts: Scripts, platform: str) -> tuple[Scripts, Adapted, list[str]]:
    """``scripts`` as ``platform`` runs them, and what it cannot run.

    Every step says its user: root, or the platform's one (ec2-user and sagemaker-user are the
    same user, the notebook's; a step that says none runs as the script does: root on a notebook
    instance, sagemaker-user on Studio). A step with a script of its own for a platform runs that
    one there (:class:`~lcc_constructs.bundle.steps.OnPlatform`'s ``script``), which is packed for
    no other platform.
    A recipe's step that becomes configuration on the platform
    (:class:`~lcc_constructs.bundle.steps.OnPlatform`: Studio's idle shutdown) is left out with
    its files, and the result gives its idle minutes and a warning; one the platform cannot run
    is a problem, as is ``once`` on a notebook instance. On Studio the steps need no IAM on a
    notebook instance: ``notebook_actions`` are dropped.
    """
    studio = platform == Platform.STUDIO.value
    users = (RunAs.STUDIO_USER, RunAs.NOTEBOOK_USER)
    mine, theirs = users if studio else users[::-1]
    default = RunAs.STUDIO_USER if studio else RunAs.ROOT
    steps: list[Step] = []
    problems: list[str] = []
    warnings: list[str] = []
    idle: set[int] = set()
    dropped: set[str] = set()
    other: set[str] = set()  # scripts packed only for another platform
    for s in scripts.steps:
        rule = scripts.on_platform.get(s.name)
        if rule is not None and rule.script is not None:
            if rule.platform == platform:
                s = replace(s, script=rule.script)
            else:
                other.add(rule.script)
            rule = None
        if rule is not None and rule.platform == platform:
            where = "Studio" if studio else "a notebook instance"
            low, high = STUDIO_IDLE_MINUTES
            if rule.idle_minutes is None or not studio:
                problems.append(f"step {s.name!r} cannot run on {where}: {rule.reason}")
            elif not low <= rule.idle_minutes <= high:
                problems.append(f"step {s.name!r}: {rule.reason}, but Studio's idle shutdown takes {low} "
                                f"to {high} minutes, not {rule.idle_minutes}. Fix: choose idle minutes in "
                                "that range.")
            else:
                idle.add(rule.idle_minutes)
                warnings.append(f"step {s.name!r} is not in the script: {rule.reason}")
            dropped.add(s.script)
            continue
        if s.once and not studio:
            problems.append(f"step {s.name!r}: once (the first start only) is for Studio, which has no "
                            "on-create script. Fix: on a notebook instance, make it an on-create step "
                            "(kind = \"on-create\", or on_create=).")
        user = default if s.run_as is None else mine if s.run_as is theirs else s.run_as
        steps.append(replace(s, run_as=user))
    if len(idle) > 1:
        problems.append(f"two steps become Studio's idle shutdown with different idle times ({sorted(idle)} "
                        "minutes). Fix: use one autostop.")
    adapted = Adapted(min(idle) if idle else None, tuple(warnings))
    actions = () if studio else scripts.notebook_actions
    if other:
        scripts = replace(scripts, files=tuple(f for f in scripts.files if f.path not in other))
    if not dropped:
        return replace(scripts, steps=tuple(steps), notebook_actions=actions), adapted, problems
    # A recipe's files are in recipes/<its first step>/: those of the steps left out go with them,
    # and the recipes' shared helper when no recipe step is left.
    kept = {_recipe_folder(s.script) for s in steps} - {None}
    gone = {_recipe_folder(script) for script in dropped} - kept - {None}
    files = tuple(f for f in scripts.files if _recipe_folder(f.path) not in gone
                  and not (f.path == RECIPE_LIB and not kept))
    return replace(scripts, files=files, steps=tuple(steps), notebook_actions=actions), adapted, problems


#: The helpers every built-in recipe sources: their path in assets/ and in the bundle's scripts
#: (recipes._common packs it; a platform build leaves it out when no recipe step is left).
RECIPE_LIB = "recipes/lib.sh"


def _recipe_folder(path: str) -> str | None:
    parts = path.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 and parts[0] == "recipes" else None


def _render_checked(scripts: Scripts, options: BuildOptions, adapted: Adapted) -> RenderedScript:
    """:func:`render` of scripts and options already checked."""
    # The report shows your files as they are, whatever is packed.
    files = file_sizes({f.path: len(f.data) for f in scripts.files})
    warnings = [*adapted.warnings, *build_warnings(scripts)]
    if not options.minify:
        return _render(scripts, options, files, warnings, None, adapted)
    from ._minify import minify_scripts

    minified = minify_scripts(scripts)
    warnings += [f"{path}: packed as it was: {why}" for path, why in sorted(minified.kept.items())]
    smaller = _render(minified.scripts, options, files, warnings,
                      sum(len(f.data) for f in minified.scripts.files), adapted)
    plain = _render(scripts, options, files,
                    [*warnings, "minified, the script was not smaller: packed as it was"],
                    sum(f.raw_bytes for f in files), adapted)
    return smaller if smaller.report.encoded_chars <= plain.report.encoded_chars else plain


def _render(scripts: Scripts, options: BuildOptions, files: tuple[FileSize, ...], warnings: list[str],
            minified_bytes: int | None, adapted: Adapted) -> RenderedScript:
    """The smallest script for these (already checked, maybe minified) scripts."""
    fail_code = int(any(s.required for s in scripts.steps))
    program = unpack_program(bundle_entries(scripts, options), options, fail_code)
    s3 = options.payload == "s3"
    codecs = [codec_named(str(options.codec))] if options.codec else list(candidates(str(options.payload)))
    blobs: dict[str, bytes] = {}
    if not options.codec and not s3:
        blobs[DEFLATE.name] = DEFLATE.compress(program)
        if len(blobs[DEFLATE.name]) > HOPELESS_FACTOR * CONTENT_LIMIT_CHARS:
            # Far over the limit: no codec would change the verdict; the quickest tells by how much.
            codecs = codecs[:1]
    best: tuple[int, str, Codec, bytes, str] | None = None
    for codec in codecs:
        c = codec.compressor
        if c.name not in blobs:
            blobs[c.name] = c.compress(program)
        blob = blobs[c.name]
        # The check covers the bytes the decoder gives (base94 pads its last group with zeros).
        payload_text = S3_LOCATION if s3 else codec.encoding.encode(blob)
        sha256 = hashlib.sha256(blob if s3 else codec.encoding.decode(payload_text)).hexdigest()
        text = render_loader(codec, sha256=sha256, fail_code=fail_code, payload_text=payload_text)
        # Inline, the script's length is what counts; in S3, the object's (the script is small).
        size = len(blob) if s3 else len(text.encode())
        if best is None or size < best[0]:
            best = (size, text, codec, blob, sha256)
    assert best is not None
    _, text, codec, blob, sha256 = best
    content = base64.b64encode(text.encode()).decode("ascii")
    packed_bytes = sum(len(f.data) for f in scripts.files)
    report = SizeReport(
        kind=options.kind,
        codec=codec.name,
        raw_bytes=sum(f.raw_bytes for f in files),
        runtime_bytes=len(program) - packed_bytes,
        archive_bytes=len(program),
        compressed_bytes=len(blob),
        script_bytes=len(text.encode()),
        encoded_chars=len(content),
        limit=CONTENT_LIMIT_CHARS,
        files=files,
        steps=len(scripts.steps),
        warnings=tuple(warnings),
        minified_bytes=minified_bytes,
    )
    return RenderedScript(options.kind, text, content, sha256, report, scripts.steps,
                          blob if s3 else None, scripts.notebook_actions, str(options.platform),
                          adapted.idle_minutes)


def build_warnings(scripts: Scripts) -> list[str]:
    if shutil.which("bash") is None and any(language(f.path, f.data) == "shell" for f in scripts.files):
        return ["bash not found on this machine: shell syntax (bash -n) was not checked"]
    return []


def oversize_message(report: SizeReport, *, minified_chars: int | None = None,
                     s3_chars: int | None = None) -> str:
    largest = "\n".join(f"  {f.raw_bytes:>8} bytes  {f.path}" for f in report.largest(5))
    with_minify = (f" (then {minified_chars} characters)" if minified_chars
                   else " (needs the minify extra: pip install 'lcc-constructs[minify]')")
    minify = ("minify=True (lcc --minify) drops comments and indentation" + with_minify
              if report.minified_bytes is None else "minify is already on")
    s3 = f" (then the script takes about {s3_chars} characters)" if s3_chars else ""
    return (
        f"the {report.kind} script is {report.encoded_chars} characters after base64, over the "
        f"service's limit of {report.limit} by {-report.headroom_chars} "
        f"({report.raw_bytes} bytes of files and {report.runtime_bytes} of runner compress to "
        f"{report.compressed_bytes} bytes, codec {report.codec}).\n"
        f"Largest files:\n{largest}\n"
        f"Fix: {minify}; payload='s3' stores the bundle as an S3 object (up to 256 MiB of files){s3} "
        "(the script then downloads it with the instance role: see grant_read_payload); or shrink or remove "
        "the largest files, or move steps that run once into on_create.\n"
        f"{report.format()}"
    )
