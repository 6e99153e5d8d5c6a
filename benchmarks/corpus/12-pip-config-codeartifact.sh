#!/bin/bash
# Point pip (system, conda envs, and the notebook user's) at our CodeArtifact repository, with
# a token that lasts 12 hours. A background timer renews it before it expires; instances that
# run longer than that would otherwise see 401 errors from pip in the afternoon.
set -euo pipefail
. lib/common.sh

DOMAIN=${CODEARTIFACT_DOMAIN:-data-platform}
OWNER=${CODEARTIFACT_OWNER:-123456789012}
REPO=${CODEARTIFACT_REPO:-pypi-mirror}
REGION=$(instance_region)

aws_cli() {
  if have aws; then
    aws "$@"
  else
    "$NOTEBOOK_HOME/anaconda3/bin/aws" "$@"
  fi
}

login() {
  local token url
  token=$(aws_cli codeartifact get-authorization-token --domain "$DOMAIN" --domain-owner "$OWNER" \
    --region "$REGION" --duration-seconds 43200 --query authorizationToken --output text)
  url=$(aws_cli codeartifact get-repository-endpoint --domain "$DOMAIN" --domain-owner "$OWNER" \
    --repository "$REPO" --format pypi --region "$REGION" --query repositoryEndpoint --output text)
  url=${url#https://}
  cat >/etc/pip.conf <<PIP
[global]
index-url = https://aws:${token}@${url}simple/
timeout = 60
PIP
  chmod 644 /etc/pip.conf
  log "pip now uses CodeArtifact repository $REPO"
}

login

# Renewal: a small systemd timer calling this script with --renew. The unit files live on the
# root volume and are written again at every start.
if [ "${1:-}" = --renew ]; then
  exit 0
fi
install -m 755 "$0" /usr/local/sbin/codeartifact-login
install -m 644 lib/common.sh /usr/local/sbin/common.sh
cat >/etc/systemd/system/codeartifact-login.service <<UNIT
[Unit]
Description=Renew the CodeArtifact token in /etc/pip.conf

[Service]
Type=oneshot
WorkingDirectory=/usr/local/sbin
Environment=CODEARTIFACT_DOMAIN=$DOMAIN CODEARTIFACT_OWNER=$OWNER CODEARTIFACT_REPO=$REPO
ExecStart=/usr/local/sbin/codeartifact-login --renew
UNIT
cat >/etc/systemd/system/codeartifact-login.timer <<UNIT
[Unit]
Description=Renew the CodeArtifact token every 10 hours

[Timer]
OnBootSec=10h
OnUnitActiveSec=10h

[Install]
WantedBy=timers.target
UNIT
if have systemctl && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now codeartifact-login.timer
fi
