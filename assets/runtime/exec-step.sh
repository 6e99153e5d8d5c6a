#!/bin/bash
# lcc-constructs step launcher: the last hop before a step's own script.
#
# Usage: exec-step.sh INDEX, as the step's user (root directly, the notebook user through
# `sudo -i`, so after its login shell set-up). Exports the step's environment and runs its
# script with its interpreter, from the scripts folder.
set -u

LCC_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=/dev/null
. "$LCC_HOME/lcc/plan.sh"

i=$1
LCC_STEP=${LCC_STEP_NAME[i]}
LCC_SCRIPTS_DIR=$LCC_HOME/scripts
export LCC_HOME LCC_KIND LCC_STEP LCC_SCRIPTS_DIR
if [ -f "$LCC_HOME/lcc/env/$LCC_STEP.sh" ]; then
  # shellcheck source=/dev/null
  . "$LCC_HOME/lcc/env/$LCC_STEP.sh"
fi
cd "$LCC_SCRIPTS_DIR" || exit 126
interp=${LCC_STEP_INTERP[i]}
arg=${LCC_STEP_ARG[i]}
if [ -n "$arg" ]; then
  exec "$interp" "$arg" "./${LCC_STEP_SCRIPT[i]}"
fi
exec "$interp" "./${LCC_STEP_SCRIPT[i]}"
