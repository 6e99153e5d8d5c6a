"""The on-instance side, run for real: rendered scripts in the notebook-instance sandbox.

Root's record of a run is /var/log/lcc-constructs/<run>/ on the root file system, written by
root alone; the copy on the persistent volume (~/SageMaker/.lifecycle) is the notebook user's,
made by that user after each step. Besides what the runner does, the notebook user attacks it
here as it could on an instance: from a step of its own, from a program it left running, from a
program it planted on its PATH, with files planted on the volume before a start, and by filling
the volume. Each attack test asserts that nothing changed outside what that user could change
anyway and root's own places, that every step still ran, and that root's record of it is whole.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from lcc_constructs import BuildOptions, RunAs, Scripts, Step, build, recipes
from lcc_constructs.limits import ROOT_LOG_DIR, SHOWN_OUTPUT_BYTES, VOLUME_COPY_BYTES
from lcc_constructs.sandbox import RunResult, SimulationResult, simulate
from lcc_constructs.sandbox._inner import free_id

from .helpers import WHOAMI, ran_as, tree, who_hook, without_who, write_folder, write_script

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]


def run(tmp_path: Path, files: dict[str, str | bytes], steps: list[Step] | None = None,
        modes: dict[str, int] | None = None, options: BuildOptions | None = None,
        extra: Scripts | None = None, sandbox_files: dict[str, Path] | None = None,
        **kwargs: object) -> SimulationResult:
    """Build ``files`` (and ``extra``) into an on-start script and simulate it (``sandbox_files``
    are simulate's ``files=``)."""
    folder = write_folder(tmp_path / "scripts", files, modes)
    scripts = Scripts.from_folder(folder, steps=steps)
    rendered = build(scripts + extra if extra else scripts, options)
    script = write_script(tmp_path / "on-start.sh", rendered)
    kwargs.setdefault("volume", tmp_path / "volume")
    kwargs.setdefault("records", tmp_path / "records")  # root's record: RunResult.run_dir
    return simulate(script, files=sandbox_files, **kwargs)  # type: ignore[arg-type]


#: Root's record of the runs, as a path relative to / (and to ``keep=``).
ROOT_LOGS = ROOT_LOG_DIR.lstrip("/")


def changes_outside(keep: Path, *allowed: str) -> list[str]:
    """Paths the run changed in / (the sandbox's copy-on-write layer) outside what the
    sandbox itself sets up (the notebook user's account), root's own places (the unpack folder
    and its record of the runs), the notebook user's home and ``allowed``."""
    ours = ("etc/passwd", "etc/group", "etc/shadow", "startup", ROOT_LOGS, "home/ec2-user", *allowed)
    return sorted(p.relative_to(keep).as_posix() for p in keep.rglob("*")
                  if not any(p.relative_to(keep).as_posix() == a or
                             p.relative_to(keep).as_posix().startswith(a + "/") for a in ours)
                  and not any(a.startswith(p.relative_to(keep).as_posix() + "/") for a in ours))


def run_folder(logs: Path) -> Path:
    """The only run folder under ``logs``."""
    runs = [p for p in logs.iterdir() if p.is_dir() and not p.is_symlink()]
    assert len(runs) == 1, runs
    return runs[0]


def status_of(logs: Path) -> dict[str, object]:
    """status.json of the only run folder under ``logs``."""
    return json.loads((run_folder(logs) / "status.json").read_text())  # type: ignore[no-any-return]


def statuses(status: dict[str, object]) -> dict[str, str]:
    return {s["name"]: s["status"] for s in status["steps"]}  # type: ignore[attr-defined, index]


def record(result: SimulationResult, run: RunResult | None = None) -> Path:
    """Root's record of ``run`` (the last by default) as the sandbox left it, owners and modes
    included: its folder in the copy of the sandbox's changes (simulate's ``keep=``)."""
    run = run or result.last
    assert result.keep is not None and run.run_dir is not None
    return result.keep / ROOT_LOGS / run.run_dir.name


def assert_recorded(result: SimulationResult, logs: dict[str, str], run: RunResult | None = None) -> None:
    """Root's record of ``run`` is whole and root's alone: the folders and every file in them
    root's, writable by root only, readable by all, no link or other planted thing among them;
    status.json says each step of ``logs`` (all of the run's) ended ok, and each step's log
    holds exactly what the step printed."""
    folder = record(result, run)
    for path in [folder.parent, folder, *folder.iterdir()]:
        st = path.lstat()
        assert stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode), path
        assert st.st_uid == 0 and st.st_mode & stat.S_IROTH, path
        assert not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH), path
    status = json.loads((folder / "status.json").read_text())
    assert statuses(status) == dict.fromkeys(logs, "ok"), status
    assert status["exit_code"] == 0 and status["finished"] is not None
    for name, text in logs.items():
        assert (folder / f"{name}.log").read_text() == text, name


def notebook_uid() -> int:
    """The sandbox's ec2-user: the first free uid from 1000 (lcc_constructs.sandbox._inner)."""
    return free_id(Path("/etc/passwd"))


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
    result = run(tmp_path, files, [Step(name="run", script="run.sh")], modes, keep=tmp_path / "keep")
    assert not result.would_fail
    unpacked = tmp_path / "keep" / "startup" / "on-start" / "scripts"
    assert tree(unpacked) == tree(tmp_path / "scripts")


def test_startup_is_root_owned_and_not_writable_by_the_notebook_user(tmp_path: Path) -> None:
    files = {"run.sh": "echo\n", "world.sh": "echo\n", "suid": "x\n"}
    modes = {"world.sh": 0o777, "suid": 0o4755, "run.sh": 0o755}
    result = run(tmp_path, files, [Step(name="run", script="run.sh")], modes, keep=tmp_path / "keep")
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
    assert "[a] before" in r.output and 'step a: failed "exit code 3"' in r.output


