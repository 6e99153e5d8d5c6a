"""The autostop checker (assets/recipes/autostop/autostop.py) against a real Jupyter server
(HTTPS, self-signed, real kernels and terminals) and moto's server as the SageMaker API."""

from __future__ import annotations

import fcntl
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from lcc_constructs.recipes.autostop import autostop

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
        self.state = tmp / "state"

    @property
    def status(self) -> str:
        return self.moto.status(self.name)

    def check(self, jupyter_url: str, *options: str, python: list[str] | None = None,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        cmd = [*(python or [sys.executable]), str(CHECKER), "run", "--jupyter-url", jupyter_url,
               "--metadata", str(self.metadata), "--state-dir", str(self.state), *options]
        base = {"PATH": os.environ["PATH"], "HOME": str(self.state.parent)}
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                              env={**base, **self.moto.env, **(env or {})})


@pytest.fixture
def instance(moto: Moto, tmp_path: Path) -> Instance:
    return Instance(moto, tmp_path)


def wait_idle_for(jupyter: Jupyter, seconds: float) -> None:
    items = jupyter.api("GET", "/api/kernels") + jupyter.api("GET", "/api/terminals")
    wait_until(lambda: all(last_activity_age(i) > seconds for i in items), seconds + 30, "idle")


# -- deciding ------------------------------------------------------------------------------

def test_an_idle_kernel_past_the_idle_time_stops_the_instance(jupyter: Jupyter, instance: Instance) -> None:
    jupyter.idle_kernel()
    wait_idle_for(jupyter, IDLE * 60 + 0.5)
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE))
    assert p.returncode == 0, p.stdout + p.stderr
    assert "(last activity; " in p.stdout and f"stopping {instance.name} (us-east-1)" in p.stdout
    assert instance.status == "Stopped"


def test_an_idle_kernel_within_the_idle_time_does_not(jupyter: Jupyter, instance: Instance) -> None:
    # Idle for seconds: longer than the idle time if its minutes were taken for seconds, far
    # shorter than the minute it is.
    jupyter.idle_kernel()
    wait_idle_for(jupyter, 3)
    p = instance.check(jupyter.url, "--idle-minutes", "1")
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"\(last activity; 0\.\d of 1 minutes\): not stopping yet", p.stdout), p.stdout
    assert instance.status == "InService"


def test_a_busy_kernel_keeps_the_instance(jupyter: Jupyter, instance: Instance) -> None:
    kid = jupyter.start_kernel()
    ws = jupyter.connect(kid)
    jupyter.execute(ws, "import time; time.sleep(120)")
    jupyter.wait_state(kid, "busy")
    time.sleep(IDLE * 60 + 1)  # the cell started longer ago than the idle time
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE))
    assert "active: kernel" in p.stdout and "is busy" in p.stdout, p.stdout
    assert instance.status == "InService"
    # And once the cell is over and the kernel idle for longer than the idle time: stopped.
    jupyter.api("POST", f"/api/kernels/{kid}/interrupt")
    jupyter.wait_state(kid, "idle")
    ws.close()
    wait_idle_for(jupyter, IDLE * 60 + 0.5)
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE))
    assert "stopping" in p.stdout, p.stdout
    assert instance.status == "Stopped"


def test_a_recently_used_terminal_keeps_the_instance(jupyter: Jupyter, instance: Instance) -> None:
    jupyter.idle_kernel()
    term = jupyter.start_terminal()
    wait_idle_for(jupyter, IDLE * 60 + 0.5)
    jupyter.type_in_terminal(term, "echo working")
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE))
    assert "not stopping yet" in p.stdout, p.stdout
    assert instance.status == "InService"
    # Terminals not counted: the kernel alone has been idle long enough.
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE), "--ignore-terminals")
    assert "stopping" in p.stdout and "not stopping" not in p.stdout, p.stdout
    assert instance.status == "Stopped"


def test_an_open_connection_keeps_the_instance_when_configured(jupyter: Jupyter, instance: Instance) -> None:
    kid = jupyter.start_kernel()
    ws = jupyter.connect(kid)  # an open browser tab
    wait_idle_for(jupyter, IDLE * 60 + 0.5)
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE), "--count-connections")
    assert "has 1 connection(s)" in p.stdout, p.stdout
    assert instance.status == "InService"
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE))  # connections do not count
    assert "stopping" in p.stdout, p.stdout
    assert instance.status == "Stopped"
    ws.close()


def test_a_kernel_stuck_starting_counts_only_during_the_grace_period(
        jupyter: Jupyter, instance: Instance) -> None:
    kid = jupyter.start_kernel()  # nobody connects: it stays 'starting'
    assert jupyter.kernel(kid)["execution_state"] == "starting"
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE), "--starting-grace-minutes", "10")
    assert "is starting" in p.stdout, p.stdout
    time.sleep(1.5)
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE), "--starting-grace-minutes", "0.01")
    assert "nothing running" in p.stdout and "not stopping yet" in p.stdout, p.stdout
    assert instance.status == "InService"


