#!/bin/bash
# Recipe helpers (recipes/lib.sh sources them): systemd, and restarting Jupyter with it.

systemd_running() { have systemctl && [ -d /run/systemd/system ]; }

# restart_jupyter WHY: restart the Jupyter server without waiting for it. The server reads its
# environment once, at start, and hands it to every kernel it starts.
restart_jupyter() {
  if ! systemd_running; then
    log "Jupyter not restarted ($1): systemd is not running"
  elif systemctl --no-block restart jupyter-server; then
    log "restarting Jupyter ($1)"
  else
    log "could not restart jupyter-server ($1)"
  fi
}
