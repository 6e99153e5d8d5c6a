#!/bin/bash
# lcc-constructs runner on a notebook instance: in place of @@COPY@@ (runtime/runner.sh), the
# runner's copy() (Studio's runner writes its state folder itself: copy does nothing there).
# shellcheck disable=SC2154,SC2034 # the plan's and the runner's variables

# copy: the notebook user copies this run's folder to the volume (assets/runtime/copy.sh), in
# a session of its own, its output nowhere: root waits for nothing of its. All the copies of a
# run share 10 s (w): a copy that fails (a full volume) or that the notebook user slows down or
# makes hang (a FIFO, SIGSTOP) spends them, and once they are spent there is no other copy.
copy() {
  [ -n "$s" ] || return 0
  local p=$SECONDS
  # shellcheck disable=SC2086 # w: a number
  setsid timeout -k 1 $w sudo -nu ec2-user -- bash "$h/lcc/c" "$PWD" "$s" "$I" "$k" "$n" \
    </dev/null >/dev/null 2>&1 || w=0
  ((w -= SECONDS - p, w > 0)) || { say "the copy of the logs in $s is incomplete: all of them are in $PWD"; s=; }
}
