"""The autostop checker (assets/recipes/autostop/autostop.py) against a real Jupyter server
(HTTPS, self-signed, real kernels and terminals) and moto's server as the SageMaker API."""

from __future__ import annotations

import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from lcc_constructs.recipes.autostop import CHECKER_DEFAULTS, autostop

from .conftest import ROOT, python39, require
from .moto_ext_controls import clear_failures, fail_action
from .servers import Jupyter, Moto, free_port, last_activity_age, wait_until

CHECKER = ROOT / "assets" / "recipes" / "autostop" / "autostop.py"
IDLE = 0.02  # minutes: 1.2 seconds


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Jupyter]:
    require(shutil.which("openssl") is not None, "openssl is needed for the test certificate")
    server = Jupyter(tmp_path_factory.mktemp("jupyter"))
    yield server
    server.close()


@pytest.fixture(autouse=True)
def clean(request: pytest.FixtureRequest) -> None:
    if "jupyter" in request.fixturenames:
        request.getfixturevalue("jupyter").reset()


class Instance:
    """A notebook instance in moto, and its metadata file."""

    def __init__(self, moto: Moto, tmp: Path) -> None:
        self.moto = moto
        self.name, self.arn = moto.notebook()
        self.metadata = tmp / "resource-metadata.json"
        self.metadata.write_text(json.dumps({"ResourceArn": self.arn, "ResourceName": self.name}))
        self.home = tmp

    @property
    def status(self) -> str:
        return self.moto.status(self.name)

    def check(self, jupyter_url: str, *options: str, python: list[str] | None = None,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """``run`` as the timer's check runs it (options as NAME=VALUE words; no log file unless
        one is given)."""
        cmd = [*(python or [sys.executable]), str(CHECKER), "run", f"jupyter_url={jupyter_url}",
               f"metadata={self.metadata}", "log_file=", *options]
        base = {"PATH": os.environ["PATH"], "HOME": str(self.home)}
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                              env={**base, **self.moto.env, **(env or {})})


@pytest.fixture
def instance(moto: Moto, tmp_path: Path) -> Instance:
    return Instance(moto, tmp_path)


def quiet_for(jupyter: Jupyter) -> float:
    """Seconds since Jupyter's last activity, as /api/status says (asking it is no activity)."""
    return last_activity_age(jupyter.api("GET", "/api/status"))


def wait_quiet(jupyter: Jupyter, seconds: float) -> None:
    wait_until(lambda: quiet_for(jupyter) > seconds, seconds + 30, "Jupyter quiet")


QUIET = f"idle_minutes={IDLE}"


# -- deciding ------------------------------------------------------------------------------

def test_an_idle_kernel_past_the_idle_time_stops_the_instance(jupyter: Jupyter, instance: Instance) -> None:
    jupyter.idle_kernel()
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    p = instance.check(jupyter.url, QUIET)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.startswith("idle since ") and p.stdout.endswith(f": stopping {instance.name}\n"), p.stdout
    assert instance.status == "Stopped"


def test_an_idle_kernel_within_the_idle_time_does_not(jupyter: Jupyter, instance: Instance) -> None:
    # Idle for seconds: longer than the idle time if its minutes were taken for seconds, far
    # shorter than the minute it is.
    jupyter.idle_kernel()
    wait_quiet(jupyter, 3)
    p = instance.check(jupyter.url, "idle_minutes=1")
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"\(0\.\d of 1 minutes\): not stopping yet", p.stdout), p.stdout
    assert instance.status == "InService"


def test_a_busy_kernel_keeps_the_instance(jupyter: Jupyter, instance: Instance) -> None:
    # A long cell that prints nothing: Jupyter's last activity stays at its start.
    kid = jupyter.start_kernel()
    ws = jupyter.connect(kid)
    jupyter.execute(ws, "import time; time.sleep(120)")
    jupyter.wait_state(kid, "busy")
    wait_quiet(jupyter, IDLE * 60 + 1)  # the cell started longer ago than the idle time
    p = instance.check(jupyter.url, QUIET)
    assert p.stdout == "active: busy kernel python3\n", p.stdout
    assert instance.status == "InService"
    # And once the cell is over and the kernel idle for longer than the idle time: stopped.
    jupyter.api("POST", f"/api/kernels/{kid}/interrupt")
    jupyter.wait_state(kid, "idle")
    ws.close()
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    p = instance.check(jupyter.url, QUIET)
    assert "stopping" in p.stdout, p.stdout
    assert instance.status == "Stopped"


