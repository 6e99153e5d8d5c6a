#!/bin/bash
# Stop the SSM agent for this boot when it runs (our security team does not want it on
# notebooks). A missing agent or systemd is not an error.
set -euo pipefail
# shellcheck source=lib/common.sh
. lib/common.sh

if ! have systemctl || [ ! -d /run/systemd/system ]; then
  log "no running systemd: nothing to stop"
  exit 0
fi
if systemctl is-active --quiet amazon-ssm-agent; then
  systemctl stop amazon-ssm-agent
  log "stopped amazon-ssm-agent"
else
  log "amazon-ssm-agent is not running"
fi
