#!/bin/bash
# Recipe git-config: git settings of ec2-user (~/.gitconfig, in the home, reset at every start).
# Runs as ec2-user. --replace-all: a key set several times (by hand) ends up with one value.
# git is part of the notebook instance: without it the step fails, saying so.
#
# Options (step env): OPT_GIT_COUNT, OPT_GIT_KEY_<i>, OPT_GIT_VALUE_<i>.
set -eu
for ((i = 0; i < OPT_GIT_COUNT; i++)); do
  k=OPT_GIT_KEY_$i v=OPT_GIT_VALUE_$i
  git config --global --replace-all -- "${!k}" "${!v}"
  echo "set ${!k}"
done
