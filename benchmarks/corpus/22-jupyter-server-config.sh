#!/bin/bash
# Settings for the Jupyter server: culling of idle kernels, larger upload limit, no
# checkpoints folders next to notebooks (they are kept on the volume in one place instead).
set -euo pipefail
. lib/common.sh

CONFIG_DIR=$NOTEBOOK_HOME/.jupyter
CONFIG=$CONFIG_DIR/jupyter_server_config.py
MARK_BEGIN="# >>> lifecycle settings >>>"
MARK_END="# <<< lifecycle settings <<<"

install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" "$CONFIG_DIR"
touch "$CONFIG"

# Replace our block if it is there, keep whatever else the file has.
tmp=$(mktemp)
awk -v b="$MARK_BEGIN" -v e="$MARK_END" '
  $0 == b { skip = 1; next }
  $0 == e { skip = 0; next }
  !skip { print }
' "$CONFIG" >"$tmp"
cat >>"$tmp" <<PY
$MARK_BEGIN
c.MappingKernelManager.cull_idle_timeout = 3 * 3600
c.MappingKernelManager.cull_interval = 300
c.MappingKernelManager.cull_connected = False
c.MappingKernelManager.cull_busy = False
c.ServerApp.max_body_size = 2 * 1024**3
c.ServerApp.max_buffer_size = 2 * 1024**3
c.FileContentsManager.checkpoints_kwargs = {"root_dir": "$PERSISTENT/.checkpoints"}
c.ContentsManager.hide_globs = ["__pycache__", "*.pyc", ".ipynb_checkpoints", ".DS_Store", ".lifecycle"]
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash", "-l"]}
$MARK_END
PY
install -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" -m 644 "$tmp" "$CONFIG"
rm -f "$tmp"
install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" "$PERSISTENT/.checkpoints"

if have systemctl && [ -d /run/systemd/system ]; then
  systemctl --no-block restart jupyter-server
fi
log "jupyter server settings written to $CONFIG"