def test_a_failing_required_step_fails_the_start_after_the_others_ran(tmp_path: Path) -> None:
    files = {"a.sh": "exit 1\n", "b.sh": "echo b\n"}
    result = run(tmp_path, files, [Step(name="a", script="a.sh", required=True),
                                   Step(name="b", script="b.sh")])
    assert result.last.exit_code == 1 and result.would_fail
    assert result.last.step("b").status == "ok"
    assert result.last.status is not None and result.last.status["exit_code"] == 1


def test_a_required_step_that_times_out_fails_the_start(tmp_path: Path) -> None:
    files = {"slow.sh": "sleep 30\n", "b.sh": "echo b\n"}
    r = run(tmp_path, files, [Step(name="slow", script="slow.sh", timeout_seconds=1, required=True),
                              Step(name="b", script="b.sh")]).last
    assert r.step("slow").status == "timed_out"
    assert r.exit_code == 1 and r.would_fail
    assert r.step("b").status == "ok"


def test_a_required_step_skipped_by_the_budget_fails_the_start(tmp_path: Path) -> None:
    files = {"slow.sh": "sleep 30\n", "late.sh": "echo never\n"}
    r = run(tmp_path, files, [Step(name="slow", script="slow.sh"),
                              Step(name="late", script="late.sh", required=True)],
            options=BuildOptions(budget_seconds=2)).last
    assert r.step("late").status == "skipped"
    assert r.exit_code == 1 and r.would_fail


KILLED_CHECK = "if pgrep -f 'sleep 123[4567]' >/dev/null; then echo ALIVE; else echo GONE; fi\n"


@pytest.mark.parametrize("run_as", [RunAs.ROOT, RunAs.NOTEBOOK_USER])
def test_a_hanging_step_is_killed_with_its_whole_group(tmp_path: Path, run_as: RunAs) -> None:
    files = {
        # A child, a grandchild, and one that ignores SIGTERM: after the grace, SIGKILL gets it.
        "hang.sh": WHOAMI + "sleep 1234 &\nbash -c 'sleep 1235' &\n"
                   "bash -c 'trap \"\" TERM; sleep 1236 & wait' &\necho started; sleep 1237\n",
        "check.sh": KILLED_CHECK,
    }
    steps = [Step(name="hang", script="hang.sh", timeout_seconds=2, run_as=run_as),
             Step(name="check", script="check.sh")]
    r = run(tmp_path, files, steps).last
    hang = r.step("hang")
    assert hang.status == "timed_out" and hang.timed_out
    assert hang.exit_code in (124, 137)
    assert 2.0 <= (hang.seconds or 0) < 9.0
    assert hang.reason == "killed after 2.00s (step timeout)"
    assert "started" in hang.log and ran_as(hang.log) == [run_as.value]
    assert "GONE" in r.step("check").log


def test_the_budget_skips_later_foreground_steps(tmp_path: Path) -> None:
    files = {"slow.sh": "sleep 30\n", "next.sh": "echo never\n", "bg.sh": "echo bg ran\n"}
    steps = [Step(name="slow", script="slow.sh"),
             Step(name="next", script="next.sh"),
             Step(name="bg", script="bg.sh", background=True)]
    r = run(tmp_path, files, steps, options=BuildOptions(budget_seconds=3)).last
    assert not r.would_fail
    assert r.duration_seconds < 10
    assert r.step("slow").status == "timed_out"
    assert re.fullmatch(r"killed after [23]\.\d\ds \(budget\)", r.step("slow").reason or "")
    nxt = r.step("next")
    assert nxt.status == "skipped" and nxt.skipped and nxt.exit_code is None
    assert nxt.reason is not None and nxt.reason.startswith("budget spent")
    assert r.step("bg").status == "started"  # background steps do not draw on the budget


def test_status_json_holds_each_finished_step_while_later_steps_run(tmp_path: Path) -> None:
    reader = WHOAMI + "cat /home/ec2-user/SageMaker/.lifecycle/logs/latest-on-start/status.json\n"
    files = {"a.sh": "echo a\n", "b.sh": "exit 4\n", "c.sh": reader}
    steps = [Step(name="a", script="a.sh"),
             Step(name="b", script="b.sh"),
             Step(name="c", script="c.sh", run_as=RunAs.NOTEBOOK_USER)]
    r = run(tmp_path, files, steps).last
    assert ran_as(r.step("c").log) == ["ec2-user"]
    seen = json.loads(without_who(r.step("c").log))
    assert statuses(seen) == {"a": "ok", "b": "failed", "c": "pending"}
    assert seen["finished"] is None and seen["exit_code"] == 0
    assert [s["exit_code"] for s in seen["steps"]] == [0, 4, None]


def test_a_background_step_outlives_the_script(tmp_path: Path) -> None:
    files = {"bg.sh": "sleep 2; echo done late > /tmp/bg-proof; echo finished\n", "fg.sh": "echo fg\n"}
    steps = [Step(name="bg", script="bg.sh", background=True), Step(name="fg", script="fg.sh")]
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
    files = {"bg.sh": "sleep 3456 &\nbash -c 'trap \"\" TERM; sleep 3458' &\nsleep 3457\n"}
    steps = [Step(name="bg", script="bg.sh", background=True, timeout_seconds=1)]
    result = run(tmp_path, files, steps, wait_background_seconds=20)
    bg = result.last.step("bg")
    assert bg.status == "started"
    assert bg.background_result is not None
    assert bg.background_result["status"] == "timed_out"
    assert bg.background_result["exit_code"] in (124, 137)
    assert bg.background_result["reason"] == "killed after 1.00s (step timeout)"
    assert result.left_running == 0  # its children went with it, the one ignoring SIGTERM too


def test_a_background_step_is_fully_detached(tmp_path: Path) -> None:
    # It reports its session and stdin: a new session, away from the script.
    files = {"bg.sh": "ps -o sid= -p $$; readlink /proc/$$/fd/0\n", "fg.sh": "ps -o sid= -p $$\n"}
    steps = [Step(name="bg", script="bg.sh", background=True), Step(name="fg", script="fg.sh")]
    r = run(tmp_path, files, steps, wait_background_seconds=10).last
    bg_log = r.step("bg").log
    assert "/dev/null" in bg_log
    assert int(bg_log.split()[0]) != int(r.step("fg").log.split()[0])


