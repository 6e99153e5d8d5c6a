#!/bin/bash
# Install nbstripout and pre-commit for the notebook user and enable nbstripout as a git filter
# globally, so that notebook outputs (and the credentials sometimes printed in them) never
# reach the repositories.
set -euo pipefail
. lib/common.sh

PACKAGES="nbstripout pre-commit"

if ! as_user bash -c 'command -v nbstripout && command -v pre-commit' >/dev/null 2>&1; then
  log "installing $PACKAGES for $NOTEBOOK_USER"
  as_user python3 -m pip install --user --quiet $PACKAGES || {
    warn "pip install failed; notebooks will be committed with their outputs"
    exit 0
  }
fi

as_user nbstripout --install --global
as_user git config --global filter.nbstripout.extrakeys \
  "metadata.celltoolbar metadata.kernelspec.display_name cell.metadata.execution"

# Repositories on the volume that have a .pre-commit-config.yaml get their hooks (again: the
# hooks themselves live in ~/.cache, which is reset).
count=0
while IFS= read -r -d '' config; do
  repo=$(dirname "$config")
  if as_user bash -c "cd '$repo' && pre-commit install --install-hooks" >/dev/null 2>&1; then
    count=$((count + 1))
  else
    warn "pre-commit hooks could not be installed in $repo"
  fi
done < <(find "$PERSISTENT" -maxdepth 3 -name .pre-commit-config.yaml -not -path '*/.envs/*' -print0)
log "nbstripout enabled; pre-commit hooks installed in $count repositor(y/ies)"
