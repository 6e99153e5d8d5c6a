"""``lcc``: build, report on, inspect and simulate lifecycle scripts without CDK; deploy them,
pull deployed ones back, compare and read their logs with the service (docs/service-commands.md).

Exit status: 0 success; 1 the scripts cannot be built, a simulated start would fail, AWS
refused or failed a call, a restarted instance ended Failed, or lcc diff found a difference;
2 bad usage (an option out of range, a path that cannot be written), or the sandbox cannot run
on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .bundle import KINDS, BuildOptions, Kind, RenderedScript, Scripts, build, combine, render
from .bundle.manifest import OPTION_KEYS
from .bundle.render import PLATFORMS
from .errors import ServiceError, ValidationError
from .limits import (
    CONFIG_NAME_MAX_CHARS,
    CONFIG_NAME_PATTERN,
    DEFAULT_BUDGET_SECONDS,
    DEFAULT_KEEP_RUNS,
    DEFAULT_STATE_DIR,
    DEFAULT_STUDIO_STATE_DIR,
    DEFAULT_STUDIO_UNPACK_DIR,
    DEFAULT_UNPACK_DIR,
    SERVICE_TIMEOUT_SECONDS,
)
from .printable import printable

#: lcc deploy --restart: the longest wait for one status change (a start runs the on-start
#: script, 5 minutes at most, after the instance is provisioned), and the time between looks.
RESTART_WAIT_SECONDS = 1200.0
RESTART_POLL_SECONDS = 10.0
#: lcc logs --follow: the time between two reads of the stream.
LOGS_POLL_SECONDS = 5.0


if TYPE_CHECKING:
    from .readback import ReadScript


#: The build options' flags: each is a key of a manifest's [options] table (which gives the
#: BuildOptions field) and the flag's argparse dest; the flag is the key with dashes.
BUILD_OPTION_KEYS = tuple(OPTION_KEYS)


class UsageError(Exception):
    """A command line that cannot work as given (exit status 2)."""


def _add_build_options(p: argparse.ArgumentParser, *, kind: bool = True,
                       folder: str = "the scripts folder (with an optional lifecycle.toml); optional with "
                                     "--recipe") -> None:
    p.add_argument("folder", nargs="?", help=folder)
    p.add_argument("--recipe", action="append", default=[], metavar="NAME[={OPTIONS}]",
                   help="add a built-in recipe after the folder's steps; options as a TOML inline "
                        "table, e.g. 'stop-ssm-agent={uninstall = true}' (repeatable; see lcc recipes)")
    if kind:
        p.add_argument("--kind", choices=KINDS, default="on-start",
                       help="the script to build: on-start (every start) or on-create (default: %(default)s)")
        p.add_argument("--platform", choices=PLATFORMS, default="notebook-instance",
                       help="what the script is for: a notebook instance, or a JupyterLab or Code Editor "
                            "space of SageMaker Studio (docs/studio.md) (default: %(default)s)")
    # Defaults None: the folder's lifecycle.toml [options] apply unless a flag is given.
    p.add_argument("--budget", type=float, metavar="SECONDS",
                   help=f"time the foreground steps may take in all (default: {DEFAULT_BUDGET_SECONDS})")
    p.add_argument("--unpack-dir",
                   help=f"default: {DEFAULT_UNPACK_DIR} (Studio: {DEFAULT_STUDIO_UNPACK_DIR})")
    p.add_argument("--state-dir", help=f"default: {DEFAULT_STATE_DIR} (Studio: {DEFAULT_STUDIO_STATE_DIR})")
    p.add_argument("--keep-runs", type=int, help=f"default: {DEFAULT_KEEP_RUNS}")
    p.add_argument("--codec", metavar="COMPRESSOR+ENCODING",
                   help="force a codec, e.g. deflate+base85 (default: the smallest of all)")
    p.add_argument("--minify", action="store_true", default=None,
                   help="drop comments, blank lines and indentation from shell and Python files "
                        "(needs the minify extra: pip install 'lcc-constructs[minify]')")


def _scripts(args: argparse.Namespace) -> Scripts:
    from .recipes import from_spec, parse_cli_spec

    parts = [Scripts.from_folder(args.folder, kind=args.kind)] if args.folder else []
    for spec in args.recipe:
        name, options = parse_cli_spec(spec)
        parts.append(from_spec(name, options, f"--recipe {name}"))
    if not parts:
        raise UsageError("give a scripts folder, --recipe, or both")
    return combine(parts)


def build_options(args: argparse.Namespace, payload: str = "inline") -> BuildOptions:
    """The options the flags give (the build takes the others from the folder's manifest
    [options], else the defaults). An option out of range is a usage error (exit 2)."""
    flags = {OPTION_KEYS[key].field: getattr(args, key) for key in BUILD_OPTION_KEYS}
    given = {k: v for k, v in flags.items() if v is not None}
    platform = getattr(args, "platform", "notebook-instance")  # (deploy and diff: notebook instances)
    options = BuildOptions(kind=args.kind, payload=payload, platform=platform, **given)
    problems = options.problems()
    if problems:
        raise UsageError("\n".join(problems))
    return options


def _build(args: argparse.Namespace) -> RenderedScript:
    options = build_options(args, "s3" if getattr(args, "s3_location", None) else "inline")
    return build(_scripts(args), options)


def output_path(value: str) -> Path | None:
    """Where ``-o`` writes: a regular file (new or replaced), or stdout for ``-`` (None).
    Devices, FIFOs and symlinks are never replaced: a root CI job writing ``-o /dev/null``
    must not leave a file where the device was."""
    if value == "-":
        return None
    if not value:
        raise UsageError("-o: give a file path (or - for standard output)")
    path = Path(value)
    if path.is_symlink():
        raise UsageError(f"-o {value}: is a symlink; give the file it points to ({path.resolve()})")
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        kind = "a folder" if path.is_dir() else "not a regular file (a device or FIFO)"
        raise UsageError(f"-o {value}: is {kind}; give a file path (or - for standard output)")
    if not path.parent.is_dir():
        raise UsageError(f"-o {value}: the folder {path.parent} does not exist")
    return path


def write_atomically(path: Path | None, text: str | bytes, mode: int = 0o755) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, so a reader sees
    the old file or the new one, never a part; to stdout when ``path`` is None."""
    data = text.encode() if isinstance(text, str) else text
    if path is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def cmd_build(args: argparse.Namespace) -> int:
    if (args.s3_location is None) != (args.payload_file is None):
        raise UsageError("--s3-location and --payload-file go together (an S3 payload: where the "
                         "script downloads it from, and the file to upload there)")
    out = output_path(args.output)
    payload_out = output_path(args.payload_file) if args.payload_file is not None else None
    rendered = _build(args)
    if args.s3_location is not None:
        bucket, _, key = args.s3_location.removeprefix("s3://").partition("/")
        rendered = rendered.with_location(bucket, key)
        assert rendered.payload is not None
        write_atomically(payload_out, rendered.payload, 0o644)
        print(f"wrote {args.payload_file}: upload it to {args.s3_location}", file=sys.stderr)
    if args.content:
        # Exactly the Content in a file (the API's value, whose length is the limit's measure);
        # a line of its own on standard output.
        write_atomically(out, rendered.content + ("\n" if out is None else ""), 0o644)
    else:
        write_atomically(out, rendered.text)
    print(f"wrote {args.output}: {rendered.report.summary()}", file=sys.stderr)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    if not args.json:
        print(_build(args).report.format())
        return 0
    # A pipeline reads "fits" from the JSON: a folder over the limit is reported too (exit 1).
    options = build_options(args)
    report = render(_scripts(args), options).report
    print(json.dumps(report.to_dict(), indent=2))
    if report.fits:
        return 0
    print(f"lcc report: the {report.kind} script does not fit: {report.encoded_chars} characters, over the "
          f"service's limit of {report.limit} by {-report.headroom_chars} (lcc report without --json says "
          "what to do)", file=sys.stderr)
    return 1


