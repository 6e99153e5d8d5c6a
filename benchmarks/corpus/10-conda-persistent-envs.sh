#!/bin/bash
# Keep conda environments on the persistent volume so that they survive a stop/start, and
# register each of them as a Jupyter kernel again at every start (the kernel specs under
# ~/.local/share/jupyter live on the root volume, which is reset).
#
# Environments are created once, by the notebook user, with:
#   conda create -p ~/SageMaker/.envs/NAME python=3.11 ipykernel
set -euo pipefail
. lib/common.sh

ENVS_DIR=$PERSISTENT/.envs
CONDA=$NOTEBOOK_HOME/anaconda3/bin/conda

if [ ! -x "$CONDA" ]; then
  log "conda not found at $CONDA: nothing to do"
  exit 0
fi

install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" -m 755 "$ENVS_DIR"

# Let `conda activate NAME` find them: add the folder to envs_dirs in ~/.condarc (which
# SageMaker manages: edit it, never replace it).
as_user "$CONDA" config --append envs_dirs "$ENVS_DIR" 2>/dev/null ||
  as_user "$CONDA" config --add envs_dirs "$ENVS_DIR"

count=0
for env in "$ENVS_DIR"/*/; do
  [ -d "$env/conda-meta" ] || continue
  name=$(basename "$env")
  python=$env/bin/python
  if [ ! -x "$python" ]; then
    warn "$name has no python; skipped"
    continue
  fi
  if ! as_user "$python" -c 'import ipykernel' 2>/dev/null; then
    log "$name: installing ipykernel"
    as_user "$CONDA" install -y -q -p "$env" ipykernel || {
      warn "$name: ipykernel could not be installed; skipped"
      continue
    }
  fi
  as_user "$python" -m ipykernel install --user --name "$name" --display-name "conda: $name"
  count=$((count + 1))
done
log "registered $count persistent conda environment(s) as kernels"