def test_a_background_step_whose_interpreter_is_missing_is_recorded_as_failed(tmp_path: Path) -> None:
    # It fails with the shell's word on it in its log.
    files = {"bg.sh": "#!/usr/bin/no-such-interpreter\necho never\n"}
    r = run(tmp_path, files, [Step(name="bg", script="bg.sh", background=True)],
            wait_background_seconds=10).last
    assert r.step("bg").background_result is not None
    assert r.step("bg").background_result["status"] == "failed"
    assert r.step("bg").background_result["exit_code"] == 127
    assert "no-such-interpreter" in r.step("bg").log


def test_steps_get_sigpipe_as_a_shell_gives_it(tmp_path: Path) -> None:
    # python3 (the loader) ignores SIGPIPE, and an ignored signal is inherited through exec:
    # the writer of a pipe whose reader left would get errors instead of its end, and a loop
    # of the shell's own echo would run until the step's timeout.
    files = {"pipe.sh": "yes | head -n 2\nwhile :; do echo x; done | head -n 1\n"}
    for run_as in RunAs:
        step = run(tmp_path / run_as.value, files, [Step(name="pipe", script="pipe.sh", run_as=run_as,
                                                         timeout_seconds=10)]).last.step("pipe")
        assert (step.status, step.log) == ("ok", "y\ny\nx\n")


def test_a_foreground_step_leaving_a_process_does_not_hang_the_script(tmp_path: Path) -> None:
    # The classic mistake: "nohup server &" without redirection keeps the output open.
    files = {"leaky.sh": "sleep 60 &\necho leaked a sleeper\n", "after.sh": "echo after\n"}
    r = run(tmp_path, files, wait_background_seconds=0).last
    assert not r.would_fail and not r.output_held_open
    assert r.duration_seconds < 10
    assert r.step("leaky").status == "ok" and r.step("after").status == "ok"


def test_logs_status_and_who_owns_them(tmp_path: Path) -> None:
    files = {"a.sh": "echo line one; echo line two >&2; printf 'no newline'\n",
             "b.py": "import subprocess\nprint('from python')\n"
                     "who = subprocess.run(['id', '-un'], capture_output=True, text=True).stdout\n"
                     "print('who=' + who.strip())\n"}
    steps = [Step(name="a", script="a.sh"),
             Step(name="b", script="b.py", run_as=RunAs.NOTEBOOK_USER, timeout_seconds=30)]
    result = run(tmp_path, files, steps, keep=tmp_path / "keep")
    r = result.last
    assert r.run_dir is not None
    assert r.step("a").log.splitlines() == ["line one", "line two", "no newline"]
    assert ran_as(r.step("b").log) == ["ec2-user"]
    status = json.loads((r.run_dir / "status.json").read_text())
    assert status["schema"] == 3 and status["kind"] == "on-start" and status["exit_code"] == 0
    assert status["budget_seconds"] == 240 and status["run"] == r.run_dir.name
    assert [(s["name"], s["user"], s["status"], s["exit_code"], s["reason"]) for s in status["steps"]] \
        == [("a", "root", "ok", 0, None), ("b", "ec2-user", "ok", 0, None)]
    assert all(isinstance(s["seconds"], float) for s in status["steps"])
    runner_log = (r.run_dir / "runner.log").read_text()
    assert "step a: start as root" in runner_log and "step b: ok" in runner_log
    # The last line of the output is the whole status, for the service's log (lcc logs).
    assert json.loads(r.output.splitlines()[-1].split(": done ", 1)[1]) == status
    # Root's record: root's alone, readable by the notebook user.
    assert_recorded(result, {"a": "line one\nline two\nno newline", "b": "from python\nwho=ec2-user\n"})
    # The copy on the volume: the notebook user's, the same files, the latest run named.
    state = result.volume / ".lifecycle"
    for path in [state, *state.rglob("*")]:
        assert path.lstat().st_uid == notebook_uid(), path
    copy = state / "logs" / "latest-on-start"
    assert copy.is_symlink() and os.readlink(copy) == r.run_dir.name
    # The same files; the last copy is made before the runner's last line (the summary).
    copied, recorded = tree(copy), tree(record(result))
    mode, log = recorded["runner.log"]
    recorded["runner.log"] = (mode, log[:log.rindex(b"\n", 0, -1) + 1])
    assert copied == recorded and b": done {" in log.splitlines()[-1]


def test_old_runs_are_rotated_in_the_copy_on_the_volume(tmp_path: Path) -> None:
    result = run(tmp_path, {"a.sh": "echo\n"}, options=BuildOptions(keep_runs=2), runs=4)
    logs = result.volume / ".lifecycle" / "logs"
    runs = sorted(p.name for p in logs.iterdir() if not p.is_symlink())
    # The last two runs (root's record of all four lives on the root file system, reset at
    # every start of a real instance).
    assert runs == [r.run_dir.name for r in result.runs[2:] if r.run_dir is not None]


def test_notebook_user_steps_run_in_a_login_shell_from_its_home(tmp_path: Path) -> None:
    value = "a b 'c' \"d\" $HOME `e` \\f\ng ü"
    files = {
        "profile.sh": "echo 'export FROM_PROFILE=yes' > /etc/profile.d/zz-lcc-test.sh\n",
        "user.sh": 'printf "%s|%s|%s|%s|%s\\n" "$(id -un)" "$HOME" "$FROM_PROFILE" "$PWD" "$LCC_STEP"\n'
                   'printf "%s" "$SPECIAL" > /tmp/special\n'
                   'cmp -s /tmp/special "$LCC_SCRIPTS_DIR/expected" && echo SAME || echo DIFFERENT\n',
        "expected": value,
    }
    steps = [Step(name="profile", script="profile.sh"),
             Step(name="user", script="user.sh", run_as=RunAs.NOTEBOOK_USER, env={"SPECIAL": value})]
    r = run(tmp_path, files, steps).last
    log = r.step("user").log
    assert "ec2-user|/home/ec2-user|yes|/home/ec2-user|user" in log
    assert "SAME" in log


