"""Recipe persistent-bin, run in the sandbox; downloads come from a real HTTP server on
127.0.0.1."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from lcc_constructs import RunAs, Scripts, build, recipes

from .helpers import HOME, without_who
from .recipe_helpers import (
    STUDIO,
    STUDIO_HOME,
    assert_all_ok,
    assert_studio_ok,
    http_server,
    probe,
    run,
    sandbox_ids,
    snapshot_probe,
    snapshots,
    studio_snapshot_probe,
    studio_starts,
)
from .servers import free_port

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]

BIN = f"{HOME}/SageMaker/.bin"
HELLO = b"#!/bin/sh\necho hello from the persistent bin\n"

def path_probes(tmp_path: Path) -> Scripts:
    """PATH and `hello` in a login shell of ec2-user (its steps run in one, as a Jupyter
    terminal does), and root's login PATH."""
    return (probe(tmp_path, "user", 'echo "PATH=$PATH"; hello\n', run_as=RunAs.NOTEBOOK_USER)
            + probe(tmp_path, "root", "bash -l -c 'echo \"PATH=$PATH\"'\n"))


def test_folder_on_path_and_programs_downloaded_once(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "hello").write_bytes(HELLO)
    (site / "tool").write_bytes(b"#!/bin/sh\necho tool\n")
    with http_server(site) as server:
        binaries = {"hello": f"{server.url}/hello", "tool": f"{server.url}/tool",
                    "tampered": f"{server.url}/tool", "missing": f"{server.url}/no-such-file",
                    "offline": f"http://127.0.0.1:{free_port()}/x"}
        sums = {"hello": hashlib.sha256(HELLO).hexdigest(), "tampered": "0" * 64}
        scripts = (recipes.persistent_bin(binaries=binaries, sha256=sums)
                   + path_probes(tmp_path) + snapshot_probe("/etc/profile.d", HOME))
        result = run(tmp_path, scripts, runs=2)
    assert_all_ok(result)
    # What was installed is not downloaded again; what failed is tried again (offline: no
    # request reaches any server).
    assert sorted(server.requests) == sorted(["/hello", "/tool", "/tool", "/no-such-file",
                                              "/tool", "/no-such-file"])
    first, second = (r.step("persistent-bin").log for r in result.runs)
    assert f"hello: installed from {server.url}/hello" in first
    assert f"tampered: not installed, its sha256 is not {'0' * 64}" in first
    assert "missing: not installed, the download failed: " in first and "404" in first
    assert "offline: not installed, the download failed: " in first
    assert f"hello: already in {BIN}" in second
    one, two = snapshots(result)
    assert one == two

    folder = result.volume / ".bin"
    uid, gid = sandbox_ids(tmp_path / "keep")
    assert sorted(p.name for p in folder.iterdir()) == ["hello", "tool"]  # nothing half-written
    for path in (folder, folder / "hello", folder / "tool"):
        st = path.stat()
        assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (uid, gid, 0o755), path
    assert (folder / "hello").read_bytes() == HELLO
    profile = tmp_path / "keep/etc/profile.d/lcc-persistent-bin.sh"
    st = profile.stat()
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (0, 0o644)

    user_log = result.last.step("user").log
    assert f"PATH={BIN}:" in user_log and user_log.count(BIN) == 1  # first, and once
    assert "hello from the persistent bin" in user_log
    assert BIN not in result.last.step("root").log  # root never runs what ec2-user writes


def test_existing_programs_are_kept_and_no_curl_is_no_failure(tmp_path: Path) -> None:
    # Amazon Linux 2023 has curl; without it each download fails, and the step does not.
    (tmp_path / "volume/.bin").mkdir(parents=True)
    (tmp_path / "volume/.bin/hello").write_text("#!/bin/sh\necho my own hello\n")
    (tmp_path / "volume/.bin/hello").chmod(0o755)
    no_curl = probe(tmp_path, "no-curl", "rm -f /usr/bin/curl\n")  # in the sandbox's overlay only
    scripts = no_curl + recipes.persistent_bin(binaries={"hello": "https://example.invalid/h",
                                                         "jq": "https://example.invalid/jq"})
    result = run(tmp_path, scripts + path_probes(tmp_path))
    assert_all_ok(result)
    log = result.last.step("persistent-bin").log
    assert "jq: not installed, the download failed: sudo: curl: command not found" in log
    assert (tmp_path / "volume/.bin/hello").read_text() == "#!/bin/sh\necho my own hello\n"
    assert "my own hello" in result.last.step("user").log


def test_a_folder_ec2_user_cannot_write_is_no_failure(tmp_path: Path) -> None:
    (tmp_path / "volume/.bin").mkdir(parents=True)  # root's, as the test made it
    result = run(tmp_path, recipes.persistent_bin(binaries={"jq": "https://example.invalid/jq"}))
    assert_all_ok(result)
    log = result.last.step("persistent-bin").log
    assert "jq: not installed, the download failed: " in log
    assert list((tmp_path / "volume/.bin").iterdir()) == []


def test_a_file_in_place_of_the_folder_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "volume").mkdir()
    (tmp_path / "volume/.bin").write_text("my notes\n")
    result = run(tmp_path, recipes.persistent_bin())
    assert_all_ok(result)
    assert f"skipped: {BIN} cannot be made a folder" in result.last.step("persistent-bin").log
    assert (tmp_path / "volume/.bin").read_text() == "my notes\n"


