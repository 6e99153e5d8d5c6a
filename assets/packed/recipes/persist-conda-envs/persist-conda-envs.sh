#!/bin/bash
set -euo pipefail
. "${BASH_SOURCE[0]%/*}/../lib.sh"
envs=$OPT_ENVS_DIR
condarc=$NOTEBOOK_HOME/.condarc
kernels=$NOTEBOOK_HOME/.local/share/jupyter/kernels
[ -d "$PERSISTENT_VOLUME" ]||skip "$PERSISTENT_VOLUME does not exist"
as_user mkdir -p "$envs"||skip "$envs could not be made a folder"
configure_conda(){
local conda top
if ! conda=$(conda_command);then
log "conda is not installed: $condarc left as it is"
return 0
fi
top=$(as_user "$conda" config --file "$condarc" --get envs_dirs|tail -n 1)||return 1
if [ "$top" = "--add envs_dirs '$envs'" ];then
log "conda looks in $envs first already"
else
as_user "$conda" config --file "$condarc" --prepend envs_dirs "$envs"||return 1
log "conda now looks in $envs first (envs_dirs in $condarc)"
fi
}
kernel_list(){ as_user find "$kernels" -name kernel.json -exec sha256sum {} + 2>/dev/null|sort||true;}
register(){
local env=$1 name=${1##*/} kernel
if [ ! -x "$env/bin/python" ];then
log "$name: skipped, it has no bin/python"
return 0
fi
if ! as_user "$env/bin/python" -c 'import ipykernel' 2>/dev/null;then
log "$name: skipped, ipykernel is not installed in it (conda install -n $name ipykernel)"
return 0
fi
kernel=${name,,}
kernel=conda-env-${kernel//[!a-z0-9._-]/_}
if as_user "$env/bin/python" -m ipykernel install --user --name "$kernel" \
--display-name "$name (persistent)" >/dev/null;then
log "$name: registered as Jupyter kernel $kernel"
else
log "$name: could not be registered as a kernel (ipykernel's message is above)"
fi
}
configure_conda||log "could not configure conda (its message is above)"
[ "$OPT_REGISTER_KERNELS" = 1 ]||exit 0
before=$(kernel_list)
while IFS= read -r -d '' env;do register "$env";done < <(as_user find "$envs" -mindepth 1 -maxdepth 1 -type d -print0|sort -z)
if [ "$before" = "$(kernel_list)" ];then
log "the kernel list is unchanged: Jupyter not restarted"
elif [ "$OPT_RESTART_JUPYTER" = 1 ];then
restart_jupyter "the kernel list changed"
else
log "the kernel list changed; Jupyter not restarted (restart_jupyter is off)"
fi
