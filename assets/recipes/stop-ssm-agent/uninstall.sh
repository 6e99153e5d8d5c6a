#!/bin/bash
# Recipe stop-ssm-agent, uninstall=true: remove the agent's package with dnf (root, in the
# background: dnf takes a minute or more, and waits for another dnf's lock). The root volume is
# reset at every start, so the package is back at every start and this runs at every start.
set -euo pipefail
# shellcheck source=/dev/null
. "${BASH_SOURCE[0]%/*}/../lib.sh"

p=amazon-ssm-agent
have rpm || skip "rpm is not installed"
rpm -q --quiet $p || skip "the $p package is not installed"
have dnf || skip "dnf is not installed: $p stays installed"
dnf -y -q remove $p
log "removed the $p package with dnf"
