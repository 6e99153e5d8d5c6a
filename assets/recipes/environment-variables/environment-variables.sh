#!/bin/bash
# Recipe environment-variables: variables for every user's login shells (/etc/profile.d) and,
# optionally, for Jupyter and the kernels it starts. Kernels do not read /etc/profile.d: they
# get the environment of the Jupyter server, which systemd starts. So a drop-in of the
# jupyter-server unit adds an EnvironmentFile=, and Jupyter is restarted when that changed.
# Runs as root (/etc is root's).
#
# Options (step env): OPT_JUPYTER (1 or 0), OPT_VAR_COUNT, OPT_VAR_NAME_<i>, OPT_VAR_VALUE_<i>.
set -euo pipefail
# shellcheck source=/dev/null
. "${BASH_SOURCE[0]%/*}/../lib.sh"

# dq VALUE: VALUE in double quotes with \ " $ ` escaped by a backslash. A shell reads it back
# unchanged, and so does systemd's EnvironmentFile= parser (which keeps newlines inside quotes).
dq() {
  local v=${1//\\/\\\\}
  v=${v//\"/\\\"}
  v=${v//\$/\\\$}
  printf '"%s"' "${v//\`/\\\`}"
}

# assignments PREFIX QUOTE: "PREFIX NAME=VALUE" per variable, VALUE quoted by the function QUOTE.
assignments() {
  local i name value
  echo "# lcc-constructs step $LCC_STEP"
  for ((i = 0; i < OPT_VAR_COUNT; i++)); do
    name=OPT_VAR_NAME_$i value=OPT_VAR_VALUE_$i
    echo "$1${!name}=$("$2" "${!value}")"
  done
}

profile=/etc/profile.d/lcc-$LCC_STEP.sh
put_file "$profile" 644 < <(assignments 'export ' sq)
log "$OPT_VAR_COUNT variable(s) for login shells in $profile"

[ "$OPT_JUPYTER" = 1 ] || exit 0
systemd_running || skip "systemd is not running: Jupyter's kernels will not see them"
env_file=/etc/lcc-constructs/$LCC_STEP.env
dropin=/etc/systemd/system/jupyter-server.service.d/lcc-$LCC_STEP.conf
mkdir -p "${env_file%/*}" "${dropin%/*}"
CHANGED=0
put_file "$env_file" 644 < <(assignments '' dq)
put_file "$dropin" 644 <<<"[Service]
EnvironmentFile=$env_file"
if [ "$CHANGED" = 1 ]; then
  systemctl daemon-reload
  restart_jupyter "its environment changed"
else
  log "Jupyter's environment is unchanged: not restarted"
fi