def test_a_recently_used_terminal_keeps_the_instance(jupyter: Jupyter, instance: Instance) -> None:
    jupyter.idle_kernel()
    term = jupyter.start_terminal()
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    jupyter.type_in_terminal(term, "echo working")
    p = instance.check(jupyter.url, QUIET)
    assert "not stopping yet" in p.stdout, p.stdout
    assert instance.status == "InService"


def test_any_use_of_jupyters_api_keeps_the_instance(jupyter: Jupyter, instance: Instance) -> None:
    # Opening a file in JupyterLab is a request to the contents API: activity, though no kernel
    # or terminal moved.
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    jupyter.api("GET", "/api/contents")
    p = instance.check(jupyter.url, QUIET)
    assert "not stopping yet" in p.stdout, p.stdout
    assert instance.status == "InService"


def test_the_checks_own_questions_are_no_activity(jupyter: Jupyter, instance: Instance) -> None:
    # The checker asks /api/status and, past the idle time, /api/kernels: were either to count as
    # activity, the instance would never be idle for longer than the check interval.
    jupyter.idle_kernel()  # a kernel: the checker asks /api/kernels which are busy
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    before = jupyter.api("GET", "/api/status")["last_activity"]
    for _ in range(2):
        p = instance.check(jupyter.url, QUIET, "dry_run=1")
        assert "dry run: would stop" in p.stdout, p.stdout
    assert jupyter.api("GET", "/api/status")["last_activity"] == before
    # What would have moved it, had the checker asked as the tests' own client does.
    jupyter.api("GET", "/api/kernels")
    assert jupyter.api("GET", "/api/status")["last_activity"] != before


def test_an_open_connection_keeps_the_instance_when_configured(jupyter: Jupyter, instance: Instance) -> None:
    kid = jupyter.start_kernel()
    ws = jupyter.connect(kid)  # an open browser tab
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    p = instance.check(jupyter.url, QUIET, "count_connections=1")
    assert p.stdout == "active: 1 connection(s)\n", p.stdout
    assert instance.status == "InService"
    p = instance.check(jupyter.url, QUIET)  # connections do not count
    assert "stopping" in p.stdout, p.stdout
    assert instance.status == "Stopped"
    ws.close()


def test_a_kernel_stuck_starting_counts_from_its_start_only(jupyter: Jupyter, instance: Instance) -> None:
    kid = jupyter.start_kernel()  # nobody connects: it stays 'starting'
    p = instance.check(jupyter.url, QUIET)
    assert "not stopping yet" in p.stdout, p.stdout
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    # Asked as the checker asks: a question that is no activity.
    assert jupyter.api("GET", f"/api/kernels/{kid}?no_track_activity=1")["execution_state"] == "starting"
    p = instance.check(jupyter.url, QUIET)
    assert "stopping" in p.stdout and instance.status == "Stopped", p.stdout


def test_with_nothing_running_idle_time_counts_from_jupyters_last_activity(
        jupyter: Jupyter, instance: Instance) -> None:
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    status = jupyter.api("GET", "/api/status")
    assert status["kernels"] == 0
    p = instance.check(jupyter.url, QUIET)
    assert p.stdout.startswith(f"idle since {status['last_activity']} ("), p.stdout
    assert instance.status == "Stopped"


def test_an_instance_not_in_service_is_left_alone(jupyter: Jupyter, instance: Instance) -> None:
    instance.moto.client().stop_notebook_instance(NotebookInstanceName=instance.name)
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    p = instance.check(jupyter.url, QUIET)
    assert f"but {instance.name} is Stopped: not stopping" in p.stdout, p.stdout


def test_dry_run_only_says_what_it_would_do(jupyter: Jupyter, instance: Instance) -> None:
    jupyter.idle_kernel()
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    p = instance.check(jupyter.url, QUIET, "dry_run=1")
    assert f"dry run: would stop {instance.name}" in p.stdout, p.stdout
    assert instance.status == "InService"


def test_without_boto3_it_does_nothing(jupyter: Jupyter, instance: Instance) -> None:
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    # -S -I: this Python without site-packages has no boto3.
    p = instance.check(jupyter.url, QUIET, python=[sys.executable, "-S", "-I"])
    assert p.returncode == 1
    assert "not stopping: ModuleNotFoundError(\"No module named 'boto3'\")" in p.stdout, p.stdout
    assert instance.status == "InService"


