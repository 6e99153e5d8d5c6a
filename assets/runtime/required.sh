#!/bin/bash
# lcc-constructs runner, required steps: in place of @@REQUIRED@@ (runtime/runner.sh) when a
# step is required: one that did not end ok makes the script exit 1.
# shellcheck disable=SC2154,SC2034 # the plan's and the runner's variables
[ "${Q[i]}" = 0 ] || [ "${S[i]}" = ok ] || E=1