def test_with_nothing_running_idle_time_counts_from_the_first_check(
        jupyter: Jupyter, instance: Instance) -> None:
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE))
    assert "(nothing running; 0.0 of" in p.stdout and "not stopping yet" in p.stdout, p.stdout
    first_seen = (instance.state / "nothing-running-since").read_text()
    assert first_seen.endswith("Z")
    time.sleep(IDLE * 60 + 0.5)
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE))
    assert f"idle since {first_seen} (nothing running" in p.stdout and "stopping" in p.stdout, p.stdout
    assert instance.status == "Stopped"


def test_activity_forgets_when_nothing_was_running(jupyter: Jupyter, instance: Instance) -> None:
    instance.check(jupyter.url, "--idle-minutes", str(IDLE))
    assert (instance.state / "nothing-running-since").exists()
    jupyter.start_terminal()
    instance.check(jupyter.url, "--idle-minutes", str(IDLE))
    assert not (instance.state / "nothing-running-since").exists()


def test_an_instance_not_in_service_is_left_alone(jupyter: Jupyter, instance: Instance) -> None:
    instance.moto.client().stop_notebook_instance(NotebookInstanceName=instance.name)
    time.sleep(IDLE * 60 + 0.5)
    instance.check(jupyter.url, "--idle-minutes", str(IDLE))  # first sight of nothing running
    time.sleep(IDLE * 60 + 0.5)
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE))
    assert f"but {instance.name} is Stopped: not stopping" in p.stdout, p.stdout


def test_dry_run_only_says_what_it_would_do(jupyter: Jupyter, instance: Instance) -> None:
    jupyter.idle_kernel()
    wait_idle_for(jupyter, IDLE * 60 + 0.5)
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE), "--dry-run")
    assert f"dry run: would stop {instance.name}" in p.stdout, p.stdout
    assert instance.status == "InService"


def test_without_boto3_it_does_nothing(jupyter: Jupyter, instance: Instance) -> None:
    time.sleep(0.1)
    instance.check(jupyter.url, "--idle-minutes", str(IDLE))
    time.sleep(IDLE * 60 + 0.5)
    # -S -I: this Python without site-packages has no boto3.
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE), python=[sys.executable, "-S", "-I"])
    assert p.returncode == 1
    assert "has no boto3" in p.stdout, p.stdout
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
    (500, b'{"message": "boom"}', "Jupyter answered 500 Internal Server Error to /api/kernels"),
    (403, b"", "Jupyter answered 403 Forbidden to /api/kernels"),
    (200, b"<html>not json", "Jupyter answered /api/kernels with something that is not JSON"),
    (200, b'{"kernels": []}', "Jupyter answered /api/kernels with an unexpected document"),
])
def test_a_misbehaving_jupyter_never_stops_the_instance(
        instance: Instance, status: int, body: bytes, reason: str) -> None:
    for url in serve(status, body):
        for _ in range(2):  # a second check would stop it, if the first had counted as idle
            p = instance.check(url, "--idle-minutes", "0.0001")
            time.sleep(0.1)
    assert p.returncode == 1
    assert f"not stopping: {reason}" in p.stdout, p.stdout
    assert instance.status == "InService"


def test_jupyter_down_never_stops_the_instance(instance: Instance) -> None:
    url = f"https://127.0.0.1:{free_port()}"  # nothing listens there
    p = instance.check(url, "--idle-minutes", "0.0001")
    assert p.returncode == 1
    assert f"not stopping: cannot ask Jupyter at {url}" in p.stdout, p.stdout
    assert instance.status == "InService"


def test_a_time_without_zone_never_stops_the_instance(instance: Instance) -> None:
    kernels = json.dumps([{"id": "k", "name": "python3", "execution_state": "idle", "connections": 0,
                           "last_activity": "2020-01-01T00:00:00.000000"}]).encode()
    for url in serve(200, kernels):
        p = instance.check(url, "--idle-minutes", "0.0001")
    assert "not stopping: Jupyter sent a time without zone" in p.stdout, p.stdout
    assert instance.status == "InService"


def test_missing_metadata_never_stops_the_instance(jupyter: Jupyter, instance: Instance) -> None:
    instance.metadata.unlink()
    p = instance.check(jupyter.url, "--idle-minutes", "0.0001")
    assert p.returncode == 1
    assert f"not stopping: no instance name and region in {instance.metadata}" in p.stdout, p.stdout
    assert instance.status == "InService"


def test_an_aws_error_never_stops_the_instance(jupyter: Jupyter, instance: Instance) -> None:
    other = json.loads(instance.metadata.read_text())
    other["ResourceName"] = "no-such-instance"
    instance.metadata.write_text(json.dumps(other))
    instance.check(jupyter.url, "--idle-minutes", str(IDLE))
    time.sleep(IDLE * 60 + 0.5)
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE))
    assert p.returncode == 1
    assert "not stopping: AWS: ClientError" in p.stdout, p.stdout
    assert instance.status == "InService"


