#!/bin/bash
# Schedule the idle check (30-autostop.py) every 5 minutes. Stock Amazon Linux 2023 has no cron
# daemon, so a systemd timer does it where systemd runs, with crontab as the fallback.
set -euo pipefail
. lib/common.sh

IDLE_MINUTES=${IDLE_MINUTES:-60}
TARGET=/usr/local/bin/lcc-autostop.py
PYTHON=$NOTEBOOK_HOME/anaconda3/envs/JupyterSystemEnv/bin/python

# JupyterSystemEnv has boto3; the system python3 on Amazon Linux 2 does not.
if [ ! -x "$PYTHON" ]; then
  PYTHON=/usr/bin/python3
fi
install -m 755 30-autostop.py "$TARGET"

if have systemctl && [ -d /run/systemd/system ]; then
  cat >/etc/systemd/system/lcc-autostop.service <<UNIT
[Unit]
Description=Stop the notebook instance when idle

[Service]
Type=oneshot
Environment=IDLE_MINUTES=$IDLE_MINUTES
ExecStart=$PYTHON $TARGET
StandardOutput=append:/var/log/autostop.log
StandardError=append:/var/log/autostop.log
UNIT
  cat >/etc/systemd/system/lcc-autostop.timer <<UNIT
[Unit]
Description=Idle check every 5 minutes

[Timer]
OnBootSec=5min
OnUnitActiveSec=5min
AccuracySec=30s

[Install]
WantedBy=timers.target
UNIT
  systemctl daemon-reload
  systemctl enable --now lcc-autostop.timer
  log "idle check scheduled with a systemd timer ($IDLE_MINUTES minutes)"
elif have crontab; then
  (crontab -l 2>/dev/null | grep -v lcc-autostop || true
    echo "*/5 * * * * IDLE_MINUTES=$IDLE_MINUTES $PYTHON $TARGET >>/var/log/autostop.log 2>&1") | crontab -
  log "idle check scheduled with cron ($IDLE_MINUTES minutes)"
else
  warn "neither systemd nor cron: the instance will not stop by itself"
fi
