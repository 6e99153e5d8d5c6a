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
[ -d "$VOLUME" ] || skip "$VOLUME does not exist"
as_user mkdir -p "$envs" || skip "$envs could not be made a folder"

# conda config --get prints "--add envs_dirs 'DIR'" per entry, the first entry last.
if ! conda=$(conda_command); then
  log "conda is not installed: $condarc left as it is"
elif [ "$(as_user "$conda" config --file "$condarc" --get envs_dirs | tail -n 1)" = "--add envs_dirs '$envs'" ]; then
  log "conda looks in $envs first already"
elif as_user "$conda" config --file "$condarc" --prepend envs_dirs "$envs"; then
  log "conda now looks in $envs first"
else
  log "could not configure conda (its message is above)"
fi
[ "$OPT_REGISTER_KERNELS" = 1 ] || exit 0

# The kernel specs, as the notebook user sees them (they are in its home).
kernels() { as_user find "$NOTEBOOK_HOME/.local/share/jupyter/kernels" -name kernel.json -exec sha256sum {} + 2>/dev/null | sort || true; }
before=$(kernels)
# Each folder of $envs (listed by the notebook user: root reads nothing there) that has
# ipykernel becomes a kernel.
while IFS= read -r -d '' env; do
  name=${env##*/} python=$env/bin/python
  kernel=${name,,}
  kernel=conda-env-${kernel//[!a-z0-9._-]/_}
  if [ ! -x "$python" ]; then
    log "$name: skipped, it has no bin/python"
  elif ! as_user "$python" -c 'import ipykernel' 2>/dev/null; then
    log "$name: skipped, ipykernel is not installed in it (conda install -n $name ipykernel)"
  elif as_user "$python" -m ipykernel install --user --name "$kernel" --display-name "$name (persistent)" >/dev/null; then
    log "$name: registered as Jupyter kernel $kernel"
  else
    log "$name: not registered (ipykernel's message is above)"
  fi
done < <(as_user find "$envs" -mindepth 1 -maxdepth 1 -type d -print0 | sort -z)
if [ "$before" = "$(kernels)" ]; then
  log "the kernel list is unchanged: Jupyter not restarted"
elif [ "$OPT_RESTART_JUPYTER" = 1 ]; then
  restart_jupyter "the kernel list changed"
else
  log "the kernel list changed: Jupyter not restarted (restart_jupyter is off)"
fi
