#!/bin/bash
# lcc-constructs runner, steps for the first start only (Studio): in place of @@ONCE@@
# (runtime/runner.sh) when a step has O=1; the runner's loop then calls once, which calls
# @@STEP@@ (go or step). A step's marker is <state_dir>/once/<name>, made when it ended ok (a
# background step's when it ends: runtime/background.sh); while it is there, the step does not
# run, and is ok (a required one too).
# shellcheck disable=SC2154,SC2034 # the plan's and the runner's variables

# once I: step I, unless it is for the first start only and ended ok at an earlier one.
once() {
  if [ "${O[$1]}" = 1 ] && [ -e "${r%/*}/once/${N[$1]}" ]; then
    S[$1]=ok Y[$1]="\"first start only: done at an earlier start (${r%/*}/once/${N[$1]})\""
  else
    @@STEP@@ "$1"
    mark "$1"
  fi
}

# mark I: step I's marker, when it is for the first start only and ended ok.
mark() {
  [ "${O[$1]}${S[$1]}" != 1ok ] || { mkdir -p "${r%/*}/once" && : >"${r%/*}/once/${N[$1]}"; }
}

# A step's variable may be named O (runner.sh x unsets the other arrays).
[ "$1" != x ] || unset O
