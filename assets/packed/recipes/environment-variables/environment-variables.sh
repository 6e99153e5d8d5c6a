#!/bin/bash
set -euo pipefail
. "${BASH_SOURCE[0]%/*}/../lib.sh"
dq(){
local v=${1//\\/\\\\}
v=${v//\"/\\\"}
v=${v//\$/\\\$}
printf '"%s"' "${v//\`/\\\`}"
}
assignments(){
local i name value
echo "# lcc-constructs step $LCC_STEP"
for ((i=0; i<OPT_VAR_COUNT; i++));do
name=OPT_VAR_NAME_$i value=OPT_VAR_VALUE_$i
echo "$1${!name}=$("$2" "${!value}")"
done
}
profile=/etc/profile.d/lcc-$LCC_STEP.sh
put_file "$profile" 644 < <(assignments 'export ' sq)
log "$OPT_VAR_COUNT variable(s) for login shells in $profile"
[ "$OPT_JUPYTER" = 1 ]||exit 0
systemd_running||skip "systemd is not running: Jupyter's kernels will not see them"
env_file=/etc/lcc-constructs/$LCC_STEP.env
dropin=/etc/systemd/system/jupyter-server.service.d/lcc-$LCC_STEP.conf
mkdir -p "${env_file%/*}" "${dropin%/*}"
CHANGED=0
put_file "$env_file" 644 < <(assignments '' dq)
put_file "$dropin" 644 <<<"[Service]
EnvironmentFile=$env_file"
if [ "$CHANGED" = 1 ];then
systemctl daemon-reload
restart_jupyter "its environment changed"
else
log "Jupyter's environment is unchanged: not restarted"
fi
