#!/bin/bash
# Recipe stop-ssm-agent: stop the SSM agent and disable it for this boot (root).
# The root volume is reset at every start, so this runs at every start; the agent runs for the
# few seconds before it.
set -euo pipefail
# shellcheck source=/dev/null
. "${BASH_SOURCE[0]%/*}/../lib.sh"

unit=amazon-ssm-agent
systemd_running || skip "systemd is not running"
# LoadState is "loaded" when the unit file exists, "not-found" otherwise (and systemctl exits 0).
case $(systemctl show -p LoadState "$unit" 2>/dev/null) in
  *=loaded) ;;
  *=masked) skip "$unit is masked: it cannot run" ;;
  *) skip "$unit is not installed" ;;
esac
if systemctl is-active -q "$unit"; then
  systemctl stop "$unit"
  log "stopped $unit"
else
  log "$unit was not running"
fi
if systemctl is-enabled -q "$unit"; then
  systemctl disable -q "$unit"
  log "disabled $unit"
else
  log "$unit was not enabled"
fi
