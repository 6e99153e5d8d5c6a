#!/usr/bin/env python3
"""Stop this notebook instance when it has been idle for a while.

Run every 5 minutes by cron (see 31-autostop-schedule.sh). Idle means: no kernel busy and no
kernel, terminal or session active within IDLE_MINUTES. The Jupyter server runs on port 8443
with a self-signed certificate and answers local calls without a token.

Exit status is always 0: a failing check must never stop anybody's work by accident.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import ssl
import sys
import urllib.error
import urllib.request

IDLE_MINUTES = int(os.environ.get("IDLE_MINUTES", "60"))
IGNORE_CONNECTIONS = os.environ.get("IGNORE_CONNECTIONS", "false").lower() == "true"
JUPYTER = os.environ.get("JUPYTER_URL", "https://localhost:8443")
METADATA = "/opt/ml/metadata/resource-metadata.json"
LOG_PREFIX = "autostop:"


def log(message: str) -> None:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"{now} {LOG_PREFIX} {message}", flush=True)


def get(path: str) -> list[dict]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(JUPYTER + path, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        return json.load(response)


def parse_time(value: str) -> dt.datetime:
    # "2026-11-25T21:48:14.123456Z": fromisoformat() before Python 3.11 does not take the Z.
    value = value.replace("Z", "+00:00")
    return dt.datetime.fromisoformat(value)


def idle_for(items: list[dict], now: dt.datetime) -> float | None:
    """Minutes since the most recent activity among items; None when one of them is busy."""
    latest = None
    for item in items:
        if item.get("execution_state") == "busy":
            return None
        if not IGNORE_CONNECTIONS and item.get("connections", 0) > 0:
            return None
        stamp = item.get("last_activity")
        if stamp:
            when = parse_time(stamp)
            latest = when if latest is None or when > latest else latest
    if latest is None:
        return float("inf")
    return (now - latest).total_seconds() / 60


def instance_name() -> str:
    with open(METADATA) as f:
        return json.load(f)["ResourceName"]


def stop(name: str) -> None:
    import boto3  # only needed when we do stop: keep the checks fast

    client = boto3.client("sagemaker")
    status = client.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceStatus"]
    if status != "InService":
        log(f"{name} is {status}: not stopping")
        return
    log(f"stopping {name}")
    client.stop_notebook_instance(NotebookInstanceName=name)


def main() -> int:
    now = dt.datetime.now(dt.timezone.utc)
    try:
        kernels = get("/api/kernels")
        terminals = get("/api/terminals")
        sessions = get("/api/sessions")
    except (urllib.error.URLError, OSError, ValueError) as e:
        log(f"cannot reach Jupyter ({e}); not stopping")
        return 0
    idle = [idle_for(kernels, now), idle_for(terminals, now)]
    if any(i is None for i in idle):
        log("something is busy or connected; not stopping")
        return 0
    minutes = min(i for i in idle if i is not None)
    log(f"{len(kernels)} kernel(s), {len(terminals)} terminal(s), {len(sessions)} session(s); "
        f"idle for {minutes:.0f} of {IDLE_MINUTES} minutes")
    if minutes >= IDLE_MINUTES:
        try:
            stop(instance_name())
        except Exception as e:  # noqa: BLE001 - log anything, never fail the cron job
            log(f"could not stop: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
