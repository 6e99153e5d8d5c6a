#!/bin/bash
# lcc-constructs runner, stop on failure: in place of @@STOP@@ (runtime/runner.sh) when a step
# stops the others as set -e would (Q=2): when it did not end ok, the steps after it are
# skipped and the loop ends (the run's status and copy follow it).
# shellcheck disable=SC2154,SC2034,SC2105 # the plan's and the runner's variables; inside its loop
if [ "${Q[i]}" = 2 ] && [ "${S[i]}" != ok ]; then
  for j in "${!N[@]}"; do
    ((j <= i)) || {
      S[j]=skipped Y[j]="\"${N[i]} failed\""
      say "step ${N[j]}: skipped ${Y[j]}"
    }
  done
  break
fi