def test_a_fifo_planted_where_the_download_goes_costs_seconds(tmp_path: Path) -> None:
    # ec2-user makes the download's temporary file a FIFO nobody reads: curl, which runs as
    # ec2-user, blocks opening it until root's own limit for the download kills it.
    site = tmp_path / "site"
    site.mkdir()
    (site / "hello").write_bytes(HELLO)
    after = probe(tmp_path, "after", "find /etc /home/ec2-user -newer /run/lcc-test-mark -user root "
                  "-not -path '/home/ec2-user/SageMaker/.lifecycle*' -not -path /etc/profile.d\n")
    mark = probe(tmp_path, "mark", "touch /run/lcc-test-mark; sleep 1\n")
    plant = probe(tmp_path, "plant", f"mkdir -p {BIN}; mkfifo {BIN}/.hello.part\n",
                  run_as=RunAs.NOTEBOOK_USER)
    with http_server(site) as server:
        recipe = recipes.persistent_bin(binaries={"hello": f"{server.url}/hello"},
                                        download_timeout_seconds=1)
        result = run(tmp_path, plant + mark + recipe + after)
    assert_all_ok(result)
    step = result.last.step("persistent-bin")
    assert float(step.seconds or 0) < 3 * 1 + 9 + 3, step  # root's limit: 3 attempts and 9 s
    assert "hello: not installed, the download failed" in step.log
    assert without_who(result.last.step("after").log).split() == [
        "/etc/profile.d/lcc-persistent-bin.sh"]
    assert not (tmp_path / "volume/.bin/hello").exists()


# --- Studio -----------------------------------------------------------------------------------

STUDIO_BIN = f"{STUDIO_HOME}/.bin"
#: What the space user's shells see: a login shell, and an interactive one that is not (a
#: terminal of JupyterLab or Code Editor); root's login shell.
SHELLS = ("bash -l -c 'echo \"login PATH=$PATH\"; hello' 2>&1\n"
          "bash -i -c 'echo \"interactive PATH=$PATH\"; hello' 2>/dev/null\n")


def test_on_studio_the_folder_is_in_the_home_first_on_the_users_path_over_two_starts(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "hello").write_bytes(HELLO)
    with http_server(site) as server:
        scripts = (recipes.persistent_bin(binaries={"hello": f"{server.url}/hello"},
                                          sha256={"hello": hashlib.sha256(HELLO).hexdigest()})
                   + probe(tmp_path, "shells", SHELLS, run_as=RunAs.NOTEBOOK_USER)
                   + probe(tmp_path, "root-shell", "bash -l -c 'echo \"PATH=$PATH\"'\n")
                   + probe(tmp_path, "bashrc", "grep -c lcc-persistent-bin /etc/bash.bashrc\n")
                   + studio_snapshot_probe(tmp_path, STUDIO_HOME, "/etc/profile.d/lcc-persistent-bin.sh"))
        # Two starts (new containers, the home kept), each running the script twice.
        starts = studio_starts(tmp_path, scripts, runs=2)
    assert_studio_ok(starts)
    assert server.requests == ["/hello"]  # downloaded once, into the home, which persists
    logs = [r.step("persistent-bin").log for start in starts for r in start.runs]
    assert f"hello: installed from {server.url}/hello" in logs[0]
    assert all(f"hello: already in {STUDIO_BIN}" in log for log in logs[1:])
    assert all(f"{STUDIO_BIN} is first on sagemaker-user's PATH" in log for log in logs)
    for start in starts:
        for r in start.runs:
            assert r.step("persistent-bin").user == "root"  # /etc is root's (through sudo)
            shells = r.step("shells").log
            for kind in ("login", "interactive"):
                line = next(ln for ln in shells.splitlines() if ln.startswith(f"{kind} PATH="))
                assert line.startswith(f"{kind} PATH={STUDIO_BIN}:") and line.count(STUDIO_BIN) == 1, shells
            assert shells.count("hello from the persistent bin") == 2
            assert STUDIO_BIN not in r.step("root-shell").log
            assert r.step("bashrc").log == "1\n"  # sourced from /etc/bash.bashrc, added once
    snaps = [r.step("snapshot").log for start in starts for r in start.runs]
    assert snaps[0] == snaps[1] == snaps[2] == snaps[3]
    home = tmp_path / "home"
    for path in (home / ".bin", home / ".bin/hello"):
        st = path.stat()
        assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (1000, 100, 0o755), path
    assert not (home / "SageMaker").exists()


def test_on_studio_a_folder_option_below_the_volume_goes_below_the_home(tmp_path: Path) -> None:
    scripts = (recipes.persistent_bin(folder="/home/ec2-user/SageMaker/tools/bin")
               + probe(tmp_path, "shells", "bash -l -c 'echo \"$PATH\"'\n", run_as=RunAs.NOTEBOOK_USER))
    (start,) = studio_starts(tmp_path, scripts, starts=1)
    assert_studio_ok([start])
    assert start.last.step("shells").log.startswith(f"{STUDIO_HOME}/tools/bin:")
    assert (tmp_path / "home/tools/bin").is_dir()


def test_on_a_notebook_instance_nothing_of_studio_is_packed() -> None:
    rendered = build(recipes.persistent_bin())
    assert [f.path for f in rendered.report.files] == ["recipes/lib.sh",
                                                       "recipes/persistent-bin/persistent-bin.sh"]
    studio = build(recipes.persistent_bin(), STUDIO)
    assert [f.path for f in studio.report.files] == [
        "recipes/lib.sh", "recipes/persistent-bin/persistent-bin.sh", "recipes/persistent-bin/studio.sh"]
    assert studio.steps[0].script == "recipes/persistent-bin/studio.sh"
