"""Run a rendered lifecycle script as a notebook instance would, without touching the machine.

The script runs unmodified, as root, from a file under /tmp, with cwd ``/``, the service's
``PATH=/sbin:bin:/usr/sbin:/usr/bin`` and its 5-minute limit, inside a private mount and PID
namespace whose ``/`` is a copy-on-write overlay of the host's: it can write /etc/profile.d,
/startup, root's crontab or systemd unit folders, and the host sees none of it. The sandbox adds
the notebook user (ec2-user, home /home/ec2-user) and bind-mounts a folder of yours as the
persistent volume /home/ec2-user/SageMaker, so that successive simulations are successive starts
of one instance.

``platform="studio"`` runs it as a JupyterLab or Code Editor space of SageMaker Studio would
(docs/studio.md): as sagemaker-user (uid 1000, gid 100) with passwordless sudo, with a folder of
yours as that user's home /home/sagemaker-user (the only folder that persists), the space's
metadata file, the container credentials variable, and neither systemd nor cron running.

Needs Linux, root, ``unshare`` (util-linux), overlayfs and ``sudo``; :func:`availability` says
what is missing. Not a security boundary: the script shares the host's network and kernel.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ..limits import (
    DEFAULT_STUDIO_STATE_DIR,
    NOTEBOOK_USER,
    PERSISTENT_DIR,
    ROOT_LOG_DIR,
    SERVICE_TIMEOUT_SECONDS,
    STUDIO_GID,
    STUDIO_HOME,
    STUDIO_PATH,
    STUDIO_UID,
    STUDIO_USER,
)

__all__ = ["PLATFORMS", "STUDIO_ENV", "STUDIO_METADATA", "RunResult", "SandboxUnavailable",
           "SimulationResult", "StepResult", "availability", "simulate"]

_HOME = f"/home/{NOTEBOOK_USER}"

PLATFORMS = ("notebook-instance", "studio")

#: What the sandbox's Studio space says about itself: its metadata file and the variables the
#: script starts with (the container's; its PATH is not documented: conda's first, as the
#: SageMaker Distribution images have it).
STUDIO_METADATA = {"AppType": "JupyterLab", "DomainId": "d-lccsandbox", "SpaceName": "lcc-sandbox",
                   "UserProfileName": "lcc-sandbox",
                   "ExecutionRoleArn": "arn:aws:iam::000000000000:role/lcc-sandbox",
                   "ResourceArn": "arn:aws:sagemaker:us-east-1:000000000000:app/d-lccsandbox/lcc-sandbox/"
                                  "jupyterlab/default", "ResourceName": "default"}
STUDIO_ENV = {"PATH": STUDIO_PATH, "HOME": STUDIO_HOME, "USER": STUDIO_USER, "SHELL": "/bin/bash",
              "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
              "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/lcc-sandbox"}


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run on this machine; the message says why and what to do."""


def availability() -> str | None:
    """None when the sandbox can run here, else the reason it cannot."""
    if not sys.platform.startswith("linux"):
        return f"the sandbox needs Linux (mount namespaces and overlayfs); this is {sys.platform}"
    if os.geteuid() != 0:
        return (
            "the sandbox needs root (it mounts an overlay in a private mount namespace); "
            "run it with sudo, or in a CI job or container that runs as root"
        )
    for tool in ("unshare", "mount", "sudo"):
        if shutil.which(tool) is None:
            hint = "install sudo (apt-get install sudo / dnf install sudo)" if tool == "sudo" else \
                "install util-linux"
            return f"the sandbox needs '{tool}', which is not on PATH: {hint}"
    try:
        filesystems = Path("/proc/filesystems").read_text()
    except OSError:
        filesystems = ""
    if "overlay" not in filesystems.split():
        return "the sandbox needs overlayfs, which this kernel does not offer (try: modprobe overlay)"
    return None


@dataclass(frozen=True)
class StepResult:
    """One step's entry of the run's status.json, with its log."""

    name: str
    user: str
    status: str
    exit_code: int | None
    seconds: float | None
    reason: str | None
    log: str
    #: For background steps: the result file the step wrote when it ended, if it did.
    background_result: dict[str, Any] | None = None

    @property
    def timed_out(self) -> bool:
        return self.status == "timed_out"

    @property
    def skipped(self) -> bool:
        return self.status == "skipped"


