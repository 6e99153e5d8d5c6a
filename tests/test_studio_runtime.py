"""The runtime built for Studio (``platform="studio"``), run for real in the Studio sandbox.

The script runs as sagemaker-user (uid 1000, gid 100) with passwordless sudo; steps run as that
user unless they say root (then through ``sudo -n``); the runner keeps its runs in the home,
which is the only folder that persists (``volume=`` here), over successive starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from lcc_constructs import BuildOptions, RunAs, Scripts, Step, build
from lcc_constructs.bundle import OnPlatform
from lcc_constructs.bundle.archive import read_shar
from lcc_constructs.bundle.plan import read_plan
from lcc_constructs.errors import ValidationError
from lcc_constructs.readback._script import parse_loader
from lcc_constructs.sandbox import SimulationResult, simulate

from .helpers import write_folder, write_script

STUDIO = BuildOptions(platform="studio")

ENV_LINE = ('echo "who=$(id -un):$(id -g) home=$HOME cwd=$PWD kind=$LCC_KIND dir=$LCC_SCRIPTS_DIR '
            'path=$PATH"\n')


def run(tmp_path: Path, files: dict[str, str], steps: list[Step] | None = None,
        options: BuildOptions = STUDIO, **kwargs: object) -> SimulationResult:
    """Build ``files`` for Studio and simulate it; the home is ``tmp_path/home`` (kept across
    calls: successive calls are successive starts of one space)."""
    folder = write_folder(tmp_path / "scripts", files)
    rendered = build(Scripts.from_folder(folder, steps=steps), options)
    script = write_script(tmp_path / "on-start.sh", rendered)
    kwargs.setdefault("volume", tmp_path / "home")
    return simulate(script, platform="studio", **kwargs)  # type: ignore[arg-type]


def bundle(options: BuildOptions, steps: list[Step], files: dict[str, str],
           tmp_path: Path) -> dict[str, bytes]:
    """The files of the built bundle, by path."""
    rendered = build(Scripts.from_folder(write_folder(tmp_path / "b", files), steps=steps), options)
    codec, payload, _, _ = parse_loader(rendered.text)
    return {e.path: e.data for e in read_shar(codec.compressor.decompress(codec.encoding.decode(payload)))}


# --- what is built --------------------------------------------------------------------------

def test_a_studio_bundle_carries_no_notebook_instance_parts(tmp_path: Path) -> None:
    # No ec2-user switching, no copy to a volume, no file for another user's steps: on Studio the
    # runner is the user, and it keeps its runs itself.
    steps = [Step(name="a", script="a.sh"), Step(name="r", script="a.sh", run_as=RunAs.ROOT),
             Step(name="e", script="a.sh", run_as=RunAs.NOTEBOOK_USER)]
    files = bundle(STUDIO, steps, {"a.sh": "echo\n"}, tmp_path)
    runner = files["lcc/runner.sh"].decode()
    assert set(files) == {"scripts/a.sh", "lcc/runner.sh"}
    assert "ec2-user" not in runner and "lcc/c" not in runner and "sudo -nu" not in runner
    assert "sudo -nH" in runner and "latest-$k" in runner
    notebook = bundle(BuildOptions(), steps, {"a.sh": "echo\n"}, tmp_path / "n")
    assert {"lcc/u", "lcc/c"} <= set(notebook)
    assert "sudo -nH" not in notebook["lcc/runner.sh"].decode()


def test_the_plan_of_a_studio_build_reads_back(tmp_path: Path) -> None:
    steps = [Step(name="a", script="a.sh", once=True, env={"K": "v w"}),
             Step(name="r", script="a.sh", run_as=RunAs.ROOT, background=True, timeout_seconds=7)]
    files = bundle(BuildOptions(platform="studio", keep_runs=4, state_dir="/home/sagemaker-user/.lcc"),
                   steps, {"a.sh": "echo\n"}, tmp_path)
    settings, read = read_plan(files["lcc/runner.sh"].decode())
    assert (settings.platform, settings.state_dir, settings.unpack_dir, settings.keep_runs) == (
        "studio", "/home/sagemaker-user/.lcc", "/tmp/lcc", 4)
    # Each step says its user as it ran: the default one is sagemaker-user.
    assert [(s.name, s.run_as, s.once, s.background, s.timeout_seconds, dict(s.env)) for s in read] == [
        ("a", RunAs.STUDIO_USER, True, False, None, {"K": "v w"}),
        ("r", RunAs.ROOT, False, True, 7.0, {})]


@pytest.mark.parametrize(("options", "message"), [
    (BuildOptions(platform="studio", kind="on-create"), "Studio runs one script"),
    (BuildOptions(platform="studio", state_dir="/home/ec2-user/SageMaker/.lifecycle"),
     "new folder directly inside /home/sagemaker-user"),
    (BuildOptions(platform="studio", state_dir="/home/sagemaker-user"), "state_dir"),
    (BuildOptions(platform="studio", unpack_dir="/startup"), "new folder directly inside /tmp"),
    (BuildOptions(platform="studio", unpack_dir="/tmp"), "unpack_dir"),
    (BuildOptions(platform="classic"), "platform='classic' must be one of"),
])
def test_what_studio_cannot_have_is_refused_at_build(tmp_path: Path, options: BuildOptions,
                                                     message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        build(Scripts.from_folder(write_folder(tmp_path / "s", {"a.sh": "echo\n"})), options)


def test_once_is_refused_on_a_notebook_instance(tmp_path: Path) -> None:
    scripts = Scripts.from_folder(write_folder(tmp_path / "s", {"a.sh": "echo\n"}),
                                  steps=[Step(name="a", script="a.sh", once=True)])
    with pytest.raises(ValidationError, match="make it an on-create step"):
        build(scripts)
    assert build(scripts, STUDIO).report.fits


def rule_scripts(tmp_path: Path, *rules: tuple[str, OnPlatform]) -> Scripts:
    """A step of one's own and a recipe-like step per rule, its files in recipes/<name>/."""
    files = {"mine.sh": "echo\n", "recipes/lib.sh": "u(){ :;}\n",
             **{f"recipes/{name}/{name}.sh": "echo\n" for name, _ in rules}}
    steps = [Step(name="mine", script="mine.sh"),
             *(Step(name=name, script=f"recipes/{name}/{name}.sh", run_as=RunAs.ROOT) for name, _ in rules)]
    return replace(Scripts.from_folder(write_folder(tmp_path / "s", files), steps=steps),
                   on_platform=dict(rules), notebook_actions=("sagemaker:StopNotebookInstance",))


