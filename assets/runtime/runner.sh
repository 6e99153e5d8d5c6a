#!/bin/bash
# lcc-constructs runner: runs the steps of one lifecycle script, in order, within its budget.
#
# Packed into the payload as lcc/runner.sh, next to lcc/plan.sh (the steps and settings as bash
# variables, written at build time) and lcc/env/<step>.sh (each step's variables). Three modes:
#
#   runner.sh                  as root, from the bootstrap: run every step. Logs go to stdout
#                              (CloudWatch, when reachable) and to a run folder on the persistent
#                              volume, with status.json rewritten after every step. Exit status 1
#                              when a required step failed, timed out or was skipped; else 0.
#   runner.sh step I LIMIT_CS  as root: run step I as its user, its process group killed after
#                              LIMIT_CS centiseconds (0: no limit), its output timestamped into
#                              $LCC_RUN_DIR/<name>.log. Exit status: the step's (124 or 137 when
#                              killed). A background step also writes <name>.result.json.
#   runner.sh exec I           as the step's user (root, or the notebook user after its login
#                              shell): export the step's variables and exec its script, from the
#                              scripts folder, with its interpreter.
#
# Written for bash 4.2 (Amazon Linux 2) and 5.x (Amazon Linux 2023). Comment lines and
# indentation are dropped when it is packed (no here-documents, no multi-line strings).
set -uo pipefail
umask 022

LCC_HOME=$(cd "${BASH_SOURCE[0]%/*}/.." && pwd -P)
# shellcheck source=/dev/null
. "$LCC_HOME/lcc/plan.sh"
LCC_RUN_DIR=${LCC_RUN_DIR-}
LCC_NOW=0
# JSON of a 0/1 flag: ${LCC_JSON_BOOL[flag]}
LCC_JSON_BOOL=(false true)

# Sets LCC_NOW to the uptime in centiseconds: no fork, and immune to clock changes.
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

# Sets LCC_OUTCOME (ok, failed, timed_out) and LCC_REASON from exit status $1 after $2
# centiseconds, $3 the limit (0: none) and $4 what set it.
lcc_outcome() {
  LCC_OUTCOME=failed LCC_REASON="exit code $1"
  if { [ "$1" = 124 ] || [ "$1" = 137 ]; } && [ "$3" -gt 0 ] && (($2 >= $3)); then
    LCC_OUTCOME=timed_out LCC_REASON="killed after $(lcc_secs "$3")s ($4)"
  elif [ "$1" = 0 ]; then
    LCC_OUTCOME=ok LCC_REASON=''
  fi
}

# Prints step $1's status as JSON: status $2, exit code $3, duration $4 (s), reason $5. The
# strings are step names and our own words: nothing JSON would need escaped.
lcc_step_json() {
  local i=$1 reason=null
  if [ -n "$5" ]; then reason="\"$5\""; fi
  printf '{"name": "%s", "user": "%s", "background": %s, "required": %s, "status": "%s", "exit_code": %s, "duration_seconds": %s, "timed_out": %s, "skipped": %s, "reason": %s, "log": "%s.log"}' \
    "${LCC_STEP_NAME[i]}" "${LCC_STEP_USER[i]}" "${LCC_JSON_BOOL[LCC_STEP_BACKGROUND[i]]}" \
    "${LCC_JSON_BOOL[LCC_STEP_REQUIRED[i]]}" "$2" "${3:-null}" "${4:-null}" \
    "$([ "$2" = timed_out ] && echo true || echo false)" \
    "$([ "$2" = skipped ] && echo true || echo false)" "$reason" "${LCC_STEP_NAME[i]}"
}

# --- runner.sh exec I -----------------------------------------------------------------------

lcc_exec() {
  local i=$1
  LCC_STEP=${LCC_STEP_NAME[i]}
  LCC_SCRIPTS_DIR=$LCC_HOME/scripts
  # Whether the service sets HOME is not documented; tools such as git and pip need one.
  HOME=${HOME:-/root}
  export HOME LCC_HOME LCC_KIND LCC_STEP LCC_SCRIPTS_DIR
  if [ -f "$LCC_HOME/lcc/env/$LCC_STEP.sh" ]; then
    # shellcheck source=/dev/null
    . "$LCC_HOME/lcc/env/$LCC_STEP.sh"
  fi
  cd "$LCC_SCRIPTS_DIR" || exit 126
  exec "${LCC_STEP_INTERP[i]}" ${LCC_STEP_ARG[i]:+"${LCC_STEP_ARG[i]}"} "./${LCC_STEP_SCRIPT[i]}"
}

# --- runner.sh step I LIMIT_CS --------------------------------------------------------------

