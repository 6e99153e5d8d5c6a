#!/usr/bin/python3
"""lcc-constructs autostop: stops this notebook instance once Jupyter has been idle long enough.

  autostop.py [install]        as root, the recipe's step, at every start: copies itself to
                               /opt/lcc-autostop and has a systemd timer run `check` every
                               OPT_AUTOSTOP_INTERVAL_MINUTES with the options OPT_AUTOSTOP_ARGS
  autostop.py check [OPTION..] as root (the timer, or an admin): runs `run` as the notebook user,
                               in a session of its own with no terminal, in an empty environment
                               but HOME, PATH and AWS_*, with the first of its Pythons that has
                               boto3; root never runs a Python that user can change. Prints the
                               decision and appends it to /var/log/jupyter.log. Options given
                               here are added to the installed ones (the last of an option wins).
  autostop.py run [OPTION..]   the check itself (the notebook user). In doubt it does not stop
                               and says why (exit 1).

Options: `autostop.py --help` (main). Python 3.9 (Amazon Linux 2023's) and newer; boto3 for
`run`. Every character of the packed copy is the user's (the lifecycle script's 16384): hence the
standard library's shortest ways.
"""
import argparse
import datetime as dt
import fcntl
import json
import os
import pwd
import shutil
import ssl
import subprocess
import sys
import urllib.parse
import urllib.request

UTC = dt.timezone.utc
HOME = "/opt/lcc-autostop"
USER = "ec2-user"


class Unsure(Exception):
    pass


def read(path):
    with open(path) as f:
        return f.read()


def write(path, text, mode="w"):
    with open(path, mode) as f:
        f.write(text)


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text):
    for fraction in (".%f", ""):
        try:
            return dt.datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%S" + fraction + "%z").astimezone(UTC)
        except ValueError:
            pass
    raise Unsure(f"Jupyter sent a time without zone or not ISO 8601: {text!r}")


def jupyter(a, path):
    # Jupyter is this instance's: on loopback, with a self-signed certificate. Nothing else is
    # asked (the token would go with the question).
    url = a.jupyter_url
    if urllib.parse.urlsplit(url).hostname not in ("localhost", "127.0.0.1", "::1"):
        raise Unsure(f"jupyter_url {url} is not on this instance (localhost)")
    try:
        token = {"Authorization": "token " + read(a.token_file).strip()} if a.token_file else {}
        # The documented opt-out of certificate checks (PEP 476): no hostname check, CERT_NONE.
        with urllib.request.urlopen(urllib.request.Request(url.rstrip("/") + path, headers=token), timeout=5,
                                    context=ssl._create_unverified_context()) as r:
            data = json.load(r)
    except urllib.request.HTTPError as e:
        if e.code == 404 and path == "/api/terminals":
            return []  # terminals are not enabled
        raise Unsure(f"Jupyter answered {e.code} {e.reason} to {path}")
    except ValueError:
        raise Unsure(f"Jupyter answered {path} with something that is not JSON")
    except OSError as e:  # refused, timed out, TLS, the token file
        raise Unsure(f"cannot ask Jupyter at {url}: {getattr(e, 'reason', e)}")
    if not (isinstance(data, list) and all(isinstance(x, dict) for x in data)):
        raise Unsure(f"Jupyter answered {path} with an unexpected document")
    return data


def decide(a, now):
    try:
        meta = json.loads(read(a.metadata))
        name, region = meta["ResourceName"], meta["ResourceArn"].split(":")[3]
    except Exception as e:  # missing, not JSON, not the expected document
        raise Unsure(f"no instance name and region in {a.metadata} ({e!r})")

    def minutes(t):
        return (now - t).total_seconds() / 60

    # What keeps the instance awake, and the latest activity of what counts (None: nothing).
    awake, latest = [], None
    for kind in ["kernel"] + ["terminal"] * (not a.ignore_terminals):
        for item in jupyter(a, f"/api/{kind}s"):
            when = parse_time(item.get("last_activity"))
            state = item.get("execution_state")
            if state == "starting" and minutes(when) > a.starting_grace_minutes:
                continue  # stuck in 'starting': no longer counts
            latest = max(latest or when, when)
            label = f"{kind} {item.get('name')}"
            if state in ("busy", "starting"):
                awake.append(f"{label} is {state}")
            elif a.count_connections and item.get("connections"):
                awake.append(f"{label} has {item['connections']} connection(s)")
    # With nothing running, idle time counts from when a check first saw nothing running; that
    # is forgotten as soon as something runs.
    path = a.state_dir + "/nothing-running-since"
    if latest:
        why = "last activity"
        if os.path.exists(path):
            os.remove(path)
    else:
        why = "nothing running"
        try:
            latest = parse_time(read(path))
        except (OSError, Unsure):
            write(path, stamp(now))
            latest = now
    if awake:
        return "active: " + "; ".join(awake)
    idle = f"idle since {stamp(latest)} ({why}; {minutes(latest):.1f} of {a.idle_minutes:g} minutes)"
    if minutes(latest) < a.idle_minutes:
        return idle + ": not stopping yet"
    try:
        import boto3
        from botocore.config import Config

        sm = boto3.client("sagemaker", region_name=region, config=Config(
            connect_timeout=5, read_timeout=15, retries={"max_attempts": 3}))
        status = sm.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceStatus"]
        if status != "InService":
            return f"{idle}, but {name} is {status}: not stopping"
        if a.dry_run:
            return f"{idle}: dry run: would stop {name}"
        sm.stop_notebook_instance(NotebookInstanceName=name)
    except ImportError:
        raise Unsure(f"{sys.executable} has no boto3")
    except Exception as e:  # botocore's errors, network errors: do not stop
        raise Unsure(f"AWS: {type(e).__name__}: {e}")
    return f"{idle}: stopping {name} ({region})"


