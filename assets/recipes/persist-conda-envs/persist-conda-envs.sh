#!/bin/bash
# Recipe persist-conda-envs: ec2-user's conda looks for environments in a folder on the
# persistent volume first (conda config --prepend envs_dirs edits ~/.condarc in place, keeping
# what SageMaker put there), so new environments survive restarts; every environment there
# with ipykernel is registered as a Jupyter kernel of ec2-user (kernel specs live in the home,
# which is reset at every start). Jupyter is restarted, without waiting, only when that changed
# the kernel list. Runs as root only to restart Jupyter: everything else runs as ec2-user.
#
# Options (step env): OPT_ENVS_DIR, OPT_REGISTER_KERNELS and OPT_RESTART_JUPYTER (1 or 0).
set -euo pipefail
# shellcheck source=/dev/null
. "${BASH_SOURCE[0]%/*}/../lib.sh"

envs=$OPT_ENVS_DIR
condarc=$NOTEBOOK_HOME/.condarc
kernels=$NOTEBOOK_HOME/.local/share/jupyter/kernels
[ -d "$PERSISTENT_VOLUME" ] || skip "$PERSISTENT_VOLUME does not exist"
as_user mkdir -p "$envs" || skip "$envs could not be made a folder"

# conda config --get prints "--add envs_dirs 'DIR'" per entry, the first entry last.
configure_conda() {
  local conda top
  if ! conda=$(conda_command); then
    log "conda is not installed: $condarc left as it is"
    return 0
  fi
  top=$(as_user "$conda" config --file "$condarc" --get envs_dirs | tail -n 1) || return 1
  if [ "$top" = "--add envs_dirs '$envs'" ]; then
    log "conda looks in $envs first already"
  else
    as_user "$conda" config --file "$condarc" --prepend envs_dirs "$envs" || return 1
    log "conda now looks in $envs first (envs_dirs in $condarc)"
  fi
}

kernel_list() { as_user find "$kernels" -name kernel.json -exec sha256sum {} + 2>/dev/null | sort || true; }

# register ENV: make ENV (a folder of $envs) a Jupyter kernel if it has ipykernel.
register() {
  local env=$1 name=${1##*/} kernel
  if [ ! -x "$env/bin/python" ]; then
    log "$name: skipped, it has no bin/python"
    return 0
  fi
  if ! as_user "$env/bin/python" -c 'import ipykernel' 2>/dev/null; then
    log "$name: skipped, ipykernel is not installed in it (conda install -n $name ipykernel)"
    return 0
  fi
  kernel=${name,,}
  kernel=conda-env-${kernel//[!a-z0-9._-]/_}
  if as_user "$env/bin/python" -m ipykernel install --user --name "$kernel" \
    --display-name "$name (persistent)" >/dev/null; then
    log "$name: registered as Jupyter kernel $kernel"
  else
    log "$name: could not be registered as a kernel (ipykernel's message is above)"
  fi
}

configure_conda || log "could not configure conda (its message is above)"
[ "$OPT_REGISTER_KERNELS" = 1 ] || exit 0
before=$(kernel_list)
# The notebook user lists its folder: root reads nothing there.
while IFS= read -r -d '' env; do register "$env"; done < <(as_user find "$envs" -mindepth 1 -maxdepth 1 -type d -print0 | sort -z)
if [ "$before" = "$(kernel_list)" ]; then
  log "the kernel list is unchanged: Jupyter not restarted"
elif [ "$OPT_RESTART_JUPYTER" = 1 ]; then
  restart_jupyter "the kernel list changed"
else
  log "the kernel list changed; Jupyter not restarted (restart_jupyter is off)"
fi