def test_a_step_that_becomes_idle_shutdown_on_studio_is_left_out_with_its_files(tmp_path: Path) -> None:
    scripts = rule_scripts(tmp_path, ("stop", OnPlatform("studio", "it becomes idle shutdown", 90)))
    rendered = build(scripts, STUDIO)
    assert (rendered.idle_minutes, rendered.notebook_actions) == (90, ())
    assert [s.name for s in rendered.steps] == ["mine"]
    assert [f.path for f in rendered.report.files] == ["mine.sh"]  # its folder and the shared lib too
    assert rendered.report.warnings == ("step 'stop' is not in the script: it becomes idle shutdown",)
    # On a notebook instance it is a step like another.
    notebook = build(scripts)
    assert [s.name for s in notebook.steps] == ["mine", "stop"] and notebook.idle_minutes is None
    assert notebook.notebook_actions == ("sagemaker:StopNotebookInstance",)


def test_a_folder_whose_every_step_becomes_configuration_says_there_is_no_script(tmp_path: Path) -> None:
    scripts = rule_scripts(tmp_path, ("stop", OnPlatform("studio", "it becomes idle shutdown", 90)))
    scripts = replace(scripts, steps=scripts.steps[1:])
    with pytest.raises(ValidationError) as e:
        build(scripts, STUDIO)
    assert list(e.value.problems) == [
        "step 'stop' is not in the script: it becomes idle shutdown; no other step is left, so there is no "
        "script to run. Fix: set the idle shutdown without a lifecycle configuration (the domain's, user "
        "profile's or space's AppLifecycleManagement), or add the steps to run."]


