#!/bin/bash
# Rotate the logs our other scripts write under /var/log (autostop, backups, extension
# installs): on a long-running instance they grow without bound.
set -euo pipefail
. lib/common.sh

cat >/etc/logrotate.d/notebook-lifecycle <<'CONF'
/var/log/autostop.log
/var/log/jupyter-extensions.log
/var/log/notebook-backup.log
{
    daily
    rotate 7
    maxsize 20M
    missingok
    notifempty
    compress
    delaycompress
    copytruncate
}
CONF
chmod 644 /etc/logrotate.d/notebook-lifecycle

if ! have logrotate; then
  install_packages logrotate
fi
logrotate -d /etc/logrotate.d/notebook-lifecycle >/dev/null 2>&1 || warn "logrotate rejects the configuration"
log "log rotation configured"
