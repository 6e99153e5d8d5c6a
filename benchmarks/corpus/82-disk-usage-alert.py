#!/usr/bin/env python3
"""Warn in the logs (and on the notebook user's terminal banner) when a volume is nearly full.

A full ML storage volume makes Jupyter fail to save notebooks silently; a full root volume
breaks conda and pip. Both are checked at start.
"""

import datetime
import os
import shutil
import sys

VOLUMES = {
    "/": "root volume (reset at every start)",
    "/home/ec2-user/SageMaker": "ML storage volume (persistent)",
}
THRESHOLD = float(os.environ.get("DISK_WARN_PERCENT", "85"))
MOTD = "/etc/motd.d/90-disk-usage"


def human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024:
            return f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"


def biggest_children(path: str, count: int = 5) -> list:
    sizes = []
    try:
        entries = list(os.scandir(path))
    except OSError:
        return []
    for entry in entries:
        total = 0
        if entry.is_dir(follow_symlinks=False):
            for root, _dirs, files in os.walk(entry.path):
                for name in files:
                    try:
                        total += os.lstat(os.path.join(root, name)).st_size
                    except OSError:
                        pass
        elif entry.is_file(follow_symlinks=False):
            total = entry.stat(follow_symlinks=False).st_size
        sizes.append((total, entry.name))
    return sorted(sizes, reverse=True)[:count]


def main() -> int:
    warnings = []
    for path, what in VOLUMES.items():
        if not os.path.isdir(path):
            continue
        usage = shutil.disk_usage(path)
        percent = 100 * usage.used / usage.total
        line = f"{path}: {percent:.0f}% used ({human(usage.used)} of {human(usage.total)}), {what}"
        print(line)
        if percent >= THRESHOLD:
            warnings.append(line)
            if path != "/":
                for size, name in biggest_children(path):
                    print(f"    {human(size):>10}  {name}")
    os.makedirs(os.path.dirname(MOTD), exist_ok=True)
    if warnings:
        stamp = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
        with open(MOTD, "w") as f:
            f.write(f"*** Disk space is low ({stamp}) ***\n")
            f.writelines(w + "\n" for w in warnings)
    elif os.path.exists(MOTD):
        os.remove(MOTD)
    return 0


if __name__ == "__main__":
    sys.exit(main())
