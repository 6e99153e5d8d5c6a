#!/usr/bin/python3
"""lcc-constructs autostop: stops this notebook instance once Jupyter has been quiet long enough.

  autostop.py             as root, the recipe's step, at every start: copies itself to
                          /opt/lcc-autostop and has a systemd timer run `check` every
                          OPT_AUTOSTOP_INTERVAL_MINUTES with the options OPT_AUTOSTOP_ARGS
  autostop.py check [..]  as root (the timer, or an admin): runs `run` with these options as the
                          notebook user, with that user's Python, bounded (LIMIT seconds, OUT
                          bytes of its output read, its process group killed), and prints and
                          logs one escaped line.
  autostop.py run [..]    the decision (the notebook user): prints it. Exit 0: decided;
                          1: in doubt, not stopping.

Options are NAME=VALUE words (the last of a name wins); OPTIONS holds them with their defaults.
Python 3.9 (Amazon Linux 2023's) and newer; boto3 to stop. Every character of the packed copy is
the user's (the lifecycle script's 16384): hence terse messages (an exception's repr says why it
does not stop) and the standard library's shortest ways.
"""
import datetime as dt
import json
import os
import ssl
import subprocess
import sys
import threading
import urllib.request

HOME = "/opt/lcc-autostop"
USER = "ec2-user"
USER_HOME = "/home/ec2-user"
LIMIT = 60  # seconds the notebook user's Python has in each check
OUT = 4096  # bytes of its output root reads, at most
#: run's options (the recipe's, and where the instance's name is), with their defaults.
#: The recipe writes only the options that differ from these (its defaults: tests/test_autostop_recipe.py).
OPTIONS = {"idle_minutes": "60", "count_connections": "0", "dry_run": "0", "jupyter_url": "https://localhost:8443",
           "token_file": "", "log_file": "/home/ec2-user/SageMaker/.autostop.log",
           "metadata": "/opt/ml/metadata/resource-metadata.json"}


def read(path):
    with open(path) as f:
        return f.read()


def write(path, text, mode="w"):
    with open(path, mode) as f:
        f.write(text)


def stamp():
    return f"{dt.datetime.now(dt.timezone.utc):%FT%TZ} autostop: "


def get(o, path):
    # Its self-signed certificate is not checked: the recipe allows only a loopback jupyter_url.
    token = o["token_file"]
    return json.load(urllib.request.urlopen(urllib.request.Request(
        o["jupyter_url"].rstrip("/") + path,
        headers={"Authorization": "token " + read(token).strip()} if token else {}),
        timeout=5, context=ssl._create_unverified_context()))


def decide(o):
    # Jupyter's last activity counts kernels, terminals and any use of its API; asking
    # /api/status is none. A time without zone cannot be subtracted (TypeError: not stopping).
    status = get(o, "/api/status")
    last = status["last_activity"]
    idle = (dt.datetime.now(dt.timezone.utc) - dt.datetime.fromisoformat(last.replace("Z", "+00:00")))
    idle = idle.total_seconds() / 60
    said = f"idle since {last} ({idle:.1f} of {o['idle_minutes']} minutes)"
    if idle < float(o["idle_minutes"]):
        return said + ": not stopping yet"
    # A cell that prints nothing leaves no activity behind: which kernels are busy, asked so that
    # the question is no activity either.
    busy = [k["name"] for k in get(o, "/api/kernels?no_track_activity=1") if k["execution_state"] == "busy"]
    if busy:
        return "active: busy kernel " + " ".join(busy)
    if int(o["count_connections"]) and status["connections"]:
        return f"active: {status['connections']} connection(s)"
    meta = json.loads(read(o["metadata"]))
    name = meta["ResourceName"]
    import boto3
    from botocore.config import Config

    # A short connect timeout: without a route to the SageMaker API, say so within LIMIT.
    sm = boto3.client("sagemaker", region_name=meta["ResourceArn"].split(":")[3],
                      config=Config(connect_timeout=5))
    state = sm.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceStatus"]
    if state != "InService":
        return f"{said}, but {name} is {state}: not stopping"
    if int(o["dry_run"]):
        return said + ": dry run: would stop " + name
    sm.stop_notebook_instance(NotebookInstanceName=name)
    return said + ": stopping " + name


