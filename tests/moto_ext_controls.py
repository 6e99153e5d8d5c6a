"""A test's side of the test controls that tests/moto_sagemaker_ext.py adds to moto's server
(its docstring says what each does): plain HTTP to 127.0.0.1, nothing imported from moto."""

from __future__ import annotations

import json
import urllib.request
from typing import Any


def _call(url: str, method: str, body: dict[str, Any] | None = None) -> None:
    req = urllib.request.Request(url, data=json.dumps(body or {}).encode(), method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as answer:
        answer.read()


def fail_next_start(server_url: str, name: str, reason: str) -> None:
    """The next StartNotebookInstance of ``name`` ends Failed with FailureReason ``reason``."""
    _call(f"{server_url}/moto-api/lcc-test/notebook/{name}/fail-next-start", "POST", {"reason": reason})


def transitions(server_url: str, name: str, describes: int = 1) -> None:
    """Start/Stop/Update of ``name`` show Pending/Stopping/Updating to the next ``describes``
    DescribeNotebookInstance calls (0: moto's way, the final status at once)."""
    _call(f"{server_url}/moto-api/lcc-test/notebook/{name}/transitions", "POST", {"describes": describes})


def fail_action(server_url: str, action: str, code: str, message: str | None = None,
                status: int = 400, times: int | None = None, crash: bool = False) -> None:
    """The SageMaker ``action`` (e.g. "DescribeNotebookInstance") answers error ``code``, the
    next ``times`` calls or until :func:`clear_failures`; ``crash``: the server fails instead
    (HTTP 500 and an HTML page, as moto's server answers a fault of its own)."""
    body: dict[str, Any] = {"action": action, "code": code, "status": status, "times": times,
                            "crash": crash}
    if message is not None:
        body["message"] = message
    _call(f"{server_url}/moto-api/lcc-test/fail", "POST", body)


def clear_failures(server_url: str) -> None:
    _call(f"{server_url}/moto-api/lcc-test/fail", "DELETE")
