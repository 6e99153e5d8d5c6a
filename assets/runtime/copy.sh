#!/bin/bash
# lcc-constructs: the notebook user's copy of a run's logs on the persistent volume, packed as
# lcc/c when the state folder is on the volume. The runner (root) runs it after each step and at
# the end as `sudo -u ec2-user bash lcc/c RUN_DIR STATE RUN KIND KEEP`, within a few seconds,
# with nowhere to print: everything here is the notebook user's own doing, on its own volume,
# so nothing it plants there can make root write, read or wait for anything.
#   RUN_DIR  root's folder of the run (readable by all)   STATE  the state folder on the volume
#   RUN      the run's name     KIND  on-start, on-create   KEEP  runs of this kind kept
# Each log is copied whole up to 1 MiB, else its last MiB; not-copied.txt lists what could not
# be written (as far as that can be written).
# (.t$$: a background step's copy may run beside the runner's.)
umask 022
# Whatever at the state folder's path keeps the run's folder from being made there (an older
# version's folder, root's; a file; a link) is moved aside, unless the volume is full (no free
# block: nothing is in the way).
mkdir -p "$2/logs/$3" 2>/dev/null ||
  { [ "$(stat -f -c %a "${2%/*}")" != 0 ] && mv -T "$2" "$2.old-$3" && mkdir -p "$2/logs/$3"; } || exit
cd "$2/logs/$3" || exit
ln -sfn "$3" "../latest-$4"
# shellcheck disable=SC2012 # run folders: plain names of ours
ls -rd -- ../[0-9]*-"$4" | tail -n "+$(($5 + 1))" | xargs -r rm -rf --
for f in "$1"/*; do
  tail -c 1048576 "$f" >".t$$" && mv -f ".t$$" "${f##*/}" || echo "${f##*/}"
done >not-copied.txt
# The exit status: 0 when everything was copied (the list is empty, and goes).
[ ! -s not-copied.txt ] && rm not-copied.txt
