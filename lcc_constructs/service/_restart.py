"""``lcc deploy --restart``: stop a notebook instance, attach the configuration, start it and
wait for ``InService`` or ``Failed``, saying how it goes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..printable import printable
from ._aws import Aws, ServiceError
from ._deployed import describe_notebook
from ._logs import last_lines, no_stream_message, stream_name

#: Statuses an instance stays in until asked to change.
_SETTLED = ("InService", "Stopped", "Failed")
#: Lines of the on-start log shown when a start fails.
FAILURE_LINES = 20


@dataclass
class Restart:
    """What ``--restart`` did (or would do, ``dry_run``): the instance's status and attached
    configuration before, whether it attached ``config``, each status seen (with the seconds
    since the restart began), the last one, and, when it ended badly, why (``error``), with the
    instance's ``FailureReason`` and the last lines of its on-start log when its start failed."""

    notebook: str
    config: str
    dry_run: bool
    status_before: str
    attached_before: str | None
    attach: bool
    statuses: list[tuple[str, float]] = field(default_factory=list)
    failure_reason: str | None = None
    log: list[str] | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The restart's part of ``lcc deploy --json`` (the values as AWS gave them)."""
        return {"notebook": self.notebook, "dry_run": self.dry_run, "status_before": self.status_before,
                "attached_before": self.attached_before, "attach": self.attach,
                "statuses": [{"status": s, "seconds": t} for s, t in self.statuses],
                "status": self.statuses[-1][0] if self.statuses else None,
                "failure_reason": self.failure_reason, "log": self.log, "error": self.error}


class RestartFailed(ServiceError):
    """The restart ended Failed, timed out or an AWS call failed: the error, and what was done."""

    def __init__(self, error: ServiceError, restart: Restart) -> None:
        super().__init__(str(error), error.code)
        self.restart = restart


@dataclass
class _Watch:
    """Polls one instance's status, printing each change with the time since the start."""

    aws: Aws
    restart: Restart
    poll_seconds: float
    timeout_seconds: float
    say: Callable[[str], None]
    started: float = 0.0
    last: str = ""

    def __post_init__(self) -> None:
        self.started = time.monotonic()

    def status(self) -> str:
        """The instance's status now, printed when it changed."""
        status = str(describe_notebook(self.aws, self.restart.notebook).get("NotebookInstanceStatus"))
        if status != self.last:
            seconds = time.monotonic() - self.started
            self.say(f"{self.restart.notebook}: {printable(status)} ({seconds:.0f}s)")
            self.restart.statuses.append((status, round(seconds, 1)))
            self.last = status
        return status

    def until(self, wanted: tuple[str, ...]) -> str:
        """Poll until the status is one of ``wanted`` (or settled elsewhere: an error)."""
        deadline = time.monotonic() + self.timeout_seconds
        notebook = self.restart.notebook
        while True:
            status = self.status()
            if status in wanted:
                return status
            if status in _SETTLED or status == "Deleting":
                raise ServiceError(f"{notebook} is {printable(status)}, not {' or '.join(wanted)}")
            if time.monotonic() > deadline:
                raise ServiceError(f"{notebook} is still {printable(status)} after {self.timeout_seconds:g}s "
                                   "(--wait-timeout); it goes on without lcc")
            time.sleep(self.poll_seconds)


def _failure(aws: Aws, restart: Restart) -> str:
    """The failure reason and the last lines of the on-start log, for the error message (each
    line escaped: the log is anyone's)."""
    notebook = restart.notebook
    restart.failure_reason = str(describe_notebook(aws, notebook).get("FailureReason",
                                                                      "(no FailureReason given)"))
    restart.log = last_lines(aws, notebook, "on-start", FAILURE_LINES)
    if restart.log is None:
        log = no_stream_message(aws, notebook, "on-start")
    else:
        shown = "\n".join(f"  {printable(line)}" for line in restart.log)
        log = f"last lines of {stream_name(notebook, 'on-start')}:\n{shown}"
    return f"{notebook} failed to start: {printable(restart.failure_reason)}\n{log}"


def check_notebook(aws: Aws, notebook: str) -> None:
    """Make sure the instance exists before anything changes.

    :raises ServiceError: when there is no instance of that name.
    """
    describe_notebook(aws, notebook)


def restart(aws: Aws, notebook: str, config: str, *, dry_run: bool, poll_seconds: float,
            timeout_seconds: float, say: Callable[[str], None]) -> Restart:
    """Stop ``notebook`` (when it runs), attach ``config`` (unless it is attached), start it
    and wait until it is InService. Returns what it did.

    :raises ServiceError: when there is no such instance (before anything is done).
    :raises RestartFailed: when it ends Failed (with the reason and the last log lines), does
        not get there within ``timeout_seconds`` of each wait, or AWS refuses a call.
    """
    described = describe_notebook(aws, notebook)
    status = str(described.get("NotebookInstanceStatus"))
    attached = described.get("NotebookInstanceLifecycleConfigName")
    attached = None if attached is None else str(attached)
    done = Restart(notebook, config, dry_run, status, attached, attached != config)
    if dry_run:
        attach = "" if attached == config else f", attach {config} (now {printable(attached or 'none')})"
        say(f"{notebook}: would stop it ({printable(status)}){attach}, start it and wait")
        return done
    try:
        _restart(aws, done, _Watch(aws, done, poll_seconds, timeout_seconds, say), say)
    except ServiceError as e:
        done.error = str(e)
        raise RestartFailed(e, done) from None
    return done


def _restart(aws: Aws, done: Restart, watch: _Watch, say: Callable[[str], None]) -> None:
    """The steps of :func:`restart` after the first look at the instance."""
    notebook, config = done.notebook, done.config
    status = watch.status() if done.status_before in _SETTLED else watch.until(_SETTLED)
    if status == "InService":
        aws.call("sagemaker", "stop_notebook_instance", NotebookInstanceName=notebook)
        watch.until(("Stopped",))
    if done.attach:
        aws.call("sagemaker", "update_notebook_instance", NotebookInstanceName=notebook,
                 LifecycleConfigName=config)
        say(f"{notebook}: attached {config} (was {printable(done.attached_before or 'none')})")
        watch.until(("Stopped",) if status != "Failed" else ("Stopped", "Failed"))
    aws.call("sagemaker", "start_notebook_instance", NotebookInstanceName=notebook)
    if watch.until(("InService", "Failed")) == "Failed":
        raise ServiceError(_failure(aws, done))
