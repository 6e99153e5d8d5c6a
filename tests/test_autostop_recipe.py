"""The autostop recipe: its options (Python, lifecycle.toml, lcc --recipe), what it packs, its
installation on the instance (a systemd timer), and how its root side runs the notebook user's
Python (attacked from a planted interpreter), in the sandbox."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from lcc_constructs import BuildOptions, Scripts, build
from lcc_constructs.errors import BundleError
from lcc_constructs.limits import AUTOSTOP_ACTIONS
from lcc_constructs.recipes import from_spec, parse_cli_spec
from lcc_constructs.recipes.autostop import ARGS_ENV, autostop
from lcc_constructs.sandbox import SimulationResult

from .conftest import ROOT
from .helpers import simulate_built, standins, write_folder

SOURCE = ROOT / "assets" / "recipes" / "autostop"
STUDIO = BuildOptions(platform="studio")


def args_of(scripts: Scripts) -> list[str]:
    (step,) = scripts.steps
    return step.env[ARGS_ENV].split()


def test_defaults() -> None:
    # The checker's defaults are the recipe's: nothing to write.
    scripts = autostop()
    assert args_of(scripts) == []
    (step,) = scripts.steps
    assert step.name == "autostop" and step.env["OPT_AUTOSTOP_INTERVAL_MINUTES"] == "5"
    assert [f.path for f in scripts.files] == ["recipes/autostop/autostop.py"]
    assert scripts.notebook_actions == AUTOSTOP_ACTIONS


def test_every_option_reaches_the_checker() -> None:
    scripts = autostop(idle_minutes=30, interval_minutes=10, count_connections=True, dry_run=True,
                       jupyter_url="https://127.0.0.1:9443/", token_file="/etc/jupyter-token",
                       log_file="/var/log/autostop.log")
    assert args_of(scripts) == [
        "idle_minutes=30", "count_connections=1", "dry_run=1", "jupyter_url=https://127.0.0.1:9443/",
        "token_file=/etc/jupyter-token", "log_file=/var/log/autostop.log"]
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
count_terminals = true
"""})
    scripts = Scripts.from_folder(folder)
    assert [s.name for s in scripts.steps] == ["a", "autostop"]
    assert args_of(Scripts((), scripts.steps[1:])) == ["idle_minutes=45", "count_connections=1"]
    name, options = parse_cli_spec('autostop={idle_minutes = 15, name = "idle"}')
    cli = from_spec(name, options)
    assert cli.steps[0].name == "idle" and args_of(cli) == ["idle_minutes=15"]


def test_minutes_reach_the_checker_as_given() -> None:
    # Not rounded to six digits, nor in exponent notation.
    assert args_of(autostop(idle_minutes=90.1234567)) == ["idle_minutes=90.1234567"]
    assert args_of(autostop(idle_minutes=1234567)) == ["idle_minutes=1234567"]


@pytest.mark.parametrize(("options", "message"), [
    # What earlier versions took and the checker can no longer honour: refused, saying why.
    ({"count_terminals": False}, "count_terminals=False is no longer possible: Jupyter's last activity"),
    ({"starting_grace_minutes": 10}, "starting_grace_minutes=10 is no longer an option: a kernel stuck"),
    ({"starting_grace_minutes": 0}, "starting_grace_minutes=0 is no longer an option"),
])
def test_removed_options_are_refused_with_the_reason(options: dict[str, object], message: str) -> None:
    with pytest.raises(BundleError, match=message):
        autostop(**options)  # type: ignore[arg-type]


def test_a_removed_option_from_a_manifest_is_refused() -> None:
    with pytest.raises(BundleError, match="count_terminals=False is no longer possible"):
        from_spec("autostop", {"count_terminals": False})