@dataclass(frozen=True)
class RunResult:
    """What the service would have seen of one run of the script."""

    exit_code: int | None
    #: Seconds until the script's process exited.
    exited_after: float | None
    #: Seconds until the service would consider the script done (exited and output closed).
    duration_seconds: float
    #: True when the run hit the time limit (the instance would go to Failed).
    timed_out: bool
    #: True when the script exited but a process it left kept its output open.
    output_held_open: bool
    output: str
    status: dict[str, Any] | None
    steps: tuple[StepResult, ...]
    #: This run's folder of root's record in ``simulate(records=...)``; None without it.
    run_dir: Path | None

    @property
    def would_fail(self) -> bool:
        return self.timed_out or self.exit_code != 0

    @property
    def failure_reason(self) -> str | None:
        if self.output_held_open:
            return ("the script exited, but a process it left behind kept its stdout/stderr open "
                    "until the time limit: detach background work fully")
        if self.timed_out:
            return "the script ran past the time limit"
        if self.exit_code != 0:
            return f"the script exited with status {self.exit_code}"
        return None

    def step(self, name: str) -> StepResult:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(f"no step {name!r} in this run (steps: {[s.name for s in self.steps]})")


@dataclass(frozen=True)
class SimulationResult:
    runs: tuple[RunResult, ...]
    #: The persistent volume (/home/ec2-user/SageMaker; on Studio the home, /home/sagemaker-user)
    #: as a folder on this machine: the
    #: ``volume=`` given, or the one ``simulate`` made, which is already removed unless ``keep=``
    #: was given.
    volume: Path
    #: Where the sandbox's changes to / were copied, if asked.
    keep: Path | None
    #: Processes still running in the sandbox when it was torn down.
    left_running: int = 0
    #: The ``records=`` given: root's record of the runs (/var/log/lcc-constructs in the
    #: sandbox; on Studio the runner's, ~/.lifecycle/logs; each file's first 8 MiB), one folder
    #: per run (``RunResult.run_dir``); None without it (the copy was read into the result, then
    #: removed).
    records: Path | None = None
    platform: str = "notebook-instance"

    @property
    def last(self) -> RunResult:
        return self.runs[-1]

    @property
    def would_fail(self) -> bool:
        return any(r.would_fail for r in self.runs)

    def format(self, volume_removed: bool = False) -> str:
        lines = []
        for i, run in enumerate(self.runs, start=1):
            verdict = f"WOULD FAIL: {run.failure_reason}" if run.would_fail else "would succeed"
            lines.append(
                f"run {i}: exit {run.exit_code}, {run.duration_seconds:.2f}s, {verdict}"
            )
            for s in run.steps:
                took = f"{s.seconds:.2f}s" if s.seconds is not None else "-"
                extra = f" ({s.reason})" if s.reason else ""
                lines.append(f"  {s.name:<24} {s.user:<14} {s.status:<10} exit {s.exit_code} "
                             f"{took}{extra}")
        what = "home (persistent)" if self.platform == "studio" else "persistent volume"
        lines.append(f"{what}: removed (lcc simulate --volume DIR keeps one)" if volume_removed
                     else f"{what}: {self.volume}")
        if self.keep:
            lines.append(f"changes to / kept in: {self.keep}")
        if self.left_running:
            lines.append(f"{self.left_running} process(es) still running at teardown were killed")
        return "\n".join(lines)


def _read_steps(run_dir: Path, status: dict[str, Any]) -> tuple[StepResult, ...]:
    steps = []
    for s in status.get("steps", []):
        log_file = run_dir / f"{s['name']}.log"
        result_file = run_dir / f"{s['name']}.result.json"
        steps.append(StepResult(
            name=s["name"], user=s["user"], status=s["status"], exit_code=s["exit_code"],
            seconds=s["seconds"], reason=s["reason"],
            log=log_file.read_text(errors="replace") if log_file.exists() else "",
            background_result=json.loads(result_file.read_text()) if result_file.exists() else None,
        ))
    return tuple(steps)


