"""Real servers for the autostop tests, on 127.0.0.1 and free ports: moto's server as the AWS
API, and a Jupyter server over HTTPS with a throwaway self-signed certificate (as on the
instance), with kernels made busy and idle for real and terminals typed into."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
import websocket

REGION = "us-east-1"
ACCOUNT = "123456789012"
#: Credentials and endpoint for moto: nothing here can reach AWS.
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{what} not ready after {timeout}s")


def stop_process(proc: subprocess.Popen[Any]) -> None:
    """Terminate a server process, killing it when it does not stop within 15 s."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Moto:
    """moto's server holding SageMaker notebook instances, with the SageMaker calls and test
    controls moto lacks added by tests/moto_sagemaker_ext.py."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.moto_server_ext", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parent.parent)
        wait_until(lambda: urllib.request.urlopen(self.url + "/moto-api/", timeout=2), 60, "moto server")

    @property
    def env(self) -> dict[str, str]:
        return {**FAKE_AWS, "AWS_ENDPOINT_URL": self.url}

    def client(self, service: str = "sagemaker") -> Any:
        return boto3.client(service, endpoint_url=self.url, region_name=REGION,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def notebook(self, name: str | None = None) -> tuple[str, str]:
        """A new notebook instance (moto puts it InService at once): its name and ARN."""
        name = name or f"nb-{uuid.uuid4().hex[:12]}"
        arn = self.client().create_notebook_instance(
            NotebookInstanceName=name, InstanceType="ml.t3.medium",
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/notebook")["NotebookInstanceArn"]
        return name, arn

    def status(self, name: str) -> str:
        described = self.client().describe_notebook_instance(NotebookInstanceName=name)
        return str(described["NotebookInstanceStatus"])

    def close(self) -> None:
        stop_process(self.proc)
        self._log.close()


class Jupyter:
    """A jupyter_server over HTTPS, no token, as the notebook instance runs it. Its environment
    is ``env`` (this process's by default) with its own Jupyter folders under ``root``; the
    connection files of its kernels are in :attr:`runtime`."""

    def __init__(self, root: Path, env: Mapping[str, str] | None = None) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.runtime = root / "runtime"
        cert, key = root / "cert.pem", root / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True)
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        env = {**(os.environ if env is None else env), "JUPYTER_RUNTIME_DIR": str(self.runtime),
               "JUPYTER_DATA_DIR": str(root / "data"), "JUPYTER_CONFIG_DIR": str(root / "config"),
               "IPYTHONDIR": str(root / "ipython")}
        self._log = (root / "jupyter.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
             f"--ServerApp.certfile={cert}", f"--ServerApp.keyfile={key}",
             "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.open_browser=False",
             f"--ServerApp.root_dir={root}", "--allow-root",
             # The test drives kernels through the REST API, without a browser session cookie.
             "--ServerApp.disable_check_xsrf=True"],
            stdout=self._log, stderr=subprocess.STDOUT, env=env)
        self._ssl = ssl.create_default_context()
        self._ssl.check_hostname, self._ssl.verify_mode = False, ssl.CERT_NONE
        wait_until(self._ready, 60, "Jupyter server")

    def _ready(self) -> bool:
        if self.proc.poll() is not None:
            self._log.close()
            raise RuntimeError("the Jupyter server exited:\n" + (self.root / "jupyter.log").read_text())
        return self.api("GET", "/api/status") is not None

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30, context=self._ssl) as r:
            text = r.read()
        return json.loads(text) if text else {}

    def _ws(self, path: str) -> websocket.WebSocket:
        return websocket.create_connection(
            self.url.replace("https", "wss") + path, sslopt={"cert_reqs": ssl.CERT_NONE}, timeout=30)

    def reset(self) -> None:
        """Shut every kernel and terminal down."""
        for k in self.api("GET", "/api/kernels"):
            self.api("DELETE", f"/api/kernels/{k['id']}")
        for t in self.api("GET", "/api/terminals"):
            self.api("DELETE", f"/api/terminals/{t['name']}")

    def start_kernel(self) -> str:
        """A kernel started through the REST API: it stays 'starting' until a client connects."""
        return str(self.api("POST", "/api/kernels", {"name": "python3"})["id"])

    def kernel(self, kernel_id: str) -> dict[str, Any]:
        return dict(self.api("GET", f"/api/kernels/{kernel_id}"))

    def connect(self, kernel_id: str) -> websocket.WebSocket:
        """A client connection to the kernel (as a browser tab has); waits until it is idle."""
        ws = self._ws(f"/api/kernels/{kernel_id}/channels")
        wait_until(lambda: self.kernel(kernel_id)["execution_state"] == "idle", 60, "kernel idle")
        return ws

    def execute(self, ws: websocket.WebSocket, code: str) -> None:
        """Send a cell to run (without waiting for it)."""
        header = {"msg_id": uuid.uuid4().hex, "session": uuid.uuid4().hex, "username": "test",
                  "date": dt.datetime.now(dt.timezone.utc).isoformat(), "msg_type": "execute_request",
                  "version": "5.3"}
        ws.send(json.dumps({
            "header": header, "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))

    def wait_state(self, kernel_id: str, state: str, timeout: float = 60) -> None:
        wait_until(lambda: self.kernel(kernel_id)["execution_state"] == state, timeout, f"kernel {state}")

    def idle_kernel(self, code: str = "x = 1") -> str:
        """A kernel that ran ``code`` and is idle again, with no client connected."""
        kid = self.start_kernel()
        ws = self.connect(kid)
        self.execute(ws, code)
        time.sleep(0.5)
        self.wait_state(kid, "idle")
        ws.close()
        wait_until(lambda: self.kernel(kid)["connections"] == 0, 30, "connection closed")
        return kid

    def start_terminal(self) -> str:
        return str(self.api("POST", "/api/terminals")["name"])

    def type_in_terminal(self, name: str, text: str) -> None:
        ws = self._ws(f"/terminals/websocket/{name}")
        ws.send(json.dumps(["stdin", text + "\r"]))
        time.sleep(0.5)
        ws.close()

    def close(self) -> None:
        stop_process(self.proc)
        self._log.close()


def last_activity_age(item: dict[str, Any]) -> float:
    """Seconds since a kernel's or terminal's last_activity, as Jupyter reports it."""
    when = dt.datetime.strptime(item["last_activity"], "%Y-%m-%dT%H:%M:%S.%f%z")
    return (dt.datetime.now(dt.timezone.utc) - when).total_seconds()
