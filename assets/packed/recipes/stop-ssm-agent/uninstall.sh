#!/bin/bash
set -euo pipefail
. "${BASH_SOURCE[0]%/*}/../lib.sh"
p=amazon-ssm-agent
have rpm||skip "rpm is not installed"
rpm -q --quiet $p||skip "the $p package is not installed"
have dnf||skip "dnf is not installed: $p stays installed"
dnf -y -q remove $p
log "removed the $p package with dnf"
