#!/bin/bash
# Helper of the built-in recipes whose root step has ec2-user do part of the work. Sourced,
# never run: the bundle holds one copy, recipes/lib.sh, beside the recipes' folders. Every
# character here is paid by every recipe that sources it: only what those need belongs here.
# shellcheck disable=SC2034 # o is for the recipes
#
# The trust boundary: ec2-user owns the persistent volume and its home and can change anything
# there at any moment (and any program there: conda, an environment's python). Root resolves no
# path there, and runs nothing ec2-user can plant but through u:
#   u COMMAND...  COMMAND as ec2-user (HOME its home), stdin /dev/null, stdout and stderr into
#                 the file $o (root's, opened by root), killed with all it started after W
#                 seconds (default 10) by a timeout of root's that ec2-user cannot signal (-k:
#                 SIGKILL to the group 1 s after SIGTERM). ulimit -f caps every file it writes,
#                 $o included (F KB, default 64; past it the writer gets SIGXFSZ): root reads at
#                 most the first 4 KiB of $o (head -c), and waits on no pipe a process left
#                 behind could hold open.
# On Studio (a recipe's studio.sh, which sources its script) v names the user instead: the one
# who ran sudo, sagemaker-user, whose whole home persists and who is root through sudo anyway.
o=$(mktemp)
trap 'rm -f "$o"' EXIT
u() { (ulimit -f "${F:-64}" && exec timeout -k1 "${W:-10}" sudo -nu "${v-ec2-user}" -H -- "$@") </dev/null >"$o" 2>&1; }