def cmd_recipes(args: argparse.Namespace) -> int:
    from .recipes import RECIPES, describe

    described = [describe(name) for name in RECIPES]
    if args.json:
        print(json.dumps(described, indent=2, default=list))
        return 0
    for d in described:
        options = ", ".join(k if k in d["required"] else f"{k}={v!r}" for k, v in d["options"].items())
        print(f"{d['name']}({options})\n    {d['summary']}\n")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from .readback import inspect_all

    found, problems = inspect_all(args.path)
    for problem in problems:
        print(f"lcc inspect: {problem}", file=sys.stderr)
    if not found and not problems:
        print(f"lcc inspect: no lifecycle configuration found in {args.path}", file=sys.stderr)
    if args.json:
        print(json.dumps([{"source": s.source, "platform": s.options.platform,
                           "step_names": list(s.step_names), **s.report.to_dict()} for s in found], indent=2))
    elif found:
        print("\n\n".join(f"{printable(s.source)}{_built_for(s.options)}\n{s.report.format()}\n"
                          f"  steps: {', '.join(printable(n) for n in s.step_names)}" for s in found))
    return 0 if found and not problems else 1


def _built_for(options: BuildOptions) -> str:
    """What ``lcc inspect`` says after a script's source when it is not for a notebook instance."""
    return " (for Studio: a JupyterLab or Code Editor space)" if options.platform == "studio" else ""


