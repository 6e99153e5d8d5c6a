#!/usr/bin/env python3
"""Remove kernel specs whose interpreter no longer exists.

Conda environments deleted from the persistent volume leave their kernel.json behind in
~/.local/share/jupyter/kernels; JupyterLab then lists kernels that fail to start. Run as root;
only specs under the notebook user's home are touched.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

KERNELS = Path("/home/ec2-user/.local/share/jupyter/kernels")
KEEP = {"python3", "ir", "conda_python3"}


def interpreter(spec: dict) -> str | None:
    argv = spec.get("argv") or []
    if not argv:
        return None
    program = argv[0]
    if program in ("python", "python3"):
        return shutil.which(program)
    return program


def main() -> int:
    if not KERNELS.is_dir():
        print(f"{KERNELS} does not exist; nothing to clean")
        return 0
    removed = []
    for spec_file in sorted(KERNELS.glob("*/kernel.json")):
        name = spec_file.parent.name
        if name in KEEP:
            continue
        try:
            spec = json.loads(spec_file.read_text())
        except (OSError, ValueError) as e:
            print(f"{spec_file}: unreadable ({e}); left alone")
            continue
        program = interpreter(spec)
        if program and os.path.exists(program):
            continue
        shutil.rmtree(spec_file.parent)
        removed.append(name)
    if removed:
        print(f"removed {len(removed)} stale kernel spec(s): {', '.join(removed)}")
    else:
        print("no stale kernel specs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
