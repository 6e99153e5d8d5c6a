#!/bin/bash
# Raise the open-file and process limits for the notebook user: data loaders with many workers
# and Spark in local mode run out of file descriptors at the default of 1024.
set -euo pipefail
. lib/common.sh

NOFILE=${NOFILE:-65536}
NPROC=${NPROC:-16384}

cat >/etc/security/limits.d/90-notebook.conf <<CONF
$NOTEBOOK_USER soft nofile $NOFILE
$NOTEBOOK_USER hard nofile $NOFILE
$NOTEBOOK_USER soft nproc  $NPROC
$NOTEBOOK_USER hard nproc  $NPROC
CONF

# Jupyter runs under systemd, which ignores limits.conf: raise them for its unit as well.
mkdir -p /etc/systemd/system/jupyter-server.service.d
printf '[Service]\nLimitNOFILE=%s\nLimitNPROC=%s\n' "$NOFILE" "$NPROC" \
  >/etc/systemd/system/jupyter-server.service.d/limits.conf

# Shared memory: PyTorch DataLoader workers pass tensors through /dev/shm.
if mountpoint -q /dev/shm; then
  mount -o remount,size=50% /dev/shm || warn "could not resize /dev/shm"
fi

if have systemctl && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl --no-block restart jupyter-server
fi
log "limits: nofile=$NOFILE nproc=$NPROC"