def run(a):
    code, now = 1, dt.datetime.now(UTC)
    try:
        os.makedirs(a.state_dir, exist_ok=True)
        lock = open(a.state_dir + "/lock", "w")
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        message, code = decide(a, now), 0
    except BlockingIOError:
        message = "another check is still running"
    except (Unsure, OSError) as e:
        message = f"not stopping: {e}"
    line = f"{stamp(now)} autostop: {message}\n"
    sys.stdout.write(line)
    log = a.log
    try:
        if log:
            if os.path.exists(log) and os.path.getsize(log) > 1 << 20:
                os.replace(log, log + ".1")
            write(log, line, "a")
    except OSError as e:
        print(f"autostop: cannot write {log}: {e}")
    return code


def check(options):
    u = pwd.getpwnam(USER)
    env = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    env.update(HOME=u.pw_dir, PATH="/usr/local/bin:/usr/bin:/bin")

    def as_user(*argv):
        # In a session of its own (no terminal to push keystrokes into), stdin from /dev/null,
        # and an environment of HOME, PATH and AWS_* only; its output (text) in .stdout.
        return subprocess.run(argv, user=u.pw_uid, group=u.pw_gid, extra_groups=os.getgrouplist(USER, u.pw_gid),
                              env=env, cwd="/", stdin=subprocess.DEVNULL, start_new_session=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, errors="replace", timeout=240)

    conda = u.pw_dir + "/anaconda3"
    pythons = [p for p in (conda + "/envs/JupyterSystemEnv/bin/python", conda + "/bin/python",
                           "/usr/bin/python3") if os.access(p, os.X_OK)]
    python = next((p for p in pythons if not as_user(p, "-c", "import boto3").returncode), pythons and pythons[0])
    state = "/run/lcc-autostop"  # run's default --state-dir
    os.makedirs(state, 0o700, exist_ok=True)
    os.chown(state, u.pw_uid, u.pw_gid)
    args = read(HOME + "/args").split() + options
    if python:
        out = as_user(python, HOME + "/autostop.py", "run", *args).stdout
    else:
        out = f"{stamp(dt.datetime.now(UTC))} autostop: not stopping: no Python found\n"
    # The notebook user wrote that: printable characters only reach a terminal or the log.
    out = "".join(c for c in out[-4000:] if c.isprintable() or c == "\n")
    sys.stdout.write(out)
    write("/var/log/jupyter.log", out, "a")


def install():
    os.makedirs(HOME, exist_ok=True)
    shutil.copy(__file__, HOME + "/autostop.py")
    os.chmod(HOME + "/autostop.py", 0o755)
    args = os.environ["OPT_AUTOSTOP_ARGS"]
    write(HOME + "/args", args)
    if not (os.path.isdir("/run/systemd/system") and shutil.which("systemctl")):
        return print("skipped: systemd is not running: no idle checks")
    minutes = os.environ["OPT_AUTOSTOP_INTERVAL_MINUTES"]
    unit = "/etc/systemd/system/lcc-autostop."
    write(unit + "service", f"[Service]\nType=oneshot\nExecStart=/usr/bin/python3 {HOME}/autostop.py check\n")
    write(unit + "timer", f"[Timer]\nOnActiveSec={minutes}min\nOnUnitActiveSec={minutes}min\n")
    subprocess.check_call("systemctl daemon-reload && systemctl --no-block restart lcc-autostop.timer",
                          shell=True)
    print(f"autostop: systemd timer lcc-autostop.timer, every {minutes} minutes: {args}")


def main(argv=None):
    p = argparse.ArgumentParser(prog="autostop.py")
    option = p.add_argument
    option("mode", nargs="?", default="install", choices=["install", "check", "run"])
    option("--idle-minutes", type=float, default=60.0)
    # A kernel 'starting' for longer than this no longer counts (kernels get stuck there).
    option("--starting-grace-minutes", type=float, default=10.0)
    # An open browser connection to a kernel keeps the instance awake.
    option("--count-connections", action="store_true")
    # Terminals' activity does not count.
    option("--ignore-terminals", action="store_true")
    # Say what it would do, never stop.
    option("--dry-run", action="store_true")
    option("--jupyter-url", default="https://localhost:8443")
    # A file holding Jupyter's token.
    option("--token-file")
    option("--metadata", default="/opt/ml/metadata/resource-metadata.json")
    option("--state-dir", default="/run/lcc-autostop")
    # Also append the decision to this file (kept under 1 MiB).
    option("--log")
    argv = sys.argv[1:] if argv is None else argv
    a = p.parse_args(argv)
    if a.mode == "check":
        return check(argv[1:])
    return run(a) if a.mode == "run" else install()


if __name__ == "__main__":
    sys.exit(main())
