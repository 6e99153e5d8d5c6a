#!/bin/bash
set -eu
f=/etc/lcc-constructs/$LCC_STEP.env
p=/etc/profile.d/lcc-$LCC_STEP.sh
u=/etc/systemd/system/jupyter-server.service.d/lcc-$LCC_STEP.conf
b=$(cat "$f" "$u" 2>&1||:)
mkdir -p "${f%/*}"
printf %s "$OPT_VARS" >"$f"
echo "set -a;. $f;set +a" >"$p"
echo "variables for login shells: $p"
[ "$OPT_JUPYTER" = 1 ]||exit 0
mkdir -p "${u%/*}"
printf '[Service]\nEnvironmentFile=%s\n' "$f" >"$u"
if [ "$b" = "$(cat "$f" "$u")" ];then
echo "Jupyter's environment is unchanged: not restarted"
else
systemctl daemon-reload&&systemctl --no-block restart jupyter-server&&echo "restarting Jupyter"||echo "Jupyter not restarted"
fi
