#!/bin/bash
# lcc-constructs runner, background steps: put in place of @@BACKGROUND@@ in the runner's code
# (runtime/runner.sh) only when a step of the plan runs in the background.
# shellcheck disable=SC2154,SC2034 # the plan's and the runner's variables

# go I: step I; a background one in a session of its own, detached from the script (stdin,
# stdout and stderr away from it), and the runner goes on.
go() {
  if [ "${B[$1]}" = 1 ]; then
    setsid bash "$0" b "$1" "$I" </dev/null >/dev/null 2>&1 &
    S[$1]=started Y[$1]="\"pid $!\""
  else
    step "$1"
  fi
}

# runner.sh b I RUN (in the run's folder): runs background step I of run RUN to its end, writes
# its outcome beside its log as <name>.result.json, and has the copy on the volume made again;
# @@MARK@@: mark "$2" when a step is for the first start only (runtime/once.sh), else nothing.
if [ "$1" = b ]; then
  I=$3
  run "$2" "${T[$2]-0}" "step timeout"
  @@MARK@@
  entry "$2"
  echo "$o" >".$2" && mv ".$2" "${N[$2]}.result.json"
  copy
  exit
fi
