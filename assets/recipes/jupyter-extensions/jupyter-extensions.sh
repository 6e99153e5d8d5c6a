#!/bin/bash
# Recipe jupyter-extensions: pip-installs JupyterLab extensions into the environment the
# JupyterLab server runs from, at every start (on Studio, /opt/conda is the image's again at
# each start). Runs as the notebook user, with pip's own configuration (the package-index
# recipe's index, when it runs first).
#
# Options (step env): OPT_PACKAGES (space-separated requirements, checked at build),
# OPT_PREFIX (the environment; empty: the first of /opt/conda and the notebook instance's
# JupyterSystemEnv that has bin/python).
set -eu

for prefix in ${OPT_PREFIX:-/opt/conda /home/ec2-user/anaconda3/envs/JupyterSystemEnv}; do
  [ ! -x "$prefix/bin/python" ] || break
done
[ -x "$prefix/bin/python" ] || {
  echo "failed: no JupyterLab environment (no bin/python in ${OPT_PREFIX:-/opt/conda or JupyterSystemEnv})"
  exit 1
}
read -r -a packages <<<"$OPT_PACKAGES"
"$prefix/bin/python" -m pip install --no-input --disable-pip-version-check --progress-bar off \
  "${packages[@]}"
echo "installed in $prefix: $OPT_PACKAGES"
