#!/bin/bash
systemd_running(){ have systemctl&&[ -d /run/systemd/system ];}
restart_jupyter(){
if ! systemd_running;then
log "Jupyter not restarted ($1): systemd is not running"
elif systemctl --no-block restart jupyter-server;then
log "restarting Jupyter ($1)"
else
log "could not restart jupyter-server ($1)"
fi
}
