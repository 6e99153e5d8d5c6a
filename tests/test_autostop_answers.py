"""The autostop checker in doubt (assets/recipes/autostop/autostop.py, docs/recipes/autostop.md):
whatever Jupyter answers that is not the documents it expects (a kernels list that is null, or
whose kernels have no state; a status without the connections it was asked to count), the
checker does not stop the instance and exits 1, saying why. The SageMaker API is moto's server;
Jupyter is a server on 127.0.0.1 answering as the test says. And root's check that cannot even
start the notebook user's Python says so in its one line (in the sandbox)."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lcc_constructs import Scripts

from .helpers import write_folder
from .servers import Moto
from .test_autostop_checker import Instance
from .test_autostop_recipe import install

IDLE_FOR_YEARS = b'{"last_activity": "2020-01-01T00:00:00Z", "connections": 0, "kernels": 1}'


def jupyter_answering(status: bytes, kernels: bytes) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = status if self.path == "/api/status" else kernels
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def instance(moto: Moto, tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return Instance(moto, tmp_path_factory.mktemp("instance"))


@pytest.mark.parametrize(("status", "kernels", "options", "reason"), [
    (IDLE_FOR_YEARS, b"null", [], "TypeError("),
    (IDLE_FOR_YEARS, b'[{"id": "1", "name": "python3"}]', [], "KeyError('execution_state')"),
    (IDLE_FOR_YEARS, b'[{"id": "1", "name": "python3", "execution_state": "idle"}, "x"]', [], "TypeError("),
    (b'{"last_activity": "2020-01-01T00:00:00Z"}', b"[]", ["count_connections=1"], "KeyError('connections')"),
    (b'{"last_activity": null}', b"[]", [], "AttributeError("),
])
def test_an_answer_of_another_shape_never_stops_the_instance(instance: Instance, status: bytes,
                                                             kernels: bytes, options: list[str],
                                                             reason: str) -> None:
    for url in jupyter_answering(status, kernels):
        p = instance.check(url, "idle_minutes=1", *options)
    assert p.returncode == 1, p.stdout + p.stderr
    assert p.stdout.startswith(f"not stopping: {reason}"), p.stdout
    assert instance.status == "InService"


def test_the_same_jupyter_answering_as_expected_stops_it(instance: Instance) -> None:
    # The shapes above are the only difference: answered as Jupyter does, the instance stops.
    kernels = b'[{"id": "1", "name": "python3", "execution_state": "idle"}]'
    for url in jupyter_answering(IDLE_FOR_YEARS, kernels):
        p = instance.check(url, "idle_minutes=1", "count_connections=1")
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.endswith(f": stopping {instance.name}\n"), p.stdout
    assert instance.status == "Stopped"


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_a_check_that_cannot_start_the_users_python_says_so_in_one_line(tmp_path: Path) -> None:
    # Root's check cannot start the notebook user's Python (here: too few file descriptors left
    # for its pipes; on an instance, a fork refused): not stopping, said and logged in one line.
    admin = write_folder(tmp_path / "admin", {"admin.sh": (
        "ulimit -n 6\n/usr/bin/python3 /opt/lcc-autostop/autostop.py check dry_run=1\necho \"rc=$?\"\n")})
    result = install(tmp_path, {}, extra=Scripts.from_folder(admin))
    assert not result.would_fail, result.format()
    log = result.last.step("admin").log.splitlines()
    assert len(log) == 2 and log[1] == "rc=0", log
    assert re.fullmatch(r"\S+Z autostop: not stopping: OSError\(24, 'Too many open files'\)", log[0]), log
    assert (tmp_path / "keep" / "var/log/jupyter.log").read_text().splitlines() == log[:1]
