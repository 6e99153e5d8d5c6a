"""The on-instance side, run for real: rendered scripts in the notebook-instance sandbox.

Besides what the runner does, the notebook user attacks it here as it could on an instance:
from a step of its own, from a program it planted on its PATH, and with files planted on the
persistent volume before a start. Each attack test asserts that nothing changed outside what
that user could change anyway, and that every step still ran.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from lcc_constructs import BuildOptions, RunAs, Scripts, Step, build, recipes
from lcc_constructs.sandbox import SimulationResult, simulate
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
    return simulate(script, files=sandbox_files, **kwargs)  # type: ignore[arg-type]


def changes_outside(keep: Path, *allowed: str) -> list[str]:
    """Paths the run changed in / (the sandbox's copy-on-write layer) outside what the
    sandbox itself sets up (the notebook user's account), the unpack folder, the notebook
    user's home and ``allowed``."""
    ours = ("etc/passwd", "etc/group", "etc/shadow", "startup", "home/ec2-user", *allowed)
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


def test_a_background_step_that_cannot_start_is_recorded_as_failed(tmp_path: Path) -> None:
    # Without setsid nothing can be detached: the step is recorded failed, with why.
    files = {"bg.sh": "echo never\n", "fg.sh": "echo fg\n"}
    steps = [Step(name="bg", script="bg.sh", background=True), Step(name="fg", script="fg.sh")]
    r = run(tmp_path, files, steps, hide=["/usr/bin/setsid"]).last
    assert r.step("bg").status == "failed"
    assert r.step("bg").reason == "cannot start: setsid not found"
    # And a step whose interpreter is missing fails with the shell's word on it in its log.
    files = {"bg.sh": "#!/usr/bin/no-such-interpreter\necho never\n"}
    r = run(tmp_path / "b", files, [Step(name="bg", script="bg.sh", background=True)],
            wait_background_seconds=10).last
    assert r.step("bg").background_result is not None
    assert r.step("bg").background_result["status"] == "failed"
    assert r.step("bg").background_result["exit_code"] == 127
    assert "no-such-interpreter" in r.step("bg").log


def test_a_foreground_step_leaving_a_process_does_not_hang_the_script(tmp_path: Path) -> None:
    # The classic mistake: "nohup server &" without redirection keeps the output open.
    files = {"leaky.sh": "sleep 60 &\necho leaked a sleeper\n", "after.sh": "echo after\n"}
    r = run(tmp_path, files, wait_background_seconds=0).last
    assert not r.would_fail and not r.output_held_open
    assert r.duration_seconds < 10
    assert r.step("leaky").status == "ok" and r.step("after").status == "ok"


def test_logs_status_and_their_permissions(tmp_path: Path) -> None:
    files = {"a.sh": "echo line one; echo line two >&2; printf 'no newline'\n",
             "b.py": "import subprocess\nprint('from python')\n"
                     "who = subprocess.run(['id', '-un'], capture_output=True, text=True).stdout\n"
                     "print('who=' + who.strip())\n"}
    steps = [Step(name="a", script="a.sh"),
             Step(name="b", script="b.py", run_as=RunAs.NOTEBOOK_USER, timeout_seconds=30)]
    result = run(tmp_path, files, steps)
    r = result.last
    assert r.run_dir is not None
    assert r.step("a").log.splitlines() == ["line one", "line two", "no newline"]
    assert ran_as(r.step("b").log) == ["ec2-user"]
    status = json.loads((r.run_dir / "status.json").read_text())
    assert status["schema"] == 2 and status["kind"] == "on-start" and status["exit_code"] == 0
    assert status["budget_seconds"] == 240 and status["run"] == r.run_dir.name
    assert [(s["name"], s["user"], s["status"], s["exit_code"], s["reason"]) for s in status["steps"]] \
        == [("a", "root", "ok", 0, None), ("b", "ec2-user", "ok", 0, None)]
    assert all(isinstance(s["seconds"], float) for s in status["steps"])
    runner_log = (r.run_dir / "runner.log").read_text()
    assert "step a: start as root" in runner_log and "step b: ok" in runner_log
    # The last line of the output is the whole status, for the service's log (lcc logs).
    assert json.loads(r.output.splitlines()[-1].split(": done ", 1)[1]) == status
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
    for run_as in RunAs:
        r = run(tmp_path / run_as.value, files, [Step(name="a", script="a.sh", env=env, run_as=run_as)]).last
        assert "[n|c|kind?|t]" in r.step("a").log
        assert ran_as(r.step("a").log) == [run_as.value]


def test_root_steps_get_a_path_without_relative_folders_and_roots_home(tmp_path: Path) -> None:
    # The service's PATH holds "bin", relative: a root step in /home/ec2-user/SageMaker would
    # run the notebook user's SageMaker/bin/git. Root steps get absolute folders only, and
    # root's home whatever HOME the script was started with (a .bashrc or .gitconfig of the
    # notebook user's must never be root's).
    files = {"env.sh": 'echo "user=$(id -un) path=$PATH home=$HOME"\n'}
    r = run(tmp_path, files, env={"HOME": "/home/ec2-user"}).last
    assert "user=root path=/usr/sbin:/usr/bin:/sbin:/bin home=/root" in r.step("env").log


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

#: What the notebook user does to the runner's logs during a start: moves the state folder
#: away and puts a fake one in its place, holding this run's folder with symlinks to what root
#: must never write or show: a root step's script, root's home, /etc/shadow.
FAKE_STATE = r"""
cd ~/SageMaker
run=$(readlink .lifecycle/logs/latest-on-start)
mv .lifecycle .lifecycle.real
mkdir -p ".lifecycle/logs/$run"
ln -s "$run" .lifecycle/logs/latest-on-start
for name in later.log later.result.json runner.log .s status.json; do
  ln -s /startup/on-start/scripts/later.sh ".lifecycle/logs/$run/$name"
done
ln -s /etc/shadow ".lifecycle/logs/$run/later.log"
ln -s /root/planted ".lifecycle/logs/$run/status.json"
echo "state folder swapped"
"""


def assert_unharmed(result: SimulationResult, later: str = "echo later as $(id -un)\n",
                    allowed: tuple[str, ...] = ()) -> None:
    """Nothing outside the notebook user's reach changed, and root's output shows no secret."""
    assert result.keep is not None
    assert changes_outside(result.keep, *allowed) == []
    assert (result.keep / "startup/on-start/scripts/later.sh").read_text() == later
    assert not (result.keep / "root").exists()
    assert ":$" not in result.last.output and "root:" not in result.last.output


def test_a_notebook_user_step_swapping_the_state_folder_changes_nothing_of_roots(tmp_path: Path) -> None:
    files = {"attack.sh": WHOAMI + FAKE_STATE, "later.sh": "echo later as $(id -un)\n", "last.sh": WHOAMI}
    steps = [Step(name="attack", script="attack.sh", run_as=RunAs.NOTEBOOK_USER),
             Step(name="later", script="later.sh", required=True),
             Step(name="last", script="last.sh", run_as=RunAs.NOTEBOOK_USER, required=True)]
    result = run(tmp_path, files, steps, keep=tmp_path / "keep")
    r = result.last
    assert r.exit_code == 0, r.output
    assert_unharmed(result)
    # Every step ran, and the runner kept logging in its own folder, wherever it was moved.
    real = status_of(result.volume / ".lifecycle.real" / "logs")
    assert statuses(real) == {"attack": "ok", "later": "ok", "last": "ok"}
    run_dir = run_folder(result.volume / ".lifecycle.real" / "logs")
    assert ran_as((run_dir / "attack.log").read_text()) == ["ec2-user"]
    assert (run_dir / "later.log").read_text() == "later as root\n"
    assert (run_dir / "last.log").read_text() == "who=ec2-user\n"


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
    real = run_folder(volume / ".lifecycle.real" / "logs")
    assert statuses(status_of(real.parent)) == {"persistent-bin": "ok", "git-config": "ok", "later": "ok"}
    assert ran_as((real / "git-config.log").read_text()) == ["ec2-user"]


def test_removing_or_replacing_the_state_folder_during_a_run_silences_no_step(tmp_path: Path) -> None:
    attack = ("cd ~/SageMaker; rm -rf .lifecycle 2>/dev/null; mv .lifecycle gone; "
              "ln -s /tmp .lifecycle; echo done\n")
    files = {"attack.sh": WHOAMI + attack, "later.sh": "echo later\n", "last.sh": WHOAMI}
    steps = [Step(name="attack", script="attack.sh", run_as=RunAs.NOTEBOOK_USER),
             Step(name="later", script="later.sh", required=True),
             Step(name="last", script="last.sh", run_as=RunAs.NOTEBOOK_USER, required=True)]
    result = run(tmp_path, files, steps, keep=tmp_path / "keep")
    r = result.last
    assert r.exit_code == 0 and "[later] later" in r.output and "[last] who=ec2-user" in r.output
    assert statuses(status_of(result.volume / "gone" / "logs")) == {
        "attack": "ok", "later": "ok", "last": "ok"}
    assert ran_as((run_folder(result.volume / "gone" / "logs") / "attack.log").read_text()) == ["ec2-user"]
    assert changes_outside(tmp_path / "keep") == []


@pytest.mark.parametrize("plant", ["symlink", "fifo", "user-folder", "file"])
def test_what_the_notebook_user_planted_as_the_state_folder_is_never_followed(
        tmp_path: Path, plant: str) -> None:
    # The links point to a folder of root's that exists in the sandbox (a path of this machine's
    # /tmp would not: the sandbox has a /tmp of its own).
    volume = tmp_path / "volume"
    victim = "/root/lcc-victim"
    (tmp_path / "victim").mkdir(mode=0o700)
    volume.mkdir()
    state = volume / ".lifecycle"
    if plant == "symlink":
        os.symlink(victim, state)
        # Folders where the old runner moved a planted state folder aside, planted too.
        for minute in range(3):
            (volume / f".lifecycle.untrusted-2026{minute}").mkdir()
    elif plant == "fifo":
        os.mkfifo(state)
    elif plant == "user-folder":
        state.mkdir()
        os.symlink(victim, state / "logs")
    else:
        state.write_text("x")
    uid = free_id(Path("/etc/passwd"))  # the sandbox's ec2-user: the first free uid from 1000
    for path in [volume, *volume.iterdir()]:
        os.lchown(path, uid, uid)
    result = run(tmp_path, {"a.sh": WHOAMI, "b.sh": WHOAMI},
                 [Step(name="a", script="a.sh"),
                  Step(name="b", script="b.sh", run_as=RunAs.NOTEBOOK_USER, required=True)],
                 volume=volume, keep=tmp_path / "keep", sandbox_files={victim: tmp_path / "victim"})
    r = result.last
    assert r.exit_code == 0 and r.duration_seconds < 10
    assert "[a] who=root" in r.output and "[b] who=ec2-user" in r.output
    kept_victim = tmp_path / "keep" / victim.lstrip("/")
    assert list(kept_victim.iterdir()) == [] and stat.S_IMODE(kept_victim.stat().st_mode) == 0o700
    assert changes_outside(tmp_path / "keep", "var/log/lcc-constructs", victim.lstrip("/")) == []
    # Moved aside by the notebook user itself, and logs where they belong again.
    assert state.is_dir() and not state.is_symlink() and state.stat().st_uid == 0
    assert statuses(status_of(state / "logs")) == {"a": "ok", "b": "ok"}


#: The notebook user watching /tmp during a start: when root's loader hashes its payload file
#: (here, just before the real sha256sum), it plants the name root writes the decompressed
#: program to next, "<payload file>.s". With a FIFO it reads root's program and feeds root one
#: of its own; with a symlink, root's program lands on a file of the user's choosing.
LOADER_RACE = r"""#!/bin/bash
f=$(readlink /proc/$$/fd/0)
case @@PLANT@@ in
fifo) sudo -nu ec2-user bash -c 'mkfifo "$1" && { cat "$1" >/dev/null
  echo "echo planted as \$(id -un) >/root/planted; exit 0" >"$1"; } </dev/null >/dev/null 2>&1 &' _ "$f.s";;
symlink) sudo -nu ec2-user ln -s /root/victim "$f.s";;
esac 2>/dev/null
exec /usr/bin/sha256sum "$@"
"""


@pytest.mark.parametrize("plant", ["fifo", "symlink"])
def test_the_loaders_decompressed_program_cannot_be_planted_in_tmp(tmp_path: Path, plant: str) -> None:
    race = tmp_path / "sha256sum"
    race.write_text(LOADER_RACE.replace("@@PLANT@@", plant))
    race.chmod(0o755)
    victim = tmp_path / "victim"
    victim.write_text("root's\n")
    result = run(tmp_path, {"a.sh": WHOAMI}, [Step(name="a", script="a.sh", required=True)],
                 keep=tmp_path / "keep",
                 sandbox_files={"/usr/sbin/sha256sum": race, "/root/victim": victim})
    r = result.last
    assert r.exit_code == 0 and "[a] who=root" in r.output, r.output
    assert result.keep is not None
    assert not (result.keep / "root" / "planted").exists()
    assert (result.keep / "root" / "victim").read_text() == "root's\n"
