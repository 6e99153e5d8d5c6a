"""`lcc deploy` against moto's server: create, update with what changed, unchanged (no update
call), --dry-run, a configuration it did not build refused without --force, on-create added and
removed, and --restart through to InService or Failed (reason and last log lines)."""

from __future__ import annotations

import json
from pathlib import Path

from lcc_constructs.readback._script import inspect_script

from .moto_ext_controls import fail_action, fail_next_start, transitions
from .servers import Moto
from .service_helpers import create_config, deployed, folder, lcc, put_log_lines, unique


def test_create_then_update_says_what_changed(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name, scripts = unique("deploy"), folder(tmp_path / "s")
    first = lcc(lcc_env, "deploy", name, str(scripts))
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == f"{name}: created"
    assert "+ on-start script: 2 step(s) (hello, 20-report)" in first.stdout
    assert "built on-start: on-start:" in first.stderr
    built = lcc(lcc_env, "build", str(scripts), "-o", "-")
    assert deployed(moto, name) == {"on-start": built.stdout}

    (scripts / "10-hello.sh").write_text("#!/bin/bash\necho changed\n")
    (scripts / "30-new.sh").write_text("#!/bin/bash\necho new\n")
    (scripts / "data/banner.txt").unlink()
    manifest = (scripts / "lifecycle.toml").read_text().replace('GREETING = "world"', 'GREETING = "moon"')
    (scripts / "lifecycle.toml").write_text(manifest + '\n[[step]]\nscript = "30-new.sh"\n')
    second = lcc(lcc_env, "deploy", name, str(scripts))
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines() == [
        f"{name}: updated",
        "  + step 30-new: 30-new.sh, as root",
        "  ~ step hello: env GREETING: 'world' -> 'moon'",
        "  + file 30-new.sh (mode 644, 21 bytes)",
        "  - file data/banner.txt (mode 600, 8 bytes)",
        "  ~ file 10-hello.sh: content",
    ]
    steps = inspect_script(deployed(moto, name)["on-start"]).step_names
    assert steps == ("hello", "20-report", "30-new")


def test_unchanged_makes_no_update_call(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name, scripts = unique("same"), folder(tmp_path / "s")
    assert lcc(lcc_env, "deploy", name, str(scripts)).returncode == 0
    # An update now would fail: "unchanged" must not even try.
    fail_action(moto.url, "UpdateNotebookInstanceLifecycleConfig", "AccessDeniedException", "no update")
    again = lcc(lcc_env, "deploy", name, str(scripts))
    assert (again.returncode, again.stdout) == (0, f"{name}: unchanged\n"), again.stderr


def test_dry_run_changes_nothing(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name, scripts = unique("dry"), folder(tmp_path / "s")
    created = lcc(lcc_env, "deploy", name, str(scripts), "--dry-run")
    assert created.stdout.startswith(f"{name}: would be created\n"), created.stderr
    assert moto.client().list_notebook_instance_lifecycle_configs(NameContains=name)[
        "NotebookInstanceLifecycleConfigs"] == []
    assert lcc(lcc_env, "deploy", name, str(scripts)).returncode == 0
    before = deployed(moto, name)
    (scripts / "10-hello.sh").write_text("#!/bin/bash\necho other\n")
    dry = lcc(lcc_env, "deploy", name, str(scripts), "--dry-run")
    assert dry.returncode == 0
    assert dry.stdout.splitlines() == [f"{name}: would be updated", "  ~ file 10-hello.sh: content"]
    assert deployed(moto, name) == before


def test_a_configuration_it_did_not_build_is_refused_without_force(moto: Moto, lcc_env: dict[str, str],
                                                                  tmp_path: Path) -> None:
    name, scripts = unique("foreign"), folder(tmp_path / "s")
    create_config(moto, name, on_start="#!/bin/bash\necho hand-made\n")
    refused = lcc(lcc_env, "deploy", name, str(scripts))
    assert refused.returncode == 1
    assert f"{name} holds an on-start script that lcc-constructs did not build" in refused.stderr
    assert "--force" in refused.stderr and "Traceback" not in refused.stderr
    assert deployed(moto, name) == {"on-start": "#!/bin/bash\necho hand-made\n"}
    forced = lcc(lcc_env, "deploy", name, str(scripts), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "~ on-start script: a script not built by lcc-constructs (2 lines) -> 2 step(s)" in forced.stdout
    assert inspect_script(deployed(moto, name)["on-start"]).step_names == ("hello", "20-report")


def test_a_configuration_of_another_version_is_replaced(moto: Moto, lcc_env: dict[str, str],
                                                        tmp_path: Path) -> None:
    name, scripts = unique("older"), folder(tmp_path / "s")
    older = "#!/bin/bash\n# lcc-constructs bootstrap\nset -euo pipefail\nk='on-start'\n"
    create_config(moto, name, on_start=older)
    proc = lcc(lcc_env, "deploy", name, str(scripts))
    assert proc.returncode == 0, proc.stderr
    assert "  ~ on-start script: built by another version of lcc-constructs (4 lines) -> 2 step(s)" \
        in proc.stdout


def test_on_create_is_added_and_removed(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name, scripts = unique("create"), folder(tmp_path / "s")
    once = folder(tmp_path / "once", {"setup.sh": "#!/bin/bash\necho once\n"}, {})
    both = lcc(lcc_env, "deploy", name, str(scripts), "--on-create", str(once))
    assert both.returncode == 0, both.stderr
    assert inspect_script(deployed(moto, name)["on-create"]).step_names == ("setup",)
    assert "built on-create: on-create:" in both.stderr
    only_start = lcc(lcc_env, "deploy", name, str(scripts))
    assert "  - on-create script: 1 step(s) (setup), 1 file(s)" in only_start.stdout
    assert set(deployed(moto, name)) == {"on-start"}
    only_create = lcc(lcc_env, "deploy", name, "--on-create", str(once))
    assert set(deployed(moto, name)) == {"on-create"}, only_create.stderr


def test_a_build_error_calls_no_aws(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name = unique("broken")
    broken = folder(tmp_path / "s", {"a.sh": "if then\n"}, {})
    proc = lcc(lcc_env, "deploy", name, str(broken))
    assert proc.returncode == 1 and "bash -n fails" in proc.stderr
    assert moto.client().list_notebook_instance_lifecycle_configs(NameContains=name)[
        "NotebookInstanceLifecycleConfigs"] == []


# --- --restart --------------------------------------------------------------------------

def test_restart_stops_attaches_starts_and_waits(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name, scripts = unique("restart"), folder(tmp_path / "s")
    notebook, _ = moto.notebook()
    transitions(moto.url, notebook, describes=2)
    proc = lcc(lcc_env, "deploy", name, str(scripts), "--restart", notebook, "--poll", "0.05")
    assert proc.returncode == 0, proc.stderr
    progress = [line.split(" (")[0] for line in proc.stdout.splitlines() if line.startswith(notebook)]
    assert progress == [f"{notebook}: InService", f"{notebook}: Stopping", f"{notebook}: Stopped",
                        f"{notebook}: attached {name}", f"{notebook}: Updating",
                        f"{notebook}: Stopped", f"{notebook}: Pending", f"{notebook}: InService"]
    assert f"{notebook}: attached {name} (was none)" in proc.stdout
    described = moto.client().describe_notebook_instance(NotebookInstanceName=notebook)
    assert (described["NotebookInstanceStatus"], described["NotebookInstanceLifecycleConfigName"]) == (
        "InService", name)


def test_restart_of_a_stopped_instance_with_the_configuration_attached(moto: Moto, lcc_env: dict[str, str],
                                                                      tmp_path: Path) -> None:
    name, scripts = unique("stopped"), folder(tmp_path / "s")
    lcc(lcc_env, "deploy", name, str(scripts))
    notebook, _ = moto.notebook()
    sm = moto.client()
    sm.stop_notebook_instance(NotebookInstanceName=notebook)
    sm.update_notebook_instance(NotebookInstanceName=notebook, LifecycleConfigName=name)
    proc = lcc(lcc_env, "deploy", name, str(scripts), "--restart", notebook, "--poll", "0.05")
    assert proc.returncode == 0, proc.stderr
    assert "attached" not in proc.stdout
    assert [line.split(" (")[0] for line in proc.stdout.splitlines()] == [
        f"{name}: unchanged", f"{notebook}: Stopped", f"{notebook}: InService"]


def test_a_failed_restart_shows_the_reason_and_the_last_log_lines(moto: Moto, lcc_env: dict[str, str],
                                                                  tmp_path: Path) -> None:
    name, scripts = unique("fails"), folder(tmp_path / "s")
    notebook, _ = moto.notebook()
    reason = (f"Notebook Instance Lifecycle Config '{name}' for Notebook Instance '{notebook}' took longer "
              "than 5 minutes.")
    fail_next_start(moto.url, notebook, reason)
    transitions(moto.url, notebook, describes=1)
    lines = [f"2026-11-03T08:00:0{i}Z lcc-constructs[on-start]: step s{i}: ok " for i in range(25)]
    put_log_lines(moto, f"{notebook}/LifecycleConfigOnStart", lines)
    proc = lcc(lcc_env, "deploy", name, str(scripts), "--restart", notebook, "--poll", "0.05")
    assert proc.returncode == 1
    assert f"lcc deploy: {notebook} failed to start: {reason}" in proc.stderr
    assert f"last lines of {notebook}/LifecycleConfigOnStart:" in proc.stderr
    shown = [line.strip() for line in proc.stderr.splitlines() if "lcc-constructs[on-start]" in line]
    assert shown == [line.strip() for line in lines[-20:]]
    assert f"{notebook}: Failed" in proc.stdout and "Traceback" not in proc.stderr


def test_a_failed_restart_without_a_log_stream_points_to_the_status_file(moto: Moto, lcc_env: dict[str, str],
                                                                        tmp_path: Path) -> None:
    name = unique("nolog")
    scripts = folder(tmp_path / "s")
    manifest = (scripts / "lifecycle.toml").read_text().replace(
        "[options]", '[options]\nstate_dir = "/home/ec2-user/SageMaker/.lcc-state"')
    (scripts / "lifecycle.toml").write_text(manifest)
    notebook, _ = moto.notebook()
    fail_next_start(moto.url, notebook, "exit code 1")
    proc = lcc(lcc_env, "deploy", name, str(scripts), "--restart", notebook, "--poll", "0.05")
    assert proc.returncode == 1
    assert f"{notebook} failed to start: exit code 1" in proc.stderr
    assert f"no log stream {notebook}/LifecycleConfigOnStart" in proc.stderr
    # The status file is where the attached configuration keeps it.
    assert "/home/ec2-user/SageMaker/.lcc-state/logs/latest-on-start/status.json" in proc.stderr


def test_restart_dry_run_touches_nothing(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name, scripts = unique("drynb"), folder(tmp_path / "s")
    notebook, _ = moto.notebook()
    fail_action(moto.url, "StopNotebookInstance", "AccessDeniedException", "no stop")
    proc = lcc(lcc_env, "deploy", name, str(scripts), "--restart", notebook, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == (
        f"{notebook}: would stop it (InService), attach {name} (now none), start it and wait")
    assert moto.status(notebook) == "InService"


def test_restart_gives_up_after_the_wait_timeout(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name, scripts = unique("slow"), folder(tmp_path / "s")
    notebook, _ = moto.notebook()
    transitions(moto.url, notebook, describes=1000)
    proc = lcc(lcc_env, "deploy", name, str(scripts), "--restart", notebook, "--poll", "0.05",
               "--wait-timeout", "0.5")
    assert proc.returncode == 1
    assert f"{notebook} is still Stopping after 0.5s (--wait-timeout)" in proc.stderr


def test_restart_of_an_unknown_instance(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    proc = lcc(lcc_env, "deploy", unique("x"), str(folder(tmp_path / "s")), "--restart", "no-such-notebook")
    assert proc.returncode == 1
    assert "there is no notebook instance named 'no-such-notebook' in us-east-1" in proc.stderr


# --- every name is checked before anything changes ------------------------------------------

def test_an_unknown_instance_changes_nothing(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name, scripts = unique("typo"), folder(tmp_path / "s")
    created = lcc(lcc_env, "deploy", name, str(scripts), "--restart", "no-such-notebook")
    assert created.returncode == 1
    assert "there is no notebook instance named 'no-such-notebook'" in created.stderr
    assert created.stdout == ""
    assert moto.client().list_notebook_instance_lifecycle_configs(NameContains=name)[
        "NotebookInstanceLifecycleConfigs"] == []
    assert lcc(lcc_env, "deploy", name, str(scripts)).returncode == 0
    before = deployed(moto, name)
    (scripts / "10-hello.sh").write_text("#!/bin/bash\necho other\n")
    updated = lcc(lcc_env, "deploy", name, str(scripts), "--restart", "no-such-notebook")
    assert updated.returncode == 1 and updated.stdout == ""
    assert deployed(moto, name) == before


def test_an_invalid_instance_name_is_a_usage_error(moto: Moto, lcc_env: dict[str, str],
                                                  tmp_path: Path) -> None:
    name = unique("badnb")
    proc = lcc(lcc_env, "deploy", name, str(folder(tmp_path / "s")), "--restart", "my_notebook")
    assert proc.returncode == 2
    assert "notebook instance name 'my_notebook' is not valid" in proc.stderr
    assert moto.client().list_notebook_instance_lifecycle_configs(NameContains=name)[
        "NotebookInstanceLifecycleConfigs"] == []


# --- what a deployed script holds is anyone's: printed escaped ------------------------------

def test_a_dry_run_prints_deployed_names_escaped(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name = unique("hostile")
    hostile = folder(tmp_path / "h", {"10-a.sh": "echo a\n", "lib/t\x1b]0;owned\x07.txt": "x\n",
                                      "lib/two\nlines\r.txt": "y\n"}, {})
    assert lcc(lcc_env, "deploy", name, str(hostile)).returncode == 0
    plain = folder(tmp_path / "p", {"10-a.sh": "echo a\n"}, {})
    proc = lcc(lcc_env, "deploy", name, str(plain), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        f"{name}: would be updated",
        "  - file lib/t\\x1b]0;owned\\x07.txt (mode 644, 2 bytes)",
        "  - file lib/two\\nlines\\r.txt (mode 644, 2 bytes)",
    ]


def test_a_failed_start_prints_its_reason_and_log_escaped(moto: Moto, lcc_env: dict[str, str],
                                                          tmp_path: Path) -> None:
    name, scripts = unique("failesc"), folder(tmp_path / "s")
    notebook, _ = moto.notebook()
    fail_next_start(moto.url, notebook, "bad \x1b]0;owned\x07 start\nforged")
    put_log_lines(moto, f"{notebook}/LifecycleConfigOnStart",
                  ["[10-a] \x1b[2J\x1b]52;c;Zm9v\x07", "[10-a] \rend"])
    proc = lcc(lcc_env, "deploy", name, str(scripts), "--restart", notebook, "--poll", "0.05")
    assert proc.returncode == 1
    assert "\x1b" not in proc.stderr and "\r" not in proc.stderr
    assert proc.stderr.splitlines() == [
        *[line for line in proc.stderr.splitlines() if line.startswith("built ")],
        f"lcc deploy: {notebook} failed to start: bad \\x1b]0;owned\\x07 start\\nforged",
        f"last lines of {notebook}/LifecycleConfigOnStart:",
        "  [10-a] \\x1b[2J\\x1b]52;c;Zm9v\\x07",
        "  [10-a] \\rend",
    ]


# --- --json ----------------------------------------------------------------------------------

def test_json(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name, scripts = unique("json"), folder(tmp_path / "s")
    dry = lcc(lcc_env, "deploy", name, str(scripts), "--json", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    document = json.loads(dry.stdout)
    assert (document["name"], document["action"], document["dry_run"], document["restart"]) == (
        name, "created", True, None)
    assert [s["kind"] for s in document["scripts"]] == ["on-start", "on-create"]
    assert document["scripts"][0]["changes"][0].startswith("+ on-start script: 2 step(s) (hello, 20-report)")
    created = json.loads(lcc(lcc_env, "deploy", name, str(scripts), "--json").stdout)
    assert (created["action"], created["dry_run"]) == ("created", False)
    unchanged = json.loads(lcc(lcc_env, "deploy", name, str(scripts), "--json").stdout)
    assert unchanged == {"name": name, "action": "unchanged", "dry_run": False, "restart": None, "scripts": [
        {"kind": "on-start", "same": True, "deployed": True, "wanted": True, "changes": [], "diff": []},
        {"kind": "on-create", "same": True, "deployed": False, "wanted": False, "changes": [], "diff": []}]}
    (scripts / "10-hello.sh").write_text("#!/bin/bash\necho other\n")
    updated = json.loads(lcc(lcc_env, "deploy", name, str(scripts), "--json").stdout)
    assert updated["action"] == "updated"
    assert updated["scripts"][0]["changes"] == ["~ file 10-hello.sh: content"]
    assert "+echo other" in updated["scripts"][0]["diff"]


def test_json_with_restart(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name, scripts = unique("jsonnb"), folder(tmp_path / "s")
    notebook, _ = moto.notebook()
    dry = json.loads(lcc(lcc_env, "deploy", name, str(scripts), "--restart", notebook, "--json",
                         "--dry-run").stdout)
    assert dry["restart"] == {"notebook": notebook, "dry_run": True, "status_before": "InService",
                              "attached_before": None, "attach": True, "statuses": [], "status": None,
                              "failure_reason": None, "log": None, "error": None}
    transitions(moto.url, notebook, describes=1)
    proc = lcc(lcc_env, "deploy", name, str(scripts), "--restart", notebook, "--json", "--poll", "0.05")
    assert proc.returncode == 0, proc.stderr
    restart = json.loads(proc.stdout)["restart"]
    assert [s["status"] for s in restart["statuses"]] == ["InService", "Stopping", "Stopped", "Updating",
                                                          "Stopped", "Pending", "InService"]
    assert all(isinstance(s["seconds"], float) for s in restart["statuses"])
    assert (restart["attach"], restart["status"], restart["error"]) == (True, "InService", None)


def test_json_of_a_failed_restart(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name, scripts = unique("jsonfail"), folder(tmp_path / "s")
    notebook, _ = moto.notebook()
    fail_next_start(moto.url, notebook, "exit code 1")
    put_log_lines(moto, f"{notebook}/LifecycleConfigOnStart", ["[10-a] failing \x1b[2J"])
    proc = lcc(lcc_env, "deploy", name, str(scripts), "--restart", notebook, "--json", "--poll", "0.05")
    assert proc.returncode == 1
    assert f"lcc deploy: {notebook} failed to start: exit code 1" in proc.stderr
    document = json.loads(proc.stdout)  # the configuration was changed: the document says so
    assert document["action"] == "created"
    restart = document["restart"]
    assert (restart["status"], restart["failure_reason"], restart["log"]) == (
        "Failed", "exit code 1", ["[10-a] failing \x1b[2J"])
    assert restart["error"].startswith(f"{notebook} failed to start: exit code 1\nlast lines of")
    assert proc.stdout.isascii()


def test_json_of_an_error_is_nothing_on_standard_output(moto: Moto, lcc_env: dict[str, str],
                                                        tmp_path: Path) -> None:
    name = unique("jsonrefused")
    create_config(moto, name, on_start="#!/bin/bash\necho hand-made\n")
    proc = lcc(lcc_env, "deploy", name, str(folder(tmp_path / "s")), "--json")
    assert (proc.returncode, proc.stdout) == (1, "")
    assert "did not build" in proc.stderr
