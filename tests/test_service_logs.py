"""`lcc logs` against moto's CloudWatch Logs: the lifecycle stream's lines with a per-step
summary after each run's final status line (lines the real runner printed in the sandbox, and
lines written in its format), --kind, --since, --follow until a run ends, and the message when
there is no stream."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lcc_constructs.sandbox import availability, simulate

from .conftest import require
from .servers import ACCOUNT, Moto
from .service_helpers import LCC, create_config, folder, lcc, put_log_lines, unique

DONE = ('2026-11-03T08:00:03Z lcc-constructs[on-start]: done {"schema":2,"kind":"on-start",'
        '"run":"20261103T080001.000Z-on-start","started":"2026-11-03T08:00:01Z","finished":"2026-11-03T08:00:03Z",'
        '"budget_seconds":240.00,"exit_code":1,"steps":[{"name":"10-setup","user":"root","status":"ok",'
        '"exit_code":0,"seconds":0.52,"reason":null},{"name":"20-pip","user":"ec2-user","status":"failed",'
        '"exit_code":2,"seconds":1.10,"reason":"exit code 2"}]}')
#: One run as the runner writes it (assets/runtime/runner.sh).
RUN = [
    "2026-11-03T08:00:01Z lcc-constructs[on-start]: step 10-setup: start as root, limit 239.90s (budget)",
    "[10-setup] configuring",
    "2026-11-03T08:00:02Z lcc-constructs[on-start]: step 10-setup: ok ",
    "2026-11-03T08:00:02Z lcc-constructs[on-start]: step 20-pip: start as ec2-user, limit 30.00s "
    "(step timeout)",
    "[20-pip] ERROR: No matching distribution found for nothing-such",
    '2026-11-03T08:00:03Z lcc-constructs[on-start]: step 20-pip: failed "exit code 2"',
    DONE,
]
SUMMARY = [
    "run 20261103T080001.000Z-on-start: exit 1 (started 2026-11-03T08:00:01Z, finished 2026-11-03T08:00:03Z)",
    "  step      user      status  exit  seconds  reason",
    "  10-setup  root      ok      0     0.52",
    "  20-pip    ec2-user  failed  2     1.1      exit code 2",
]



def stream(notebook: str, kind: str = "OnStart") -> str:
    return f"{notebook}/LifecycleConfig{kind}"


def test_lines_then_each_runs_summary(moto: Moto, lcc_env: dict[str, str]) -> None:
    notebook = unique("nb")
    second = [RUN[0].replace("08:00:01", "09:00:01"), "[10-setup] still going"]
    put_log_lines(moto, stream(notebook), ["some line before", *RUN, *second])
    proc = lcc(lcc_env, "logs", notebook)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "some line before", *RUN, *SUMMARY, *second,
        "run without a final status line: still running, or stopped by the service",
        "  step      user  status   exit  seconds  reason",
        "  10-setup  root  running",
    ]


def test_the_real_runners_lines(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    require(availability() is None, f"sandbox unavailable: {availability()}")
    scripts = folder(tmp_path / "s", {"10-a.sh": "#!/bin/bash\necho hello from a\n",
                                      "20-b.sh": "#!/bin/bash\necho failing >&2\nexit 3\n"}, {})
    script = tmp_path / "on-start.sh"
    assert lcc(lcc_env, "build", str(scripts), "-o", str(script)).returncode == 0
    output = simulate(script).runs[0].output
    notebook = unique("nb")
    put_log_lines(moto, stream(notebook), output.splitlines())
    proc = lcc(lcc_env, "logs", notebook)
    assert proc.returncode == 0, proc.stderr
    summary = proc.stdout.splitlines()[len(output.splitlines()):]
    assert re.match(r"^run [0-9T.]+Z-on-start: exit 0 \(started \S+Z, finished \S+Z\)$", summary[0])
    assert [row.split()[:4] for row in summary[2:]] == [["10-a", "root", "ok", "0"],
                                                       ["20-b", "root", "failed", "3"]]
    assert summary[3].endswith("exit code 3")


def test_kind_on_create(moto: Moto, lcc_env: dict[str, str]) -> None:
    notebook = unique("nb")
    line = "2026-11-03T08:00:01Z lcc-constructs[on-create]: step once: start as root, limit 239.90s (budget)"
    put_log_lines(moto, stream(notebook, "OnCreate"), [line])
    proc = lcc(lcc_env, "logs", notebook, "--kind", "on-create")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == line
    assert lcc(lcc_env, "logs", notebook).returncode == 1  # no on-start stream


def test_since(moto: Moto, lcc_env: dict[str, str]) -> None:
    notebook = unique("nb")
    now = int(time.time() * 1000)
    put_log_lines(moto, stream(notebook), ["two hours ago"], now - 2 * 3600 * 1000)
    put_log_lines(moto, stream(notebook), ["just now"], now)
    assert lcc(lcc_env, "logs", notebook, "--since", "1h").stdout.splitlines()[0] == "just now"
    both = lcc(lcc_env, "logs", notebook, "--since", "3h")
    assert both.stdout.splitlines()[:2] == ["two hours ago", "just now"]
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now / 1000 - 60))
    assert lcc(lcc_env, "logs", notebook, "--since", at).stdout.splitlines()[0] == "just now"
    bad = lcc(lcc_env, "logs", notebook, "--since", "yesterday")
    assert bad.returncode == 2 and "--since 'yesterday': give a duration" in bad.stderr


def follow(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([LCC, "logs", *args, "--follow", "--poll", "0.1"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def read_until(proc: subprocess.Popen[str], last: str) -> list[str]:
    """The lines ``proc`` prints up to ``last`` (the test's cue that it has read that far)."""
    assert proc.stdout is not None
    lines: list[str] = []
    while not lines or lines[-1] != last:
        line = proc.stdout.readline()
        assert line, f"{proc.args} ended before printing {last!r}: {lines}"
        lines.append(line.rstrip("\n"))
    return lines


def test_follow_prints_new_lines_until_the_run_ends(moto: Moto, lcc_env: dict[str, str]) -> None:
    notebook = unique("nb")
    put_log_lines(moto, stream(notebook), [*RUN])  # an earlier run: following goes past its end
    proc = follow(lcc_env, notebook)
    seen = read_until(proc, SUMMARY[-1])
    put_log_lines(moto, stream(notebook), RUN[:3])
    seen += read_until(proc, RUN[2])
    assert proc.poll() is None
    put_log_lines(moto, stream(notebook), RUN[3:])
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert seen + out.splitlines() == [*RUN, *SUMMARY, *RUN, *SUMMARY]


def test_follow_waits_for_the_stream(moto: Moto, lcc_env: dict[str, str]) -> None:
    notebook, _ = moto.notebook()  # an instance that has not run a lifecycle script yet
    proc = follow(lcc_env, notebook)
    waiting = f"waiting for the log stream {stream(notebook)} in /aws/sagemaker/NotebookInstances ..."
    read_until(proc, waiting)
    put_log_lines(moto, stream(notebook), RUN)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.splitlines() == [*RUN, *SUMMARY]


def test_no_stream_points_to_the_status_file(moto: Moto, lcc_env: dict[str, str]) -> None:
    notebook, _ = moto.notebook()
    proc = lcc(lcc_env, "logs", notebook)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"lcc logs: no log stream {notebook}/LifecycleConfigOnStart in the log "
                                  "group /aws/sagemaker/NotebookInstances (us-east-1).")
    assert "cannot reach CloudWatch Logs" in proc.stderr
    assert "/home/ec2-user/SageMaker/.lifecycle/logs/latest-on-start/status.json" in proc.stderr


