"""``lcc deploy --restart``: stop a notebook instance, attach the configuration, start it and
wait for ``InService`` or ``Failed``, saying how it goes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ._aws import Aws, ServiceError
from ._deployed import describe_notebook
from ._logs import last_lines, no_stream_message, stream_name

#: Statuses an instance stays in until asked to change.
_SETTLED = ("InService", "Stopped", "Failed")
#: Lines of the on-start log shown when a start fails.
FAILURE_LINES = 20


@dataclass
class _Watch:
    """Polls one instance's status, printing each change with the time since the start."""

    aws: Aws
    notebook: str
    poll_seconds: float
    timeout_seconds: float
    say: Callable[[str], None]
    started: float = 0.0
    last: str = ""

    def __post_init__(self) -> None:
        self.started = time.monotonic()

    def status(self) -> str:
        """The instance's status now, printed when it changed."""
        status = str(describe_notebook(self.aws, self.notebook)["NotebookInstanceStatus"])
        if status != self.last:
            self.say(f"{self.notebook}: {status} ({time.monotonic() - self.started:.0f}s)")
            self.last = status
        return status

    def until(self, wanted: tuple[str, ...]) -> str:
        """Poll until the status is one of ``wanted`` (or settled elsewhere: an error)."""
        deadline = time.monotonic() + self.timeout_seconds
        while True:
            status = self.status()
            if status in wanted:
                return status
            if status in _SETTLED or status == "Deleting":
                raise ServiceError(f"{self.notebook} is {status}, not {' or '.join(wanted)}")
            if time.monotonic() > deadline:
                raise ServiceError(f"{self.notebook} is still {status} after {self.timeout_seconds:g}s "
                                   "(--wait-timeout); it goes on without lcc")
            time.sleep(self.poll_seconds)


def _failure(aws: Aws, notebook: str) -> str:
    """The failure reason and the last lines of the on-start log, for the error message."""
    reason = describe_notebook(aws, notebook).get("FailureReason", "(no FailureReason given)")
    lines = last_lines(aws, notebook, "on-start", FAILURE_LINES)
    if lines is None:
        log = no_stream_message(aws, notebook, "on-start")
    else:
        shown = "\n".join(f"  {line}" for line in lines)
        log = f"last lines of {stream_name(notebook, 'on-start')}:\n{shown}"
    return f"{notebook} failed to start: {reason}\n{log}"


def restart(aws: Aws, notebook: str, config: str, *, dry_run: bool, poll_seconds: float,
            timeout_seconds: float, say: Callable[[str], None]) -> None:
    """Stop ``notebook`` (when it runs), attach ``config`` (unless it is attached), start it
    and wait until it is InService.

    :raises ServiceError: when it ends Failed (with the reason and the last log lines), or
        does not get there within ``timeout_seconds`` of each wait.
    """
    described = describe_notebook(aws, notebook)
    status = described["NotebookInstanceStatus"]
    attached = described.get("NotebookInstanceLifecycleConfigName")
    if dry_run:
        attach = "" if attached == config else f", attach {config} (now {attached or 'none'})"
        say(f"{notebook}: would stop it ({status}){attach}, start it and wait")
        return
    watch = _Watch(aws, notebook, poll_seconds, timeout_seconds, say)
    status = watch.status() if status in _SETTLED else watch.until(_SETTLED)
    if status == "InService":
        aws.call("sagemaker", "stop_notebook_instance", NotebookInstanceName=notebook)
        watch.until(("Stopped",))
    if attached != config:
        aws.call("sagemaker", "update_notebook_instance", NotebookInstanceName=notebook,
                 LifecycleConfigName=config)
        say(f"{notebook}: attached {config} (was {attached or 'none'})")
        watch.until(("Stopped",) if status != "Failed" else ("Stopped", "Failed"))
    aws.call("sagemaker", "start_notebook_instance", NotebookInstanceName=notebook)
    if watch.until(("InService", "Failed")) == "Failed":
        raise ServiceError(_failure(aws, notebook))
