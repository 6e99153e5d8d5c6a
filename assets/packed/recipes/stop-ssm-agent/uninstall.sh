#!/bin/bash
set -euo pipefail
. "${BASH_SOURCE[0]%/*}/../lib.sh"
package=amazon-ssm-agent
have rpm||skip "rpm is not installed, so there is no $package package to remove"
rpm -q --quiet "$package"||skip "the $package package is not installed"
if have dnf;then
manager=dnf
elif have yum;then
manager=yum
else
skip "neither dnf nor yum is installed: $package stays installed"
fi
"$manager" -y -q remove "$package"
log "removed the $package package with $manager"