def test_no_stream_names_the_state_dir_of_an_attached_s3_payload_script(moto: Moto, lcc_env: dict[str, str],
                                                                         tmp_path: Path) -> None:
    name, script, payload = unique("s3"), tmp_path / "s3.sh", tmp_path / "payload.bin"
    proc = lcc(lcc_env, "build", str(folder(tmp_path / "scripts")), "-o", str(script), "--state-dir",
               "/home/ec2-user/SageMaker/.team-state", "--s3-location", "s3://lcc-logs-payloads/p.bin",
               "--payload-file", str(payload))
    assert proc.returncode == 0, proc.stderr
    s3 = moto.client("s3")
    s3.create_bucket(Bucket="lcc-logs-payloads")
    s3.put_object(Bucket="lcc-logs-payloads", Key="p.bin", Body=payload.read_bytes())
    create_config(moto, name, on_start=script.read_text())
    notebook = unique("nb")
    moto.client().create_notebook_instance(
        NotebookInstanceName=notebook, InstanceType="ml.t3.medium", LifecycleConfigName=name,
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/notebook")
    proc = lcc(lcc_env, "logs", notebook)
    assert proc.returncode == 1
    assert "/home/ec2-user/SageMaker/.team-state/logs/latest-on-start/status.json" in proc.stderr


def test_no_stream_but_others_of_the_instance(moto: Moto, lcc_env: dict[str, str]) -> None:
    notebook, _ = moto.notebook()
    put_log_lines(moto, f"{notebook}/jupyter.log", ["[I] Jupyter Server is running"])
    proc = lcc(lcc_env, "logs", notebook)
    assert proc.returncode == 1
    assert f"The instance's other streams ({notebook}/jupyter.log) show that it reaches" in proc.stderr


def test_a_stream_of_a_script_not_built_here(moto: Moto, lcc_env: dict[str, str]) -> None:
    notebook = unique("nb")
    put_log_lines(moto, stream(notebook), ["installing", "done"])
    proc = lcc(lcc_env, "logs", notebook)
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == ["installing", "done", f"(no line of lcc-constructs' runner in "
                                        f"{stream(notebook)}: its script was not built by lcc-constructs)"]


def test_boto3_is_not_loaded_by_the_other_commands(tmp_path: Path) -> None:
    code = ("import sys; from lcc_constructs.cli import main; main(['report', sys.argv[1]]); "
            "print('boto3' in sys.modules, 'botocore' in sys.modules)")
    scripts = folder(tmp_path / "s", {"a.sh": "echo a\n"}, {})
    proc = subprocess.run([sys.executable, "-c", code, str(scripts)], capture_output=True, text=True)
    assert proc.stdout.splitlines()[-1] == "False False", proc.stderr


# --- what a log holds is anyone's: escaped, and forged final status lines skipped -------------

#: Terminal control in a log line, by family, and how lcc logs shows it.
ESCAPES = {
    "window title (OSC 0)": ("\x1b]0;owned\x07", "\\x1b]0;owned\\x07"),
    "clipboard write (OSC 52)": ("\x1b]52;c;cm0gLXJmIH4=\x07", "\\x1b]52;c;cm0gLXJmIH4=\\x07"),
    "screen clear (CSI 2J)": ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),
    "8-bit CSI (C1)": ("\x9b2J", "\\x9b2J"),
    "carriage return": ("\rroot# ", "\\rroot# "),
    "a newline inside one event": ("\n2026-11-03T08:00:09Z lcc-constructs[on-start]: forged",
                                   "\\n2026-11-03T08:00:09Z lcc-constructs[on-start]: forged"),
    "bidirectional override": ("\u202egnp.exe", "\\u202egnp.exe"),
}