@pytest.mark.parametrize(("rules", "platform", "message"), [
    ((("ssm", OnPlatform("studio", "no agent there")),), "studio",
     "step 'ssm' cannot run on Studio: no agent"),
    ((("apt", OnPlatform("notebook-instance", "no apt there")),), "notebook-instance",
     "step 'apt' cannot run on a notebook instance: no apt there"),
    ((("stop", OnPlatform("studio", "idle", 59)),), "studio", "takes 60 to 525600 minutes, not 59"),
    ((("stop", OnPlatform("studio", "idle", 525601)),), "studio", "not 525601"),
    ((("a", OnPlatform("studio", "idle", 60)), ("b", OnPlatform("studio", "idle", 61))), "studio",
     r"different idle times \(\[60, 61\] minutes\)"),
])
def test_what_a_platform_cannot_run_is_refused(tmp_path: Path, rules: tuple[tuple[str, OnPlatform], ...],
                                               platform: str, message: str) -> None:
    scripts = rule_scripts(tmp_path, *rules)
    with pytest.raises(ValidationError, match=message):
        build(scripts, BuildOptions(platform=platform))
    other = "notebook-instance" if platform == "studio" else "studio"
    assert build(scripts, BuildOptions(platform=other)).report.fits


def test_lcc_inspect_says_a_script_is_for_studio(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n"})
    lcc = [sys.executable, "-m", "lcc_constructs"]
    for platform, said in [("studio", " (for Studio: a JupyterLab or Code Editor space)\n"),
                           ("notebook-instance", "\n")]:
        script = tmp_path / f"{platform}.sh"
        subprocess.run([*lcc, "build", str(folder), "--platform", platform, "-o", str(script)],
                       check=True, capture_output=True)
        text = subprocess.run([*lcc, "inspect", str(script)], capture_output=True, text=True,
                              check=True).stdout
        assert text.startswith(f"{script}{said}")
        found = json.loads(subprocess.run([*lcc, "inspect", str(script), "--json"], capture_output=True,
                                          text=True, check=True).stdout)
        assert [s["platform"] for s in found] == [platform]


# --- run in the Studio sandbox ----------------------------------------------------------------



@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_steps_run_as_the_space_user_and_root_steps_through_sudo(tmp_path: Path) -> None:
    steps = [Step(name="me", script="env.sh"), Step(name="root", script="env.sh", run_as=RunAs.ROOT),
             # The notebook's user is the space's user on Studio.
             Step(name="ec2", script="env.sh", run_as=RunAs.NOTEBOOK_USER),
             # Variables named like the runner's own arrays arrive (root's through sudo too).
             Step(name="vars", script="vars.sh", run_as=RunAs.ROOT,
                  env={"N": "n", "U": "u", "O": "o", "k": "kind?", "PATH_EXTRA": "x y"})]
    files = {"env.sh": ENV_LINE, "vars.sh": 'echo "[$N|$U|$O|$k|$PATH_EXTRA]"\n'}
    r = run(tmp_path, files, steps).last
    scripts_dir = "/tmp/lcc/on-start/scripts"
    path = "/opt/conda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    assert r.step("me").log == (f"who=sagemaker-user:100 home=/home/sagemaker-user "
                                f"cwd=/home/sagemaker-user kind=on-start dir={scripts_dir} path={path}\n")
    assert r.step("ec2").log == r.step("me").log
    assert r.step("root").log == (f"who=root:0 home=/root cwd=/root kind=on-start dir={scripts_dir} "
                                  f"path={path}\n")
    assert r.step("vars").log == "[n|u|o|kind?|x y]\n"
    assert [(s.name, s.user, s.status) for s in r.steps] == [
        ("me", "sagemaker-user", "ok"), ("root", "root", "ok"), ("ec2", "sagemaker-user", "ok"),
        ("vars", "root", "ok")]
    assert r.exit_code == 0


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_a_root_step_without_sudo_fails_at_once_and_the_others_run(tmp_path: Path) -> None:
    # A custom image whose user may not sudo: -n fails instead of waiting for a password.
    steps = [Step(name="root", script="a.sh", run_as=RunAs.ROOT, required=True),
             Step(name="me", script="a.sh")]
    r = run(tmp_path, {"a.sh": "id -un\n"}, steps, hide=["/etc/sudoers.d/lcc-sandbox-studio"]).last
    assert r.step("root").status == "failed" and "password is required" in r.step("root").log
    assert r.step("me").status == "ok" and r.step("me").log == "sagemaker-user\n"
    assert r.exit_code == 1 and r.would_fail


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_runs_are_kept_in_the_home_and_rotated(tmp_path: Path) -> None:
    options = BuildOptions(platform="studio", keep_runs=2)
    result = run(tmp_path, {"a.sh": "echo hello\n"}, options=options, runs=3)
    logs = tmp_path / "home/.lifecycle/logs"
    kept = sorted(p.name for p in logs.iterdir() if not p.is_symlink())
    assert len(kept) == 2 and all(k.endswith("-on-start") for k in kept)
    latest = logs / "latest-on-start"
    assert latest.is_symlink() and os.readlink(latest) == kept[-1]
    status = json.loads((latest / "status.json").read_text())
    assert status["steps"][0] | {"seconds": None} == {"name": "a", "user": "sagemaker-user", "status": "ok",
                                                      "exit_code": 0, "seconds": None, "reason": None}
    assert (latest / "a.log").read_text() == "hello\n"
    # The space user owns them (it can read and remove them without sudo).
    assert {(p.stat().st_uid, p.stat().st_gid) for p in logs.rglob("*")} == {(1000, 100)}
    # And on stdout, which Studio sends to CloudWatch.
    assert "[a] hello" in result.last.output and '"status":"ok"' in result.last.output


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
@pytest.mark.parametrize("run_as", [None, RunAs.ROOT])
def test_a_hanging_step_is_killed_with_its_whole_group(tmp_path: Path, run_as: RunAs | None) -> None:
    files = {"hang.sh": "sleep 1234 &\nbash -c 'trap \"\" TERM; sleep 1236 & wait' &\n"
                        "echo started; sleep 1237\n",
             "check.sh": "if pgrep -f 'sleep 123[4567]' >/dev/null; then echo ALIVE; else echo GONE; fi\n"}
    steps = [Step(name="hang", script="hang.sh", timeout_seconds=2, run_as=run_as),
             Step(name="check", script="check.sh")]
    r = run(tmp_path, files, steps).last
    assert r.step("hang").status == "timed_out"
    assert r.step("hang").reason == "killed after 2.00s (step timeout)"
    assert r.step("check").log == "GONE\n"


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_budget_required_and_stop_on_failure(tmp_path: Path) -> None:
    files = {"slow.sh": "sleep 30\n", "fail.sh": "exit 3\n", "ok.sh": "echo ok\n"}
    steps = [Step(name="fail", script="fail.sh", stop_on_failure=True, run_as=RunAs.ROOT),
             Step(name="after", script="ok.sh")]
    r = run(tmp_path / "stop", files, steps).last
    assert [(s.name, s.status) for s in r.steps] == [("fail", "failed"), ("after", "skipped")]
    assert r.exit_code == 1
    steps = [Step(name="slow", script="slow.sh"), Step(name="late", script="ok.sh", required=True)]
    r = run(tmp_path / "budget", files, steps, options=BuildOptions(platform="studio", budget_seconds=2)).last
    assert r.step("slow").status == "timed_out" and r.step("late").status == "skipped"
    assert r.exit_code == 1
    steps = [Step(name="fail", script="fail.sh"), Step(name="after", script="ok.sh")]
    r = run(tmp_path / "optional", files, steps).last
    assert [(s.name, s.status) for s in r.steps] == [("fail", "failed"), ("after", "ok")]
    assert r.exit_code == 0


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_a_background_step_runs_on_detached_without_systemd(tmp_path: Path) -> None:
    files = {"bg.sh": "sleep 3; id -un\n", "fg.sh": "echo fg\n"}
    steps = [Step(name="bg", script="bg.sh", background=True, run_as=RunAs.ROOT),
             Step(name="fg", script="fg.sh")]
    result = run(tmp_path, files, steps, wait_background_seconds=20)
    r = result.last
    # The script ended (and its output closed) before the step did.
    assert r.exit_code == 0 and not r.output_held_open and (r.exited_after or 99) < 3
    assert r.step("bg").status == "started"
    assert r.step("bg").background_result is not None
    assert r.step("bg").background_result["status"] == "ok" and r.step("bg").log == "root\n"


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_a_once_step_runs_at_the_first_start_only_until_it_ends_ok(tmp_path: Path) -> None:
    files = {
        # Fails at the first start, works at the second: it runs again until it ended ok.
        "flaky.sh": "n=$(cat ~/flaky.count 2>/dev/null || echo 0); echo $((n + 1)) > ~/flaky.count; "
                    "[ $n -ge 1 ]\n",
        "once.sh": "echo ran >> /home/sagemaker-user/once.txt\n",
        "bg.sh": "echo ran >> ~/bg.txt\n",
        "every.sh": "echo ran >> ~/every.txt\n",
    }
    steps = [Step(name="flaky", script="flaky.sh", once=True, required=True),
             Step(name="once", script="once.sh", once=True, run_as=RunAs.ROOT),
             Step(name="bg", script="bg.sh", once=True, background=True),
             Step(name="every", script="every.sh")]
    result = run(tmp_path, files, steps, runs=3, wait_background_seconds=10)
    home = tmp_path / "home"
    first, second, third = result.runs
    assert first.step("flaky").status == "failed" and first.exit_code == 1
    assert second.step("flaky").status == "ok" and second.step("flaky").exit_code == 0
    done = third.step("flaky")
    assert (done.status, done.exit_code) == ("ok", None)
    assert done.reason is not None and done.reason.startswith("first start only: done at an earlier start")
    assert third.exit_code == 0  # a required step done before is not a failure
    assert (home / "once.txt").read_text() == "ran\n"
    assert (home / "every.txt").read_text() == "ran\n" * 3
    # The background step's marker was made when it ended ok (before the second start).
    assert (home / "bg.txt").read_text() == "ran\n"
    assert sorted(p.name for p in (home / ".lifecycle/once").iterdir()) == ["bg", "flaky", "once"]
    # Removing a marker runs the step again.
    (home / ".lifecycle/once/once").unlink()
    again = run(tmp_path, files, steps).last
    assert again.step("once").status == "ok" and again.step("once").exit_code == 0
    assert (home / "once.txt").read_text() == "ran\n" * 2


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_lcc_simulate_platform_studio(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "id -un\n"})
    lcc = [sys.executable, "-m", "lcc_constructs"]
    subprocess.run([*lcc, "build", str(folder), "--platform", "studio", "-o", str(tmp_path / "s.sh")],
                   check=True, capture_output=True)
    proc = subprocess.run([*lcc, "simulate", str(tmp_path / "s.sh"), "--platform", "studio", "--runs", "2"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("[a] sagemaker-user") == 2
    assert "run 2: exit 0" in proc.stdout and "would succeed" in proc.stdout
    assert "home (persistent): removed" in proc.stdout