def test_step_variables_named_like_the_runners_own_arrive(tmp_path: Path) -> None:
    files = {"a.sh": WHOAMI + 'echo "[$N|$C|$k|$T]"\n'}
    env = {"N": "n", "C": "c", "k": "kind?", "T": "t"}
    # sagemaker-user is Studio's name of the notebook's user: ec2-user here.
    for run_as, user in [(RunAs.ROOT, "root"), (RunAs.NOTEBOOK_USER, "ec2-user"),
                         (RunAs.STUDIO_USER, "ec2-user"), (None, "root")]:
        r = run(tmp_path / str(run_as), files, [Step(name="a", script="a.sh", env=env, run_as=run_as)]).last
        assert "[n|c|kind?|t]" in r.step("a").log
        assert ran_as(r.step("a").log) == [user]


def test_root_steps_start_in_slash_with_absolute_folders_on_their_path_and_roots_home(
        tmp_path: Path) -> None:
    # The service's PATH holds "bin", relative: a root step in /home/ec2-user/SageMaker would
    # run the notebook user's SageMaker/bin/git. Root steps start in / (never in a folder of
    # the notebook user's, not even root's own log folder), get absolute folders only, and
    # root's home whatever HOME the script was started with (a .bashrc or .gitconfig of the
    # notebook user's must never be root's).
    files = {"env.sh": 'echo "user=$(id -un) cwd=$PWD path=$PATH home=$HOME"\n'}
    r = run(tmp_path, files, env={"HOME": "/home/ec2-user"}).last
    assert r.step("env").log == "user=root cwd=/ path=/usr/sbin:/usr/bin:/sbin:/bin home=/root\n"


def test_interpreters_shebang_python_and_bash(tmp_path: Path) -> None:
    files = {
        "shebang": "#!/usr/bin/env python3\nimport sys; print('py', sys.version_info[0])\n",
        "plain.py": "print('plain python')\n",
        "noext": "echo \"bash $BASH_VERSION\"\n",
        "args.sh": "#!/bin/bash -e\necho errexit=$-\n",
    }
    steps = [Step(name=n.split(".")[0], script=n) for n in files]
    r = run(tmp_path, files, steps).last
    assert "py 3" in r.step("shebang").log
    assert "plain python" in r.step("plain").log
    assert "bash 5" in r.step("noext").log
    assert "e" in r.step("args").log.split("errexit=")[1]


def test_two_runs_leave_the_same_state_as_one(tmp_path: Path) -> None:
    files = {
        "sys.sh": "printf 'export A=1\\n' > /etc/profile.d/a.sh\nmkdir -p /opt/tool\ntouch /opt/tool/x\n",
        "user.sh": WHOAMI + "mkdir -p ~/SageMaker/data && echo hi > ~/SageMaker/data/hello\n",
    }
    steps = [Step(name="sys", script="sys.sh"),
             Step(name="user", script="user.sh", run_as=RunAs.NOTEBOOK_USER)]
    once = run(tmp_path / "once", files, steps, keep=tmp_path / "once" / "keep")
    twice = run(tmp_path / "twice", files, steps, keep=tmp_path / "twice" / "keep", runs=2)
    assert not once.would_fail and not twice.would_fail
    assert [ran_as(r.step("user").log) for r in (*once.runs, *twice.runs)] == [["ec2-user"]] * 3

    def state(result: SimulationResult) -> tuple[dict[str, tuple[int, int, int, bytes]], ...]:
        def snap(root: Path, skip: tuple[str, ...]) -> dict[str, tuple[int, int, int, bytes]]:
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
        # Run folders are named by the time: those of root's record and of its copy differ.
        return (snap(result.keep, ("home/ec2-user/.cache", ROOT_LOGS)),
                snap(result.volume, (".lifecycle/logs",)))

    assert state(once) == state(twice)


def test_on_create_and_on_start_keep_apart(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "scripts", {"a.sh": "echo $LCC_KIND\n"})
    for kind in ("on-create", "on-start"):
        rendered = build(Scripts.from_folder(folder), BuildOptions(kind=kind))  # type: ignore[arg-type]
        script = write_script(tmp_path / f"{kind}.sh", rendered)
        r = simulate(script, volume=tmp_path / "volume").last
        assert r.step("a").log.rstrip().endswith(kind)
    logs = tmp_path / "volume" / ".lifecycle" / "logs"
    assert {p.name for p in logs.iterdir() if p.is_symlink()} == {"latest-on-create", "latest-on-start"}


# --- the notebook user attacks ---------------------------------------------------------------
# Root's v2 runner wrote its logs into ~/SageMaker/.lifecycle: each of these attacks (or faults)
# made root write where the notebook user chose, or silenced or failed steps. Now root writes
# only to its own record, and the notebook user's copy of it is that user's to break.

#: What the notebook user does to the logs during a start: moves the state folder away and puts
#: a fake one in its place, holding this run's folder (named as in root's record, which anyone
#: may read) with symlinks, under every name the copy writes (and its temporary ".name"), to what
#: root must never write or show: a root step's script, root's home, /etc/shadow.
FAKE_STATE = r"""
cd ~/SageMaker
run=$(cd /var/log/lcc-constructs && ls -d -- *-on-start | tail -n 1)
mv .lifecycle .lifecycle.real
mkdir -p ".lifecycle/logs/$run"
ln -s "$run" .lifecycle/logs/latest-on-start
for name in later.log later.result.json runner.log status.json; do
  ln -s /startup/on-start/scripts/later.sh ".lifecycle/logs/$run/$name"
  ln -s /startup/on-start/scripts/later.sh ".lifecycle/logs/$run/.$name"
done
ln -sf /etc/shadow ".lifecycle/logs/$run/later.log"
ln -sf /root/planted ".lifecycle/logs/$run/status.json"
echo "state folder swapped"
"""


