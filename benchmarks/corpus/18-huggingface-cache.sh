#!/bin/bash
# Hugging Face and PyTorch download models into ~/.cache on the root volume, which is small and
# reset at every start: point their caches at the persistent volume, for shells and kernels.
set -euo pipefail
. lib/common.sh

CACHE=$PERSISTENT/.cache
install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" "$CACHE" "$CACHE/huggingface" "$CACHE/torch" "$CACHE/pip"

cat >/etc/profile.d/ml-caches.sh <<PROFILE
export HF_HOME=$CACHE/huggingface
export TRANSFORMERS_CACHE=$CACHE/huggingface/hub
export TORCH_HOME=$CACHE/torch
export PIP_CACHE_DIR=$CACHE/pip
export XDG_CACHE_HOME=$CACHE
PROFILE
chmod 644 /etc/profile.d/ml-caches.sh

# Kernels: IPython startup files run in every Python kernel, whatever started it.
startup=$NOTEBOOK_HOME/.ipython/profile_default/startup
install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" "$startup"
cat >"$startup/00-ml-caches.py" <<PY
import os
os.environ.setdefault("HF_HOME", "$CACHE/huggingface")
os.environ.setdefault("TRANSFORMERS_CACHE", "$CACHE/huggingface/hub")
os.environ.setdefault("TORCH_HOME", "$CACHE/torch")
os.environ.setdefault("PIP_CACHE_DIR", "$CACHE/pip")
PY
chown "$NOTEBOOK_USER:$NOTEBOOK_USER" "$startup/00-ml-caches.py"

# Move what was downloaded before this script existed.
for d in huggingface torch; do
  if [ -d "$NOTEBOOK_HOME/.cache/$d" ] && [ ! -L "$NOTEBOOK_HOME/.cache/$d" ]; then
    cp -a "$NOTEBOOK_HOME/.cache/$d/." "$CACHE/$d/" && rm -rf "$NOTEBOOK_HOME/.cache/$d"
  fi
done
log "model caches on $CACHE"
