#!/usr/bin/env python3
"""Check that the conda environments the team relies on have the expected package versions,
and write a short report to the persistent volume. Nothing is changed: a mismatch is only
reported, since fixing it at start would take longer than the lifecycle script may run."""

import json
import os
import subprocess
import sys

EXPECTED = {
    "python3": {"pandas": "2.", "numpy": "1.26", "scikit-learn": "1.5", "boto3": "1."},
    "pytorch_p310": {"torch": "2.", "torchvision": "0.", "transformers": "4."},
    "tensorflow2_p310": {"tensorflow": "2.1"},
}
ENVS = "/home/ec2-user/anaconda3/envs"
REPORT = "/home/ec2-user/SageMaker/.lifecycle/environment-report.json"


def installed(env: str) -> dict:
    python = os.path.join(ENVS, env, "bin", "python")
    if not os.path.exists(python):
        return {}
    code = ("import json, importlib.metadata as m; "
            "print(json.dumps({d.metadata['Name'].lower(): d.version for d in m.distributions()}))")
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
        return json.loads(out.stdout or "{}")
    except (subprocess.TimeoutExpired, ValueError):
        return {}


def main() -> int:
    report = {}
    problems = 0
    for env, wanted in EXPECTED.items():
        versions = installed(env)
        if not versions:
            report[env] = {"status": "missing"}
            print(f"{env}: environment not found")
            continue
        entry = {}
        for package, prefix in wanted.items():
            version = versions.get(package)
            ok = version is not None and version.startswith(prefix)
            entry[package] = {"version": version, "expected": prefix + "*", "ok": ok}
            if not ok:
                problems += 1
                print(f"{env}: {package} is {version or 'not installed'}, expected {prefix}*")
        report[env] = entry
    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    with open(REPORT, "w") as f:
        json.dump(report, f, indent=2, sort_keys=True)
    print(f"{problems} problem(s); report in {REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
