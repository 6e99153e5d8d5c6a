#!/bin/bash
# Recipe persistent-bin on Studio (packed for Studio only): persistent-bin.sh for sagemaker-user,
# the user who ran sudo (v, lib.sh), its folder in the home, which persists whole
# (/home/ec2-user/SageMaker/X is ~/X: ~/.bin by default). Ubuntu's interactive shells that are
# not login shells (the terminals of JupyterLab and Code Editor) read /etc/bash.bashrc and not
# /etc/profile.d: it sources the profile script too, once (/etc is reset at every start).
set -eu
v=$SUDO_USER
OPT_BIN_DIR=/home/$v${OPT_BIN_DIR#*/SageMaker}
# shellcheck source=/dev/null
. "${BASH_SOURCE%/*}/persistent-bin.sh"
# (p: the profile script persistent-bin.sh wrote.)
# shellcheck disable=SC2154
l="[ ! -r $p ] || . $p" b=/etc/bash.bashrc
grep -qsxF "$l" $b || echo "$l" >>$b
echo "and in interactive shells ($b)"
