"""The on-instance side, run for real: rendered scripts in the notebook-instance sandbox."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from lcc_constructs import BuildOptions, RunAs, Scripts, Step, build
from lcc_constructs.sandbox import SimulationResult, simulate

from .helpers import tree, write_folder, write_script

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ")


def run(tmp_path: Path, files: dict[str, str | bytes], steps: list[Step] | None = None,
        modes: dict[str, int] | None = None, options: BuildOptions | None = None,
        **kwargs: object) -> SimulationResult:
    folder = write_folder(tmp_path / "scripts", files, modes)
    rendered = build(Scripts.from_folder(folder, steps=steps), options)
    script = write_script(tmp_path / "on-start.sh", rendered)
    kwargs.setdefault("volume", tmp_path / "volume")
    return simulate(script, **kwargs)  # type: ignore[arg-type]


def test_round_trip_files_and_modes(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "run.sh": "#!/bin/bash\necho ran\n",
        "bin/tool": b"\x7fELF\x00\x01binary\xff\xfe",
        "empty": b"",
        "deep/a/b/c/d/e/f/file.txt": "deep\n",
        "name with spaces.txt": "spaces\n",
        "ünïcødé.txt": "unicode\n",
        "x" * 120 + ".txt": "long name\n",
        "keys/id_rsa": "PRIVATE\n",
    }
    modes = {"bin/tool": 0o755, "keys/id_rsa": 0o600, "empty": 0o444, "run.sh": 0o750}
    result = run(tmp_path, files, [Step("run", "run.sh")], modes, keep=tmp_path / "keep")
    assert not result.would_fail
    unpacked = tmp_path / "keep" / "startup" / "on-start" / "scripts"
    assert tree(unpacked) == tree(tmp_path / "scripts")


def test_startup_is_root_owned_and_not_writable_by_the_notebook_user(tmp_path: Path) -> None:
    files = {"run.sh": "echo\n", "world.sh": "echo\n", "suid": "x\n"}
    modes = {"world.sh": 0o777, "suid": 0o4755, "run.sh": 0o755}
    result = run(tmp_path, files, [Step("run", "run.sh")], modes, keep=tmp_path / "keep")
    assert not result.would_fail
    startup = tmp_path / "keep" / "startup"
    for path in [startup, *startup.rglob("*")]:
        st = path.lstat()
        assert (st.st_uid, st.st_gid) == (0, 0), path
        assert not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH | stat.S_ISUID | stat.S_ISGID), path
    assert stat.S_IMODE((startup / "on-start/scripts/world.sh").stat().st_mode) == 0o755
    assert stat.S_IMODE(startup.stat().st_mode) == 0o755


def test_a_failing_step_is_logged_and_the_others_run(tmp_path: Path) -> None:
    files = {"a.sh": "echo before; exit 3\n", "b.sh": "echo second runs\n"}
    result = run(tmp_path, files)
    r = result.last
    assert r.exit_code == 0 and not r.would_fail
    assert (r.step("a").status, r.step("a").exit_code) == ("failed", 3)
    assert r.step("a").reason == "exit code 3"
    assert r.step("b").status == "ok"
    assert "second runs" in r.step("b").log
    assert "[a] " in r.output and "step a: failed (exit 3" in r.output


def test_a_failing_required_step_fails_the_start_after_the_others_ran(tmp_path: Path) -> None:
    files = {"a.sh": "exit 1\n", "b.sh": "echo b\n"}
    result = run(tmp_path, files, [Step("a", "a.sh", required=True), Step("b", "b.sh")])
    assert result.last.exit_code == 1 and result.would_fail
    assert result.last.step("b").status == "ok"
    assert result.last.status is not None and result.last.status["exit_code"] == 1


def test_a_hanging_step_is_killed_with_its_process_group(tmp_path: Path) -> None:
    files = {
        "hang.sh": "sleep 1234 &\nbash -c 'sleep 1235' &\necho started; sleep 1236\n",
        "check.sh": "if pgrep -f 'sleep 123[456]' >/dev/null; then echo ALIVE; else echo GONE; fi\n",
    }
    steps = [Step("hang", "hang.sh", timeout_seconds=2), Step("check", "check.sh")]
    r = run(tmp_path, files, steps).last
    hang = r.step("hang")
    assert hang.status == "timed_out" and hang.timed_out
    assert hang.exit_code in (124, 137)
    assert 2.0 <= (hang.duration_seconds or 0) < 9.0
    assert hang.reason == "killed after 2.00s (step timeout)"
    assert "started" in hang.log
    assert "GONE" in r.step("check").log


def test_a_hanging_notebook_user_step_is_killed_through_sudo(tmp_path: Path) -> None:
    files = {"hang.sh": "sleep 2234 &\nsleep 2235\n",
             "check.sh": "pgrep -f 'sleep 223[45]' >/dev/null && echo ALIVE || echo GONE\n"}
    steps = [Step("hang", "hang.sh", run_as=RunAs.NOTEBOOK_USER, timeout_seconds=2),
             Step("check", "check.sh")]
    r = run(tmp_path, files, steps).last
    assert r.step("hang").status == "timed_out"
    assert "GONE" in r.step("check").log


def test_the_budget_skips_later_foreground_steps(tmp_path: Path) -> None:
    files = {"slow.sh": "sleep 30\n", "next.sh": "echo never\n", "bg.sh": "echo bg ran\n"}
    steps = [Step("slow", "slow.sh"), Step("next", "next.sh"), Step("bg", "bg.sh", background=True)]
    r = run(tmp_path, files, steps, options=BuildOptions(budget_seconds=3)).last
    assert not r.would_fail
    assert r.duration_seconds < 10
    assert r.step("slow").status == "timed_out"
    assert re.fullmatch(r"killed after [23]\.\d\ds \(budget\)", r.step("slow").reason or "")
    nxt = r.step("next")
    assert nxt.status == "skipped" and nxt.skipped and nxt.exit_code is None
    assert nxt.reason is not None and nxt.reason.startswith("budget spent")
    assert r.step("bg").status == "started"  # background steps do not draw on the budget


def test_a_background_step_outlives_the_script(tmp_path: Path) -> None:
    files = {"bg.sh": "sleep 2; echo done late > /tmp/bg-proof; echo finished\n", "fg.sh": "echo fg\n"}
    steps = [Step("bg", "bg.sh", background=True), Step("fg", "fg.sh")]
    result = run(tmp_path, files, steps, wait_background_seconds=15, keep=tmp_path / "keep")
    r = result.last
    assert not r.would_fail and not r.output_held_open
    assert r.duration_seconds < 2  # returned while the background step slept
    assert result.left_running == 0
    bg = r.step("bg")
    assert bg.status == "started"
    assert bg.background_result is not None and bg.background_result["exit_code"] == 0
    assert "finished" in bg.log


def test_a_background_step_past_its_timeout_is_killed(tmp_path: Path) -> None:
    files = {"bg.sh": "sleep 3456 &\nsleep 3457\n"}
    steps = [Step("bg", "bg.sh", background=True, timeout_seconds=1)]
    result = run(tmp_path, files, steps, wait_background_seconds=20)
    bg = result.last.step("bg")
    assert bg.status == "started"
    assert bg.background_result is not None
    assert bg.background_result["status"] == "timed_out" and bg.background_result["timed_out"]
    assert bg.background_result["exit_code"] in (124, 137)
    assert bg.background_result["reason"] == "killed after 1.00s (step timeout)"
    assert result.left_running == 0  # its sleeping child went with it


def test_a_background_step_is_fully_detached(tmp_path: Path) -> None:
    # It reports its session, process group and stdin: a new session, away from the script.
    files = {"bg.sh": "ps -o sid=,pgid= -p $$; readlink /proc/$$/fd/0; echo ppid $PPID\n",
             "fg.sh": "ps -o sid= -p $$\n"}
    steps = [Step("bg", "bg.sh", background=True), Step("fg", "fg.sh")]
    r = run(tmp_path, files, steps, wait_background_seconds=10).last
    bg_log = r.step("bg").log
    assert "/dev/null" in bg_log
    bg_sid = int(bg_log.split()[1])
    fg_sid = int(r.step("fg").log.split()[1])
    assert bg_sid != fg_sid


def test_a_foreground_step_leaving_a_process_does_not_hang_the_script(tmp_path: Path) -> None:
    # The classic mistake: "nohup server &" without redirection keeps the output pipe open.
    files = {"leaky.sh": "sleep 60 &\necho leaked a sleeper\n", "after.sh": "echo after\n"}
    r = run(tmp_path, files, wait_background_seconds=0).last
    assert not r.would_fail and not r.output_held_open
    assert r.duration_seconds < 10
    assert r.step("leaky").status == "ok" and r.step("after").status == "ok"


def test_logs_status_and_their_permissions(tmp_path: Path) -> None:
    files = {"a.sh": "echo line one; echo line two >&2; printf 'no newline'\n",
             "b.py": "print('from python')\n"}
    steps = [Step("a", "a.sh"), Step("b", "b.py", run_as=RunAs.NOTEBOOK_USER, timeout_seconds=30)]
    result = run(tmp_path, files, steps)
    r = result.last
    assert r.run_dir is not None
    log_lines = r.step("a").log.splitlines()
    assert [STAMP.sub("", line) for line in log_lines] == ["line one", "line two", "no newline"]
    assert all(STAMP.match(line) for line in log_lines)
    status = json.loads((r.run_dir / "status.json").read_text())
    assert status["kind"] == "on-start" and status["exit_code"] == 0
    assert status["budget_seconds"] == 240
    assert [(s["name"], s["user"], s["status"], s["exit_code"], s["timed_out"], s["skipped"])
            for s in status["steps"]] == [("a", "root", "ok", 0, False, False),
                                          ("b", "ec2-user", "ok", 0, False, False)]
    assert all(isinstance(s["duration_seconds"], float) for s in status["steps"])
    # Readable by the notebook user, writable by root only.
    state = result.volume / ".lifecycle"
    for path in [state, *state.rglob("*")]:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            continue
        assert st.st_uid == 0, path
        assert st.st_mode & stat.S_IROTH, path
        assert not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH), path
    assert (state / "logs" / "latest-on-start").resolve() == r.run_dir.resolve()


def test_old_runs_are_rotated(tmp_path: Path) -> None:
    result = run(tmp_path, {"a.sh": "echo\n"}, options=BuildOptions(keep_runs=2), runs=4)
    logs = result.volume / ".lifecycle" / "logs"
    runs = sorted(p.name for p in logs.iterdir() if not p.is_symlink())
    assert len(runs) == 2
    assert result.last.run_dir is not None and result.last.run_dir.name == runs[-1]


def test_notebook_user_steps_run_in_a_login_shell_with_their_env(tmp_path: Path) -> None:
    value = "a b 'c' \"d\" $HOME `e` \\f\ng ü"
    files = {
        "profile.sh": "echo 'export FROM_PROFILE=yes' > /etc/profile.d/zz-lcc-test.sh\n",
        "user.sh": 'printf "%s|%s|%s|%s|%s\\n" "$(id -un)" "$HOME" "$FROM_PROFILE" "$PWD" "$LCC_STEP"\n'
                   'printf "%s" "$SPECIAL" > /tmp/special\n'
                   'cmp -s /tmp/special "$LCC_SCRIPTS_DIR/expected" && echo SAME || echo DIFFERENT\n',
        "expected": value,
    }
    steps = [Step("profile", "profile.sh"),
             Step("user", "user.sh", run_as=RunAs.NOTEBOOK_USER, env={"SPECIAL": value})]
    r = run(tmp_path, files, steps).last
    log = r.step("user").log
    assert "ec2-user|/home/ec2-user|yes|/startup/on-start/scripts|user" in log
    assert "SAME" in log


def test_root_steps_see_the_service_environment(tmp_path: Path) -> None:
    files = {"env.sh": 'echo "user=$(id -un) path=$PATH home=$HOME"\n'}
    r = run(tmp_path, files).last
    assert "user=root path=/sbin:bin:/usr/sbin:/usr/bin home=/root" in r.step("env").log


def test_interpreters_shebang_python_and_bash(tmp_path: Path) -> None:
    files = {
        "shebang": "#!/usr/bin/env python3\nimport sys; print('py', sys.version_info[0])\n",
        "plain.py": "print('plain python')\n",
        "noext": "echo \"bash $BASH_VERSION\"\n",
        "args.sh": "#!/bin/bash -e\necho errexit=$-\n",
    }
    steps = [Step(n.split(".")[0], n) for n in files]
    r = run(tmp_path, files, steps).last
    assert "py 3" in r.step("shebang").log
    assert "plain python" in r.step("plain").log
    assert "bash 5" in r.step("noext").log or "bash 4" in r.step("noext").log
    assert "e" in r.step("args").log.split("errexit=")[1]


def test_two_runs_leave_the_same_state_as_one(tmp_path: Path) -> None:
    files = {
        "sys.sh": "printf 'export A=1\\n' > /etc/profile.d/a.sh\nmkdir -p /opt/tool\ntouch /opt/tool/x\n",
        "user.sh": "mkdir -p ~/SageMaker/data && echo hi > ~/SageMaker/data/hello\n",
    }
    steps = [Step("sys", "sys.sh"), Step("user", "user.sh", run_as=RunAs.NOTEBOOK_USER)]
    once = run(tmp_path / "once", files, steps, keep=tmp_path / "once" / "keep")
    twice = run(tmp_path / "twice", files, steps, keep=tmp_path / "twice" / "keep", runs=2)
    assert not once.would_fail and not twice.would_fail

    def state(result: SimulationResult) -> tuple[dict[str, tuple[int, int, int, bytes]], ...]:
        def snap(root: Path, skip: str) -> dict[str, tuple[int, int, int, bytes]]:
            out = {}
            for p in sorted(root.rglob("*")):
                rel = p.relative_to(root).as_posix()
                if rel.startswith(skip):
                    continue
                st = p.lstat()
                data = p.read_bytes() if p.is_file() and not p.is_symlink() else b""
                out[rel] = (st.st_mode, st.st_uid, st.st_gid, data)
            return out
        assert result.keep is not None
        return snap(result.keep, "home/ec2-user/.cache"), snap(result.volume, ".lifecycle/logs")

    assert state(once) == state(twice)


def test_a_planted_symlink_on_the_volume_is_not_followed(tmp_path: Path) -> None:
    volume = tmp_path / "volume"
    victim = tmp_path / "victim"
    victim.mkdir()
    volume.mkdir()
    os.symlink(victim, volume / ".lifecycle")  # what the notebook user could do
    result = run(tmp_path, {"a.sh": "echo\n"}, volume=volume)
    assert not result.would_fail
    assert list(victim.iterdir()) == []
    assert (volume / ".lifecycle").is_dir() and not (volume / ".lifecycle").is_symlink()
    assert [p for p in volume.iterdir() if p.name.startswith(".lifecycle.untrusted-")]


def test_on_create_and_on_start_keep_apart(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "scripts", {"a.sh": "echo $LCC_KIND\n"})
    for kind in ("on-create", "on-start"):
        rendered = build(Scripts.from_folder(folder), BuildOptions(kind=kind))  # type: ignore[arg-type]
        script = write_script(tmp_path / f"{kind}.sh", rendered)
        r = simulate(script, volume=tmp_path / "volume").last
        assert r.step("a").log.rstrip().endswith(kind)
    logs = tmp_path / "volume" / ".lifecycle" / "logs"
    assert {p.name for p in logs.iterdir() if p.is_symlink()} == {"latest-on-create", "latest-on-start"}
