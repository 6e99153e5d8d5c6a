#!/bin/bash
# Docker on notebook instances keeps images on the small root volume, which fills up after two
# or three `docker build`s. Move its data root to the ML storage volume and let the notebook
# user run docker without sudo.
set -euo pipefail
. lib/common.sh

DATA_ROOT=$PERSISTENT/.docker-data
DAEMON_JSON=/etc/docker/daemon.json

if ! have docker; then
  log "docker is not installed: skipped"
  exit 0
fi

mkdir -p "$DATA_ROOT" /etc/docker
# The volume is writable by ec2-user; docker's own folder must not be.
chown root:root "$DATA_ROOT"
chmod 711 "$DATA_ROOT"

python3 - "$DAEMON_JSON" "$DATA_ROOT" <<'PY'
import json
import os
import sys

path, data_root = sys.argv[1:3]
config = {}
if os.path.exists(path):
    with open(path) as f:
        try:
            config = json.load(f)
        except ValueError:
            config = {}
config["data-root"] = data_root
config.setdefault("log-driver", "json-file")
config.setdefault("log-opts", {"max-size": "50m", "max-file": "3"})
config.setdefault("default-address-pools", [{"base": "10.200.0.0/16", "size": 24}])
with open(path + ".tmp", "w") as f:
    json.dump(config, f, indent=2)
os.replace(path + ".tmp", path)
PY

usermod -aG docker "$NOTEBOOK_USER"
if have systemctl && [ -d /run/systemd/system ]; then
  systemctl restart docker
fi
log "docker data root is $DATA_ROOT; $NOTEBOOK_USER is in the docker group"