def assert_unharmed(result: SimulationResult, later: str = "echo later as $(id -un)\n",
                    allowed: tuple[str, ...] = ()) -> None:
    """Nothing outside the notebook user's reach and root's own places changed, and root's
    output shows no secret."""
    assert result.keep is not None
    assert changes_outside(result.keep, *allowed) == []
    assert (result.keep / "startup/on-start/scripts/later.sh").read_text() == later
    assert not (result.keep / "root").exists()
    assert ":$" not in result.last.output and "root:" not in result.last.output


def test_a_notebook_user_step_swapping_the_state_folder_changes_nothing_of_roots(tmp_path: Path) -> None:
    files = {"first.sh": "echo first\n", "attack.sh": WHOAMI + FAKE_STATE,
             "later.sh": "echo later as $(id -un)\n", "last.sh": WHOAMI}
    # After the first step, the notebook user's copy of the run is on the volume.
    steps = [Step(name="first", script="first.sh"),
             Step(name="attack", script="attack.sh", run_as=RunAs.NOTEBOOK_USER),
             Step(name="later", script="later.sh", required=True),
             Step(name="last", script="last.sh", run_as=RunAs.NOTEBOOK_USER, required=True)]
    result = run(tmp_path, files, steps, keep=tmp_path / "keep")
    r = result.last
    assert r.exit_code == 0, r.output
    assert_unharmed(result)
    assert_recorded(result, {"first": "first\n", "attack": "who=ec2-user\nstate folder swapped\n",
                             "later": "later as root\n", "last": "who=ec2-user\n"})
    # The fake folder got the notebook user's copy: its links replaced, nothing followed.
    assert r.run_dir is not None
    fake = result.volume / ".lifecycle" / "logs" / r.run_dir.name
    assert (fake / "later.log").read_text() == "later as root\n" and not (fake / "later.log").is_symlink()
    assert statuses(json.loads((fake / "status.json").read_text())) == {
        "first": "ok", "attack": "ok", "later": "ok", "last": "ok"}


def test_a_planted_program_on_the_notebook_users_path_changes_nothing_of_roots(tmp_path: Path) -> None:
    # persistent-bin puts ~/SageMaker/.bin first on ec2-user's PATH; a "git" planted there
    # before the start runs when the git-config recipe runs git, as ec2-user.
    volume = tmp_path / "volume"
    (volume / ".bin").mkdir(parents=True)
    (volume / ".bin" / "git").write_text("#!/bin/bash\n" + FAKE_STATE + 'exec /usr/bin/git "$@"\n')
    (volume / ".bin" / "git").chmod(0o755)
    files = {"later.sh": "echo later as $(id -un)\n"}
    extra = recipes.persistent_bin() + recipes.git_config(user_name="x") + Scripts.from_folder(
        write_folder(tmp_path / "more", {"later.sh": "echo later as $(id -un)\n"}), prefix="more")
    hook = who_hook(tmp_path)
    result = run(tmp_path, files, [], extra=extra, keep=tmp_path / "keep", volume=volume, sandbox_files=hook)
    assert result.last.exit_code == 0
    assert_unharmed(result, allowed=("etc/profile.d/lcc-persistent-bin.sh", *(p.lstrip("/") for p in hook)))
    folder = record(result)
    assert statuses(status_of(folder.parent)) == {"persistent-bin": "ok", "git-config": "ok", "later": "ok"}
    assert (folder / "later.log").read_text() == "later as root\n"
    git_log = (folder / "git-config.log").read_text()
    assert ran_as(git_log) == ["ec2-user"] and "state folder swapped" in git_log


#: Each way the notebook user takes the state folder (or the whole volume's top) away in the
#: middle of a start; "read-only" leaves the copy no place at all.
TAKE_AWAY = {
    "moved": "mv .lifecycle gone",
    "removed": "rm -rf .lifecycle",
    "emptied-volume": "rm -rf -- * .[!.]*",
    "link-to-etc": "rm -rf .lifecycle; ln -s /etc .lifecycle",
    "link-to-tmp": "rm -rf .lifecycle; ln -s /tmp .lifecycle",
    "file": "rm -rf .lifecycle; echo x >.lifecycle",
    "read-only": "rm -rf .lifecycle; chmod 555 .",
}


@pytest.mark.parametrize("attack", TAKE_AWAY)
def test_removing_or_replacing_the_state_folder_during_a_run_silences_no_step(
        tmp_path: Path, attack: str) -> None:
    files = {"first.sh": "echo first\n",
             "attack.sh": WHOAMI + f"cd ~/SageMaker && {TAKE_AWAY[attack]}; echo done\n",
             "later.sh": "echo later\n", "last.sh": WHOAMI}
    # After the first step, the notebook user's copy of the run is on the volume.
    steps = [Step(name="first", script="first.sh"),
             Step(name="attack", script="attack.sh", run_as=RunAs.NOTEBOOK_USER),
             Step(name="later", script="later.sh", required=True),
             Step(name="last", script="last.sh", run_as=RunAs.NOTEBOOK_USER, required=True)]
    result = run(tmp_path, files, steps, keep=tmp_path / "keep")
    r = result.last
    assert r.exit_code == 0 and "[later] later" in r.output and "[last] who=ec2-user" in r.output
    assert changes_outside(tmp_path / "keep") == []
    assert_recorded(result, {"first": "first\n", "attack": "who=ec2-user\ndone\n", "later": "later\n",
                             "last": "who=ec2-user\n"})
    assert r.run_dir is not None and r.status is not None
    copy = result.volume / ".lifecycle" / "logs" / r.run_dir.name
    if attack == "read-only":
        # No copy after the attack (after each later step, and at the end): root says so,
        # where the whole record is, and goes on.
        assert not copy.exists()
        said = f"the copy of the logs in /home/ec2-user/SageMaker/.lifecycle is incomplete: " \
               f"all of them are in {ROOT_LOG_DIR}/{r.run_dir.name}"
        # Said once: after a copy failed, there is no other in that run.
        assert r.output.count(said) == 1 and said in (record(result) / "runner.log").read_text()
    elif attack == "link-to-tmp":
        # The notebook user's copy goes where that user sent it: its own business.
        assert (result.volume / ".lifecycle").is_symlink() and not copy.exists()
    else:
        # The next copy made the state folder again (what was planted there moved aside) and
        # holds the whole run.
        assert copy.is_dir() and json.loads((copy / "status.json").read_text()) == r.status


