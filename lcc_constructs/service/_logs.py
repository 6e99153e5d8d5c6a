"""The service's CloudWatch log of a notebook instance's lifecycle scripts (``lcc logs``).

SageMaker sends what an on-start (on-create) script prints to the log group
``/aws/sagemaker/NotebookInstances``, stream ``<instance>/LifecycleConfigOnStart``
(``.../LifecycleConfigOnCreate``) - when the instance can reach CloudWatch Logs.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..bundle import Kind
from ..limits import DEFAULT_STATE_DIR
from ..printable import printable
from ..readback import HOOKS, Run, RunLog, read_script
from ._aws import Aws, ServiceError
from ._deployed import describe_notebook, find_notebook, no_notebook_message, read_config, s3_getter

GROUP = "/aws/sagemaker/NotebookInstances"

_DURATION = re.compile(r"([0-9]+)([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def stream_name(notebook: str, kind: Kind) -> str:
    """The log stream of ``notebook``'s ``kind`` script."""
    return f"{notebook}/LifecycleConfig{HOOKS[kind]}"


def since_millis(text: str, now: float | None = None) -> int:
    """``--since``: a duration back from now (``30s``, ``15m``, ``2h``, ``1d``) or a UTC time
    (ISO 8601, e.g. ``2026-11-03T08:00:00Z``), as CloudWatch's milliseconds since 1970.

    :raises ValueError: for anything else.
    """
    m = _DURATION.fullmatch(text)
    if m:
        return int(((now if now is not None else time.time()) - int(m[1]) * _UNITS[m[2]]) * 1000)
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return int(when.timestamp() * 1000)


def _status_file(aws: Aws, notebook: str, kind: Kind) -> str:
    """Where the runner keeps the last run's status on the instance: in the state folder of the
    configuration attached to it when that can be read (its S3 payload downloaded), else the
    default one."""
    state = DEFAULT_STATE_DIR
    try:
        name = describe_notebook(aws, notebook).get("NotebookInstanceLifecycleConfigName")
        config = read_config(aws, name) if name else None
        text = config.scripts.get(kind) if config else None
        inspected = read_script(text, kind, "attached", fetch=s3_getter(aws)).inspected if text else None
        state = (inspected.options.state_dir if inspected else None) or state
    except ServiceError:
        pass
    return f"{state}/logs/latest-{kind}/status.json"


def no_stream_message(aws: Aws, notebook: str, kind: Kind) -> str:
    """Why there may be no log, and where the runner's own record of the last run is."""
    others: list[str] = []
    try:
        found = aws.call("logs", "describe_log_streams", logGroupName=GROUP,
                         logStreamNamePrefix=f"{notebook}/")
        others = [printable(str(s["logStreamName"])) for s in found.get("logStreams", [])]
    except ServiceError:
        pass
    seen = (f" The instance's other streams ({', '.join(others)}) show that it reaches CloudWatch: its "
            f"{kind} script has not run since it had a lifecycle configuration, or printed nothing."
            if others else
            f" Either no {kind} script of a lifecycle configuration has run on it, or it cannot reach "
            "CloudWatch Logs (a private subnet without NAT or a logs VPC endpoint).")
    return (f"no log stream {stream_name(notebook, kind)} in the log group {GROUP} ({aws.region}).{seen} "
            f"The runner of lcc-constructs keeps each run's status on the instance's volume: "
            f"{_status_file(aws, notebook, kind)} (runner.log and each step's NAME.log beside it); "
            "open a terminal in Jupyter to read it.")


@dataclass
class _Cursor:
    """Where reading a stream has got to."""

    stream: str
    since: int | None
    token: str | None = None


def _read(aws: Aws, cursor: _Cursor) -> list[str]:
    """The stream's lines after the cursor (all there are now), moving it on."""
    lines: list[str] = []
    while True:
        params = {"logGroupName": GROUP, "logStreamName": cursor.stream, "startFromHead": True}
        params.update({"startTime": cursor.since} if cursor.since is not None else {})
        params.update({"nextToken": cursor.token} if cursor.token else {})
        answer = aws.call("logs", "get_log_events", **params)
        events = answer.get("events", [])
        lines += [str(e["message"]).rstrip("\n") for e in events]
        cursor.token = answer.get("nextForwardToken", cursor.token)
        if not events:
            return lines


def last_lines(aws: Aws, notebook: str, kind: Kind, count: int) -> list[str] | None:
    """The last ``count`` lines of the stream; None when there is no stream."""
    try:
        answer = aws.call("logs", "get_log_events", logGroupName=GROUP,
                          logStreamName=stream_name(notebook, kind), startFromHead=False, limit=count)
    except ServiceError as e:
        if e.code == "ResourceNotFoundException":
            return None
        raise
    return [str(e["message"]).rstrip("\n") for e in answer.get("events", [])]


def _require_notebook(aws: Aws, notebook: str, stream: str) -> None:
    """Raise when there is neither the stream nor the instance (a log outlives its instance, so
    this is asked only when the stream is missing). When the instance cannot be looked up (no
    permission), nothing is said here."""
    try:
        missing = find_notebook(aws, notebook) is None
    except ServiceError:
        return
    if missing:
        raise ServiceError(f"{no_notebook_message(aws, notebook)}, and no log stream {stream} in the log "
                           f"group {GROUP}")


@dataclass
class Logs:
    """What ``lcc logs`` read: the stream's lines (as they are) and the runs they tell of."""

    notebook: str
    kind: Kind
    stream: str
    lines: list[str]
    runs: list[Run]

    def to_dict(self) -> dict[str, Any]:
        """The document of ``lcc logs --json``."""
        return {"notebook": self.notebook, "kind": self.kind, "log_group": GROUP, "stream": self.stream,
                "lines": self.lines, "runs": [r.to_dict() for r in self.runs]}


def show_logs(aws: Aws, notebook: str, kind: Kind, *, since: int | None, follow: bool, poll_seconds: float,
              say: Callable[[str], None], notice: Callable[[str], None] | None = None) -> Logs:
    """Print the stream's lines (escaped), each run's summary after its final status line; with
    ``follow``, go on printing new lines until a run's final status line arrives (saying, with
    ``notice``, else ``say``, when it waits for the stream). Returns what was read.

    :raises ServiceError: when there is no stream (unless following: then wait for it), and
        when there is neither the stream nor the instance (following too).
    """
    cursor = _Cursor(stream_name(notebook, kind), since)
    runs = RunLog()
    read: list[str] = []
    waiting = first = True
    while True:
        try:
            lines = _read(aws, cursor)
        except ServiceError as e:
            if e.code != "ResourceNotFoundException":
                raise
            if waiting:
                _require_notebook(aws, notebook, cursor.stream)
            if not follow:
                raise ServiceError(no_stream_message(aws, notebook, kind)) from None
            if waiting:
                (notice or say)(f"waiting for the log stream {cursor.stream} in {GROUP} ...")
            waiting, lines = False, []
        for line in lines:
            read.append(line)
            say(printable(line))
            ended = runs.add(line)
            if ended:
                for row in ended.format():
                    say(row)
                if follow and not first:
                    return Logs(notebook, kind, cursor.stream, read, runs.runs)
        if not follow:
            break
        first = False
        time.sleep(poll_seconds)
    if runs.unfinished is not None:
        for row in runs.unfinished.format():
            say(row)
    elif not runs.runs:
        say(f"(no line of lcc-constructs' runner in {cursor.stream}: its script was not built by "
            "lcc-constructs)")
    return Logs(notebook, kind, cursor.stream, read, runs.runs)