def run(args):
    # In doubt it does not stop: anything unexpected (Jupyter down, an HTTP error, no JSON, a
    # document of another shape, no metadata, an AWS error) ends here, named by its repr.
    o, code = dict(OPTIONS), 1
    try:
        for word in args:
            key, _, o[key] = word.partition("=")
            if key not in OPTIONS:
                raise ValueError("unknown option " + word)
        said, code = decide(o), 0
    except Exception as e:
        said = f"not stopping: {e!r}"
    log = o["log_file"]
    try:
        if log:
            if os.path.exists(log) and os.path.getsize(log) > 1 << 20:
                os.replace(log, log + ".1")
            write(log, stamp() + said + "\n", "a")
    except OSError as e:
        said += f" ({e!r})"
    print(said)
    return code


def check(args):
    # Root runs the notebook user's Python only as that user, in a session of its own (no
    # terminal to push keystrokes into), stdin from /dev/null, an environment of HOME and PATH
    # only, for LIMIT seconds at most, reading at most OUT bytes of what it prints. Which Python
    # is that user's choice (root looks at nothing in its home): JupyterSystemEnv's, which has
    # boto3, else the system's.
    out = b""
    try:
        p = subprocess.Popen(["/bin/sh", "-c", 'p=~/anaconda3/envs/JupyterSystemEnv/bin/python;'
                              '[ -x "$p" ]||p=/usr/bin/python3;exec "$p" "$@"', "sh",
                              HOME + "/autostop.py", "run", *args],
                             user=USER, group=USER, extra_groups=[], cwd="/",
                             env={"HOME": USER_HOME, "PATH": "/usr/bin:/bin"}, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             start_new_session=True)
        def read_some():  # unbuffered: no lock for a blocked thread to hold at exit
            nonlocal out
            while len(out) < OUT and (more := os.read(p.stdout.fileno(), OUT - len(out))):
                out += more

        # Read by a thread that may stay blocked (a process that left the group can hold the
        # pipe): what it read by then is used, and it ends with root's check.
        reader = threading.Thread(target=read_some, daemon=True)
        reader.start()
        reader.join(LIMIT)
        # Ended, out of time or too talkative: its whole process group goes (the leader is not
        # reaped yet, so the group is still its own).
        os.killpg(p.pid, 9)
        said = f"{out.decode(errors='replace').strip() or 'no answer'} (exit {p.wait()})"
    except OSError as e:  # not a program
        said = f"not stopping: {e!r}"
    # One line of printable ASCII, whatever the notebook user's Python printed.
    line = (stamp() + said).encode("unicode_escape").decode()[:1000]
    print(line)
    write("/var/log/jupyter.log", line + "\n", "a")


def install():
    os.makedirs(HOME, exist_ok=True)
    write(HOME + "/autostop.py", read(__file__))
    if not os.path.isdir("/run/systemd/system"):
        return print("skipped: systemd is not running: no idle checks")
    args = os.environ["OPT_AUTOSTOP_ARGS"]
    minutes = os.environ["OPT_AUTOSTOP_INTERVAL_MINUTES"]
    unit = "/etc/systemd/system/lcc-autostop."
    # TimeoutStartSec: should a check hang, systemd ends the unit with every process in it.
    write(unit + "service", "[Service]\nType=oneshot\nTimeoutStartSec=150\n"
          f"ExecStart=/usr/bin/python3 {HOME}/autostop.py check {args}\n")
    write(unit + "timer", f"[Timer]\nOnActiveSec={minutes}min\nOnUnitActiveSec={minutes}min\n")
    subprocess.check_call("systemctl daemon-reload && systemctl --no-block restart lcc-autostop.timer",
                          shell=True)
    print(f"autostop: systemd timer lcc-autostop.timer, every {minutes} minutes: {args}")


if __name__ == "__main__":
    a = sys.argv[1:]
    sys.exit({"check": check, "run": run}[a[0]](a[1:]) if a else install())
