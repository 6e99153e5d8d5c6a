#!/bin/bash
# Recipe git-config: git settings of ec2-user (~/.gitconfig, in the home, reset at every start).
# Runs as ec2-user. --replace-all: a key set several times (by hand) ends up with one value.
#
# Options (step env): OPT_GIT_COUNT, OPT_GIT_KEY_<i>, OPT_GIT_VALUE_<i>.
set -euo pipefail
# shellcheck source=/dev/null
. "${BASH_SOURCE[0]%/*}/../lib.sh"

have git || skip "git is not installed"
for ((i = 0; i < OPT_GIT_COUNT; i++)); do
  key=OPT_GIT_KEY_$i value=OPT_GIT_VALUE_$i
  git config --global --replace-all -- "${!key}" "${!value}"
  log "set ${!key} in ~/.gitconfig"
done