def shows_no_control(text: str) -> None:
    assert not [c for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f
                or c == "\u202e"], repr(text)


@pytest.mark.parametrize("family", ESCAPES)
def test_log_lines_are_printed_escaped(moto: Moto, lcc_env: dict[str, str], family: str) -> None:
    raw, shown = ESCAPES[family]
    notebook = unique("nb")
    put_log_lines(moto, stream(notebook), [f"[10-a] before{raw}\tafter", "[10-a] next"])
    proc = lcc(lcc_env, "logs", notebook)
    assert proc.returncode == 0, proc.stderr
    shows_no_control(proc.stdout)
    assert proc.stdout.splitlines()[:2] == [f"[10-a] before{shown}\tafter", "[10-a] next"]


def test_the_summary_of_a_final_status_line_is_escaped(moto: Moto, lcc_env: dict[str, str]) -> None:
    notebook = unique("nb")
    done = DONE.replace('"reason":"exit code 2"', '"reason":"exit code 2\\u001b]52;c;Zm9v\\u0007\\nforged"')
    done = done.replace('"user":"ec2-user"', '"user":"ec2-user\\u001b[2J"')
    done = done.replace('"run":"20261103T080001.000Z-on-start"', '"run":"r\\u001b]0;owned\\u0007"')
    put_log_lines(moto, stream(notebook), [*RUN[:-1], done])
    proc = lcc(lcc_env, "logs", notebook)
    assert proc.returncode == 0, proc.stderr
    shows_no_control(proc.stdout)
    summary = proc.stdout.splitlines()[len(RUN):]
    assert summary == [
        "run r\\x1b]0;owned\\x07: exit 1 (started 2026-11-03T08:00:01Z, finished 2026-11-03T08:00:03Z)",
        "  step      user             status  exit  seconds  reason",
        "  10-setup  root             ok      0     0.52",
        "  20-pip    ec2-user\\x1b[2J  failed  2     1.1      exit code 2\\x1b]52;c;Zm9v\\x07\\nforged",
    ]


