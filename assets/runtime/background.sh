#!/bin/bash
# lcc-constructs runner, background steps: packed above the runner's code (runtime/runner.sh)
# only when a step of the plan runs in the background.
# shellcheck disable=SC2154,SC2034 # the plan's and the runner's variables

# bg_start I: background step I, in a session of its own, detached from the script (stdin,
# stdout and stderr away from it); the runner goes on. Without setsid nothing can be detached:
# the step is recorded as failed.
bg_start() {
  if command -v setsid >/dev/null; then
    setsid bash "$0" b "$1" "$I" </dev/null >/dev/null 2>&1 &
    S[$1]=started Y[$1]="\"pid $!\""
  else
    S[$1]=failed Y[$1]='"cannot start: setsid not found"'
  fi
}

# bg_watch I RUN (runner.sh b I RUN): runs background step I of run RUN to its end, and
# writes its outcome beside its log as <name>.result.json.
bg_watch() {
  I=$2
  run "$1" "${T[$1]}" "step timeout"
  entry "$1"
  echo "$o" >"$I/.$1" && mv "$I/.$1" "$I/${N[$1]}.result.json"
}
