#!/bin/bash
# Dask defaults for local clusters on notebook instances: spill to the ML storage volume instead
# of the small root volume, and a dashboard link that works through Jupyter's proxy.
set -euo pipefail
. lib/common.sh

CONFIG_DIR=$NOTEBOOK_HOME/.config/dask
SPILL=$PERSISTENT/.dask-spill

install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" "$CONFIG_DIR" "$SPILL"
cat >"$CONFIG_DIR/dask.yaml" <<YAML
temporary-directory: $SPILL
distributed:
  worker:
    memory:
      target: 0.70
      spill: 0.80
      pause: 0.90
      terminate: 0.97
  dashboard:
    link: "/proxy/{port}/status"
  comm:
    timeouts:
      connect: 60s
      tcp: 60s
  admin:
    tick:
      limit: 5s
dataframe:
  shuffle:
    method: tasks
array:
  slicing:
    split-large-chunks: true
YAML
chown "$NOTEBOOK_USER:$NOTEBOOK_USER" "$CONFIG_DIR/dask.yaml"

# Spill files of crashed workers pile up: remove those older than two days.
find "$SPILL" -mindepth 1 -maxdepth 1 -mtime +2 -exec rm -rf {} + 2>/dev/null || true
log "dask spills to $SPILL"
