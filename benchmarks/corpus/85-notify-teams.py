#!/usr/bin/env python3
"""Post a message to the team's chat webhook when a notebook instance starts, with its name,
type and how long the lifecycle script has been running. Uses only the standard library: the
system python3 has no requests."""

import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request

WEBHOOK = os.environ.get("CHAT_WEBHOOK_URL", "")
METADATA = "/opt/ml/metadata/resource-metadata.json"


def uptime() -> float:
    with open("/proc/uptime") as f:
        return float(f.read().split()[0])


def metadata() -> dict:
    try:
        with open(METADATA) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def instance_type() -> str:
    # IMDSv2: a token first, then the value.
    try:
        token_request = urllib.request.Request(
            "http://169.254.169.254/latest/api/token", method="PUT",
            headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"})
        token = urllib.request.urlopen(token_request, timeout=2).read().decode()
        request = urllib.request.Request(
            "http://169.254.169.254/latest/meta-data/instance-type",
            headers={"X-aws-ec2-metadata-token": token})
        return urllib.request.urlopen(request, timeout=2).read().decode()
    except (urllib.error.URLError, OSError):
        return "unknown"


def main() -> int:
    if not WEBHOOK:
        print("CHAT_WEBHOOK_URL is not set; no notification")
        return 0
    meta = metadata()
    name = meta.get("ResourceName", socket.gethostname())
    text = (f"Notebook instance **{name}** ({instance_type()}) started; "
            f"boot to lifecycle step took {uptime():.0f} s.")
    body = json.dumps({"text": text}).encode()
    request = urllib.request.Request(WEBHOOK, data=body, headers={"Content-Type": "application/json"})
    for attempt in range(3):
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                print(f"notified ({response.status})")
                return 0
        except (urllib.error.URLError, OSError) as e:
            print(f"attempt {attempt + 1}: {e}")
            time.sleep(2 ** attempt)
    return 0


if __name__ == "__main__":
    sys.exit(main())
