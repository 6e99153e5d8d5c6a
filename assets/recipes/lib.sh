#!/bin/bash
# Helpers of the built-in recipes. Sourced, never run: the bundle holds one copy, recipes/lib.sh,
# beside the recipes' folders (recipes/<step name>/).
# shellcheck disable=SC2034 # the variables are for the recipes
#
# A recipe must never fail the instance start on its own account: when a tool it needs is
# missing it says what it skipped and why, and ends with status 0.

NOTEBOOK_USER=ec2-user
NOTEBOOK_HOME=/home/ec2-user
PERSISTENT_VOLUME=$NOTEBOOK_HOME/SageMaker
CHANGED=0

log() { printf '%s\n' "$*"; }

# skip REASON: say why nothing (more) is done and end the step successfully.
skip() {
  log "skipped: $*"
  exit 0
}

have() { command -v "$1" >/dev/null 2>&1; }

# as_user COMMAND...: run COMMAND as the notebook user, with its HOME (from root steps). Root
# must not touch what that user controls (the persistent volume, the home): a symlink planted
# there would make root write or run anything.
as_user() { sudo -n -u "$NOTEBOOK_USER" -H -- "$@"; }

# conda_command: the notebook user's conda (SageMaker installs it in ~/anaconda3), if any.
conda_command() {
  if [ -x "$NOTEBOOK_HOME/anaconda3/bin/conda" ]; then
    printf '%s\n' "$NOTEBOOK_HOME/anaconda3/bin/conda"
  else
    command -v conda
  fi
}

# sq VALUE: VALUE in single quotes, read back unchanged by any POSIX shell (whatever it holds:
# quotes, $, backslashes, newlines). Only the quote itself needs care: ' becomes '\''.
sq() {
  local rest=$1 out=''
  while [[ $rest == *\'* ]]; do
    out+="${rest%%\'*}'\\''"
    rest=${rest#*\'}
  done
  printf "'%s%s'" "$out" "$rest"
}

# dq VALUE: VALUE in double quotes with \ " $ ` escaped by a backslash. A shell reads it back
# unchanged, and so does systemd's EnvironmentFile= parser: old (219, Amazon Linux 2) and new
# versions agree on these four escapes, and keep newlines inside quotes.
dq() {
  local rest=$1 out='' head
  while [[ $rest == *[\\\"\$\`]* ]]; do
    head=${rest%%[\\\"\$\`]*}
    out+="$head\\${rest:${#head}:1}"
    rest=${rest:${#head}+1}
  done
  printf '"%s%s"' "$out" "$rest"
}

# same_content FILE1 FILE2: whether both hold the same bytes (coreutils only: no cmp).
same_content() { [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ]; }

# put_file PATH MODE: write stdin to PATH with MODE (e.g. 644), atomically, unless PATH already
# holds exactly that with that mode. Sets CHANGED=1 when it wrote. The file belongs to whoever
# runs this.
put_file() {
  local path=$1 mode=$2 tmp
  tmp=$(mktemp "$path.XXXXXX") || return 1
  if ! cat >"$tmp"; then
    rm -f "$tmp"
    return 1
  fi
  if [ -f "$path" ] && [ ! -L "$path" ] && [ "$(stat -c %a "$path")" = "$mode" ] &&
    same_content "$tmp" "$path"; then
    rm -f "$tmp"
    return 0
  fi
  if ! chmod "$mode" "$tmp" || ! mv -f "$tmp" "$path"; then
    rm -f "$tmp"
    return 1
  fi
  CHANGED=1
}

systemd_running() { have systemctl && [ -d /run/systemd/system ]; }

# restart_jupyter WHY: restart the Jupyter server without waiting for it. The server reads its
# environment once, at start, and hands it to every kernel it starts.
restart_jupyter() {
  if ! systemd_running; then
    log "Jupyter not restarted ($1): systemd is not running"
  elif systemctl --no-block restart jupyter-server; then
    log "restarting Jupyter ($1)"
  else
    log "could not restart jupyter-server ($1)"
  fi
}
