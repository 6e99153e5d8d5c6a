"""lcc-constructs autostop: stops this notebook instance once Jupyter has been idle long enough.
In doubt it does not stop and says why (exit 1). Python 3.7+; boto3 if present, else the aws CLI.
"""
import argparse
import datetime as dt
import fcntl
import json
import os
import shutil
import ssl
import subprocess
import sys
import urllib.request

UTC = dt.timezone.utc


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
    try:
        req = urllib.request.Request(a.jupyter_url.rstrip("/") + path)
        if a.token_file:
            with open(a.token_file) as f:
                req.add_header("Authorization", "token " + f.read().strip())
        # Jupyter on the instance has a self-signed certificate, on localhost: nothing to verify.
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


def sagemaker(region):
    """call(verb, name) through boto3 if importable, else the aws CLI; and which one it is."""
    try:
        import boto3
        from botocore.config import Config

        client = boto3.client("sagemaker", region_name=region, config=Config(
            connect_timeout=5, read_timeout=15, retries={"max_attempts": 3}))
        return lambda verb, name: getattr(client, verb)(NotebookInstanceName=name), "boto3"
    except ImportError:
        pass
    aws = shutil.which("aws", path=os.environ.get("PATH", "") + ":/usr/local/bin:/home/ec2-user/anaconda3/bin")
    if not aws:
        raise Unsure("%s has no boto3 and there is no aws CLI" % sys.executable)

    def call(verb, name):
        p = subprocess.run([aws, "sagemaker", verb.replace("_", "-"), "--notebook-instance-name", name,
                            "--region", region, "--output", "json", "--cli-connect-timeout", "5"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
        if p.returncode:
            raise Unsure("aws CLI: %s" % (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1])
        return json.loads(p.stdout or "{}")

    return call, aws


def check(a, now):
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
        call, via = sagemaker(region)
        status = call("describe_notebook_instance", name)["NotebookInstanceStatus"]
        if status != "InService":
            return "%s, but %s is %s: not stopping" % (idle, name, status)
        if a.dry_run:
            return "%s: dry run: would stop %s" % (idle, name)
        call("stop_notebook_instance", name)
    except Unsure:
        raise
    except Exception as e:  # botocore's errors, network errors: do not stop
        raise Unsure("AWS: %s: %s" % (type(e).__name__, e))
    return "%s: stopping %s (%s) with %s" % (idle, name, region, via)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
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
    a = p.parse_args(argv)
    code, now = 1, dt.datetime.now(UTC)
    try:
        os.makedirs(a.state_dir, exist_ok=True)
        lock = open(os.path.join(a.state_dir, "lock"), "w")
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        message, code = check(a, now), 0
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


if __name__ == "__main__":
    sys.exit(main())
