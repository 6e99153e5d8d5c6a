#!/usr/bin/env python3
"""Summarise this start for the notebook user: how long each lifecycle step took and which
failed, written to ~/SageMaker/LIFECYCLE.md so that it shows up in the JupyterLab file browser.

It reads the status file the lifecycle runner keeps on the persistent volume.
"""

import json
import os
import pwd
import sys
from pathlib import Path

STATE = Path("/home/ec2-user/SageMaker/.lifecycle/logs/latest-on-start/status.json")
OUT = Path("/home/ec2-user/SageMaker/LIFECYCLE.md")
ICONS = {"ok": "ok", "failed": "FAILED", "timed_out": "TIMED OUT", "skipped": "skipped",
         "started": "running", "pending": "..."}


def main() -> int:
    try:
        status = json.loads(STATE.read_text())
    except (OSError, ValueError) as e:
        print(f"no status to summarise ({e})")
        return 0
    lines = [
        "# Last start of this notebook instance",
        "",
        f"Started {status.get('started')}, budget {status.get('budget_seconds')} s.",
        "",
        "| step | user | result | seconds |",
        "|---|---|---|---|",
    ]
    failed = 0
    for step in status.get("steps", []):
        result = ICONS.get(step.get("status"), step.get("status"))
        if step.get("status") in ("failed", "timed_out"):
            failed += 1
            result += f" ({step.get('reason')})"
        seconds = step.get("duration_seconds")
        lines.append(f"| {step['name']} | {step['user']} | {result} | {seconds if seconds is not None else '-'} |")
    lines += ["", f"Logs: `{STATE.parent}`" if failed else "All steps finished."]
    OUT.write_text("\n".join(lines) + "\n")
    user = pwd.getpwnam("ec2-user")
    os.chown(OUT, user.pw_uid, user.pw_gid)
    print(f"summary written to {OUT} ({failed} failed step(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