def test_a_copy_made_to_hang_costs_the_run_10_s_in_all(tmp_path: Path) -> None:
    # The copy is the notebook user's: that user can make it wait, here with a FIFO where the
    # copy writes its list of what it could not copy, which the user's own program never opens.
    # Were every copy given its own 10 s, each step would cost 10 s more and a long
    # configuration would run out of budget: all of a run's copies share 10 s, and once they are
    # spent there is no other. (A copy made to crawl, a little at every step, spends the same
    # 10 s; a test of that would race the copy with the user's program, so there is none.)
    stopper = "mkfifo ~/SageMaker/.lifecycle/logs/latest-on-start/not-copied.txt\n"
    plant = 'bash "$LCC_SCRIPTS_DIR/stopper.sh"\necho planted\n'
    files = {"plant.sh": plant, "stopper.sh": stopper, **{f"s{i}.sh": f"echo {i}\n" for i in range(8)}}
    # After the first step, the run's copy is on the volume.
    steps = [Step(name="s", script="s0.sh"),
             Step(name="plant", script="plant.sh", run_as=RunAs.NOTEBOOK_USER),
             *(Step(name=f"s{i}", script=f"s{i}.sh") for i in range(8))]
    result = run(tmp_path, files, steps, keep=tmp_path / "keep")
    r = result.last
    assert r.exit_code == 0 and r.output.count("is incomplete: all of them are in") == 1, r.output
    assert r.duration_seconds < 25, r.duration_seconds  # 10 s of copies, not a copy's per step
    assert_recorded(result, {"s": "0\n", "plant": "planted\n", **{f"s{i}": f"{i}\n" for i in range(8)}})
    assert changes_outside(tmp_path / "keep") == []
    # The summary stays the script's last line.
    assert r.output.splitlines()[-1].split(": ", 1)[1].startswith("done {")


@pytest.mark.parametrize("plant", ["symlink", "fifo", "user-folder", "file", "roots-folder"])
def test_what_was_planted_as_the_state_folder_is_moved_aside_by_the_notebook_user(
        tmp_path: Path, plant: str) -> None:
    # The links point to a folder of root's that exists in the sandbox (a path of this machine's
    # /tmp would not: the sandbox has a /tmp of its own). "roots-folder": the state folder an
    # older version left, root's, which the notebook user cannot write.
    volume = tmp_path / "volume"
    victim = "/root/lcc-victim"
    (tmp_path / "victim").mkdir(mode=0o700)
    volume.mkdir()
    state = volume / ".lifecycle"
    if plant == "symlink":
        os.symlink(victim, state)
    elif plant == "fifo":
        os.mkfifo(state)
    elif plant == "user-folder":
        state.mkdir()
        os.symlink(victim, state / "logs")
    elif plant == "file":
        state.write_text("x")
    else:
        (state / "logs" / "20250101T000000.000Z-on-start").mkdir(parents=True)
    uid = notebook_uid()
    for path in [volume, *volume.iterdir()]:
        if plant != "roots-folder" or path == volume:
            os.lchown(path, uid, uid)
    result = run(tmp_path, {"a.sh": WHOAMI, "b.sh": WHOAMI},
                 [Step(name="a", script="a.sh"),
                  Step(name="b", script="b.sh", run_as=RunAs.NOTEBOOK_USER, required=True)],
                 volume=volume, keep=tmp_path / "keep", sandbox_files={victim: tmp_path / "victim"})
    r = result.last
    assert r.exit_code == 0 and r.duration_seconds < 10
    assert "[a] who=root" in r.output and "[b] who=ec2-user" in r.output
    assert "incomplete" not in r.output
    kept_victim = tmp_path / "keep" / victim.lstrip("/")
    assert list(kept_victim.iterdir()) == [] and stat.S_IMODE(kept_victim.stat().st_mode) == 0o700
    assert changes_outside(tmp_path / "keep", victim.lstrip("/")) == []
    assert_recorded(result, {"a": "who=root\n", "b": "who=ec2-user\n"})
    # Moved aside by the notebook user itself, as it was, and the copy where it belongs again.
    assert r.run_dir is not None
    planted_type = {"symlink": stat.S_ISLNK, "fifo": stat.S_ISFIFO, "file": stat.S_ISREG}.get(
        plant, stat.S_ISDIR)
    assert planted_type((volume / f".lifecycle.old-{r.run_dir.name}").lstat().st_mode)
    assert state.is_dir() and not state.is_symlink() and state.stat().st_uid == uid
    assert statuses(status_of(state / "logs")) == {"a": "ok", "b": "ok"}


#: An ec2-user program that keeps exchanging ~/SageMaker/.lifecycle with a folder of its own
#: (renameat2 RENAME_EXCHANGE, the one atomic swap: v2's root checked the state folder, then
#: looked its "logs" up again by name, and wrote through what it found there). Its folder is a
#: farm of symlinks to /etc/sudoers.d under every name a run's logs and their copies take, made
#: again for each run root's record shows. It counts its exchanges in ~/SageMaker/exchanges.
EXCHANGER = r"""
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
rename_exchange = lambda a, b: libc.renameat2(-100, a.encode(), -100, b.encode(), 2) == 0
os.chdir(os.path.expanduser("~/SageMaker"))
os.makedirs(".lifecycle", exist_ok=True)
def farm(top):
    for run in os.listdir("/var/log/lcc-constructs"):
        names = os.listdir(f"/var/log/lcc-constructs/{run}") + ["not-copied.txt", "status.json"]
        os.makedirs(f"{top}/logs/{run}", exist_ok=True)
        for name in names + ["." + n for n in names]:
            try:
                os.symlink(f"/etc/sudoers.d/{name}", f"{top}/logs/{run}/{name}")
            except OSError:
                pass
    for name in ("latest-on-start", "latest-on-create"):
        try:
            os.symlink("/etc/sudoers.d", f"{top}/logs/{name}")
        except OSError:
            pass
done, end = 0, time.monotonic() + 60
while time.monotonic() < end:
    farm("mine")
    for _ in range(100):
        done += rename_exchange(".lifecycle", "mine")
    with open(".exchanges", "w") as f:
        f.write(str(done))
    os.replace(".exchanges", "exchanges")
"""


