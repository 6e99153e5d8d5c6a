#!/bin/bash
# Recipe git-config: git settings of ec2-user (~/.gitconfig, in the home, reset at every start).
# Runs as ec2-user. --replace-all: a key set several times (by hand) ends up with one value.
#
# Options (step env): LCC_GIT_COUNT, LCC_GIT_KEY_<i>, LCC_GIT_VALUE_<i>.
set -euo pipefail
# shellcheck source=/dev/null
. "${BASH_SOURCE[0]%/*}/../lib.sh"

have git || skip "git is not installed"
for ((i = 0; i < LCC_GIT_COUNT; i++)); do
  key=LCC_GIT_KEY_$i value=LCC_GIT_VALUE_$i
  git config --global --replace-all -- "${!key}" "${!value}"
  log "set ${!key} in ~/.gitconfig"
done
