#!/bin/bash
set -euo pipefail
. "${BASH_SOURCE[0]%/*}/../lib.sh"
unit=amazon-ssm-agent
systemd_running||skip "systemd is not running"
case $(systemctl show -p LoadState "$unit" 2>/dev/null) in
*=loaded);;
*=masked)skip "$unit is masked: it cannot run";;
*)skip "$unit is not installed"
esac
if systemctl is-active -q "$unit";then
systemctl stop "$unit"
log "stopped $unit"
else
log "$unit was not running"
fi
if systemctl is-enabled -q "$unit";then
systemctl disable -q "$unit"
log "disabled $unit"
else
log "$unit was not enabled"
fi
