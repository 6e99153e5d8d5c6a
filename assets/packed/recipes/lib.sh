#!/bin/bash
NOTEBOOK_USER=ec2-user
NOTEBOOK_HOME=/home/ec2-user
PERSISTENT_VOLUME=$NOTEBOOK_HOME/SageMaker
CHANGED=0
log(){ printf '%s\n' "$*";}
skip(){
log "skipped: $*"
exit 0
}
have(){ command -v "$1" >/dev/null 2>&1;}
as_user(){ sudo -n -u "$NOTEBOOK_USER" -H -- "$@";}
for lib in "${BASH_SOURCE[0]%/*}"/lib/*.sh;do
[ ! -f "$lib" ]||. "$lib"
done
