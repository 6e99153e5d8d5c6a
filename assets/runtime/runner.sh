#!/bin/bash
# lcc-constructs runner: runs the steps of one lifecycle script in order, within its budget.
# docs/on-the-instance.md describes what it does; docs/architecture.md the contract below.
#
# Packed as lcc/runner.sh, with the plan written above this code by lcc_constructs.bundle:
#   k  kind (on-start, on-create)     h  this kind's folder (/startup/on-start): scripts/, lcc/
#   s  state folder (logs, status)    n  runs kept          g  grace, SIGTERM to SIGKILL (s)
#   b  budget (cs)                    m  least time left to start a foreground step (cs)
#   N U B Q T C  each step's name, user, background (0/1), required (0/1), timeout (cs, 0: none)
#                and command (shell words); e I exports step I's own variables
#
#   runner.sh          as root: run every step; exit status 1 when a required step failed,
#                      timed out or was skipped, else 0
#   runner.sh x I      as step I's user (the notebook user: inside its login shell): its script
#   runner.sh b I RUN  as root, in a session of its own: background step I of run RUN, whose
#                      functions (bg_start, bg_watch) are packed above this code only when a
#                      step runs in the background (assets/runtime/background.sh)
#
# Root never resolves a path on the persistent volume after it checked it: the notebook user
# can swap any of them at any moment. The runner makes the state folder its current directory
# (state) and reaches the logs relative to it, which stays that folder whatever becomes of
# its path.
# shellcheck disable=SC2154 # the plan's variables are set above this code

# clock: sets t to the uptime in cs (immune to clock changes; no fork).
clock() {
  read -r t _ </proc/uptime
  t=$((10#${t/./}))
}

# secs CS: centiseconds as seconds with two decimals.
secs() { printf %d.%02d $(($1 / 100)) $(($1 % 100)); }

# say TEXT: a line of the runner's own, to stdout (CloudWatch) and to the run's runner.log.
say() { echo "$(date -u +%FT%TZ) lcc-constructs[$k]: $*" | tee -a "$I/runner.log"; }

# x I: as step I's user, its variables and then its script. A root step starts in the scripts
# folder, the notebook user's in its home, where its login shell put it. The plan's arrays go
# before the step's variables are set: one of those may have the name of an array.
x() {
  export LCC_STEP="${N[$1]}" LCC_KIND="$k" LCC_SCRIPTS_DIR="$h/scripts"
  [ "${U[$1]}" != root ] || cd "$h/scripts" || exit
  set -- "$1" "${C[$1]}"
  unset N U B Q T C
  e "$1"
  eval "exec $2"
}

# run I LIMIT WHY: step I as its user, in a session of its own (no terminal), its output
# appended to its log and shown, as it comes, on stdout with the step's name in front: read
# back from the log by tail(1), which stops once the step is gone, so nothing the step leaves
# behind holds the script's output open. After LIMIT cs (0: none) timeout(1) sends SIGTERM;
# whatever is left of the session after the grace gets SIGKILL, even once the step itself is
# gone. Sets the step's S (status), X (exit code), D (seconds) and Y (reason, as JSON).
run() {
  local i=$1 c=(bash "$0" x "$1") p r L=$I/${N[$1]}.log
  [ "${U[i]}" = root ] || c=(sudo -nu "${U[i]}" -i -- "${c[@]}")
  [ "$2" = 0 ] || c=(timeout -k "$g" "$(secs "$2")" "${c[@]}")
  clock
  p=$t
  : >>"$L"
  setsid "${c[@]}" </dev/null >>"$L" 2>&1 &
  r=$!
  tail -s.1 -fn+1 --pid=$r "$L" | sed -u "s/^/[${N[i]}] /" &
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
    for ((p = g * 10; p > 0; p--)); do
      pgrep -s $r >/dev/null || break
      sleep .1
    done
    pkill -9 -s $r
  fi
  wait $!
}

# entry I: sets o to step I's entry of status.json.
entry() {
  printf -v o '{"name":"%s","user":"%s","status":"%s","exit_code":%s,"seconds":%s,"reason":%s}' \
    "${N[$1]}" "${U[$1]}" "${S[$1]:-pending}" "${X[$1]:-null}" "${D[$1]:-null}" "${Y[$1]:-null}"
}

# status: writes status.json, atomically; J keeps its text.
status() {
  local i o j=
  for i in "${!N[@]}"; do
    entry "$i"
    j+=${j:+,}$o
  done
  J="{\"schema\":2,\"kind\":\"$k\",\"run\":\"$I\",\"started\":\"$A\",\"finished\":${Z:-null},\"budget_seconds\":$(secs "$b"),\"exit_code\":${E:-null},\"steps\":[$j]}"
  echo "$J" >"$I/.s" && mv "$I/.s" "$I/status.json"
}

# state: makes <state folder>/logs the current directory without following anything the
# notebook user could swap: into the folder's parent, checked to be at its own path (no
# symlink on the way); the folder made there (755) unless it exists; into it, checked to be
# at its path, root's and mode 755.
state() {
  cd "${s%/*}" && [ "$(pwd -P)" = "${s%/*}" ] && { mkdir -m 755 "${s##*/}" 2>/dev/null; cd "${s##*/}"; } &&
    [ "$(pwd -P) $(stat -c '%u %a' .)" = "$s 0 755" ] && mkdir -p logs && { cd logs || return; }
}

case $1 in
  x) x "$2" ;;
  b) bg_watch "$2" "$3" ;;
  *)
    clock
    A=$(date -u +%FT%TZ) I=$(date -u +%Y%m%dT%H%M%S.%3NZ)-$k E=0 t0=$t w=
    export HOME=/root
    # A folder the notebook user left in the way is moved aside by that user, never by root.
    if ! state && ! { cd / && setsid -w sudo -nu ec2-user mv -T -- "$s" "$s.untrusted-$I" </dev/null >/dev/null 2>&1; state; }; then
      w="$s cannot be used: logs in /var/log/lcc-constructs"
      cd / && mkdir -p /var/log/lcc-constructs/logs && cd /var/log/lcc-constructs/logs || exit
    fi
    # shellcheck disable=SC2012 # run folders: plain names of ours
    ls -rd -- [0-9]*-"$k" 2>/dev/null | tail -n "+$n" | xargs -r rm -rf --
    mkdir "$I" && ln -sfn "$I" "latest-$k"
    [ -z "$w" ] || say "$w"
    status
    for i in "${!N[@]}"; do
      if [ "${B[i]}" = 1 ]; then
        bg_start "$i"
      else
        clock
        l=$((b - t + t0)) y=budget
        if ((l < m)); then
          S[i]=skipped Y[i]="\"budget spent: $(secs $((l > 0 ? l : 0)))s left\""
        else
          ((T[i] == 0 || T[i] > l)) || l=${T[i]} y="step timeout"
          say "step ${N[i]}: start as ${U[i]}, limit $(secs "$l")s ($y)"
          run "$i" "$l" "$y"
        fi
      fi
      say "step ${N[i]}: ${S[i]} ${Y[i]}"
      [ "${Q[i]}" = 0 ] || [ "${S[i]}" = ok ] || E=1
      status
    done
    Z="\"$(date -u +%FT%TZ)\""
    status
    say "done $J"
    exit $E
    ;;
esac
