#!/usr/bin/env python3
"""How full the home folder (the space's volume, the only one that persists) is."""

import os
import shutil

home = os.path.expanduser("~")
usage = shutil.disk_usage(home)
print(f"{home}: {usage.used * 100 // usage.total}% used, {usage.free // 2**20} MiB free")
