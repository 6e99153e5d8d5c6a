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
                               here are added to the installed ones.
  autostop.py run [OPTION..]   the check itself (the notebook user). In doubt it does not stop
                               and says why (exit 1).

Python 3.9 (Amazon Linux 2023's) and newer; boto3 for `run`.
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
UNIT = "/etc/systemd/system/lcc-autostop"
USER = "ec2-user"
LOOPBACK = ("localhost", "127.0.0.1", "::1")


class Unsure(Exception):
    pass


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text):
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return dt.datetime.strptime(str(text), fmt).astimezone(UTC)
        except ValueError:
            pass
    raise Unsure("Jupyter sent a time without zone or not ISO 8601: %r" % (text,))


def jupyter(a, path):
    # Jupyter is this instance's: on loopback, with a self-signed certificate. Nothing else is
    # asked (the token would go with the question).
    if urllib.parse.urlsplit(a.jupyter_url).hostname not in LOOPBACK:
        raise Unsure("jupyter_url %s is not on this instance (localhost)" % a.jupyter_url)
    try:
        req = urllib.request.Request(a.jupyter_url.rstrip("/") + path)
        if a.token_file:
            with open(a.token_file) as f:
                req.add_header("Authorization", "token " + f.read().strip())
        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        with urllib.request.urlopen(req, timeout=5, context=ctx) as r:
            data = json.loads(r.read().decode())
    except urllib.request.HTTPError as e:
        if e.code == 404 and path == "/api/terminals":
            return []  # terminals are not enabled
        raise Unsure("Jupyter answered %s %s to %s" % (e.code, e.reason, path))
    except ValueError:
        raise Unsure("Jupyter answered %s with something that is not JSON" % path)
    except OSError as e:  # refused, timed out, TLS, the token file
        raise Unsure("cannot ask Jupyter at %s: %s" % (a.jupyter_url, getattr(e, "reason", e)))
    if not (isinstance(data, list) and all(isinstance(x, dict) for x in data)):
        raise Unsure("Jupyter answered %s with an unexpected document" % path)
    return data


def activity(a, now):
    """What keeps the instance awake, and the latest activity of what counts (None: nothing)."""
    items = [("kernel", k) for k in jupyter(a, "/api/kernels")]
    if a.count_terminals:
        items += [("terminal", t) for t in jupyter(a, "/api/terminals")]
    awake, latest = [], None
    for kind, item in items:
        when = parse_time(item.get("last_activity"))
        state = item.get("execution_state")
        if state == "starting" and now - when > dt.timedelta(minutes=a.starting_grace_minutes):
            continue  # stuck in 'starting': no longer counts
        latest = max(latest or when, when)
        label = "%s %s" % (kind, item.get("name"))
        if state in ("busy", "starting"):
            awake.append("%s is %s" % (label, state))
        elif a.count_connections and item.get("connections"):
            awake.append("%s has %s connection(s)" % (label, item["connections"]))
    return awake, latest


def nothing_running_since(a, now, running):
    """When a check first saw nothing running (now, if none did); forgotten when something runs."""
    path = os.path.join(a.state_dir, "nothing-running-since")
    if running:
        if os.path.exists(path):
            os.remove(path)
        return None
    try:
        with open(path) as f:
            return parse_time(f.read())
    except (OSError, Unsure):
        with open(path, "w") as f:
            f.write(stamp(now))
        return now


def decide(a, now):
    try:
        with open(a.metadata) as f:
            meta = json.load(f)
        name, region = meta["ResourceName"], meta["ResourceArn"].split(":")[3]
    except (OSError, ValueError, LookupError, AttributeError, TypeError) as e:
        raise Unsure("no instance name and region in %s (%r)" % (a.metadata, e))
    awake, latest = activity(a, now)
    since = nothing_running_since(a, now, awake or latest)
    if awake:
        return "active: " + "; ".join(awake)
    idle = "idle since %s (%s; %.1f of %g minutes)" % (
        stamp(since or latest), "nothing running" if since else "last activity",
        (now - (since or latest)).total_seconds() / 60, a.idle_minutes)
    if now - (since or latest) < dt.timedelta(minutes=a.idle_minutes):
        return idle + ": not stopping yet"
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise Unsure("%s has no boto3" % sys.executable)
    try:
        sm = boto3.client("sagemaker", region_name=region, config=Config(
            connect_timeout=5, read_timeout=15, retries={"max_attempts": 3}))
        status = sm.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceStatus"]
        if status != "InService":
            return "%s, but %s is %s: not stopping" % (idle, name, status)
        if a.dry_run:
            return "%s: dry run: would stop %s" % (idle, name)
        sm.stop_notebook_instance(NotebookInstanceName=name)
    except Exception as e:  # botocore's errors, network errors: do not stop
        raise Unsure("AWS: %s: %s" % (type(e).__name__, e))
    return "%s: stopping %s (%s)" % (idle, name, region)