def _run_inner(work: Path, script_path: Path, volume_path: Path, records: Path,
               keep: str | os.PathLike[str] | None, limit_seconds: float, runs: int,
               wait_background_seconds: float, files: Mapping[str, str | os.PathLike[str]] | None,
               hide: Sequence[str], binds: Mapping[str, str | os.PathLike[str]] | None,
               env: Mapping[str, str] | None, on_output: Callable[[str], object] | None,
               studio: bool = False) -> dict[str, Any]:
    """Run the sandbox's inner process in the folder ``work`` and return what it recorded."""
    cfg = {
        "work": str(work),
        "script": str(script_path.resolve()),
        "volume": str(volume_path.resolve()),
        "volume_path": STUDIO_HOME if studio else PERSISTENT_DIR,
        "root_logs": DEFAULT_STUDIO_STATE_DIR + "/logs" if studio else ROOT_LOG_DIR,
        "records": str(records.resolve()),
        "user": STUDIO_USER if studio else NOTEBOOK_USER,
        "home": STUDIO_HOME if studio else _HOME,
        "studio": studio, "uid": STUDIO_UID, "gid": STUDIO_GID, "metadata": STUDIO_METADATA,
        "runs": runs,
        "limit": limit_seconds,
        "wait_background": wait_background_seconds,
        "keep": str(Path(keep).resolve()) if keep else None,
        "files": {dest: str(Path(src).resolve()) for dest, src in (files or {}).items()},
        "hide": list(hide),
        "binds": {dest: str(Path(src).resolve()) for dest, src in (binds or {}).items()},
        "env": {**(STUDIO_ENV if studio else {}), **(env or {})},
        "result": str(work / "result.json"),
    }
    (work / "config.json").write_text(json.dumps(cfg))
    errors = work / "errors.txt"
    with errors.open("wb") as err:
        proc = subprocess.Popen(
            ["unshare", "--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private",
             sys.executable, "-m", "lcc_constructs.sandbox._inner", str(work / "config.json")],
            stdout=subprocess.PIPE, stderr=err,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent.parent)},
        )
        out = cast(io.BufferedReader, proc.stdout)
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        while chunk := out.read1(65536):
            if on_output is not None:
                on_output(decoder.decode(chunk))
        proc.wait()
    stderr = errors.read_text(errors="replace")
    result_file = work / "result.json"
    if not result_file.exists():
        raise SandboxUnavailable(
            f"the sandbox could not start (unshare exit {proc.returncode}): {stderr.strip()}"
        )
    raw = json.loads(result_file.read_text())
    if raw.get("error"):
        raise SandboxUnavailable(f"the sandbox could not be set up: {raw['error']}")
    return cast("dict[str, Any]", raw)


def _results(raw: dict[str, Any], records: Path, kept: bool) -> tuple[RunResult, ...]:
    """Each run's result, read from root's record copied to ``records``; ``run_dir`` points
    there only when ``kept``."""
    results = []
    seen: set[str] = set()
    for run in raw["runs"]:
        # This run's log folder: the one it added to root's log folder.
        added = [d for d in run["run_dirs"] if d not in seen]
        seen.update(run["run_dirs"])
        run_dir = records / added[-1] if added else None
        status = None
        if run_dir and (run_dir / "status.json").exists():
            status = json.loads((run_dir / "status.json").read_text())
        results.append(RunResult(
            exit_code=run["exit_code"], exited_after=run["exited_after"],
            duration_seconds=run["duration"], timed_out=run["timed_out"],
            output_held_open=run["output_held_open"], output=run["output"], status=status,
            steps=_read_steps(run_dir, status) if run_dir and status else (),
            run_dir=run_dir if kept else None,
        ))
    return tuple(results)


