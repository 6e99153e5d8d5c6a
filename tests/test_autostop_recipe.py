"""The autostop recipe: its options (Python, lifecycle.toml, lcc --recipe), what it packs, its
installation on the instance (a systemd timer), and how its root side runs the notebook user's
Python (attacked from a planted interpreter), in the sandbox."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lcc_constructs import Scripts
from lcc_constructs.errors import BundleError
from lcc_constructs.limits import AUTOSTOP_ACTIONS
from lcc_constructs.recipes import from_spec, parse_cli_spec
from lcc_constructs.recipes.autostop import ARGS_ENV, autostop
from lcc_constructs.sandbox import SimulationResult

from .conftest import ROOT
from .helpers import simulate_built, standins, write_folder

SOURCE = ROOT / "assets" / "recipes" / "autostop"


def args_of(scripts: Scripts) -> list[str]:
    (step,) = scripts.steps
    return step.env[ARGS_ENV].split()


def test_defaults() -> None:
    scripts = autostop()
    assert args_of(scripts) == ["--idle-minutes=60", "--starting-grace-minutes=10",
                                "--jupyter-url=https://localhost:8443",
                                "--log=/home/ec2-user/SageMaker/.autostop.log"]
    (step,) = scripts.steps
    assert step.name == "autostop" and step.env["OPT_AUTOSTOP_INTERVAL_MINUTES"] == "5"
    assert [f.path for f in scripts.files] == ["recipes/autostop/autostop.py"]
    assert scripts.notebook_actions == AUTOSTOP_ACTIONS


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


def test_minutes_reach_the_checker_as_given() -> None:
    # Not rounded to six digits, nor in exponent notation (the checker's argparse reads both,
    # but 90.1234567 would become 90.1235).
    args = args_of(autostop(idle_minutes=90.1234567, starting_grace_minutes=1234567))
    assert "--idle-minutes=90.1234567" in args and "--starting-grace-minutes=1234567" in args


@pytest.mark.parametrize(("options", "message"), [
    ({"idle_minutes": 0}, "idle_minutes=0 must be a positive number of minutes"),
    ({"starting_grace_minutes": -1}, "starting_grace_minutes=-1 must be a number of minutes, 0 or more"),
    ({"starting_grace_minutes": -1}, "starting_grace_minutes=-1 must be"),
    ({"interval_minutes": 0}, "interval_minutes=0 must be a whole number from 1 to 60"),
    ({"interval_minutes": 61}, "interval_minutes=61"),
    ({"jupyter_url": "localhost:8443"}, "jupyter_url='localhost:8443' must be this instance's Jupyter"),
    ({"jupyter_url": "https://x/ y"}, "must be this instance's Jupyter"),
    # The checker sends the token there: only this instance's own Jupyter.
    ({"jupyter_url": "https://jupyter.example.com"}, "must be this instance's Jupyter"),
    ({"jupyter_url": "https://localhost.example.com:8443"}, "must be this instance's Jupyter"),
    ({"token_file": "token"}, "token_file='token' must be an absolute path"),
    ({"log_file": "/tmp/a b.log"}, "log_file="),
])
def test_bad_options_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(BundleError, match=message):
        autostop(**options)  # type: ignore[arg-type]


def test_a_wrongly_typed_option_from_a_manifest_is_refused() -> None:
    with pytest.raises(BundleError, match="interval_minutes=2.5 must be a whole number from 1 to 60"):
        from_spec("autostop", {"interval_minutes": 2.5})


def test_packed_file_carries_no_docstrings_and_still_parses() -> None:
    (packed,) = (f.data.decode() for f in autostop().files)
    assert len(packed) < len((SOURCE / "autostop.py").read_text())
    ast.parse(packed)
    assert '"""' not in packed


# -- on the instance (sandbox) ----------------------------------------------------------------

def install(tmp_path: Path, files: dict[str, Path], runs: int = 1, extra: Scripts | None = None,
            **options: object) -> SimulationResult:
    scripts = autostop(**options)  # type: ignore[arg-type]
    return simulate_built(tmp_path, scripts + extra if extra else scripts, files=files, runs=runs,
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
    assert "ExecStart=/usr/bin/python3 /opt/lcc-autostop/autostop.py check" in (
        keep / "etc/systemd/system/lcc-autostop.service").read_text()
    for name, mode in [("autostop.py", 0o755), ("args", 0o644)]:
        st = (keep / "opt/lcc-autostop" / name).stat()
        assert (st.st_uid, st.st_mode & 0o777) == (0, mode), name
    assert "--idle-minutes=60" in (keep / "opt/lcc-autostop/args").read_text()


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_without_systemd_it_says_so(tmp_path: Path) -> None:
    result = install(tmp_path, {})
    assert not result.would_fail, result.format()
    assert "skipped: systemd is not running" in result.last.step("autostop").log


#: The notebook user's Python, planted where `check` looks first (the notebook user owns
#: ~/anaconda3): it says it has boto3, and when run as the checker it reports who runs it and
#: what terminal it could reach, then prints what would move a terminal's cursor.
PLANTED = r"""#!/bin/bash
[ "$1" = -c ] && exit 0
{
  echo "user=$(id -un)"
  for fd in 0 1 2; do [ -t $fd ] && echo "fd $fd is a terminal"; done
  if (exec 3</dev/tty) 2>/dev/null; then echo "opened /dev/tty"; else echo "no /dev/tty"; fi
  env | cut -d= -f1 | sort | tr '
' ' '
} > ~/SageMaker/planted.out
printf 'decision [2J]0;title done
'
"""


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_check_runs_the_notebook_users_python_as_that_user_without_a_terminal(tmp_path: Path) -> None:
    # An admin runs the check in a root terminal (script(1) gives the step one). The notebook
    # user's Python must not reach that terminal: no TIOCSTI keystrokes into root's shell.
    planted = tmp_path / "python"
    planted.write_text(PLANTED)
    planted.chmod(0o755)
    admin = write_folder(tmp_path / "admin", {"admin.sh": (
        "export AWS_REGION=us-east-1 SECRET=root-only\n"
        "script -qec '/usr/bin/python3 /opt/lcc-autostop/autostop.py check --dry-run' /dev/null\n")})
    result = install(tmp_path, {"/home/ec2-user/anaconda3/envs/JupyterSystemEnv/bin/python": planted},
                     extra=Scripts.from_folder(admin))
    assert not result.would_fail, result.format()
    report = (tmp_path / "volume" / "planted.out").read_text().splitlines()
    assert report[:2] == ["user=ec2-user", "no /dev/tty"]
    assert report[2].split() == ["AWS_REGION", "HOME", "PATH", "PWD", "SHLVL", "_"]
    # What the notebook user printed reaches root's terminal and log without control characters.
    assert "decision [2J]0;title done" in result.last.step("admin").log
    assert "\x1b" not in (tmp_path / "keep" / "var/log/jupyter.log").read_text()
