#!/bin/bash
# lcc-constructs runner: runs the steps of one lifecycle script in order, within its budget.
# docs/on-the-instance.md describes what it does; docs/architecture.md the contract below.
#
# Packed as lcc/runner.sh (root's alone: the plan may hold root steps' secrets), with the plan
# written above this code by lcc_constructs.bundle:
#   k  kind (on-start, on-create)     h  this kind's folder (/startup/on-start): scripts/, lcc/
#   r  root's log folder              s  the notebook user's copy of it on the volume (or empty)
#   n  runs kept in that copy         b  budget (cs)
#   N  each step's name; only when some step needs them: U user, B background (0/1),
#      Q required (0/1; 2: and the later steps are skipped when it fails), T timeout (cs, 0: none),
#      O the first start only (0/1; Studio)
#   e I  exports step I's variables and runs it (root steps; the notebook user's are in lcc/u;
#        on Studio every step)
#
#   runner.sh          as root (on Studio: as sagemaker-user): run every step; exit status 1
#                      when a required step failed, timed out or was skipped, else 0
#   runner.sh x I      step I of the plan's e, in a session of its own: its variables, then its
#                      script, from / (on Studio: from its user's home)
#   runner.sh b I RUN  background step I of run RUN (assets/runtime/background.sh)
#
# Root works only in its own places: the unpack folder and <r>/<run>, on the root file system.
# It never resolves a path on the persistent volume: the copy there (assets/runtime/copy.sh)
# is made by the notebook user, bounded in time, so whatever that user does to the volume can
# only hurt that copy. On Studio (docs/studio.md) the runner is sagemaker-user, who has sudo:
# there is no such boundary, it writes <state_dir>/logs itself (runtime/rotate.sh) and root steps
# go through sudo (runtime/sudo.sh). @@TOKENS@@ are filled in by lcc_constructs.bundle: a
# feature's code (assets/runtime/<feature>.sh) where a step uses it, else nothing; @@HOME@@,
# @@ME@@ (the runner's user) and @@CWD@@ (where a step of e starts) by the platform.
# shellcheck disable=SC2154 # the plan's variables are set above this code

# clock: sets t to the uptime in cs (immune to clock changes; no fork).
clock() {
  read -r t _ </proc/uptime
  t=$((10#${t/./}))
}

# secs CS: centiseconds as seconds with two decimals.
secs() { printf %d.%02d $(($1 / 100)) $(($1 % 100)); }

# say TEXT: a line of the runner's own, to stdout (CloudWatch) and to the run's runner.log.
say() { echo "$(date -u +%FT%TZ) lcc-constructs[$k]: $*" | tee -a runner.log; }

# run I LIMIT WHY: step I as its user, in a session of its own (no terminal), its output in its
# log in root's folder; its first 4096 bytes shown on stdout as they come (dd: head's stdio would
# hold them back; tail stops once the step is gone, so nothing the step leaves behind holds the
# script's output open), its last 4096 once it ended. After LIMIT cs (0: none) timeout(1) sends SIGTERM to the step's process
# group, and SIGKILL 5 s later if the step is still there; once a timed-out step is gone, what is
# left of its session gets SIGKILL. Sets the step's S (status), X (exit code), D (seconds) and Y
# (reason, as JSON). The numbers are limits.py's (tests/test_assets.py compares them).
run() {
  local i=$1 c=(bash "$0" x "$1") p r L=${N[$1]}.log z
  @@USER@@
  [ "$2" = 0 ] || c=(timeout -k 5 "$(secs "$2")" "${c[@]}")
  @@SUDO@@
  clock
  p=$t
  # The log exists before tail looks for it (tail -f does not wait for a name to appear).
  : >"$L"
  setsid "${c[@]}" </dev/null >"$L" 2>&1 &
  r=$!
  tail -s.1 -fn+1 --pid=$r "$L" | dd bs=1 count=4096 status=none | sed -u "s/^/[${N[i]}] /" &
  wait $r
  X[i]=$?
  clock
  t=$((t - p))
  D[i]=$(secs $t)
  S[i]=failed Y[i]="\"exit code ${X[i]}\""
  if [ "${X[i]}" = 0 ]; then
    S[i]=ok Y[i]=
  elif [ "$2" != 0 ] && ((t >= $2)) && [[ ${X[i]} = 124 || ${X[i]} = 137 ]]; then
    S[i]=timed_out Y[i]="\"killed after $(secs "$2")s ($3)\""
    @@KILL@@pkill -9 -s $r
  fi
  wait $!
  z=$(stat -c%s "$L")
  # (On a line of its own: the first part may end in the middle of one.)
  if ((z > 4096)); then
    echo
    ((z <= 8192)) || echo "[${N[i]}] ...$((z - 8192)) bytes not shown (all in $PWD/$L)"
    tail -c +$((z > 8192 ? z - 4095 : 4097)) "$L" | sed "s/^/[${N[i]}] /"
  fi
}

# step I: foreground step I within what is left of the budget (skipped below 1 s).
step() {
  clock
  l=$((b - t + t0)) y=budget
  if ((l < 100)); then
    S[$1]=skipped Y[$1]="\"budget spent: $(secs $((l > 0 ? l : 0)))s left\""
  else
    @@TIMEOUT@@
    say "step ${N[$1]}: start as ${U[$1]-@@ME@@}, limit $(secs "$l")s ($y)"
    run "$1" "$l" "$y"
  fi
}

# entry I: sets o to step I's entry of status.json.
entry() {
  printf -v o '{"name":"%s","user":"%s","status":"%s","exit_code":%s,"seconds":%s,"reason":%s}' \
    "${N[$1]}" "${U[$1]-@@ME@@}" "${S[$1]:-pending}" "${X[$1]:-null}" "${D[$1]:-null}" "${Y[$1]:-null}"
}

# status: writes status.json, atomically; J keeps its text.
status() {
  local i o j=
  for i in "${!N[@]}"; do
    entry "$i"
    j+=${j:+,}$o
  done
  J="{\"schema\":3,\"kind\":\"$k\",\"run\":\"$I\",\"started\":\"$A\",\"finished\":${Z:-null},\"budget_seconds\":$(secs "$b"),\"exit_code\":${E:-null},\"steps\":[$j]}"
  echo "$J" >.s && mv .s status.json
}

@@COPY@@

@@ONCE@@

@@BACKGROUND@@

case $1 in
  # A step's variable may have the name of one of the plan's arrays, which bash cannot export.
  x) unset N U B Q T && cd @@CWD@@ && e "$2" ;;
  *)
    clock
    # shellcheck disable=SC2034 # w: the copies' seconds (runtime/volume.sh)
    A=$(date -u +%FT%TZ) I=$(date -u +%Y%m%dT%H%M%S.%3NZ)-$k E=0 t0=$t w=10
    export HOME=@@HOME@@ LCC_KIND=$k LCC_SCRIPTS_DIR=$h/scripts
    mkdir -p "$r/$I" && cd "$r/$I" || exit
    @@ROTATE@@
    status
    for i in "${!N[@]}"; do
      @@GO@@ "$i"
      say "step ${N[i]}: ${S[i]} ${Y[i]}"
      @@REQUIRED@@
      @@STOP@@
      status
      copy
    done
    Z="\"$(date -u +%FT%TZ)\""
    status
    # Before the last line, which lcc logs reads as the run's summary.
    copy
    say "done $J"
    exit $E
    ;;
esac