# Copies stdin to stdout, each line behind its UTC time (printf %()T, bash 4.2: no fork).
lcc_stamp() {
  local line
  export TZ=UTC
  while IFS= read -r line || [ -n "$line" ]; do
    printf '%(%Y-%m-%dT%H:%M:%SZ)T %s\n' -1 "$line"
  done
}

lcc_step() {
  local i=$1 limit=$2 log=/dev/null tmp stamper start rc
  local name=${LCC_STEP_NAME[i]}
  if [ -n "$LCC_RUN_DIR" ]; then log=$LCC_RUN_DIR/$name.log; fi
  tmp=$(mktemp -d /tmp/lcc-step.XXXXXX) && mkfifo "$tmp/out" || return 125
  # The output reaches the log through a FIFO and a stamper that nobody waits for: a process
  # the step leaves behind may hold the FIFO open, and the lifecycle script must not hang on
  # it. The stamper writes to the log only, never to our stdout.
  lcc_stamp <"$tmp/out" >>"$log" 2>/dev/null &
  stamper=$!
  local cmd=(/bin/bash "$LCC_HOME/lcc/runner.sh" exec "$i")
  if [ "${LCC_STEP_USER[i]}" != root ]; then
    cmd=(sudo -n -u "${LCC_STEP_USER[i]}" -i -- "${cmd[@]}")
  fi
  if [ "$limit" -gt 0 ]; then
    # timeout(1) runs the command in its own process group and signals the whole group.
    cmd=(timeout -k "$LCC_KILL_GRACE" "$(lcc_secs "$limit")" "${cmd[@]}")
  fi
  lcc_now
  start=$LCC_NOW
  "${cmd[@]}" </dev/null >"$tmp/out" 2>&1
  rc=$?
  lcc_now
  for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    kill -0 "$stamper" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$stamper" 2>/dev/null; then
    echo "$(date -u +%FT%TZ) (lcc-constructs: the step left processes holding its output open; they go on running)" >>"$log"
  fi
  rm -rf "$tmp"
  # The runner does not wait for a background step: it leaves its status in a file.
  if [ -n "$LCC_RUN_DIR" ] && [ "${LCC_STEP_BACKGROUND[i]}" = 1 ]; then
    lcc_outcome "$rc" $((LCC_NOW - start)) "$limit" 'step timeout'
    lcc_step_json "$i" "$LCC_OUTCOME" "$rc" "$(lcc_secs $((LCC_NOW - start)))" "$LCC_REASON" >"$log.tmp" &&
      mv -f "$log.tmp" "$LCC_RUN_DIR/$name.result.json"
  fi
  return "$rc"
}

# --- runner.sh ------------------------------------------------------------------------------

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