def simulate(
    script: str | os.PathLike[str],
    *,
    volume: str | os.PathLike[str] | None = None,
    keep: str | os.PathLike[str] | None = None,
    records: str | os.PathLike[str] | None = None,
    limit_seconds: float = SERVICE_TIMEOUT_SECONDS,
    runs: int = 1,
    wait_background_seconds: float = 10.0,
    files: Mapping[str, str | os.PathLike[str]] | None = None,
    hide: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    binds: Mapping[str, str | os.PathLike[str]] | None = None,
    on_output: Callable[[str], object] | None = None,
    platform: str = "notebook-instance",
) -> SimulationResult:
    """Run ``script`` (a rendered lifecycle script) in a fresh sandbox.

    It removes everything it made (its work folder ``lcc-sandbox-*`` in the system's temporary
    folder, the volume it made, its copy of root's record) before it returns or raises, except
    what the options below keep.

    :param volume: folder to use as the persistent volume (made if missing, never removed);
        reuse it across calls to simulate restarts of one instance. Default: a new folder,
        removed before ``simulate`` returns, unless ``keep`` is given: then it is kept, a
        folder ``lcc-volume-*`` in the system's temporary folder (``SimulationResult.volume``),
        and yours to remove.
    :param keep: copy the sandbox's changes to ``/`` (the overlay's upper layer) there.
    :param records: copy root's record of the runs (``/var/log/lcc-constructs`` in the sandbox,
        each file's first 8 MiB) there, one folder per run (``RunResult.run_dir``). Default: read
        into the result (each run's status and each step's log), then removed.
    :param limit_seconds: the service's limit; a run still going (or whose output is still held
        open) after it is killed and reported as a failure. Default 300.
    :param runs: run the script this many times in a row in the same sandbox (idempotency).
    :param wait_background_seconds: after the last run, wait up to this long for background
        steps to finish before tearing the sandbox down.
    :param files: extra files or folders to place in the sandbox, ``{"/dest": "host path"}``
        (for example ``/opt/ml/metadata/resource-metadata.json`` or stand-in programs).
    :param hide: absolute paths of files or folders the sandbox must not have (for example
        ``/usr/bin/python3``, to see what a script does on an instance without it); they are
        removed from the overlay only, before ``files`` are placed. Missing paths are ignored.
    :param env: variables added to the script's environment, which is otherwise the service's
        (``PATH`` only): for example endpoints of stand-in services (``AWS_ENDPOINT_URL_S3``).
    :param binds: host files or folders shown read-only in the sandbox, ``{"/dest": "host
        path"}``, without copying them (large ones, such as a Python library folder).
    :param on_output: called with the script's output as it comes, while it runs.
    :param platform: ``"notebook-instance"`` (default) or ``"studio"`` (the module's docstring
        says what differs): ``volume`` is then the home, /home/sagemaker-user, and ``records``
        the runner's ~/.lifecycle/logs; ``env`` adds to the space's variables
        (:data:`STUDIO_ENV`).
    :raises SandboxUnavailable: when it cannot run here.
    """
    if platform not in PLATFORMS:
        raise ValueError(f"platform={platform!r} must be one of {PLATFORMS}")
    reason = availability()
    if reason:
        raise SandboxUnavailable(reason)
    script_path = Path(script)
    if not script_path.is_file():
        raise FileNotFoundError(f"no script at {script_path}")
    for option, path in [("hide", p) for p in hide] + [("binds", d) for d in (binds or {})]:
        if not path.startswith("/") or ".." in path.split("/") or path.rstrip("/") == "":
            raise ValueError(f"{option}: {path!r} must be an absolute path below / without '..'")
    work = Path(tempfile.mkdtemp(prefix="lcc-sandbox-"))
    made_volume: Path | None = None
    try:
        if volume is not None:
            volume_path = Path(volume)
        elif keep is not None:
            volume_path = made_volume = Path(tempfile.mkdtemp(prefix="lcc-volume-"))
        else:
            volume_path = work / "volume"
        volume_path.mkdir(parents=True, exist_ok=True)
        records_path = Path(records) if records is not None else work / "records"
        records_path.mkdir(parents=True, exist_ok=True)
        raw = _run_inner(work, script_path, volume_path, records_path, keep, limit_seconds, runs,
                         wait_background_seconds, files, hide, binds, env, on_output, platform == "studio")
        results = _results(raw, records_path, kept=records is not None)
    except BaseException:
        if made_volume is not None:  # a volume made for a run that did not happen goes with it
            shutil.rmtree(made_volume, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return SimulationResult(
        runs=results, volume=volume_path, keep=Path(keep) if keep else None,
        left_running=raw.get("left_running", 0), records=records_path if records is not None else None,
        platform=platform,
    )
