#!/bin/bash
# Run TensorBoard as a service for the notebook user, reading ~/SageMaker/runs, reachable through
# Jupyter's proxy at /proxy/6006/.
set -euo pipefail
. lib/common.sh

LOGDIR=$PERSISTENT/runs
PORT=6006
ENV_BIN=$NOTEBOOK_HOME/anaconda3/envs/JupyterSystemEnv/bin

install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" "$LOGDIR"
if [ ! -x "$ENV_BIN/tensorboard" ]; then
  log "installing tensorboard into JupyterSystemEnv"
  "$ENV_BIN/pip" install --quiet tensorboard jupyter-server-proxy
fi

cat >/etc/systemd/system/tensorboard.service <<UNIT
[Unit]
Description=TensorBoard for $LOGDIR
After=network.target

[Service]
User=$NOTEBOOK_USER
WorkingDirectory=$PERSISTENT
ExecStart=$ENV_BIN/tensorboard --logdir $LOGDIR --port $PORT --bind_all --path_prefix /proxy/$PORT
Restart=on-failure
RestartSec=10

[Install]
WantedBy=multi-user.target
UNIT

if have systemctl && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now tensorboard.service
  log "tensorboard running on port $PORT for $LOGDIR"
fi
