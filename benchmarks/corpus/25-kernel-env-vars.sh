#!/bin/bash
# Give every Python kernel the team's environment variables (MLflow tracking server, default
# bucket, the feature store's offline store) by writing them into each kernel.json. Kernels do
# not read /etc/profile.d, and the Jupyter server passes only its own environment.
set -euo pipefail
. lib/common.sh

MLFLOW_TRACKING_URI=${MLFLOW_TRACKING_URI:-https://mlflow.internal.example.com}
DEFAULT_BUCKET=${DEFAULT_BUCKET:-example-ds-sandbox}

python3 - "$NOTEBOOK_HOME" "$MLFLOW_TRACKING_URI" "$DEFAULT_BUCKET" <<'PY'
import glob
import json
import os
import sys

home, mlflow_uri, bucket = sys.argv[1:4]
variables = {
    "MLFLOW_TRACKING_URI": mlflow_uri,
    "SAGEMAKER_DEFAULT_BUCKET": bucket,
    "PYTHONUNBUFFERED": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
patterns = [
    f"{home}/.local/share/jupyter/kernels/*/kernel.json",
    f"{home}/anaconda3/envs/*/share/jupyter/kernels/*/kernel.json",
    "/usr/local/share/jupyter/kernels/*/kernel.json",
]
changed = 0
for pattern in patterns:
    for path in glob.glob(pattern):
        with open(path) as f:
            spec = json.load(f)
        if spec.get("language", "").lower() != "python":
            continue
        env = spec.setdefault("env", {})
        if all(env.get(k) == v for k, v in variables.items()):
            continue
        env.update(variables)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(spec, f, indent=1)
        os.replace(tmp, path)
        changed += 1
print(f"environment written into {changed} kernel spec(s)")
PY
