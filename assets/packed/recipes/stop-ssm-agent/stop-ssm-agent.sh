#!/bin/bash
set -euo pipefail
. "${BASH_SOURCE[0]%/*}/../lib.sh"
unit=amazon-ssm-agent
systemd_running||skip "systemd is not running, so there is no $unit service to stop"
case $(systemctl show -p LoadState "$unit" 2>/dev/null) in
LoadState=loaded);;
LoadState=masked)skip "$unit is masked: it cannot run";;
*)skip "$unit is not installed"
esac
if systemctl is-active --quiet "$unit";then
systemctl stop "$unit"
log "stopped $unit"
else
log "$unit was not running"
fi
if systemctl is-enabled --quiet "$unit";then
systemctl disable --quiet "$unit"
log "disabled $unit"
else
log "$unit was not enabled"
fi
