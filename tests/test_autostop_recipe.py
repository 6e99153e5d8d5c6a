"""The autostop recipe: its options (Python, lifecycle.toml, lcc --recipe), what it packs, and
its installation on the instance (systemd timer, cron, detached loop) run in the sandbox."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lcc_constructs import Scripts, build
from lcc_constructs.autostop import MARKER_ENV, autostop, carries_autostop
from lcc_constructs.errors import BundleError
from lcc_constructs.recipe_registry import from_spec, parse_cli_spec
from lcc_constructs.sandbox import SimulationResult, simulate

from .conftest import ROOT
from .helpers import standins, write_folder, write_script

SOURCE = ROOT / "assets" / "recipes" / "autostop"


def args_of(scripts: Scripts) -> list[str]:
    (step,) = scripts.steps
    return step.env[MARKER_ENV].split()


def test_defaults() -> None:
    scripts = autostop()
    assert args_of(scripts) == ["--idle-minutes=60", "--starting-grace-minutes=10",
                                "--jupyter-url=https://localhost:8443",
                                "--log=/home/ec2-user/SageMaker/.autostop.log"]
    (step,) = scripts.steps
    assert step.name == "autostop" and step.env["OPT_AUTOSTOP_INTERVAL_MINUTES"] == "5"
    assert sorted(f.path for f in scripts.files) == ["recipes/autostop/autostop.py",
                                                     "recipes/autostop/autostop.sh"]
    assert carries_autostop(scripts.steps)


def test_every_option_reaches_the_checker() -> None:
    scripts = autostop(idle_minutes=30, interval_minutes=10, count_connections=True,
                       count_terminals=False, starting_grace_minutes=2.5, dry_run=True,
                       jupyter_url="https://127.0.0.1:9443/", token_file="/etc/jupyter-token",
                       log_file="/var/log/autostop.log")
    assert args_of(scripts) == [
        "--idle-minutes=30", "--starting-grace-minutes=2.5", "--jupyter-url=https://127.0.0.1:9443/",
        "--log=/var/log/autostop.log", "--count-connections", "--ignore-terminals", "--dry-run",
        "--token-file=/etc/jupyter-token"]
    assert scripts.steps[0].env["OPT_AUTOSTOP_INTERVAL_MINUTES"] == "10"


def test_from_a_manifest_and_the_command_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo a\n", "lifecycle.toml": """
[[step]]
script = "a.sh"

[[step]]
recipe = "autostop"
[step.with]
idle_minutes = 45
count_connections = true
"""})
    scripts = Scripts.from_folder(folder)
    assert [s.name for s in scripts.steps] == ["a", "autostop"]
    assert "--idle-minutes=45" in args_of(Scripts((), scripts.steps[1:]))
    name, options = parse_cli_spec('autostop={idle_minutes = 15, name = "idle"}')
    cli = from_spec(name, options)
    assert cli.steps[0].name == "idle" and "--idle-minutes=15" in args_of(cli)


@pytest.mark.parametrize(("options", "message"), [
    ({"idle_minutes": 0}, "idle_minutes=0 must be a positive number of minutes"),
    ({"starting_grace_minutes": -1}, "starting_grace_minutes=-1 must be"),
    ({"interval_minutes": 0}, "interval_minutes=0 must be a whole number from 1 to 60"),
    ({"interval_minutes": 61}, "interval_minutes=61"),
    ({"jupyter_url": "localhost:8443"}, "jupyter_url='localhost:8443' must be an http"),
    ({"jupyter_url": "https://x/ y"}, "must be an http"),
    ({"token_file": "token"}, "token_file='token' must be an absolute path"),
    ({"log_file": "/tmp/a b.log"}, "log_file="),
])
def test_bad_options_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(BundleError, match=message):
        autostop(**options)  # type: ignore[arg-type]


def test_a_wrongly_typed_option_from_a_manifest_is_refused() -> None:
    with pytest.raises(BundleError, match="option 'interval_minutes'=2.5 is not of type"):
        from_spec("autostop", {"interval_minutes": 2.5})


def test_packed_files_carry_no_comments_and_still_parse() -> None:
    files = {f.path.rsplit("/", 1)[1]: f.data.decode() for f in autostop().files}
    source = (SOURCE / "autostop.py").read_text()
    assert len(files["autostop.py"]) < len(source)
    assert ast.dump(ast.parse(files["autostop.py"])) != "" and '"""' not in files["autostop.py"]
    shell = files["autostop.sh"].splitlines()
    assert shell[0] == "#!/bin/bash" and not any(ln.lstrip().startswith("#") for ln in shell[1:])
    # Dropping comment lines is only safe without here-documents in the source.
    assert "<<" not in (SOURCE / "autostop.sh").read_text()


# -- on the instance (sandbox) ----------------------------------------------------------------

def install(tmp_path: Path, files: dict[str, Path], runs: int = 1, **options: object) -> SimulationResult:
    rendered = build(autostop(**options))  # type: ignore[arg-type]
    script = write_script(tmp_path / "on-start.sh", rendered)
    return simulate(script, keep=tmp_path / "keep", volume=tmp_path / "volume", runs=runs, files=files,
                    wait_background_seconds=8)


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_with_systemd_a_timer_runs_the_check(tmp_path: Path) -> None:
    result = install(tmp_path, standins(tmp_path, "systemctl"), runs=2, interval_minutes=7)
    assert not result.would_fail, result.format()
    assert "systemd timer lcc-autostop.timer, every 7 minutes" in result.last.step("autostop").log
    keep = tmp_path / "keep"
    timer = (keep / "etc/systemd/system/lcc-autostop.timer").read_text()
    assert "OnUnitActiveSec=7min" in timer and "OnActiveSec=7min" in timer
    assert "ExecStart=/opt/lcc-autostop/autostop.sh check" in (
        keep / "etc/systemd/system/lcc-autostop.service").read_text()
    for name, mode in [("autostop.py", 0o644), ("autostop.sh", 0o755), ("config.sh", 0o644)]:
        st = (keep / "opt/lcc-autostop" / name).stat()
        assert (st.st_uid, st.st_mode & 0o777) == (0, mode), name
    assert "OPT_AUTOSTOP_ARGS=" in (keep / "opt/lcc-autostop/config.sh").read_text()


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_with_cron_root_crontab_runs_the_check_once(tmp_path: Path) -> None:
    result = install(tmp_path, standins(tmp_path, "crontab", systemd=False), runs=2, interval_minutes=60)
    assert not result.would_fail, result.format()
    assert "root's crontab, every 60 minutes" in result.last.step("autostop").log
    table = (tmp_path / "keep/var/spool/cron/root").read_text().splitlines()
    assert table == ["*/60 * * * * /opt/lcc-autostop/autostop.sh check >/dev/null 2>&1 # lcc-autostop"]


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_without_systemd_or_cron_a_detached_loop_checks_at_once_and_runs_once(tmp_path: Path) -> None:
    result = install(tmp_path, {}, runs=2)
    assert not result.would_fail and not result.last.output_held_open, result.format()
    first, second = (run.step("autostop").log for run in result.runs)
    assert "a detached loop, every 5 minutes" in first
    assert "the check loop already runs" in second
    # The loop's first check ran as the notebook user, found no instance metadata in the
    # sandbox and did not stop anything; its decision went to /var/log/jupyter.log.
    log = (tmp_path / "keep/var/log/jupyter.log").read_text()
    assert "autostop: not stopping: no instance name and region in /opt/ml/metadata" in log, log
    assert result.left_running >= 1  # the loop itself, killed at teardown
