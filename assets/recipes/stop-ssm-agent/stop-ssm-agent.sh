#!/bin/bash
# Recipe stop-ssm-agent (placeholder): stop amazon-ssm-agent for this boot when systemd runs it.
set -euo pipefail
if [ ! -d /run/systemd/system ]; then
  echo "no running systemd: nothing to stop"
  exit 0
fi
if systemctl is-active --quiet amazon-ssm-agent; then
  systemctl stop amazon-ssm-agent
  echo "stopped amazon-ssm-agent"
else
  echo "amazon-ssm-agent is not running"
fi
