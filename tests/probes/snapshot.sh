#!/bin/bash
# Test probe (root): record the state of the folders in $SNAPSHOT_ROOTS -- each entry's path,
# type, mode, owner, group, link target and content hash -- in a new file per run on the
# persistent volume, so that a test compares the state after one start with that after two.
# The runs' logs, stand-ins' call logs and caches are left out: they differ by design.
set -euo pipefail
out=/home/ec2-user/SageMaker/.lcc-test-snapshots
mkdir -p "$out"
n=$(find "$out" -type f | wc -l)
# shellcheck disable=SC2086 # SNAPSHOT_ROOTS is a list of folders
find $SNAPSHOT_ROOTS \( -path "$out" -o -path /home/ec2-user/SageMaker/.lifecycle \
  -o -path /home/ec2-user/.cache -o -name calls.log \) -prune -o -print0 | sort -z |
  while IFS= read -r -d '' path; do
    hash=-
    if [ -f "$path" ] && [ ! -L "$path" ]; then hash=$(sha256sum <"$path"); fi
    printf '%s\n' "$(stat -c '%n %F %a %U %G' "$path") -> $(readlink "$path" || true) ${hash%% *}"
  done >"$out/run-$((n + 1))"
