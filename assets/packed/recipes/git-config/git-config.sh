#!/bin/bash
set -euo pipefail
. "${BASH_SOURCE[0]%/*}/../lib.sh"
have git||skip "git is not installed"
for ((i=0; i<OPT_GIT_COUNT; i++));do
key=OPT_GIT_KEY_$i value=OPT_GIT_VALUE_$i
git config --global --replace-all -- "${!key}" "${!value}"
log "set ${!key} in ~/.gitconfig"
done
