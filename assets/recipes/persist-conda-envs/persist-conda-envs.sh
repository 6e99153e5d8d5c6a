#!/bin/bash
# shellcheck disable=SC2154 # o is set by lib.sh
# Recipe persist-conda-envs: ec2-user's conda creates environments in a folder on the persistent
# volume (conda config --prepend envs_dirs edits ~/.condarc in place, keeping what SageMaker put
# there), and every environment there with ipykernel becomes a Jupyter kernel of ec2-user
# (kernel specs live in the home, reset at every start). Jupyter is restarted, without waiting,
# only when that changed the kernel specs. A root step only for that restart: everything else is
# done as ec2-user, through u (lib.sh), each call within its own short time and output limits,
# since ec2-user can replace conda and each environment's python at any moment.
#
# Options (step env): OPT_ENVS_DIR, OPT_REGISTER_KERNELS and OPT_RESTART_JUPYTER (1 or 0). On
# Studio, studio.sh runs it (v: the user, lib.sh; C: the conda).
set -eu
# shellcheck source=/dev/null
. "${BASH_SOURCE%/*}/../lib.sh"

e=$OPT_ENVS_DIR
u mkdir -p "$e" || { echo "skipped: $e cannot be made a folder"; exit 0; }
# shellcheck disable=SC2086 # C: Studio's conda (studio.sh), a plain path
if u ${C-~ec2-user/anaconda3/bin/conda} config --prepend envs_dirs "$e"; then
  echo "conda creates environments in $e"
else
  echo "conda not configured: $(head -c 300 "$o")"
fi
[ "$OPT_REGISTER_KERNELS" = 1 ] || exit 0

# specs: a hash of ec2-user's kernel specs (the glob is sorted). Then the names of the folders
# in $e, as ec2-user lists them (at most 4 KB of names).
specs() { u bash -c 'cat ~/.local/share/jupyter/kernels/*/kernel.json|md5sum'; head -c 99 "$o"; }
before=$(specs)
u find "$e" -mindepth 1 -maxdepth 1 -type d -printf '%f\0' || echo "$e: not all listed: $(head -c 200 "$o")"
mapfile -d '' envs < <(head -c 4096 "$o" | sort -z)
for n in "${envs[@]}"; do
  k=${n,,}
  k=conda-env-${k//[!a-z0-9._-]/_}
  if u "$e/$n/bin/python" -m ipykernel install --user --name "$k" --display-name "$n (persistent)"; then
    echo "$n: kernel $k"
  else
    echo "$n: no kernel ($(head -c 200 "$o"))"
  fi
done
if [ "$before" = "$(specs)" ]; then
  echo "kernels unchanged: Jupyter not restarted"
elif [ "$OPT_RESTART_JUPYTER" = 1 ]; then
  systemctl --no-block restart jupyter-server && echo "restarting Jupyter" || echo "Jupyter not restarted"
else
  echo "kernels changed: Jupyter not restarted (restart_jupyter is off)"
fi
