#!/bin/bash
# AWS CLI v2 for root and the notebook user. The conda environments carry v1; some commands we
# use (sso, s3 checksums) need v2. Installed once on the persistent volume and linked at start.
set -euo pipefail
. lib/common.sh

PREFIX=$PERSISTENT/.awscli-v2

if [ ! -x "$PREFIX/v2/current/bin/aws" ]; then
  log "installing AWS CLI v2 into $PREFIX (once)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  arch=$(uname -m)
  retry 3 curl -fsSL -o "$tmp/awscliv2.zip" "https://awscli.amazonaws.com/awscli-exe-linux-$arch.zip"
  (cd "$tmp" && unzip -q awscliv2.zip)
  mkdir -p "$PREFIX"
  "$tmp/aws/install" --install-dir "$PREFIX" --bin-dir "$PREFIX/bin" --update
  # root owns the installation: the notebook user must not be able to change what root runs.
  chown -R root:root "$PREFIX"
  chmod -R go-w "$PREFIX"
fi
ln -sf "$PREFIX/bin/aws" /usr/local/bin/aws
ln -sf "$PREFIX/bin/aws_completer" /usr/local/bin/aws_completer
echo 'complete -C /usr/local/bin/aws_completer aws' >/etc/profile.d/aws-completion.sh
log "$(/usr/local/bin/aws --version)"
