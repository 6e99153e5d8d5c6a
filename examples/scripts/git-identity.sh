#!/bin/bash
# Set the notebook user's git identity (runs as ec2-user through a login shell).
set -euo pipefail
# shellcheck source=lib/common.sh
. lib/common.sh

if ! have git; then
  log "git is not installed: skipped"
  exit 0
fi
git config --global user.name "$GIT_USER_NAME"
git config --global user.email "$GIT_USER_EMAIL"
log "git identity set for $(id -un)"
