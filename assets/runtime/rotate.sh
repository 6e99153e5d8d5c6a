#!/bin/bash
# lcc-constructs runner on Studio, which writes its state folder in the home itself: in place
# of @@ROTATE@@ (runtime/runner.sh), in the new run's folder <state_dir>/logs/<run>: the
# latest-<kind> link to it, and the runs of this kind older than the n newest removed.
# shellcheck disable=SC2154 # the plan's and the runner's variables
ln -sfn "$I" "../latest-$k"
# shellcheck disable=SC2012 # run folders: plain names of ours
ls -rd -- ../[0-9]*-"$k" | tail -n "+$((n + 1))" | xargs -r rm -rf --
