#!/bin/bash
set -eu
for prefix in ${OPT_PREFIX:-/opt/conda /home/ec2-user/anaconda3/envs/JupyterSystemEnv};do
[ ! -x "$prefix/bin/python" ]||break
done
[ -x "$prefix/bin/python" ]||{
echo "failed: no JupyterLab environment (no bin/python in ${OPT_PREFIX:-/opt/conda or JupyterSystemEnv})"
exit 1
}
read -r -a packages <<<"$OPT_PACKAGES"
"$prefix/bin/python" -m pip install --no-input --disable-pip-version-check --progress-bar off \
"${packages[@]}"
echo "installed in $prefix: $OPT_PACKAGES"