def _placed(specs: list[str], option: str) -> dict[str, str]:
    placed = {}
    for spec in specs:
        dest, sep, src = spec.partition("=")
        if not sep or not dest.startswith("/"):
            raise UsageError(f"--{option} wants /DEST=SOURCE, got {spec!r}")
        placed[dest] = src
    return placed


def cmd_simulate(args: argparse.Namespace) -> int:
    from .sandbox import SandboxUnavailable, simulate

    if args.runs < 1 or args.limit <= 0 or args.wait_background < 0:
        raise UsageError("--runs must be at least 1, --limit above 0 and --wait-background not negative")
    stream = not args.json
    if stream:
        print("--- output of run 1 ---", flush=True)
    try:
        result = simulate(args.script, volume=args.volume, keep=args.keep, limit_seconds=args.limit,
                          runs=args.runs, wait_background_seconds=args.wait_background,
                          files=_placed(args.file, "file"), hide=args.hide, binds=_placed(args.bind, "bind"),
                          on_output=(lambda text: print(text, end="", flush=True)) if stream else None,
                          platform=args.platform)
    except SandboxUnavailable as e:
        raise UsageError(f"cannot run here: {e}") from None
    except (ValueError, FileNotFoundError) as e:
        raise UsageError(str(e)) from None
    # A volume made for this run goes with it, unless asked to keep it; root's record was read.
    removed = args.volume is None and args.keep is None
    if removed:
        shutil.rmtree(result.volume, ignore_errors=True)
    if result.records:
        shutil.rmtree(result.records, ignore_errors=True)
    if args.json:
        print(json.dumps({
            "would_fail": result.would_fail,
            "volume": None if removed else str(result.volume),
            "runs": [{
                "exit_code": r.exit_code, "duration_seconds": round(r.duration_seconds, 3),
                "would_fail": r.would_fail, "failure_reason": r.failure_reason,
                "status": r.status, "output": r.output,
            } for r in result.runs],
        }, indent=2))
    else:
        print("---\n" + result.format(volume_removed=removed))
    return 1 if result.would_fail else 0


# --- the service commands (lcc_constructs.service; boto3 is imported at the first AWS call) ---

def _add_aws_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("AWS (boto3's credential chain; AWS_ENDPOINT_URL is honoured)")
    g.add_argument("--region", help="the AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the "
                                    "profile's)")
    g.add_argument("--profile", help="a profile of the AWS config and credentials files (default: "
                                     "AWS_PROFILE, else the default credential chain)")


