#!/bin/bash
# lcc-constructs runner on Studio, root steps: in place of @@SUDO@@ in run() (runtime/runner.sh)
# when a step runs as root: through the image's passwordless sudo (-n: fail at once rather than
# wait for a password), with root's HOME, the runner's PATH (sudo's secure_path would drop
# conda's) and the variables every step has (sudo does not pass them on), its timeout(1) run as root too, so that it can stop the step; @@KILL@@ is then
# "sudo -n ", for what is left of the step's session.
# shellcheck disable=SC2154,SC2034 # the plan's and run()'s variables
[ "${U[i]}" != root ] || c=(sudo -nH env "PATH=$PATH" LCC_KIND="$k" LCC_SCRIPTS_DIR="$h/scripts" "${c[@]}")
