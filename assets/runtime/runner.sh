#!/bin/bash
# lcc-constructs runner: runs the steps of one lifecycle script in order.
#
# Packed into the payload as lcc/runner.sh and started by the bootstrap, as root. For each step
# of lcc/plan.sh it starts lcc/step.sh, in the foreground within what is left of the budget, or
# detached in the background. It logs to stdout (CloudWatch, when reachable) and to a run folder
# on the persistent volume, and rewrites status.json there after every step.
# Exit status: 1 when a required step failed, timed out or was skipped; otherwise 0.
#
# Written for bash 4.2 (Amazon Linux 2) and 5.x (Amazon Linux 2023).
set -uo pipefail
umask 022

LCC_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
export LCC_HOME
# shellcheck source=/dev/null
. "$LCC_HOME/lcc/plan.sh"

LCC_RUN_DIR=''
LCC_NOW=0

# Sets LCC_NOW to the uptime in centiseconds (no fork, monotonic across clock changes).
lcc_now() {
  local up
  read -r up _ </proc/uptime
  up=${up/./}
  LCC_NOW=$((10#$up))
}

# Prints centiseconds $1 as seconds with two decimals.
lcc_secs() {
  printf '%d.%02d' $(($1 / 100)) $(($1 % 100))
}

lcc_log() {
  local line
  line="$(date -u +%FT%TZ) lcc-constructs[$LCC_KIND]: $*"
  printf '%s\n' "$line"
  if [ -n "$LCC_RUN_DIR" ]; then printf '%s\n' "$line" >>"$LCC_RUN_DIR/runner.log"; fi
}

# Makes $1 a root-owned real directory with mode 755. Whatever else is there (a symlink the
# notebook user planted, a file, a directory the user owns) is moved aside, never followed.
lcc_trusted_dir() {
  local dir=$1 aside
  if [ -L "$dir" ] || { [ -e "$dir" ] && { [ ! -d "$dir" ] || [ "$(stat -c %u "$dir")" != 0 ]; }; }; then
    aside="$dir.untrusted-$(date -u +%Y%m%dT%H%M%SZ)"
    mv -f -- "$dir" "$aside" && lcc_log "moved $dir aside to $aside: it was not a root-owned directory"
  fi
  mkdir -p -- "$dir" && chown root:root "$dir" && chmod 755 "$dir"
}

# Deletes the oldest run folders of this kind beyond LCC_KEEP_RUNS (the current one included).
lcc_rotate() {
  local logs=$1 d i
  local -a runs=()
  for d in "$logs"/*-"$LCC_KIND"; do
    if [ -d "$d" ] && [ ! -L "$d" ]; then runs+=("$d"); fi
  done
  for ((i = 0; i < ${#runs[@]} - LCC_KEEP_RUNS; i++)); do
    rm -rf -- "${runs[i]}"
  done
}

lcc_prepare_logs() {
  local logs
  if [ -d "${LCC_STATE_DIR%/*}" ]; then
    lcc_trusted_dir "$LCC_STATE_DIR"
    logs=$LCC_STATE_DIR/logs
  else
    logs=/var/log/lcc-constructs
    lcc_log "${LCC_STATE_DIR%/*} does not exist; logging to $logs instead"
  fi
  lcc_trusted_dir "$logs"
  LCC_RUN_ID="$(date -u +%Y%m%dT%H%M%S.%3NZ)-$LCC_KIND"
  if mkdir -m 755 -- "$logs/$LCC_RUN_ID"; then
    LCC_RUN_DIR=$logs/$LCC_RUN_ID
    ln -sfn -- "$LCC_RUN_ID" "$logs/latest-$LCC_KIND"
    lcc_rotate "$logs"
  else
    lcc_log "cannot create $logs/$LCC_RUN_ID; step output goes to stdout only"
  fi
}

# JSON value helpers: a quoted string, or null when empty. Values written here are our own
# words, step names and numbers, which hold no character JSON would need escaped.
lcc_json_str() {
  if [ -n "$1" ]; then printf '"%s"' "$1"; else printf null; fi
}

lcc_write_status() {
  [ -n "$LCC_RUN_DIR" ] || return 0
  local f=$LCC_RUN_DIR/status.json i sep=''
  {
    printf '{\n  "schema": 1,\n  "kind": "%s",\n  "run": "%s",\n' "$LCC_KIND" "$LCC_RUN_ID"
    printf '  "started": "%s",\n  "finished": %s,\n' "$LCC_STARTED" "$(lcc_json_str "$LCC_FINISHED")"
    printf '  "budget_seconds": %s,\n  "exit_code": %s,\n  "steps": [' \
      "$(lcc_secs "$LCC_BUDGET_CS")" "${LCC_EXIT:-null}"
    for ((i = 0; i < ${#LCC_STEP_NAME[@]}; i++)); do
      printf '%s\n    {"name": "%s", "user": "%s", "background": %s, "required": %s, ' \
        "$sep" "${LCC_STEP_NAME[i]}" "${LCC_STEP_USER[i]}" \
        "$(lcc_bool "${LCC_STEP_BACKGROUND[i]}")" "$(lcc_bool "${LCC_STEP_REQUIRED[i]}")"
      printf '"status": "%s", "exit_code": %s, "duration_seconds": %s, ' \
        "${R_STATUS[i]}" "${R_EXIT[i]:-null}" "${R_DURATION[i]:-null}"
      printf '"timed_out": %s, "skipped": %s, "reason": %s, "log": "%s.log"}' \
        "$(lcc_bool "$([ "${R_STATUS[i]}" = timed_out ] && echo 1)")" \
        "$(lcc_bool "$([ "${R_STATUS[i]}" = skipped ] && echo 1)")" \
        "$(lcc_json_str "${R_REASON[i]}")" "${LCC_STEP_NAME[i]}"
      sep=','
    done
    printf '\n  ]\n}\n'
  } >"$f.tmp" && mv -f -- "$f.tmp" "$f"
}

lcc_bool() {
  if [ "${1:-0}" = 1 ]; then printf true; else printf false; fi
}

lcc_run_foreground() {
  local i=$1
  local name=${LCC_STEP_NAME[i]} remaining limit why rc start duration line
  lcc_now
  remaining=$((LCC_BUDGET_CS - (LCC_NOW - LCC_T0_CS)))
  if ((remaining < LCC_MIN_STEP_CS)); then
    R_STATUS[i]=skipped
    R_REASON[i]="budget spent: $(lcc_secs $((remaining > 0 ? remaining : 0)))s of $(lcc_secs "$LCC_BUDGET_CS")s left"
    lcc_log "step $name: SKIPPED (${R_REASON[i]})"
    return
  fi
  limit=$remaining why=budget
  if ((LCC_STEP_TIMEOUT_CS[i] > 0 && LCC_STEP_TIMEOUT_CS[i] <= limit)); then
    limit=${LCC_STEP_TIMEOUT_CS[i]} why='step timeout'
  fi
  lcc_log "step $name: start as ${LCC_STEP_USER[i]} (${LCC_STEP_SCRIPT[i]}, limit $(lcc_secs "$limit")s: $why)"
  start=$LCC_NOW
  /bin/bash "$LCC_HOME/lcc/step.sh" "$LCC_RUN_DIR" "$i" "$limit" </dev/null >/dev/null 2>&1
  rc=$?
  lcc_now
  duration=$((LCC_NOW - start))
  R_EXIT[i]=$rc
  R_DURATION[i]=$(lcc_secs "$duration")
  if { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && ((duration >= limit)); then
    R_STATUS[i]=timed_out
    R_REASON[i]="killed after $(lcc_secs "$limit")s ($why)"
  elif [ "$rc" = 0 ]; then
    R_STATUS[i]=ok
  else
    R_STATUS[i]=failed
    R_REASON[i]="exit code $rc"
  fi
  if [ -n "$LCC_RUN_DIR" ] && [ -f "$LCC_RUN_DIR/$name.log" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      printf '[%s] %s\n' "$name" "$line"
    done <"$LCC_RUN_DIR/$name.log"
  fi
  lcc_log "step $name: ${R_STATUS[i]} (exit $rc, ${R_DURATION[i]}s)${R_REASON[i]:+: ${R_REASON[i]}}"
}

lcc_start_background() {
  local i=$1
  local name=${LCC_STEP_NAME[i]}
  setsid /bin/bash "$LCC_HOME/lcc/step.sh" "$LCC_RUN_DIR" "$i" "${LCC_STEP_TIMEOUT_CS[i]}" \
    </dev/null >/dev/null 2>&1 &
  R_STATUS[i]=started
  R_REASON[i]="pid $!"
  lcc_log "step $name: started in the background as ${LCC_STEP_USER[i]} (pid $!)"
}

lcc_main() {
  local i n=${#LCC_STEP_NAME[@]} failed=0 status summary='' count
  LCC_STARTED=$(date -u +%FT%TZ)
  LCC_FINISHED=''
  lcc_now
  LCC_T0_CS=$LCC_NOW
  if [ -n "${LCC_T0:-}" ]; then LCC_T0_CS=$((10#${LCC_T0/./})); fi
  lcc_prepare_logs
  for ((i = 0; i < n; i++)); do
    R_STATUS[i]=pending R_EXIT[i]='' R_DURATION[i]='' R_REASON[i]=''
  done
  lcc_log "run ${LCC_RUN_ID:-?}: $n step(s), budget $(lcc_secs "$LCC_BUDGET_CS")s, logs in ${LCC_RUN_DIR:-stdout only}"
  lcc_write_status
  for ((i = 0; i < n; i++)); do
    if [ "${LCC_STEP_BACKGROUND[i]}" = 1 ]; then
      lcc_start_background "$i"
    else
      lcc_run_foreground "$i"
    fi
    status=${R_STATUS[i]}
    if [ "${LCC_STEP_REQUIRED[i]}" = 1 ] && [ "$status" != ok ] && [ "$status" != started ]; then
      failed=1
    fi
    lcc_write_status
  done
  for status in ok failed timed_out skipped started; do
    count=0
    for ((i = 0; i < n; i++)); do
      if [ "${R_STATUS[i]}" = "$status" ]; then count=$((count + 1)); fi
    done
    summary+="${summary:+, }$count $status"
  done
  LCC_EXIT=$failed
  LCC_FINISHED=$(date -u +%FT%TZ)
  lcc_write_status
  lcc_now
  lcc_log "done in $(lcc_secs $((LCC_NOW - LCC_T0_CS)))s: $summary; exit $LCC_EXIT"
  return "$LCC_EXIT"
}

declare -a R_STATUS=() R_EXIT=() R_DURATION=() R_REASON=()
lcc_main