def _aws(args: argparse.Namespace) -> Any:
    from .service import Aws

    return Aws(args.region, args.profile)


def _say(text: str) -> None:
    # What the service layer says is escaped where it embeds what it read; this is the net.
    print(printable(text, keep_newlines=True), flush=True)


def _quiet(text: str) -> None:
    """``say`` with --json: standard output holds the JSON document only."""


def _note(text: str) -> None:
    """A note on standard error (what --json does not hold: lcc logs --follow waiting)."""
    print(printable(text, keep_newlines=True), file=sys.stderr, flush=True)


def _say_or_quiet(args: argparse.Namespace) -> Any:
    return _quiet if args.json else _say


def _print_json(document: dict[str, Any]) -> None:
    """The one JSON document of a command's --json (JSON's escapes keep it printable)."""
    print(json.dumps(document, indent=2), flush=True)


def _check_config_name(name: str) -> None:
    from .bundle.checks import check_config_name

    problems = check_config_name(name)
    if problems:
        raise UsageError("\n".join(problems))


def _check_notebook_name(name: str) -> None:
    if len(name) > CONFIG_NAME_MAX_CHARS or not CONFIG_NAME_PATTERN.fullmatch(name):
        raise UsageError(f"notebook instance name {name!r} is not valid: SageMaker's names are letters, "
                         f"digits and hyphens, starting and ending with a letter or digit, at most "
                         f"{CONFIG_NAME_MAX_CHARS} characters")


def _built(args: argparse.Namespace, folder: str | None, recipes: list[str], kind: Kind) -> ReadScript:
    """One script built as lcc build builds it (the build options of ``args``), read back."""
    from .readback import read_script

    rendered = _build(argparse.Namespace(**{**vars(args), "folder": folder, "recipe": recipes, "kind": kind}))
    print(f"built {kind}: {rendered.report.summary()}", file=sys.stderr)
    return read_script(rendered.text, kind, folder or "--recipe")


def _wanted_folders(args: argparse.Namespace) -> dict[Kind, ReadScript]:
    """The scripts deploy and diff build: FOLDER and --recipe (on-start), --on-create FOLDER."""
    wanted: dict[Kind, ReadScript] = {}
    if args.folder or args.recipe:
        wanted["on-start"] = _built(args, args.folder, args.recipe, "on-start")
    if args.on_create:
        wanted["on-create"] = _built(args, args.on_create, [], "on-create")
    if not wanted:
        raise UsageError("give a scripts folder, --recipe, or --on-create FOLDER")
    return wanted


def cmd_deploy(args: argparse.Namespace) -> int:
    from .service import RestartFailed, check_notebook, deploy, restart

    _check_config_name(args.name)
    if args.restart is not None:
        _check_notebook_name(args.restart)
    if args.poll <= 0 or args.wait_timeout <= 0:
        raise UsageError("--poll and --wait-timeout must be above 0")
    wanted = _wanted_folders(args)
    aws = _aws(args)
    say = _say_or_quiet(args)
    if args.restart is not None:
        check_notebook(aws, args.restart)  # before anything changes
    deployed = deploy(aws, args.name, wanted, dry_run=args.dry_run, force=args.force, say=say)
    restarted = None
    if args.restart is not None:
        try:
            restarted = restart(aws, args.restart, args.name, dry_run=args.dry_run, poll_seconds=args.poll,
                                timeout_seconds=args.wait_timeout, say=say)
        except RestartFailed as e:
            if args.json:
                _print_json({**deployed.to_dict(), "restart": e.restart.to_dict()})
            raise
    if args.json:
        _print_json({**deployed.to_dict(), "restart": restarted.to_dict() if restarted else None})
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    from .readback import target_problem
    from .service import pull

    _check_config_name(args.name)
    targets: dict[Kind, Path] = {"on-start": Path(args.dir)}
    if args.on_create:
        targets["on-create"] = Path(args.on_create)
        if targets["on-create"].resolve() == targets["on-start"].resolve():
            raise UsageError("DIR and --on-create DIR must be two folders")
    for target in targets.values():
        problem = target_problem(target, args.replace)
        if problem:
            raise UsageError(problem)
    folders, notes = pull(_aws(args), args.name, targets, _say_or_quiet(args))
    for note in notes:
        print(f"lcc pull: note: {printable(note, keep_newlines=True)}", file=sys.stderr)
    if args.json:
        _print_json({"name": args.name, "scripts": [f.to_dict() for f in folders], "notes": notes})
    return 0


