"""Running built-in recipes in the sandbox: stand-ins in place, probe steps, state snapshots."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lcc_constructs import BuildOptions, RunAs, Scripts, Step, build
from lcc_constructs.sandbox import SimulationResult, simulate

from .helpers import assert_ran_as_planned, simulate_built, who_hook, write_folder, write_script

PROBES = Path(__file__).resolve().parent / "probes"

def probe(tmp_path: Path, name: str, body: str, run_as: RunAs = RunAs.ROOT,
          env: Mapping[str, str] | None = None, files: Mapping[str, str] | None = None) -> Scripts:
    """A step of the test's own (to set the scene, or look at what a recipe did), packed with
    ``files`` under ``probe-<name>/``."""
    folder = write_folder(tmp_path / f"probe-{name}", {f"{name}.sh": "set -u\n" + body, **(files or {})})
    return Scripts.from_folder(folder,
                               steps=[Step(name=name, script=f"{name}.sh", run_as=run_as, env=env or {})],
                               prefix=f"probe-{name}")


def snapshot_probe(*roots: str) -> Scripts:
    """A root step recording the state of ``roots`` after each run (see :func:`snapshots`)."""
    return Scripts.from_folder(PROBES, steps=[
        Step(name="snapshot", script="snapshot.sh", env={"SNAPSHOT_ROOTS": " ".join(roots)})],
        prefix="probes")


def snapshots(result: SimulationResult) -> list[str]:
    """The state recorded by the snapshot probe, one text per run."""
    folder = result.volume / ".lcc-test-snapshots"
    return [(folder / f"run-{i}").read_text() for i in range(1, len(result.runs) + 1)]


def run(tmp_path: Path, scripts: Scripts, *, files: Mapping[str, Path] | None = None,
        runs: int = 1, volume: Path | None = None, wait_background_seconds: float = 10
        ) -> SimulationResult:
    """Build ``scripts`` into an on-start script and run it in the sandbox (changes to / kept
    in ``tmp_path/keep``; the volume is ``tmp_path/volume`` unless given), with the hook that
    makes each notebook user's step say who runs it (helpers.who_hook)."""
    return simulate_built(tmp_path, scripts, files={**who_hook(tmp_path), **(files or {})}, runs=runs,
                          volume=volume, wait_background_seconds=wait_background_seconds)


def assert_all_ok(result: SimulationResult) -> None:
    """Every run succeeded, with every step ok (or started, for background steps), each run by
    the user its plan names (as the step itself said: helpers.assert_ran_as_planned)."""
    for r in result.runs:
        assert not r.would_fail, result.format() + "\n" + r.output
        assert all(s.status in ("ok", "started") for s in r.steps), result.format() + "\n" + r.output
        assert_ran_as_planned(r)


def sandbox_ids(keep: Path, user: str = "ec2-user") -> tuple[int, int]:
    """uid and gid the sandbox gave ``user`` (its /etc/passwd is in the kept changes)."""
    for line in (keep / "etc/passwd").read_text().splitlines():
        parts = line.split(":")
        if parts[0] == user:
            return int(parts[2]), int(parts[3])
    raise KeyError(user)


def calls_probe(tmp_path: Path) -> Scripts:
    """A step printing the stand-ins' call logs (in the sandbox's /run and /tmp, gone with it)."""
    return probe(tmp_path, "calls",
                 "cat /run/lcc-standin-*/calls.log /tmp/lcc-standin-*/calls.log 2>/dev/null || true\n")


def restarts(calls_log: str) -> int:
    """How many times the systemctl stand-in was asked to restart jupyter-server."""
    return sum(1 for line in calls_log.splitlines()
               if line.split()[-3:] == ["--no-block", "restart", "jupyter-server"])


@dataclass
class Server:
    url: str
    #: Paths asked for, in order.
    requests: list[str] = field(default_factory=list)


@contextmanager
def http_server(root: Path) -> Iterator[Server]:
    """A real HTTP server on 127.0.0.1 (a free port) serving the files of ``root``."""
    server_info = Server("")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self) -> None:
            server_info.requests.append(self.path)
            super().do_GET()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_info.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_info
    finally:
        server.shutdown()
        server.server_close()


# --- Studio -----------------------------------------------------------------------------------

#: Studio's build of a script (BuildOptions(platform="studio")).
STUDIO = BuildOptions(platform="studio")
STUDIO_HOME = "/home/sagemaker-user"


def studio_starts(tmp_path: Path, scripts: Scripts, *, starts: int = 2, runs: int = 1,
                  files: Mapping[str, Path] | None = None) -> list[SimulationResult]:
    """Build ``scripts`` for Studio and start a space with it ``starts`` times in the Studio
    sandbox: each start a new container (``/etc``, ``/opt``, ``/tmp`` as the image has them),
    the home ``tmp_path/home`` kept across them, as Studio does; start ``i``'s changes to ``/``
    kept in ``tmp_path/keep-<i>``. ``runs``: runs of the script within each start."""
    script = write_script(tmp_path / "studio-on-start.sh", build(scripts, STUDIO))
    return [simulate(script, platform="studio", volume=tmp_path / "home", keep=tmp_path / f"keep-{i}",
                     runs=runs, files=files) for i in range(starts)]


def assert_studio_ok(results: Sequence[SimulationResult]) -> None:
    """Every run of every start succeeded, every step ok."""
    for result in results:
        for r in result.runs:
            assert not r.would_fail, result.format() + "\n" + r.output
            assert all(s.status in ("ok", "started") for s in r.steps), result.format() + "\n" + r.output


def studio_snapshot_probe(tmp_path: Path, *roots: str) -> Scripts:
    """A root step printing the state of ``roots`` (each entry's path, type, mode, owner, link
    target and content hash; the runs' logs left out): compare its log after two starts."""
    body = ("find $ROOTS -path /home/sagemaker-user/.lifecycle -prune -o -path '*/__pycache__' -prune "
            "-o -print0 | sort -z | while IFS= read -r -d '' p; do h=-; [ -f \"$p\" ] && [ ! -L \"$p\" ] "
            "&& h=$(sha256sum <\"$p\"); printf '%s -> %s %s\\n' \"$(stat -c '%n %F %a %U %G' \"$p\")\" "
            "\"$(readlink \"$p\" || true)\" \"${h%% *}\"; done\n")
    folder = write_folder(tmp_path / "probe-studio-snapshot", {"snapshot.sh": "set -u\n" + body})
    return Scripts.from_folder(folder, steps=[Step(name="snapshot", script="snapshot.sh", run_as=RunAs.ROOT,
                                                   env={"ROOTS": " ".join(roots)})],
                               prefix="probe-studio-snapshot")
