#!/bin/bash
# Recipe environment-variables: variables for every user's login shells (/etc/profile.d) and,
# optionally, for Jupyter and the kernels it starts. Kernels do not read /etc/profile.d: they
# get the environment of the Jupyter server, which systemd starts. So a drop-in of the
# jupyter-server unit adds an EnvironmentFile=, and Jupyter is restarted when that changed.
# Runs as root (/etc is root's).
#
# Options (step env): OPT_JUPYTER (1 or 0) and OPT_VARS, the lines NAME="VALUE" of the
# environment file, each VALUE in double quotes with \ " $ ` escaped by a backslash (the recipe
# wrote them): systemd's EnvironmentFile= parser and a shell read them back unchanged, and the
# profile script sources the file with allexport on.
set -eu
f=/etc/lcc-constructs/$LCC_STEP.env
p=/etc/profile.d/lcc-$LCC_STEP.sh
u=/etc/systemd/system/jupyter-server.service.d/lcc-$LCC_STEP.conf
b=$(cat "$f" "$u" 2>&1 || :)
mkdir -p "${f%/*}"
printf %s "$OPT_VARS" >"$f"
echo "set -a;. $f;set +a" >"$p"
echo "variables for login shells: $p"
[ "$OPT_JUPYTER" = 1 ] || exit 0
mkdir -p "${u%/*}"
printf '[Service]\nEnvironmentFile=%s\n' "$f" >"$u"
if [ "$b" = "$(cat "$f" "$u")" ]; then
  echo "Jupyter's environment is unchanged: not restarted"
else
  systemctl daemon-reload && systemctl --no-block restart jupyter-server && echo "restarting Jupyter" || echo "Jupyter not restarted"
fi
