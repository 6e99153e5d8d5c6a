#!/bin/bash
# Command-line tools the team expects in terminals. Installed from the distribution's
# repositories at every start (the root volume is reset), so keep the list short: each
# package costs start time.
set -euo pipefail
. lib/common.sh

COMMON=(htop tmux tree jq git-lfs)
case $(pkg_manager) in
  dnf) PACKAGES=("${COMMON[@]}" ripgrep) ;;
  yum) PACKAGES=("${COMMON[@]}") ;;
  *) die "unsupported platform" ;;
esac

install_packages "${PACKAGES[@]}"

if have git-lfs; then
  as_user git lfs install --skip-repo >/dev/null
  log "git-lfs enabled for $NOTEBOOK_USER"
fi

# ripgrep is not packaged for Amazon Linux 2: use the binary kept on the volume, if any.
if ! have rg && [ -x "$PERSISTENT/.bin/rg" ]; then
  ln -sf "$PERSISTENT/.bin/rg" /usr/local/bin/rg
fi
log "tools installed: ${PACKAGES[*]}"