def test_an_exchanger_alive_at_the_start_changes_nothing_of_roots(tmp_path: Path) -> None:
    # The first step of the first start leaves the exchanger running, as an ec2-user
    # background step of on-create would: at the second start it is alive from the first line.
    start = ("pgrep -u ec2-user -f exchanger.py >/dev/null ||\n"
             '  setsid python3 "$LCC_SCRIPTS_DIR/exchanger.py" </dev/null >/dev/null 2>&1 &\n'
             "echo exchanging\n")
    files = {"start.sh": start, "exchanger.py": EXCHANGER, "sys.sh": "seq 3\n", "user.sh": WHOAMI}
    steps = [Step(name="start", script="start.sh", run_as=RunAs.NOTEBOOK_USER),
             Step(name="sys", script="sys.sh", required=True),
             Step(name="user", script="user.sh", run_as=RunAs.NOTEBOOK_USER, required=True)]
    result = run(tmp_path, files, steps, keep=tmp_path / "keep", runs=2, wait_background_seconds=0)
    assert [r.exit_code for r in result.runs] == [0, 0], result.last.output
    assert int((result.volume / "exchanges").read_text()) > 0  # the attack took place
    assert result.keep is not None
    assert changes_outside(result.keep) == []  # nothing in /etc/sudoers.d, nor anywhere else
    for r in result.runs:
        assert_recorded(result, {"start": "exchanging\n", "sys": "1\n2\n3\n", "user": "who=ec2-user\n"}, r)
        assert "[sys] 1\n" in r.output and "[user] who=ec2-user" in r.output


@pytest.fixture
def small_volume(tmp_path: Path) -> Iterator[Path]:
    """A persistent volume of 1 MiB and 200 files (a tmpfs mounted on this machine, for this test
    only: a tmpfs needs no block for a folder, a file system on a disk does, so a full one here
    is out of both)."""
    volume = tmp_path / "volume"
    volume.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,nr_inodes=200", "lcc-test-volume", str(volume)],
                   check=True)
    try:
        yield volume
    finally:
        subprocess.run(["umount", "-l", str(volume)], check=True)


def test_a_full_volume_stops_no_step_and_fails_no_start(tmp_path: Path, small_volume: Path) -> None:
    # The notebook user fills the volume (common enough by accident); every step after it,
    # root's and the notebook user's, prints more than one screen, and all of it is in root's
    # record (v2: each notebook user's step wrote its log on the volume, so every one that
    # printed failed, and a required one failed the start).
    fill = ("cat /dev/zero >~/SageMaker/fill 2>/dev/null\n"
            "for i in $(seq 300); do mkdir ~/SageMaker/f$i 2>/dev/null || break; done\n"
            "df --output=avail ~/SageMaker | tail -n 1 | tr -d ' '\n")
    files = {"first.sh": "echo first\n", "fill.sh": fill, "sys.sh": "seq 5000\n",
             "user.sh": WHOAMI + "seq 5000\n"}
    # After the first step, the state folder is on the volume, before it fills.
    steps = [Step(name="first", script="first.sh"),
             Step(name="fill", script="fill.sh", run_as=RunAs.NOTEBOOK_USER),
             Step(name="sys", script="sys.sh", required=True),
             Step(name="user", script="user.sh", run_as=RunAs.NOTEBOOK_USER, required=True)]
    # Two starts: the second begins with the volume full and the first's state folder on it.
    result = run(tmp_path, files, steps, volume=small_volume, keep=tmp_path / "keep", runs=2)
    r = result.last
    assert r.exit_code == 0 and not r.would_fail, r.output
    numbers = "".join(f"{i}\n" for i in range(1, 5001))
    assert_recorded(result, {"first": "first\n", "fill": "0\n", "sys": numbers,
                             "user": "who=ec2-user\n" + numbers})
    assert changes_outside(tmp_path / "keep") == []
    assert "[sys] 1\n" in r.output and "[sys] 5000\n" in r.output and "[user] 5000\n" in r.output
    assert (small_volume / "fill").stat().st_size > 512 << 10  # it was full
    # In each start, the copy that could not be written says so, once, where the record is (the
    # first: files that could not be written; the second: not even the run's folder).
    said = "/.lifecycle is incomplete: all of them are in /var/log/lcc-constructs/"
    assert [each.output.count(said) for each in result.runs] == [1, 1]
    # A full volume is no reason to move the notebook user's state folder (its history) aside.
    assert [p.name for p in small_volume.iterdir() if p.name.startswith(".lifecycle.")] == []


def test_yes_in_a_notebook_user_step_keeps_the_output_small_and_the_start_short(tmp_path: Path) -> None:
    # `yes` as a notebook user's step: 64 MiB of "y" lines, then it hangs until its timeout
    # (unbounded `yes` would fill the sandbox's memory). v2 sent every line to the output,
    # one `sed -u` write each: minutes, past the service's limit, while status.json said 2 s.
    flood = 64 << 20
    files = {"flood.sh": f"yes | head -c {flood}\nexec sleep 60\n", "after.sh": WHOAMI}
    steps = [Step(name="flood", script="flood.sh", run_as=RunAs.NOTEBOOK_USER, timeout_seconds=2),
             Step(name="after", script="after.sh", run_as=RunAs.NOTEBOOK_USER, required=True)]
    result = run(tmp_path, files, steps, keep=tmp_path / "keep")
    r = result.last
    assert r.exit_code == 0 and r.duration_seconds < 60  # seconds, not the budget
    assert r.run_dir is not None and r.status is not None
    shown = [line.removeprefix("[flood] ") for line in r.output.splitlines() if line.startswith("[flood] ")]
    left_out = flood - 2 * SHOWN_OUTPUT_BYTES
    full = f"{ROOT_LOG_DIR}/{r.run_dir.name}/flood.log"
    assert f"...{left_out} bytes not shown (all in {full})" in shown
    assert sum(len(line) + 1 for line in shown if line == "y") == 2 * SHOWN_OUTPUT_BYTES
    assert len(r.output) < 64 << 10
    # status.json's seconds are the real ones, and its record whole.
    flood_step = r.step("flood")
    assert flood_step.status == "timed_out" and 2.0 <= (flood_step.seconds or 0) < 9.0
    assert sum(s["seconds"] for s in r.status["steps"]) <= r.duration_seconds
    assert (record(result) / "flood.log").stat().st_size == flood
    assert r.step("after").status == "ok" and ran_as(r.step("after").log) == ["ec2-user"]
    assert changes_outside(tmp_path / "keep") == []
    # The copy on the volume: the log's end.
    copy = result.volume / ".lifecycle" / "logs" / r.run_dir.name
    assert (copy / "flood.log").stat().st_size == VOLUME_COPY_BYTES