@pytest.mark.parametrize("code", ["ThrottlingException", "AccessDeniedException"])
def test_describe_failing_alone_never_stops_the_instance(jupyter: Jupyter, instance: Instance,
                                                        code: str) -> None:
    # Stop would work; without the instance's status the checker must not go on to it.
    instance.check(jupyter.url, "--idle-minutes", str(IDLE))  # first sight of nothing running
    time.sleep(IDLE * 60 + 0.5)
    fail_action(instance.moto.url, "DescribeNotebookInstance", code)
    try:
        p = instance.check(jupyter.url, "--idle-minutes", str(IDLE))
    finally:
        clear_failures(instance.moto.url)
    assert p.returncode == 1
    assert f"not stopping: AWS: ClientError: An error occurred ({code})" in p.stdout, p.stdout
    assert instance.status == "InService"
    # The same check with Describe answering stops it: Describe alone made the difference.
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE))
    assert f"stopping {instance.name}" in p.stdout and instance.status == "Stopped", p.stdout


def test_an_unreachable_aws_never_stops_the_instance(jupyter: Jupyter, instance: Instance) -> None:
    instance.check(jupyter.url, "--idle-minutes", str(IDLE))
    time.sleep(IDLE * 60 + 0.5)
    p = instance.check(jupyter.url, "--idle-minutes", str(IDLE),
                       env={"AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"})
    assert p.returncode == 1
    assert "not stopping: AWS: EndpointConnectionError" in p.stdout, p.stdout
    assert instance.status == "InService"


def test_one_check_at_a_time(jupyter: Jupyter, instance: Instance) -> None:
    instance.state.mkdir()
    with (instance.state / "lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        p = instance.check(jupyter.url, "--idle-minutes", "0.0001")
    assert "another check is still running" in p.stdout, p.stdout
    assert instance.status == "InService"


def test_decisions_are_appended_to_the_log_file_kept_small(jupyter: Jupyter, instance: Instance,
                                                          tmp_path: Path) -> None:
    log = tmp_path / "autostop.log"
    log.write_text("x" * (1 << 20) + "\n")
    instance.check(jupyter.url, "--log", str(log))
    instance.check(jupyter.url, "--log", str(log))
    assert (tmp_path / "autostop.log.1").stat().st_size > 1 << 20
    lines = log.read_text().splitlines()
    assert len(lines) == 2 and all(" autostop: idle since " in ln for ln in lines)


# -- the program itself --------------------------------------------------------------------

def checker_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("autostop_checker", CHECKER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-25T21:48:14.995000Z", "2026-11-25T21:48:14.995000+00:00"),
    ("2026-11-25T21:48:14Z", "2026-11-25T21:48:14+00:00"),
    ("2026-11-25T23:48:14.5+02:00", "2026-11-25T21:48:14.500000+00:00"),
])
def test_times_are_timezone_aware_utc(text: str, expected: str) -> None:
    assert checker_module().parse_time(text).isoformat() == expected


def test_naive_times_are_refused() -> None:
    mod = checker_module()
    with pytest.raises(mod.Unsure):
        mod.parse_time("2026-11-25T21:48:14.995000")


def test_jupyter_elsewhere_is_never_asked(instance: Instance, tmp_path: Path) -> None:
    # The token goes with the question, and certificates are not checked: only this instance's
    # own Jupyter, on loopback, is asked.
    token = tmp_path / "token"
    token.write_text("secret")
    for url in ("https://jupyter.example.com:8443", "https://localhost.example.com"):
        p = instance.check(url, "--token-file", str(token))
        assert p.returncode == 1
        assert f"not stopping: jupyter_url {url} is not on this instance (localhost)" in p.stdout, p.stdout
    assert instance.status == "InService"


class NeedsToken(Misbehaving):
    """Answers the API only with the token (as a Jupyter that requires one)."""

    def do_GET(self) -> None:
        ok = self.headers.get("Authorization") == "token right"
        self.status, self.body = (200, b"[]") if ok else (403, b"")
        super().do_GET()


def test_the_token_goes_to_the_local_jupyter(instance: Instance, tmp_path: Path) -> None:
    token = tmp_path / "token"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NeedsToken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://localhost:{server.server_address[1]}"
    try:
        token.write_text("wrong\n")
        assert "not stopping: Jupyter answered 403" in instance.check(url, "--token-file", str(token)).stdout
        token.write_text("right\n")
        p = instance.check(url, "--token-file", str(token))
        assert "idle since" in p.stdout and "(nothing running" in p.stdout, p.stdout
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
    p = subprocess.run([python39(), "-S", "-I", str(path), "run", "--jupyter-url", jupyter.url,
                        "--metadata", str(instance.metadata), "--state-dir", str(instance.state)],
                       capture_output=True, text=True, timeout=60)
    # Without boto3 (no site-packages here) it gets as far as needing AWS, or says it is idle.
    assert "Traceback" not in p.stderr, p.stderr
    assert " autostop: " in p.stdout and ("idle since" in p.stdout or "active" in p.stdout), p.stdout
