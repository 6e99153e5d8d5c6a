#!/usr/bin/env python3
"""Warn users in their Jupyter terminals ten minutes before the idle check stops the instance.

Reads the state the autostop check leaves in /var/lib/autostop/state.json and writes a wall
message to every terminal of the notebook user. Run every minute by the autostop timer.
"""

import datetime as dt
import json
import os
import subprocess
import sys

STATE = "/var/lib/autostop/state.json"
WARN_BEFORE_MINUTES = 10
STAMP = "/var/lib/autostop/warned"


def minutes_left(state: dict) -> float | None:
    try:
        idle = float(state["idle_minutes"])
        limit = float(state["limit_minutes"])
    except (KeyError, TypeError, ValueError):
        return None
    return limit - idle


def already_warned(since: str) -> bool:
    try:
        with open(STAMP) as f:
            return f.read().strip() == since
    except OSError:
        return False


def main() -> int:
    try:
        with open(STATE) as f:
            state = json.load(f)
    except (OSError, ValueError):
        return 0
    left = minutes_left(state)
    if left is None or left > WARN_BEFORE_MINUTES or left < 0:
        return 0
    since = str(state.get("idle_since", ""))
    if already_warned(since):
        return 0
    when = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=left)).strftime("%H:%M UTC")
    message = (f"This notebook instance has been idle for {state['idle_minutes']:.0f} minutes "
               f"and will stop at about {when}. Run any cell to keep it running.")
    subprocess.run(["wall", "-n", message], check=False)
    os.makedirs(os.path.dirname(STAMP), exist_ok=True)
    with open(STAMP, "w") as f:
        f.write(since)
    print(f"warned: {left:.0f} minute(s) left")
    return 0


if __name__ == "__main__":
    sys.exit(main())
