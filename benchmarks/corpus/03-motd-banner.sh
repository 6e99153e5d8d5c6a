#!/bin/bash
# A login banner for Jupyter terminals: which instance this is, its type, the team's support
# channel, and the rules for the persistent volume.
set -euo pipefail
. lib/common.sh

NAME=$(instance_name)
TYPE=$(curl -fsS -m 2 -H "X-aws-ec2-metadata-token: $(curl -fsS -m 2 -X PUT \
  -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token)" \
  http://169.254.169.254/latest/meta-data/instance-type 2>/dev/null || echo unknown)

mkdir -p /etc/motd.d
cat >/etc/motd.d/10-notebook <<MOTD

  Notebook instance: $NAME ($TYPE)
  Only ~/SageMaker survives a stop: keep notebooks, data and environments there.
  Conda environments in ~/SageMaker/.envs are registered as kernels at every start.
  Idle instances stop after ${IDLE_MINUTES:-60} minutes without a busy kernel.
  Help: #data-platform-support

MOTD
chmod 644 /etc/motd.d/10-notebook

# Amazon Linux 2 has no motd.d: append to /etc/motd there, once.
if ! grep -q 'motd.d' /etc/pam.d/sshd 2>/dev/null && [ -f /etc/motd ]; then
  grep -q "Notebook instance:" /etc/motd || cat /etc/motd.d/10-notebook >>/etc/motd
fi

# Terminals opened from Jupyter are not login shells over ssh: show it from the profile.
cat >/etc/profile.d/zz-motd.sh <<'PROFILE'
if [ -n "$PS1" ] && [ -z "$MOTD_SHOWN" ]; then
  export MOTD_SHOWN=1
  cat /etc/motd.d/* 2>/dev/null
fi
PROFILE
chmod 644 /etc/profile.d/zz-motd.sh
log "banner installed"
