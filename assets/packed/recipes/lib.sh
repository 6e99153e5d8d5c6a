#!/bin/bash
NOTEBOOK_USER=ec2-user
NOTEBOOK_HOME=/home/ec2-user
VOLUME=$NOTEBOOK_HOME/SageMaker
log(){ echo "$*";}
skip(){
log "skipped: $*"
exit 0
}
have(){ command -v "$1" >/dev/null;}
as_user(){ sudo -n -u "$NOTEBOOK_USER" -H -- "$@";}
for lib in "${BASH_SOURCE[0]%/*}"/lib/*.sh;do
[ ! -f "$lib" ]||. "$lib"
done
