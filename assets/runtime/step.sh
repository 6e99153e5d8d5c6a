#!/bin/bash
# lcc-constructs step wrapper: runs one step of the plan as its user, with its time limit.
#
# Usage (as root): step.sh RUN_DIR INDEX LIMIT_CS
#   RUN_DIR   the run's log folder ('' when there is none: output is then discarded)
#   INDEX     the step's position in lcc/plan.sh
#   LIMIT_CS  kill the step's process group after this many centiseconds (0: no limit)
# Output goes, one timestamped line at a time, to RUN_DIR/<name>.log. The exit status is the
# step's (124 or 137 when it was killed at its limit). For a background step, which the runner
# does not wait for, it also writes RUN_DIR/<name>.result.json at the end.
set -uo pipefail
umask 022

LCC_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=/dev/null
. "$LCC_HOME/lcc/plan.sh"

run_dir=$1
i=$2
limit_cs=$3
name=${LCC_STEP_NAME[i]}
user=${LCC_STEP_USER[i]}
log=/dev/null
if [ -n "$run_dir" ]; then log=$run_dir/$name.log; fi

# Reads lines on stdin and writes each with a UTC timestamp (bash 4.2 printf %()T: no fork).
lcc_stamp() {
  local line
  export TZ=UTC
  while IFS= read -r line || [ -n "$line" ]; do
    printf '%(%Y-%m-%dT%H:%M:%SZ)T %s\n' -1 "$line"
  done
}

tmp=$(mktemp -d /tmp/lcc-step.XXXXXX) || exit 125
mkfifo "$tmp/out" || exit 125
# The stamper is not waited for: a process the step leaves behind may hold the pipe open, and
# the lifecycle script must not hang on it. It writes to the log file only, never to our stdout.
lcc_stamp <"$tmp/out" >>"$log" 2>/dev/null &
stamper=$!

cmd=(/bin/bash "$LCC_HOME/lcc/exec-step.sh" "$i")
if [ "$user" != root ]; then
  cmd=(sudo -n -u "$user" -i -- "${cmd[@]}")
fi
if [ "$limit_cs" -gt 0 ]; then
  # timeout(1) runs the command in its own process group and signals the whole group.
  cmd=(timeout -k "$LCC_KILL_GRACE" "$(printf '%d.%02d' $((limit_cs / 100)) $((limit_cs % 100)))" "${cmd[@]}")
fi

read -r t0 _ </proc/uptime
"${cmd[@]}" </dev/null >"$tmp/out" 2>&1
rc=$?
read -r t1 _ </proc/uptime

for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  kill -0 "$stamper" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$stamper" 2>/dev/null; then
  printf '%s (lcc-constructs: the step left processes holding its output open; they go on running)\n' \
    "$(date -u +%FT%TZ)" >>"$log"
fi
rm -rf "$tmp"

if [ -n "$run_dir" ] && [ "${LCC_STEP_BACKGROUND[i]}" = 1 ]; then
  duration_cs=$((10#${t1/./} - 10#${t0/./}))
  timed_out=false
  if { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && [ "$limit_cs" -gt 0 ] && ((duration_cs >= limit_cs)); then
    timed_out=true
  fi
  printf '{"name": "%s", "exit_code": %d, "duration_seconds": %d.%02d, "timed_out": %s, "finished": "%s"}\n' \
    "$name" "$rc" $((duration_cs / 100)) $((duration_cs % 100)) "$timed_out" "$(date -u +%FT%TZ)" \
    >"$run_dir/$name.result.json.tmp" && mv -f "$run_dir/$name.result.json.tmp" "$run_dir/$name.result.json"
fi
exit "$rc"
