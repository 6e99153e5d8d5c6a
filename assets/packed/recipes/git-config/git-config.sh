#!/bin/bash
set -eu
for ((i=0; i<OPT_GIT_COUNT; i++));do
k=OPT_GIT_KEY_$i v=OPT_GIT_VALUE_$i
git config --global --replace-all -- "${!k}" "${!v}"
echo "set ${!k}"
done
