#!/bin/bash
# Back up ~/SageMaker to S3 every hour (notebooks, scripts and small data; large files and
# caches are excluded). The bucket has versioning, so a deleted notebook can be restored.
set -euo pipefail
. lib/common.sh

BUCKET=${BACKUP_BUCKET:-example-ds-notebook-backups}
NAME=$(instance_name)
SCRIPT=/usr/local/bin/notebook-backup.sh

cat >"$SCRIPT" <<SCRIPT
#!/bin/bash
# Written by the lifecycle configuration: hourly backup of the notebook volume.
set -uo pipefail
export PATH=$NOTEBOOK_HOME/anaconda3/bin:/usr/local/bin:/usr/bin:/bin
exec aws s3 sync "$PERSISTENT" "s3://$BUCKET/$NAME/" \\
  --exclude '*/.ipynb_checkpoints/*' \\
  --exclude '*/__pycache__/*' \\
  --exclude '.envs/*' \\
  --exclude '.cache/*' \\
  --exclude '*.parquet' \\
  --exclude '*.pt' \\
  --exclude '*.ckpt' \\
  --exclude '.lifecycle/*' \\
  --only-show-errors
SCRIPT
chmod 755 "$SCRIPT"

if have systemctl && [ -d /run/systemd/system ]; then
  cat >/etc/systemd/system/notebook-backup.service <<UNIT
[Unit]
Description=Back up the notebook volume to S3

[Service]
Type=oneshot
User=$NOTEBOOK_USER
Nice=10
IOSchedulingClass=idle
ExecStart=$SCRIPT
UNIT
  cat >/etc/systemd/system/notebook-backup.timer <<UNIT
[Unit]
Description=Hourly backup of the notebook volume

[Timer]
OnBootSec=15min
OnUnitActiveSec=1h
RandomizedDelaySec=10min

[Install]
WantedBy=timers.target
UNIT
  systemctl daemon-reload
  systemctl enable --now notebook-backup.timer
  log "hourly backup to s3://$BUCKET/$NAME/ scheduled"
else
  warn "no systemd: backups are not scheduled"
fi