def run(a):
    code, now = 1, dt.datetime.now(UTC)
    try:
        os.makedirs(a.state_dir, exist_ok=True)
        lock = open(os.path.join(a.state_dir, "lock"), "w")
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        message, code = decide(a, now), 0
    except BlockingIOError:
        message = "another check is still running: skipping this one"
    except (Unsure, OSError) as e:
        message = "not stopping: %s" % e
    line = "%s autostop: %s\n" % (stamp(now), message)
    sys.stdout.write(line)
    try:
        if a.log and os.path.exists(a.log) and os.path.getsize(a.log) > 1 << 20:
            os.replace(a.log, a.log + ".1")
        if a.log:
            with open(a.log, "a") as f:
                f.write(line)
    except OSError as e:
        print("autostop: cannot write %s: %s" % (a.log, e))
    return code


def as_user(argv, **kw):
    """Run argv as the notebook user: in a session of its own (no terminal to push keystrokes
    into), stdin from /dev/null, and an environment of HOME, PATH and AWS_* only."""
    u = pwd.getpwnam(USER)
    env = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    env.update(HOME=u.pw_dir, PATH="/usr/local/bin:/usr/bin:/bin")
    return subprocess.run(argv, user=u.pw_uid, group=u.pw_gid, extra_groups=os.getgrouplist(USER, u.pw_gid),
                          env=env, cwd="/", stdin=subprocess.DEVNULL, start_new_session=True, **kw)


def check(extra):
    conda = os.path.expanduser("~%s/anaconda3" % USER)
    pythons = [p for p in (conda + "/envs/JupyterSystemEnv/bin/python", conda + "/bin/python",
                           "/usr/bin/python3") if os.access(p, os.X_OK)]
    python = next((p for p in pythons if not as_user([p, "-c", "import boto3"], capture_output=True).returncode),
                  pythons[0] if pythons else None)
    state = "/run/lcc-autostop"
    os.makedirs(state, 0o700, exist_ok=True)
    u = pwd.getpwnam(USER)
    os.chown(state, u.pw_uid, u.pw_gid)
    with open(HOME + "/args") as f:
        args = f.read().split() + ["--state-dir", state] + extra
    if python:
        out = as_user([python, HOME + "/autostop.py", "run"] + args, stdout=subprocess.PIPE,
                      stderr=subprocess.STDOUT, timeout=240).stdout.decode(errors="replace")
    else:
        out = "%s autostop: not stopping: no Python found\n" % stamp(dt.datetime.now(UTC))
    # The notebook user wrote that: printable characters only reach a terminal or the log.
    out = "".join(c for c in out[-4000:] if c.isprintable() or c == "\n")
    sys.stdout.write(out)
    with open("/var/log/jupyter.log", "a") as f:
        f.write(out)


def install():
    os.makedirs(HOME, exist_ok=True)
    shutil.copy(__file__, HOME + "/autostop.py")
    os.chmod(HOME + "/autostop.py", 0o755)
    with open(HOME + "/args", "w") as f:
        f.write(os.environ["OPT_AUTOSTOP_ARGS"])
    if not (os.path.isdir("/run/systemd/system") and shutil.which("systemctl")):
        print("skipped: systemd is not running: nothing checks for idleness")
        return
    minutes = os.environ["OPT_AUTOSTOP_INTERVAL_MINUTES"]
    with open(UNIT + ".service", "w") as f:
        f.write("[Service]\nType=oneshot\nExecStart=/usr/bin/python3 %s/autostop.py check\n" % HOME)
    with open(UNIT + ".timer", "w") as f:
        f.write("[Timer]\nOnActiveSec=%smin\nOnUnitActiveSec=%smin\n" % (minutes, minutes))
    subprocess.run(["systemctl", "daemon-reload"], check=True)
    subprocess.run(["systemctl", "--no-block", "restart", "lcc-autostop.timer"], check=True)
    print("autostop: systemd timer lcc-autostop.timer, every %s minutes: %s" % (
        minutes, os.environ["OPT_AUTOSTOP_ARGS"]))


def main(argv=None):
    # No __doc__ here: the packed copy has no docstrings.
    p = argparse.ArgumentParser(description="lcc-constructs autostop (README: Autostop)")
    p.add_argument("mode", nargs="?", default="install", choices=["install", "check", "run"])
    p.add_argument("--idle-minutes", type=float, default=60.0)
    p.add_argument("--starting-grace-minutes", type=float, default=10.0)
    p.add_argument("--count-connections", action="store_true")
    p.add_argument("--ignore-terminals", dest="count_terminals", action="store_false")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--jupyter-url", default="https://localhost:8443")
    p.add_argument("--token-file")
    p.add_argument("--metadata", default="/opt/ml/metadata/resource-metadata.json")
    p.add_argument("--state-dir", default="/run/lcc-autostop")
    p.add_argument("--log", help="also append the decision to this file (kept under 1 MiB)")
    argv = sys.argv[1:] if argv is None else argv
    a = p.parse_args(argv)
    if a.mode == "install":
        return install()
    if a.mode == "check":
        return check(argv[1:])
    return run(a)


if __name__ == "__main__":
    sys.exit(main())
