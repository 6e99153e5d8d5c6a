#!/bin/bash
# Recipe package-index: pip (and optionally conda) of ec2-user install from a private package
# index. Runs as ec2-user (on Studio: sagemaker-user, whose home persists). pip: index-url,
# extra-index-url and trusted-host are set in the [global] section of ~/.config/pip/pip.conf,
# replacing earlier values of those keys only; every other line of the file stays as it was.
# conda: the channels go first in the channels list of ~/.condarc (conda config --prepend,
# which keeps everything else).
#
# Options (step env): OPT_INDEX_URL (may be empty), OPT_EXTRA_INDEX_URLS, OPT_TRUSTED_HOSTS and
# OPT_CONDA_CHANNELS (space-separated, may be empty).
set -eu

conf=$HOME/.config/pip/pip.conf
keys='' settings=''
add_setting() {
  if [ -n "$2" ]; then
    keys+=" $1"
    settings+="$1 = $2"$'\n'
  fi
}
add_setting index-url "$OPT_INDEX_URL"
add_setting extra-index-url "$OPT_EXTRA_INDEX_URLS"
add_setting trusted-host "$OPT_TRUSTED_HOSTS"

# merged FILE: FILE with our settings right after its [global] header (or in a new [global]
# section at the end). Our keys found elsewhere in [global] are dropped with their continuation
# lines (indented lines after them). pip reads key names with '_' as '-', in any case. (It runs
# in a subshell: emptying $settings once they are written is its own business.)
merged() {
  local line section='' drop='' key
  [ ! -f "$1" ] || while IFS= read -r line || [ -n "$line" ]; do
    [[ -n $drop && $line == [[:space:]]*[![:space:]]* ]] && continue
    drop=''
    if [[ $line == \[*\]* ]]; then
      section=${line#\[} section=${section%\]*}
      printf '%s\n' "$line"
      [ "$section" != global ] || { printf %s "$settings"; settings=''; }
      continue
    fi
    key=${line%%[=:]*} key=${key//[[:space:]]/} key=${key,,}
    if [ "$section" = global ] && [[ "$keys " == *" ${key//_/-} "* ]]; then
      drop=1
      continue
    fi
    printf '%s\n' "$line"
  done <"$1"
  [ -z "$settings" ] || printf '[global]\n%s' "$settings"
}

if [ -n "$keys" ]; then
  mkdir -p "${conf%/*}"
  # 600 before it holds anything: index URLs may carry credentials. (Two commands: set -e does
  # not stop at a failure inside an && list.)
  (umask 077 && merged "$conf" >"$conf.new")
  mv "$conf.new" "$conf"
  echo "pip:$keys set in $conf"
fi

[ -n "$OPT_CONDA_CHANNELS" ] || exit 0
# conda: the notebook instance's ~/anaconda3, or the one on PATH (Studio: /opt/conda/bin).
c=$(PATH=~/anaconda3/bin:$PATH type -P conda) || { echo "skipped: no conda, no conda channel set"; exit 0; }
read -r -a channels <<<"$OPT_CONDA_CHANNELS"
# Last first: each --prepend puts its channel on top (moving it there if listed already).
for ((i = ${#channels[@]} - 1; i >= 0; i--)); do
  "$c" config --prepend channels "${channels[i]}"
done
echo "conda: channels $OPT_CONDA_CHANNELS first in ~/.condarc"
