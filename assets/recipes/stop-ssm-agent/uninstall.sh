#!/bin/bash
# Recipe stop-ssm-agent, uninstall=true: remove the agent's package (root, in the background:
# dnf or yum take a minute or more, and wait for each other's lock). The root volume is reset at
# every start, so the package is back at every start and this runs at every start.
set -euo pipefail
# shellcheck source=/dev/null
. "${BASH_SOURCE[0]%/*}/../lib.sh"

package=amazon-ssm-agent
have rpm || skip "rpm is not installed, so there is no $package package to remove"
rpm -q --quiet "$package" || skip "the $package package is not installed"
if have dnf; then
  manager=dnf # Amazon Linux 2023
elif have yum; then
  manager=yum # Amazon Linux 2
else
  skip "neither dnf nor yum is installed: $package stays installed"
fi
"$manager" -y -q remove "$package"
log "removed the $package package with $manager"