@pytest.mark.parametrize(("options", "message"), [
    ({"idle_minutes": 0}, "idle_minutes=0 must be a positive number of minutes"),
    ({"idle_minutes": float("nan")}, "idle_minutes=nan must be a positive number of minutes"),
    ({"dry_run": "yes"}, "dry_run='yes' must be True or False"),
    ({"interval_minutes": 0}, "interval_minutes=0 must be a whole number from 1 to 60"),
    ({"interval_minutes": 61}, "interval_minutes=61"),
    ({"jupyter_url": "localhost:8443"}, "jupyter_url='localhost:8443' must be this instance's Jupyter"),
    ({"jupyter_url": "https://x/ y"}, "must be this instance's Jupyter"),
    # The checker sends the token there and checks no certificate: only this instance's own
    # Jupyter (the checker no longer checks it itself: the recipe is the only way in).
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
    result = install(tmp_path, standins(tmp_path, "systemctl"), runs=2, interval_minutes=7, idle_minutes=90)
    assert not result.would_fail, result.format()
    log = result.last.step("autostop").log
    assert "systemd timer lcc-autostop.timer, every 7 minutes: idle_minutes=90" in log
    keep = tmp_path / "keep"
    timer = (keep / "etc/systemd/system/lcc-autostop.timer").read_text()
    assert "OnUnitActiveSec=7min" in timer and "OnActiveSec=7min" in timer
    service = (keep / "etc/systemd/system/lcc-autostop.service").read_text()
    assert "ExecStart=/usr/bin/python3 /opt/lcc-autostop/autostop.py check idle_minutes=90\n" in service
    assert "Type=oneshot" in service and "TimeoutStartSec=150" in service
    st = (keep / "opt/lcc-autostop/autostop.py").stat()
    assert st.st_uid == 0 and st.st_mode & 0o022 == 0  # root's, written by root alone
    packed = next(f.data for f in autostop().files if f.path.endswith(".py"))
    assert (keep / "opt/lcc-autostop/autostop.py").read_bytes() == packed


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_without_systemd_it_says_so(tmp_path: Path) -> None:
    result = install(tmp_path, {})
    assert not result.would_fail, result.format()
    assert "skipped: systemd is not running" in result.last.step("autostop").log


# -- root's check against the notebook user's Python (sandbox) --------------------------------
# The notebook user owns ~/anaconda3: it can put any program where `check` looks for its Python.

PYTHON = "/home/ec2-user/anaconda3/envs/JupyterSystemEnv/bin/python"

#: A planted Python that says who runs it and what terminal it could reach, then prints what
#: would move a terminal's cursor.
SPY = r"""#!/bin/bash
{
  echo "user=$(id -un) groups=$(id -G)"
  for fd in 0 1 2; do [ -t $fd ] && echo "fd $fd is a terminal"; done
  if (exec 3</dev/tty) 2>/dev/null; then echo "opened /dev/tty"; else echo "no /dev/tty"; fi
  env | cut -d= -f1 | sort | tr '\n' ' '
} > ~/SageMaker/planted.out
printf 'decision \033[2J\033]0;title\007 done\n'
"""

#: Root's check run by an admin, measured: seconds, the largest resident size (KiB) of it and
#: everything it waited for, its output, and the notebook user's processes left afterwards.
MEASURE = r"""
import json, os, pwd, resource, subprocess, time
t = time.monotonic()
p = subprocess.run(["/usr/bin/python3", "/opt/lcc-autostop/autostop.py", "check", "dry_run=1"],
                   capture_output=True, timeout=200)
uid, left = pwd.getpwnam("ec2-user").pw_uid, ""
for pid in filter(str.isdigit, os.listdir("/proc")):  # the notebook user's live processes (no zombies)
    try:
        status = dict(ln.split(":", 1) for ln in open(f"/proc/{pid}/status").read().splitlines())
        if int(status["Uid"].split()[0]) == uid and status["State"].split()[0] != "Z":
            left += open(f"/proc/{pid}/cmdline").read().replace("\0", " ") + "\n"
    except (OSError, KeyError, ValueError):
        pass
print("MEASURED " + json.dumps({"seconds": time.monotonic() - t, "rc": p.returncode, "left": left,
      "maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
      "stdout": p.stdout.decode(errors="replace"), "stderr": p.stderr.decode(errors="replace")}))
"""


def attack(tmp_path: Path, planted: str | bytes) -> tuple[dict[str, object], list[str]]:
    """Root's check, by an admin, with ``planted`` as the notebook user's Python: what it
    measured and the lines of /var/log/jupyter.log."""
    python = tmp_path / "python"
    python.write_bytes(planted.encode() if isinstance(planted, str) else planted)
    python.chmod(0o755)
    (tmp_path / "measure.py").write_text(MEASURE)
    admin = write_folder(tmp_path / "admin", {
        "admin.sh": "/usr/bin/python3 /work/measure.py\n",
        "lifecycle.toml": '[[step]]\nscript = "admin.sh"\ntimeout = 250\n'})
    result = install(tmp_path, {PYTHON: python, "/work/measure.py": tmp_path / "measure.py"},
                     extra=Scripts.from_folder(admin))
    assert not result.would_fail, result.format()
    log = result.last.step("admin").log
    measured = json.loads(log[log.index("MEASURED ") + 9:].splitlines()[0])
    jupyter_log = (tmp_path / "keep" / "var/log/jupyter.log").read_text().splitlines()
    return measured, jupyter_log


def one_escaped_line(measured: dict[str, object], log: list[str]) -> str:
    """The check's one line, the same on its stdout and in the log, printable ASCII of at most
    1000 characters; no traceback from root; none of the notebook user's processes left."""
    assert measured["rc"] == 0 and measured["stderr"] == "", measured
    assert len(log) == 1, log
    (line,) = log
    assert measured["stdout"] == line + "\n", measured
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ autostop: [ -~]{1,980}", line), line
    assert measured["left"] == "", measured
    return line


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_check_runs_the_notebook_users_python_as_that_user_without_a_terminal(tmp_path: Path) -> None:
    # An admin runs the check in a root terminal (script(1) gives the step one). The notebook
    # user's Python must not reach that terminal: no TIOCSTI keystrokes into root's shell.
    planted = tmp_path / "python"
    planted.write_text(SPY)
    planted.chmod(0o755)
    admin = write_folder(tmp_path / "admin", {"admin.sh": (
        "export AWS_REGION=us-east-1 SECRET=root-only\n"
        # Root with supplementary groups (adm, wheel) they must not pass on.
        "script -qec 'setpriv --groups 4,10 /usr/bin/python3 /opt/lcc-autostop/autostop.py check dry_run=1'"
        " /dev/null\n")})
    result = install(tmp_path, {PYTHON: planted}, extra=Scripts.from_folder(admin))
    assert not result.would_fail, result.format()
    report = (tmp_path / "volume" / "planted.out").read_text().splitlines()
    assert report[0].startswith("user=ec2-user groups=") and len(report[0].split("=")[2].split()) == 1, report
    assert report[1] == "no /dev/tty"
    # Nothing of root's environment: not even AWS_* (the instance's role comes from IMDS).
    assert report[2].split() == ["HOME", "PATH", "PWD", "SHLVL", "_"]
    # What the notebook user printed reaches root's terminal and log escaped.
    assert "decision \\x1b[2J\\x1b]0;title\\x07 done (exit 0)" in result.last.step("admin").log
    log = (tmp_path / "keep" / "var/log/jupyter.log").read_text()
    assert "\x1b" not in log and log.count("\n") == 1


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_a_python_that_never_ends_is_killed_at_the_limit_with_its_group(tmp_path: Path) -> None:
    # Silent, and with a child of its own in its process group that would hold the pipe.
    measured, log = attack(tmp_path, "#!/bin/bash\nsleep 1000 &\nexec sleep 1000\n")
    line = one_escaped_line(measured, log)
    assert line.endswith(" autostop: no answer (exit -9)"), line
    assert 59 < measured["seconds"] < 75, measured  # type: ignore[operator]


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_a_python_that_escapes_its_group_holding_the_pipe_does_not_hold_the_check(tmp_path: Path) -> None:
    # A child in a session of its own keeps the pipe open after the planted Python ended: root
    # does not wait for it past the limit (under the timer, systemd ends it with the unit).
    measured, log = attack(tmp_path, "#!/bin/bash\necho decided\nsetsid sleep 1000 &\n")
    assert measured["seconds"] < 75, measured  # type: ignore[operator]
    assert len(log) == 1 and log[0].endswith(" autostop: decided (exit 0)"), log
    assert "sleep 1000" in measured["left"]  # type: ignore[operator]


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_a_python_that_floods_is_read_a_few_kib_and_killed(tmp_path: Path) -> None:
    measured, log = attack(tmp_path, "#!/bin/bash\nexec yes 0123456789abcdef\n")
    line = one_escaped_line(measured, log)
    assert "0123456789abcdef\\n0123456789abcdef" in line and len(line) == 1000  # cut
    assert measured["seconds"] < 20, measured  # type: ignore[operator]
    assert measured["maxrss_kib"] < 64 * 1024, measured  # type: ignore[operator]


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_a_python_that_prints_fake_log_lines_and_terminal_escapes_gets_one_escaped_line(
        tmp_path: Path) -> None:
    measured, log = attack(tmp_path, (
        "#!/bin/bash\nprintf 'active\\n2026-01-01T00:00:00Z autostop: stopping everything\\r\\n"
        "\\033[1A\\033[2K\\033]0;owned\\007root# \\xff\\x00end\\n'\n"))
    line = one_escaped_line(measured, log)
    assert line.endswith(" autostop: active\\n2026-01-01T00:00:00Z autostop: stopping everything\\r\\n"
                         "\\x1b[1A\\x1b[2K\\x1b]0;owned\\x07root# \\ufffd\\x00end (exit 0)"), line


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
@pytest.mark.parametrize(("planted", "said"), [
    ("#!/bin/bash\necho 'Traceback (most recent call last):'\nexit 3\n",
     "Traceback (most recent call last): (exit 3)"),
    # The notebook user's shell starts its Python (root looks at nothing in that user's home):
    # what the shell says of one it cannot start is the line.
    (b"\x7fELF-not-really\n", "sh: 1: exec: /home/ec2-user/anaconda3/envs/JupyterSystemEnv/bin/python: "
                              "Exec format error (exit 126)"),
    ("#!/no/such/interpreter\n", "sh: 1: exec: /home/ec2-user/anaconda3/envs/JupyterSystemEnv/bin/python: "
                                  "not found (exit 127)"),
], ids=["exits-with-an-error", "no-program", "no-interpreter"])
def test_a_python_that_fails_gives_one_line_and_no_traceback_from_root(tmp_path: Path, planted: str | bytes,
                                                                      said: str) -> None:
    measured, log = attack(tmp_path, planted)
    line = one_escaped_line(measured, log)
    assert line.endswith(" autostop: " + said), line


# --- Studio: the app's own idle shutdown ------------------------------------------------------

def studio_scripts(tmp_path: Path, **options: object) -> Scripts:
    mine = Scripts.from_folder(write_folder(tmp_path / "mine", {"a.sh": "echo a\n"}))
    return mine + autostop(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize(("idle", "minutes"), [(60, 60), (59.5, 60), (90.2, 91), (525600, 525600)])
def test_on_studio_it_becomes_idle_shutdown_and_nothing_of_it_is_packed(
        tmp_path: Path, idle: float, minutes: int) -> None:
    # Whole minutes, rounded up (Studio takes whole minutes; never sooner than asked).
    rendered = build(studio_scripts(tmp_path, idle_minutes=idle, interval_minutes=10), STUDIO)
    assert rendered.idle_minutes == minutes
    assert rendered.notebook_actions == ()  # no DescribeNotebookInstance/StopNotebookInstance granted
    assert [s.name for s in rendered.steps] == ["a"]
    assert [f.path for f in rendered.report.files] == ["a.sh"]
    assert rendered.report.warnings == (
        f"step 'autostop' is not in the script: autostop becomes Studio's own idle shutdown after "
        f"{minutes} minutes (AppLifecycleManagement idle settings, set by StudioLifecycleConfig.attach)",)
    # The same scripts on a notebook instance: the checker and its IAM, no idle settings.
    notebook = build(studio_scripts(tmp_path / "n", idle_minutes=idle))
    assert notebook.idle_minutes is None and notebook.notebook_actions == AUTOSTOP_ACTIONS
    assert [s.name for s in notebook.steps] == ["a", "autostop"]


@pytest.mark.parametrize(("options", "message"), [
    ({"idle_minutes": 30}, "Studio's idle shutdown takes 60 to 525600 minutes, not 30"),
    ({"idle_minutes": 600000}, "not 600000"),
    ({"dry_run": True}, "dry_run \\(log, never stop\\) has no counterpart in Studio's idle shutdown"),
])
def test_on_studio_what_idle_shutdown_cannot_be_is_a_build_error(
        tmp_path: Path, options: dict[str, object], message: str) -> None:
    scripts = studio_scripts(tmp_path, **options)
    with pytest.raises(BundleError, match=message):
        build(scripts, STUDIO)
    assert build(scripts).report.fits
