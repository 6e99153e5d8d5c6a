#!/bin/bash
# conda settings for the notebook user: conda-forge first with strict priority, the libmamba
# solver (minutes faster on large environments), and package caches on the persistent volume so
# that re-creating an environment after a restart does not download everything again.
set -euo pipefail
. lib/common.sh

CONDA=$NOTEBOOK_HOME/anaconda3/bin/conda
PKGS_DIR=$PERSISTENT/.conda-pkgs

if [ ! -x "$CONDA" ]; then
  log "no conda here: skipped"
  exit 0
fi

install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" "$PKGS_DIR"

conda_config() {
  as_user "$CONDA" config "$@"
}

# ~/.condarc is SageMaker's: change keys through `conda config`, never rewrite the file.
conda_config --remove-key channels >/dev/null 2>&1 || true
conda_config --add channels defaults
conda_config --add channels conda-forge
conda_config --set channel_priority strict
conda_config --set auto_activate_base false
conda_config --set always_yes true
conda_config --set pip_interop_enabled true
conda_config --prepend pkgs_dirs "$PKGS_DIR"

if as_user "$CONDA" list -n base conda-libmamba-solver 2>/dev/null | grep -q conda-libmamba-solver; then
  conda_config --set solver libmamba
  log "solver: libmamba"
else
  warn "conda-libmamba-solver is not installed in base; the classic solver stays"
fi
log "conda channels: conda-forge, defaults (strict); packages cached in $PKGS_DIR"
