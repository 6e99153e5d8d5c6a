#!/bin/bash
# lcc-constructs runner, steps of other users: in place of @@USER@@ in run() (runtime/runner.sh)
# when a step runs as the notebook user: through its login shell (sudo -i), which runs the
# step's entry of lcc/u (its variables and script; readable by that user, unlike the plan).
# shellcheck disable=SC2154,SC2034 # the plan's and run()'s variables
[ "${U[i]}" = root ] || c=(sudo -nu "${U[i]}" -i -- bash "$h/lcc/u" "$1")
