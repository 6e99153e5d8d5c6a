#!/usr/bin/env python3
"""Log how full the persistent volume is (runs in the background; standard library only)."""

import os
import shutil

path = "/home/ec2-user/SageMaker"
if os.path.isdir(path):
    usage = shutil.disk_usage(path)
    print(f"{path}: {usage.used / 2**30:.1f} GiB used of {usage.total / 2**30:.1f} GiB "
          f"({100 * usage.used / usage.total:.0f}%)")
else:
    print(f"{path} does not exist")
