#!/bin/bash
# Remove what earlier starts and crashed kernels leave behind in the persistent volume:
# checkpoint folders of deleted notebooks, Spark and Dask scratch folders, core dumps.
set -euo pipefail
. lib/common.sh

freed=0
remove() {
  local path=$1 size
  size=$(du -sk "$path" 2>/dev/null | cut -f1)
  rm -rf -- "$path"
  freed=$((freed + ${size:-0}))
}

# Checkpoints whose notebook is gone.
while IFS= read -r -d '' checkpoint; do
  dir=$(dirname "$(dirname "$checkpoint")")
  name=$(basename "$checkpoint")
  notebook="$dir/${name%-checkpoint.ipynb}.ipynb"
  [ -e "$notebook" ] || remove "$checkpoint"
done < <(find "$PERSISTENT" -path '*/.ipynb_checkpoints/*-checkpoint.ipynb' -print0 2>/dev/null)

# Scratch folders older than a week.
while IFS= read -r -d '' scratch; do
  remove "$scratch"
done < <(find "$PERSISTENT" -maxdepth 3 -type d \( -name 'spark-warehouse' -o -name 'dask-worker-space' \
  -o -name 'metastore_db' \) -mtime +7 -print0 2>/dev/null)

# Core dumps.
while IFS= read -r -d '' core; do
  remove "$core"
done < <(find "$PERSISTENT" -maxdepth 4 -type f -name 'core.[0-9]*' -print0 2>/dev/null)

log "freed $((freed / 1024)) MiB on $PERSISTENT"