def test_an_unknown_option_never_stops_the_instance(jupyter: Jupyter, instance: Instance) -> None:
    # An admin's typo for a dry run must not stop the instance for real.
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    for typo in ("dry_rn=1", "--dry-run"):
        p = instance.check(jupyter.url, QUIET, typo)
        assert p.returncode == 1, p.stdout
        assert f"not stopping: ValueError('unknown option {typo}')" in p.stdout, p.stdout
    assert instance.status == "InService"


# -- failing safe --------------------------------------------------------------------------

class Misbehaving(http.server.BaseHTTPRequestHandler):
    """Stands for a Jupyter server that answers badly (status and body set per test)."""

    status = 500
    body = b""

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def serve(status: int, body: bytes) -> Iterator[str]:
    handler = type("Handler", (Misbehaving,), {"status": status, "body": body})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("status", "body", "reason"), [
    (500, b'{"message": "boom"}', "<HTTPError 500: 'Internal Server Error'>"),
    (403, b"", "<HTTPError 403: 'Forbidden'>"),
    (200, b"<html>not json", "JSONDecodeError('Expecting value"),
    (200, b'{"kernels": []}', "KeyError('last_activity')"),
    (200, b'[{"last_activity": "2020-01-01T00:00:00Z"}]', "TypeError('list indices must be integers"),
    # A time without zone cannot be compared with the checker's (UTC) time.
    (200, b'{"last_activity": "2020-01-01T00:00:00.000000"}', "TypeError(\"can't subtract offset-naive"),
])
def test_a_misbehaving_jupyter_never_stops_the_instance(
        instance: Instance, status: int, body: bytes, reason: str) -> None:
    for url in serve(status, body):
        p = instance.check(url, "idle_minutes=0.0001")
    assert p.returncode == 1
    assert p.stdout.startswith(f"not stopping: {reason}"), p.stdout
    assert instance.status == "InService"


class OddKernels(Misbehaving):
    """Jupyter idle for years, whose kernels list is not a list of kernels."""

    status = 200

    def do_GET(self) -> None:
        idle = b'{"last_activity": "2020-01-01T00:00:00Z"}'
        self.body = idle if self.path == "/api/status" else b'{"k": 1}'
        super().do_GET()


def test_a_misbehaving_kernels_list_never_stops_the_instance(instance: Instance) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OddKernels)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        p = instance.check(f"http://127.0.0.1:{server.server_address[1]}", "idle_minutes=1")
    finally:
        server.shutdown()
        server.server_close()
    assert p.returncode == 1 and p.stdout.startswith("not stopping: TypeError("), p.stdout
    assert instance.status == "InService"


def test_jupyter_down_never_stops_the_instance(instance: Instance) -> None:
    url = f"https://127.0.0.1:{free_port()}"  # nothing listens there
    p = instance.check(url, "idle_minutes=0.0001")
    assert p.returncode == 1
    assert "not stopping: URLError(ConnectionRefusedError(" in p.stdout, p.stdout
    assert instance.status == "InService"


def test_missing_metadata_never_stops_the_instance(jupyter: Jupyter, instance: Instance) -> None:
    instance.metadata.unlink()
    p = instance.check(jupyter.url, "idle_minutes=0.0001")
    assert p.returncode == 1
    assert "not stopping: FileNotFoundError(2, 'No such file or directory')" in p.stdout, p.stdout
    assert instance.status == "InService"


def test_an_aws_error_never_stops_the_instance(jupyter: Jupyter, instance: Instance) -> None:
    other = json.loads(instance.metadata.read_text())
    other["ResourceName"] = "no-such-instance"
    instance.metadata.write_text(json.dumps(other))
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    p = instance.check(jupyter.url, QUIET)
    assert p.returncode == 1
    assert "not stopping: ClientError(" in p.stdout, p.stdout
    assert instance.status == "InService"


@pytest.mark.parametrize("code", ["ThrottlingException", "AccessDeniedException"])
def test_describe_failing_alone_never_stops_the_instance(jupyter: Jupyter, instance: Instance,
                                                        code: str) -> None:
    # Stop would work; without the instance's status the checker must not go on to it.
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    fail_action(instance.moto.url, "DescribeNotebookInstance", code)
    try:
        p = instance.check(jupyter.url, QUIET)
    finally:
        clear_failures(instance.moto.url)
    assert p.returncode == 1
    assert f"not stopping: ClientError('An error occurred ({code})" in p.stdout, p.stdout
    assert instance.status == "InService"
    # The same check with Describe answering stops it: Describe alone made the difference.
    p = instance.check(jupyter.url, QUIET)
    assert f"stopping {instance.name}" in p.stdout and instance.status == "Stopped", p.stdout


