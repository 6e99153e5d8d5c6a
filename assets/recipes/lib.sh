#!/bin/bash
# Helpers of the built-in recipes. Sourced, never run: the bundle holds one copy, recipes/lib.sh,
# beside the recipes' folders (recipes/<step name>/), and the helper files the recipes of the
# bundle asked for in recipes/lib/ (lcc_constructs/recipes/_common.py: recipe_scripts(libs=...)),
# all of which this sources.
# shellcheck disable=SC2034 # the variables are for the recipes
#
# A recipe must never fail the instance start on its own account: when a tool it needs is
# missing it says what it skipped and why, and ends with status 0.
#
# Every character here is paid by every recipe (the lifecycle script's 16384 are the user's):
# only what most recipes use belongs here.

NOTEBOOK_USER=ec2-user
NOTEBOOK_HOME=/home/ec2-user
# The persistent volume: the only folder that survives a stop/start.
VOLUME=$NOTEBOOK_HOME/SageMaker

# log MESSAGE...: one line of the step's log. (bash's echo takes no option from a word holding
# anything but option letters, and expands no backslash: messages print as they are.)
log() { echo "$*"; }

# skip REASON: say why nothing (more) is done and end the step successfully.
skip() {
  log "skipped: $*"
  exit 0
}

have() { command -v "$1" >/dev/null; }

# as_user COMMAND...: run COMMAND as the notebook user, with its HOME (from root steps). Root
# must not touch what that user controls (the persistent volume, the home): a symlink planted
# there would make root write or run anything.
as_user() { sudo -n -u "$NOTEBOOK_USER" -H -- "$@"; }

for lib in "${BASH_SOURCE[0]%/*}"/lib/*.sh; do
  # shellcheck source=/dev/null
  [ ! -f "$lib" ] || . "$lib"
done