@pytest.mark.parametrize(("message", "why"), [
    ("done []", "not a JSON object"),
    ('done {"steps":[1]}', "steps[0] is not an object"),
    ('done {"steps":[{"name":"a","seconds":"12"}]}', "steps[0].seconds is not a number"),
    ('done {"steps":[{"name":"a","exit_code":true}]}', "steps[0].exit_code is not an integer"),
    ('done {"steps":[{"name":"a","seconds":NaN}]}', "not JSON"),
    ('done {"steps":[{"name":"a","seconds":1e999}]}', "steps[0].seconds is not finite"),
    ('done {"steps":{"name":"a"}}', "steps is not a list"),
    ('done {"exit_code":"0","steps":[]}', "exit_code is not an integer"),
    ("done {not json", "not JSON"),
    ("done " + "[" * 100000, "not JSON"),
])
def test_a_forged_final_status_line_is_skipped_with_a_note(moto: Moto, lcc_env: dict[str, str], message: str,
                                                          why: str) -> None:
    notebook = unique("nb")
    forged = f"2026-11-03T08:00:02Z lcc-constructs[on-start]: {message}"
    put_log_lines(moto, stream(notebook), [RUN[0], forged, *RUN[1:]])
    proc = lcc(lcc_env, "logs", notebook)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    # The run goes on past the forged line: the real final status line ends it.
    assert proc.stdout.splitlines() == [
        RUN[0], forged, *RUN[1:], SUMMARY[0],
        f"  note: a final status line that is not the runner's was skipped ({why})", *SUMMARY[1:]]


def test_a_forged_final_status_line_does_not_end_following(moto: Moto, lcc_env: dict[str, str]) -> None:
    notebook = unique("nb")
    put_log_lines(moto, stream(notebook), ["[10-a] earlier"])
    proc = follow(lcc_env, notebook)
    read_until(proc, "[10-a] earlier")
    forged = "2026-11-03T08:00:02Z lcc-constructs[on-start]: done []"
    put_log_lines(moto, stream(notebook), [forged])
    read_until(proc, forged)
    time.sleep(1)  # ten reads: still following
    assert proc.poll() is None
    put_log_lines(moto, stream(notebook), RUN)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.splitlines()[-len(SUMMARY) - 1:] == [
        SUMMARY[0], "  note: a final status line that is not the runner's was skipped (not a JSON object)",
        *SUMMARY[1:]]


# --- an instance that does not exist ---------------------------------------------------------