def _build_flags(args: argparse.Namespace) -> list[str]:
    flags = {"--recipe": args.recipe,
             **{"--" + key.replace("_", "-"): getattr(args, key) for key in BUILD_OPTION_KEYS}}
    return [flag for flag, value in flags.items() if value not in (None, [])]


def _diff_targets(args: argparse.Namespace) -> dict[Kind, ReadScript]:
    """What lcc diff compares with: a folder (built), a script file, or a cdk.out; --recipe
    alone (built); and, but with a cdk.out, --on-create FOLDER|SCRIPT. Either kind alone is
    compared with a configuration that has only that kind."""
    from .readback import TargetError, assembly_scripts, is_assembly, script_file

    what = "give a scripts folder, a script file or a cdk.out folder, --recipe, or --on-create FOLDER|SCRIPT"
    if not (args.folder or args.recipe or args.on_create):
        raise UsageError(what)
    missing = [path for path in (args.folder, args.on_create) if path is not None and not Path(path).exists()]
    if missing:
        raise UsageError(f"{missing[0]} does not exist: {what}")
    target = Path(args.folder) if args.folder else None
    built = target is None and bool(args.recipe) or target is not None and target.is_dir() and \
        not is_assembly(target)
    on_create = Path(args.on_create) if args.on_create else None
    built_on_create = on_create is not None and on_create.is_dir()
    if args.recipe and not built:
        raise UsageError("--recipe: only with a scripts folder (or alone)")
    if not built and not built_on_create:
        flags = _build_flags(args)
        if flags:
            raise UsageError(f"{', '.join(flags)}: only with a scripts folder")
    if target is not None and is_assembly(target):
        if on_create is not None:
            raise UsageError("--on-create: not with a cdk.out (its configuration has its own)")
        try:
            return assembly_scripts(target, args.name)
        except TargetError as e:
            raise UsageError(str(e)) from None
    if on_create is not None and is_assembly(on_create):
        raise UsageError(f"--on-create {args.on_create}: give a scripts folder or a script file")
    wanted: dict[Kind, ReadScript] = {}
    if built:
        wanted["on-start"] = _built(args, args.folder, args.recipe, "on-start")
    elif target is not None:
        wanted["on-start"] = script_file(target, "on-start")
    if on_create is not None:
        wanted["on-create"] = _built(args, args.on_create, [], "on-create") if built_on_create else \
            script_file(on_create, "on-create")
    return wanted


def cmd_diff(args: argparse.Namespace) -> int:
    from .service import diff

    _check_config_name(args.name)
    wanted = _diff_targets(args)
    comparisons = diff(_aws(args), args.name, wanted)
    same = all(c.equal for c in comparisons)
    if args.json:
        _print_json({"name": args.name, "same": same, "scripts": [c.to_dict() for c in comparisons]})
        return 0 if same else 1
    for c in comparisons:
        if c.equal:
            _say(f"{c.kind}: same" if c.wanted else f"{c.kind}: none on either side")
            continue
        _say(f"{c.kind}: differs")
        _say("\n".join([*(f"  {line}" for line in c.summary), *c.details]))
    return 0 if same else 1


