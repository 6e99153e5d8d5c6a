#!/bin/bash
# Recipe persist-conda-envs on Studio (packed for Studio only): persist-conda-envs.sh for
# sagemaker-user, the user who ran sudo (v, lib.sh), with Studio's conda (C) and the folder in
# the home, which persists whole (/home/ec2-user/SageMaker/X is ~/X: ~/.conda/envs by default,
# where that conda keeps environments anyway). Kernel specs (~/.local/share/jupyter) persist
# too. There is no systemd to restart Jupyter with: the log says so.
# shellcheck disable=SC2034 # v and C are for the script and lib.sh
set -eu
v=$SUDO_USER C=/opt/conda/bin/conda
OPT_ENVS_DIR=/home/$v${OPT_ENVS_DIR#*/SageMaker}
systemctl() { echo "no systemd on Studio: JupyterLab lists the kernels as it finds them"; return 1; }
# shellcheck source=/dev/null
. "${BASH_SOURCE%/*}/persist-conda-envs.sh"