def test_no_stream_and_no_instance_says_there_is_no_instance(moto: Moto, lcc_env: dict[str, str]) -> None:
    notebook = unique("nb")
    proc = lcc(lcc_env, "logs", notebook)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == (f"lcc logs: there is no notebook instance named '{notebook}' in us-east-1, and "
                           f"no log stream {stream(notebook)} in the log group "
                           "/aws/sagemaker/NotebookInstances\n")


def test_following_an_instance_that_does_not_exist_gives_up(moto: Moto, lcc_env: dict[str, str]) -> None:
    notebook = unique("nb")
    proc = lcc(lcc_env, "logs", notebook, "--follow", "--poll", "0.1", timeout=60)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr.startswith(f"lcc logs: there is no notebook instance named '{notebook}'")


def test_the_log_of_a_deleted_instance_is_still_shown(moto: Moto, lcc_env: dict[str, str]) -> None:
    notebook = unique("nb")  # no instance (any more): its stream is there
    put_log_lines(moto, stream(notebook), RUN)
    proc = lcc(lcc_env, "logs", notebook)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [*RUN, *SUMMARY]


def test_an_invalid_instance_name_is_a_usage_error(lcc_env: dict[str, str]) -> None:
    proc = lcc(lcc_env, "logs", "nb/../other")
    assert proc.returncode == 2
    assert "notebook instance name 'nb/../other' is not valid" in proc.stderr


# --- --json ------------------------------------------------------------------------------------

def test_json(moto: Moto, lcc_env: dict[str, str]) -> None:
    notebook = unique("nb")
    lines = ["some line before", *RUN, "2026-11-03T08:00:05Z lcc-constructs[on-start]: done []",
             RUN[0].replace("08:00:01", "09:00:01"), "[10-setup] \x1b[2Jstill going"]
    put_log_lines(moto, stream(notebook), lines)
    proc = lcc(lcc_env, "logs", notebook, "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.isascii()  # JSON's escapes: nothing a terminal would obey
    assert json.loads(proc.stdout) == {
        "notebook": notebook, "kind": "on-start", "log_group": "/aws/sagemaker/NotebookInstances",
        "stream": stream(notebook), "lines": lines,
        "runs": [
            {"complete": True, "run": "20261103T080001.000Z-on-start", "started": "2026-11-03T08:00:01Z",
             "finished": "2026-11-03T08:00:03Z", "exit_code": 1, "errors": [], "notes": [], "steps": [
                 {"name": "10-setup", "user": "root", "status": "ok", "exit_code": 0, "seconds": 0.52,
                  "reason": ""},
                 {"name": "20-pip", "user": "ec2-user", "status": "failed", "exit_code": 2, "seconds": 1.1,
                  "reason": "exit code 2"}]},
            {"complete": False, "run": None, "started": None, "finished": None, "exit_code": None,
             "errors": [], "notes": ["a final status line that is not the runner's was skipped (not a JSON "
                                     "object)"],
             "steps": [{"name": "10-setup", "user": "root", "status": "running", "exit_code": None,
                        "seconds": None, "reason": ""}]},
        ]}


def test_json_of_a_follow_is_printed_when_the_run_ends(moto: Moto, lcc_env: dict[str, str]) -> None:
    notebook, _ = moto.notebook()
    proc = subprocess.Popen([LCC, "logs", notebook, "--follow", "--poll", "0.1", "--json"], env=lcc_env,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    # The notice goes to standard error (standard output holds the document only).
    waiting = f"waiting for the log stream {stream(notebook)} in /aws/sagemaker/NotebookInstances ..."
    assert proc.stderr.readline() == waiting + "\n"
    put_log_lines(moto, stream(notebook), RUN)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    document = json.loads(out)
    assert document["lines"] == RUN and [r["complete"] for r in document["runs"]] == [True]


def test_json_of_an_error_is_nothing_on_standard_output(moto: Moto, lcc_env: dict[str, str]) -> None:
    proc = lcc(lcc_env, "logs", unique("nb"), "--json")
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr.startswith("lcc logs: there is no notebook instance named")