def test_an_unreachable_aws_never_stops_the_instance(jupyter: Jupyter, instance: Instance) -> None:
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    p = instance.check(jupyter.url, QUIET, env={"AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"})
    assert p.returncode == 1
    assert "not stopping: EndpointConnectionError(" in p.stdout, p.stdout
    assert instance.status == "InService"


def test_decisions_are_appended_to_the_log_file_kept_small(jupyter: Jupyter, instance: Instance,
                                                          tmp_path: Path) -> None:
    log = tmp_path / "autostop.log"
    log.write_text("x" * (1 << 20) + "\n")
    instance.check(jupyter.url, f"log_file={log}")
    instance.check(jupyter.url, f"log_file={log}")
    assert (tmp_path / "autostop.log.1").stat().st_size > 1 << 20
    lines = log.read_text().splitlines()
    assert len(lines) == 2 and all(re.fullmatch(r"\S+Z autostop: idle since .*", ln) for ln in lines), lines


def test_a_log_file_that_cannot_be_written_is_said(jupyter: Jupyter, instance: Instance,
                                                    tmp_path: Path) -> None:
    p = instance.check(jupyter.url, f"log_file={tmp_path}/no/such/folder/log")
    assert p.returncode == 0 and "not stopping yet (FileNotFoundError(" in p.stdout, p.stdout


# -- the program itself --------------------------------------------------------------------

def checker_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("autostop_checker", CHECKER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_checkers_defaults_are_the_recipes() -> None:
    # The recipe writes only what differs from them.
    defaults = checker_module().OPTIONS
    assert {k: defaults[k] for k in CHECKER_DEFAULTS} == CHECKER_DEFAULTS
    assert set(defaults) - set(CHECKER_DEFAULTS) == {"metadata"}
    assert defaults["metadata"] == "/opt/ml/metadata/resource-metadata.json"


class NeedsToken(Misbehaving):
    """Answers the API only with the token (as a Jupyter that requires one)."""

    def do_GET(self) -> None:
        ok = self.headers.get("Authorization") == "token right"
        self.status, self.body = (200, b'{"last_activity": "2099-01-01T00:00:00Z"}') if ok else (403, b"")
        super().do_GET()


def test_the_token_goes_to_the_local_jupyter(instance: Instance, tmp_path: Path) -> None:
    token = tmp_path / "token"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NeedsToken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://localhost:{server.server_address[1]}"
    try:
        token.write_text("wrong\n")
        p = instance.check(url, f"token_file={token}")
        assert "not stopping: <HTTPError 403: 'Forbidden'>" in p.stdout, p.stdout
        token.write_text("right\n")
        p = instance.check(url, f"token_file={token}")
        assert p.stdout.startswith("idle since 2099-01-01T00:00:00Z"), p.stdout
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("packed", [False, True], ids=["source", "as packed"])
def test_the_checker_runs_on_python_3_9(jupyter: Jupyter, instance: Instance, packed: bool,
                                        tmp_path: Path) -> None:
    # Amazon Linux 2023's python3 is 3.9: the checker itself, run by it, decides as on 3.11.
    path = CHECKER
    if packed:
        path = tmp_path / "autostop.py"
        path.write_bytes(next(f.data for f in autostop().files if f.path.endswith(".py")))
    wait_quiet(jupyter, IDLE * 60 + 0.5)
    p = subprocess.run([python39(), "-S", "-I", str(path), "run", f"jupyter_url={jupyter.url}",
                        f"metadata={instance.metadata}", "log_file=", QUIET],
                       capture_output=True, text=True, timeout=60)
    # Without boto3 (no site-packages here) it gets as far as needing AWS.
    assert "Traceback" not in p.stderr, p.stderr
    assert p.stdout.startswith("not stopping: ModuleNotFoundError"), p.stdout
    p = subprocess.run([python39(), "-S", "-I", str(path), "run", f"jupyter_url={jupyter.url}", "log_file="],
                       capture_output=True, text=True, timeout=60)
    assert re.fullmatch(r"idle since \S+Z \(0\.\d of 60 minutes\): not stopping yet\n", p.stdout), p.stdout
