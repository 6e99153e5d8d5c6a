#!/bin/bash
# SSH client settings for the notebook user: keep connections alive through the corporate
# firewall, reuse connections, and trust our bastion's host key.
set -euo pipefail
. lib/common.sh

SSH_DIR=$NOTEBOOK_HOME/.ssh
BASTION=${BASTION_HOST:-bastion.internal.example.com}
BASTION_KEY=${BASTION_HOST_KEY:-ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKx7Qh0Tz8pW2bJ3vV0y1f9rR4mN6uS5dE2cL8gH1jK0}

install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" -m 700 "$SSH_DIR" "$SSH_DIR/sockets"

config=$SSH_DIR/config
touch "$config"
if ! grep -q '^# lifecycle: defaults' "$config"; then
  cat >>"$config" <<CONF
# lifecycle: defaults
Host $BASTION
  User $NOTEBOOK_USER
  ForwardAgent no

Host *.internal.example.com !$BASTION
  ProxyJump $BASTION

Host *
  ServerAliveInterval 30
  ServerAliveCountMax 4
  ControlMaster auto
  ControlPath ~/.ssh/sockets/%r@%h-%p
  ControlPersist 10m
  AddKeysToAgent yes
CONF
fi

known=$SSH_DIR/known_hosts
touch "$known"
grep -qF "$BASTION_KEY" "$known" || echo "$BASTION $BASTION_KEY" >>"$known"
chown "$NOTEBOOK_USER:$NOTEBOOK_USER" "$config" "$known"
chmod 600 "$config" "$known"
log "ssh configured (bastion $BASTION)"