def cmd_logs(args: argparse.Namespace) -> int:
    from .service import logs, since_millis

    try:
        since = since_millis(args.since) if args.since else None
    except ValueError:
        raise UsageError(f"--since {args.since!r}: give a duration (30s, 15m, 2h, 1d) or a UTC time "
                         "(2026-11-03T08:00:00Z)") from None
    if args.poll <= 0:
        raise UsageError("--poll must be above 0")
    _check_notebook_name(args.notebook)
    read = logs(_aws(args), args.notebook, args.kind, since=since, follow=args.follow,
                poll_seconds=args.poll, say=_say_or_quiet(args), notice=_note if args.json else _say)
    if args.json:
        _print_json(read.to_dict())
    return 0


def _add_service_commands(sub: Any) -> None:
    d = sub.add_parser("deploy", help="build and create or update a lifecycle configuration; with --restart, "
                                      "restart a notebook instance with it")
    d.add_argument("name", help="the lifecycle configuration's name")
    _add_build_options(d, kind=False, folder="the on-start script's scripts folder (optional with --recipe "
                                             "or --on-create)")
    d.add_argument("--on-create", metavar="FOLDER",
                   help="the on-create script's scripts folder (default: none; a deployed on-create script "
                        "is removed)")
    d.add_argument("--dry-run", action="store_true", help="say what would change; change nothing")
    d.add_argument("--force", action="store_true",
                   help="replace a configuration holding a script lcc-constructs did not build")
    d.add_argument("--restart", metavar="NOTEBOOK",
                   help="then stop this notebook instance, attach the configuration, start it and wait "
                        "for InService (exit 1 when it ends Failed)")
    d.add_argument("--wait-timeout", type=float, default=RESTART_WAIT_SECONDS, metavar="SECONDS",
                   help="longest wait for each status change of --restart (default: %(default)s)")
    d.add_argument("--poll", type=float, default=RESTART_POLL_SECONDS, metavar="SECONDS",
                   help="time between two looks at the instance's status (default: %(default)s)")
    d.add_argument("--json", action="store_true",
                   help="print one JSON document of what changed (and of the restart) instead")
    _add_aws_options(d)
    d.set_defaults(func=cmd_deploy)

    p = sub.add_parser("pull", help="read a deployed lifecycle configuration back into a scripts folder")
    p.add_argument("name", help="the lifecycle configuration's name")
    p.add_argument("dir", metavar="DIR", help="folder for the on-start script (new or empty, see --replace)")
    p.add_argument("--on-create", metavar="DIR", help="folder for the on-create script")
    p.add_argument("--replace", action="store_true", help="replace what DIR (and the --on-create DIR) holds")
    p.add_argument("--json", action="store_true", help="print one JSON document of what was written instead")
    _add_aws_options(p)
    p.set_defaults(func=cmd_pull)

    f = sub.add_parser("diff", help="compare a deployed lifecycle configuration with a scripts folder, a "
                                    "script or a cdk.out (exit 1 when they differ)")
    f.add_argument("name", help="the lifecycle configuration's name")
    _add_build_options(f, kind=False, folder="a scripts folder (built as lcc deploy builds it), a script "
                                             "file or a cdk.out folder")
    f.add_argument("--on-create", metavar="FOLDER|SCRIPT", help="what the on-create script is compared with "
                                                                "(default: none)")
    f.add_argument("--json", action="store_true", help="print one JSON document of the differences instead")
    _add_aws_options(f)
    f.set_defaults(func=cmd_diff)

    lg = sub.add_parser("logs", help="a notebook instance's lifecycle log from CloudWatch, with a per-step "
                                     "summary of each run")
    lg.add_argument("notebook", metavar="NOTEBOOK", help="the notebook instance's name")
    lg.add_argument("--kind", choices=KINDS, default="on-start",
                    help="which script's log (default: %(default)s)")
    lg.add_argument("--since", metavar="WHEN", help="only lines from then on: 30s, 15m, 2h, 1d ago, or a UTC "
                                                    "time such as 2026-11-03T08:00:00Z (default: all)")
    lg.add_argument("--follow", action="store_true",
                    help="go on printing new lines until a run's final status line arrives (or Ctrl-C)")
    lg.add_argument("--poll", type=float, default=LOGS_POLL_SECONDS, metavar="SECONDS",
                    help="with --follow, time between two reads (default: %(default)s)")
    lg.add_argument("--json", action="store_true",
                    help="print one JSON document of the lines and runs read instead (with --follow, when "
                         "the run ends)")
    _add_aws_options(lg)
    lg.set_defaults(func=cmd_logs)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lcc", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"lcc-constructs {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="render the lifecycle script of a scripts folder")
    _add_build_options(b)
    b.add_argument("-o", "--output", required=True,
                   help="file to write (atomically; never a device or symlink), or - for standard output")
    b.add_argument("--content", action="store_true",
                   help="write the base64 Content the API takes instead of the script")
    b.add_argument("--s3-location", metavar="s3://BUCKET/KEY",
                   help="an S3 payload: the script downloads its bundle from there (with --payload-file)")
    b.add_argument("--payload-file", metavar="FILE",
                   help="an S3 payload: write the bundle to upload to --s3-location here")
    b.set_defaults(func=cmd_build)

    r = sub.add_parser("report", help="print the size report of a scripts folder")
    _add_build_options(r)
    r.add_argument("--json", action="store_true", help="machine-readable output")
    r.set_defaults(func=cmd_report)

    rc = sub.add_parser("recipes", help="list the built-in recipes and their options")
    rc.add_argument("--json", action="store_true", help="machine-readable output")
    rc.set_defaults(func=cmd_recipes)

    i = sub.add_parser("inspect", help="report on the lifecycle scripts inside a rendered script, "
                                       "a template or a cdk.out folder (CDK Pipelines stages included)")
    i.add_argument("path")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_inspect)

    s = sub.add_parser("simulate", help="run a rendered script in the notebook-instance (or Studio) sandbox "
                                        "(Linux, root); its output streams as it runs")
    s.add_argument("script")
    s.add_argument("--platform", choices=PLATFORMS, default="notebook-instance",
                   help="run it as a notebook instance would, or as a Studio space would: as sagemaker-user "
                        "with sudo, the home persistent (default: %(default)s)")
    s.add_argument("--volume", help="folder to use as /home/ec2-user/SageMaker (on Studio: "
                                    "/home/sagemaker-user; reuse it to simulate a restart); default: a "
                                    "temporary folder, removed after")
    s.add_argument("--keep", help="copy the sandbox's changes to / into this folder (and keep the volume)")
    s.add_argument("--limit", type=float, default=SERVICE_TIMEOUT_SECONDS, metavar="SECONDS",
                   help="the service's time limit (default: %(default)s)")
    s.add_argument("--runs", type=int, default=1, help="run the script N times in a row")
    s.add_argument("--wait-background", type=float, default=10.0, metavar="SECONDS",
                   help="wait this long for background steps at the end (default: %(default)s)")
    s.add_argument("--file", action="append", default=[], metavar="/DEST=SOURCE",
                   help="place a copy of a file or folder in the sandbox (repeatable)")
    s.add_argument("--bind", action="append", default=[], metavar="/DEST=SOURCE",
                   help="show a host file or folder in the sandbox, read-only, without copying it "
                        "(repeatable)")
    s.add_argument("--hide", action="append", default=[], metavar="/PATH",
                   help="remove a file or folder from the sandbox, e.g. /usr/bin/python3 (repeatable)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_simulate)
    _add_service_commands(sub)
    return p


def _error(command: str, error: Exception) -> None:
    """An error on standard error, escaped: it may quote a server, a log or a deployed script."""
    print(f"lcc {command}: {printable(str(error), keep_newlines=True)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ServiceError as e:
        _error(args.command, e)
        return 1
    except UsageError as e:
        _error(args.command, e)
        return 2
    except ValidationError as e:
        _error(args.command, e)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (lcc report | head): not an error; keep Python's exit quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as e:
        _error(args.command, e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