#: A notebook user's step looking for a root step's secret wherever it might be: the unpacked
#: bundle, root's record, every process's environment and command line (the root step holding
#: it still runs, in the background). The secret is never in its own text: it is made by printf
#: (a builtin: no command line holds it), as is the step's own variable's value.
LOOK_FOR = r"""
look() { grep -rlsF -f <(printf '%s%s\n' "$1" "$2") /startup /var/log/lcc-constructs /proc/[0-9]*/environ \
  /proc/[0-9]*/cmdline | grep -v "^/proc/$$/" | sort | tr '\n' ' '; }
echo "secret: [$(look root-only- s3cr3t)]"
echo "mine: [$(look mine- 0wn)] $MINE"
"""


def test_a_root_steps_secret_is_not_readable_by_the_notebook_user(tmp_path: Path) -> None:
    # The root steps' scripts name the secret in two pieces: only their variable holds it whole.
    files = {"keep.sh": 'sleep 5; [ "$SECRET" = root-only-"s3cr3t" ] && echo had it\n',
             "use.sh": '[ "$SECRET" = root-only-"s3cr3t" ] && echo has it\n', "look.sh": LOOK_FOR}
    steps = [Step(name="keep", script="keep.sh", background=True, env={"SECRET": "root-only-s3cr3t"}),
             Step(name="use", script="use.sh", env={"SECRET": "root-only-s3cr3t"}),
             Step(name="look", script="look.sh", run_as=RunAs.NOTEBOOK_USER, env={"MINE": "mine-0wn"})]
    result = run(tmp_path, files, steps, keep=tmp_path / "keep", wait_background_seconds=15)
    r = result.last
    assert r.step("use").log == "has it\n" and r.step("keep").log == "had it\n"
    # Only its own variable, in its own entry of the bundle (and its own processes' environment).
    look = r.step("look").log.splitlines()
    assert look[0] == "secret: []", look
    assert re.fullmatch(r"mine: \[(/proc/\d+/environ )*/startup/on-start/lcc/u \] mine-0wn", look[1]), look
    assert changes_outside(tmp_path / "keep") == []


def test_the_loaders_decompressed_program_has_no_name_anyone_can_open(tmp_path: Path) -> None:
    # The notebook user can write /tmp and see what appears there: a program root is about to
    # run must not have a name there (a FIFO or symlink planted at it first would feed root its
    # own program or make root write anywhere). The runner still reads from the loader's file:
    # a root step looks at what that is, and at /tmp.
    probe = ('r=$(pgrep -o -f lcc/runner.sh); echo "stdin=$(readlink /proc/$r/fd/0)"; '
             'find /tmp -mindepth 1 -user root -printf "tmp=%f\\n"\n')
    r = run(tmp_path, {"a.sh": probe}).last
    assert re.search(r"^\[a\] stdin=/tmp/#\d+ \(deleted\)$", r.output, re.M), r.output
    # The one file of root's in /tmp is the script the service wrote there.
    names = re.findall(r"^\[a\] tmp=(.*)$", r.output, re.M)
    assert len(names) == 1 and names[0].endswith("-on-start.sh"), names


def test_a_failing_step_that_stops_on_failure_skips_the_later_steps(tmp_path: Path) -> None:
    # A set -e script split into steps: what comes after the failure does not run.
    files = {"a.sh": "echo a\n", "b.sh": "exit 4\n", "c.sh": "echo c\n", "d.sh": "echo d\n"}
    r = run(tmp_path, files, [Step(name="a", script="a.sh", stop_on_failure=True),
                              Step(name="b", script="b.sh", stop_on_failure=True),
                              Step(name="c", script="c.sh"), Step(name="d", script="d.sh")]).last
    assert [r.step(n).status for n in "abcd"] == ["ok", "failed", "skipped", "skipped"]
    assert r.step("c").reason == "b failed" and 'step d: skipped "b failed"' in r.output
    assert "[c]" not in r.output
    assert r.exit_code == 1 and r.would_fail


def test_a_root_step_works_in_slash_and_finds_its_siblings_by_lcc_scripts_dir_and_its_own_path(
        tmp_path: Path) -> None:
    # As the service runs a lifecycle script (cwd /): a download into the working folder lands
    # in /, never beside the packed scripts; the siblings are found through LCC_SCRIPTS_DIR or $0.
    files = {"a.sh": 'echo "cwd=$PWD own=$(dirname "$0") dir=$LCC_SCRIPTS_DIR"\n'
                     'cat "$(dirname "$0")/data.txt" "$LCC_SCRIPTS_DIR/data.txt"\n'
                     "echo downloaded >fetched.bin\n"
                     'ls /fetched.bin; ls "$LCC_SCRIPTS_DIR"\n',
             "data.txt": "sibling\n"}
    r = run(tmp_path, files, [Step(name="a", script="a.sh")]).last
    assert r.step("a").status == "ok", r.output
    assert r.step("a").log == ("cwd=/ own=/startup/on-start/scripts dir=/startup/on-start/scripts\n"
                               "sibling\nsibling\n/fetched.bin\na.sh\ndata.txt\n")
