#!/bin/bash
# Put ~/SageMaker/.bin (persistent) on PATH for login shells and Jupyter terminals.
set -euo pipefail
# shellcheck source=lib/common.sh
. lib/common.sh

bin=/home/ec2-user/SageMaker/.bin
install -d -o ec2-user -g ec2-user -m 755 "$bin"
profile=/etc/profile.d/persistent-bin.sh
# shellcheck disable=SC2016 # $PATH is for the profile script to expand, not this one
printf 'case ":$PATH:" in *":%s:"*) ;; *) export PATH="%s:$PATH" ;; esac\n' "$bin" "$bin" >"$profile.tmp"
chmod 644 "$profile.tmp"
mv -f "$profile.tmp" "$profile"
log "$bin is on PATH for login shells"