# Creates this run's log folder (LCC_RUN_DIR) and deletes the oldest beyond LCC_KEEP_RUNS.
lcc_prepare_logs() {
  local logs=/var/log/lcc-constructs d i
  local -a runs=()
  if [ -d "${LCC_STATE_DIR%/*}" ]; then
    lcc_trusted_dir "$LCC_STATE_DIR"
    logs=$LCC_STATE_DIR/logs
  else
    lcc_log "${LCC_STATE_DIR%/*} does not exist; logging to $logs instead"
  fi
  lcc_trusted_dir "$logs"
  LCC_RUN_ID="$(date -u +%Y%m%dT%H%M%S.%3NZ)-$LCC_KIND"
  if ! mkdir -m 755 -- "$logs/$LCC_RUN_ID"; then
    lcc_log "cannot create $logs/$LCC_RUN_ID; step output goes to stdout only"
    return
  fi
  LCC_RUN_DIR=$logs/$LCC_RUN_ID
  ln -sfn -- "$LCC_RUN_ID" "$logs/latest-$LCC_KIND"
  for d in "$logs"/*-"$LCC_KIND"; do
    if [ -d "$d" ] && [ ! -L "$d" ]; then runs+=("$d"); fi
  done
  for ((i = 0; i < ${#runs[@]} - LCC_KEEP_RUNS; i++)); do
    rm -rf -- "${runs[i]}"
  done
}

# Records step $1's outcome (the arguments of lcc_step_json) for status.json.
lcc_result() {
  R_STATUS[$1]=$2
  R_JSON[$1]=$(lcc_step_json "$@")
}

lcc_write_status() {
  [ -n "$LCC_RUN_DIR" ] || return 0
  local f=$LCC_RUN_DIR/status.json finished=null
  if [ -n "$LCC_FINISHED" ]; then finished="\"$LCC_FINISHED\""; fi
  printf '{"schema": 1, "kind": "%s", "run": "%s", "started": "%s", "finished": %s, "budget_seconds": %s, "exit_code": %s, "steps": [\n%s\n]}\n' \
    "$LCC_KIND" "$LCC_RUN_ID" "$LCC_STARTED" "$finished" "$(lcc_secs "$LCC_BUDGET_CS")" \
    "${LCC_EXIT:-null}" "$(IFS=,; printf '%s\n' "${R_JSON[*]}")" >"$f.tmp" && mv -f -- "$f.tmp" "$f"
}

lcc_run_foreground() {
  local i=$1 remaining limit why=budget rc start duration
  local name=${LCC_STEP_NAME[i]}
  lcc_now
  remaining=$((LCC_BUDGET_CS - (LCC_NOW - LCC_T0_CS)))
  if ((remaining < LCC_MIN_STEP_CS)); then
    lcc_result "$i" skipped '' '' "budget spent: $(lcc_secs $((remaining > 0 ? remaining : 0)))s of $(lcc_secs "$LCC_BUDGET_CS")s left"
    lcc_log "step $name: SKIPPED (budget spent)"
    return
  fi
  limit=$remaining
  if ((LCC_STEP_TIMEOUT_CS[i] > 0 && LCC_STEP_TIMEOUT_CS[i] <= limit)); then
    limit=${LCC_STEP_TIMEOUT_CS[i]} why='step timeout'
  fi
  lcc_log "step $name: start as ${LCC_STEP_USER[i]} (${LCC_STEP_SCRIPT[i]}, limit $(lcc_secs "$limit")s: $why)"
  start=$LCC_NOW
  /bin/bash "$LCC_HOME/lcc/runner.sh" step "$i" "$limit" </dev/null >/dev/null 2>&1
  rc=$?
  lcc_now
  duration=$(lcc_secs $((LCC_NOW - start)))
  lcc_outcome "$rc" $((LCC_NOW - start)) "$limit" "$why"
  lcc_result "$i" "$LCC_OUTCOME" "$rc" "$duration" "$LCC_REASON"
  if [ -f "$LCC_RUN_DIR/$name.log" ]; then sed "s/^/[$name] /" "$LCC_RUN_DIR/$name.log"; fi
  lcc_log "step $name: ${R_STATUS[i]} (exit $rc, ${duration}s)"
}

lcc_start_background() {
  local i=$1
  setsid /bin/bash "$LCC_HOME/lcc/runner.sh" step "$i" "${LCC_STEP_TIMEOUT_CS[i]}" </dev/null >/dev/null 2>&1 &
  lcc_result "$i" started '' '' "pid $!"
  lcc_log "step ${LCC_STEP_NAME[i]}: started in the background as ${LCC_STEP_USER[i]} (pid $!)"
}

lcc_main() {
  local i n=${#LCC_STEP_NAME[@]} status count summary=''
  LCC_STARTED=$(date -u +%FT%TZ) LCC_FINISHED='' LCC_EXIT=''
  lcc_now
  LCC_T0_CS=$LCC_NOW
  # The bootstrap's start, so that the budget counts the unpacking too.
  if [ -n "${LCC_T0:-}" ]; then LCC_T0_CS=$((10#${LCC_T0/./})); fi
  lcc_prepare_logs
  export LCC_RUN_DIR
  for ((i = 0; i < n; i++)); do lcc_result "$i" pending '' '' ''; done
  lcc_log "run ${LCC_RUN_ID:-?}: $n step(s), budget $(lcc_secs "$LCC_BUDGET_CS")s, logs in ${LCC_RUN_DIR:-stdout only}"
  lcc_write_status
  LCC_EXIT=0
  for ((i = 0; i < n; i++)); do
    if [ "${LCC_STEP_BACKGROUND[i]}" = 1 ]; then
      lcc_start_background "$i"
    else
      lcc_run_foreground "$i"
    fi
    case ${R_STATUS[i]} in ok | started) ;; *) if [ "${LCC_STEP_REQUIRED[i]}" = 1 ]; then LCC_EXIT=1; fi ;; esac
    lcc_write_status
  done
  for status in ok failed timed_out skipped started; do
    count=0
    for ((i = 0; i < n; i++)); do
      if [ "${R_STATUS[i]}" = "$status" ]; then count=$((count + 1)); fi
    done
    summary+="${summary:+, }$count $status"
  done
  LCC_FINISHED=$(date -u +%FT%TZ)
  lcc_write_status
  lcc_now
  lcc_log "done in $(lcc_secs $((LCC_NOW - LCC_T0_CS)))s: $summary; exit $LCC_EXIT"
  return "$LCC_EXIT"
}

declare -a R_STATUS=() R_JSON=()
case ${1:-} in
  exec) lcc_exec "$2" ;;
  step) lcc_step "$2" "$3" ;;
  *) lcc_main ;;
esac
