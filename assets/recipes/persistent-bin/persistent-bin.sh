#!/bin/bash
# shellcheck disable=SC2154 # o is set by lib.sh
# Recipe persistent-bin: a folder on the persistent volume, owned by ec2-user, first on
# ec2-user's PATH in login shells (Jupyter terminals are login shells), optionally filled with
# programs downloaded once. Root writes /etc/profile.d; everything in the folder is done as
# ec2-user through u (lib.sh), each call within its own time and output limits: ec2-user can
# put anything in the folder at any moment (a FIFO where a download goes, say).
#
# Options (step env): OPT_BIN_DIR (plain characters: the recipe checked), OPT_DOWNLOAD_TIMEOUT
# (seconds per attempt), OPT_BINARY_COUNT, OPT_BINARY_NAME_<i>, OPT_BINARY_URL_<i> and
# OPT_BINARY_SHA256_<i> (may be empty). On Studio, studio.sh runs it (v: the user; lib.sh).
set -eu
# shellcheck source=/dev/null
. "${BASH_SOURCE%/*}/../lib.sh"

d=$OPT_BIN_DIR
u mkdir -p "$d" || { echo "skipped: $d cannot be made a folder"; exit 0; }
# For ec2-user only: root must never run what the notebook user can write. (|| and not &&: a
# profile script must end with status 0 for everyone, a `set -e` shell sources it too.)
p=/etc/profile.d/lcc-$LCC_STEP.sh
echo "[ \"\$(id -un)\" != ${v-ec2-user} ]||case :\$PATH: in *:$d:*);;*)PATH=$d:\$PATH;;esac" >"$p"
echo "$d is first on ${v-ec2-user}'s PATH ($p)"

# Each program the folder lacks is downloaded by ec2-user (curl: 3 attempts, root's limit on
# all three), checked, and renamed into place; one that fails leaves nothing behind.
for ((i = 0; i < OPT_BINARY_COUNT; i++)); do
  n=OPT_BINARY_NAME_$i l=OPT_BINARY_URL_$i s=OPT_BINARY_SHA256_$i
  n=${!n} l=${!l} s=${!s}
  t=$d/.$n.part e="$n: not installed"
  if u test -e "$d/$n" -o -L "$d/$n"; then
    echo "$n: already in $d"
    continue
  # -q first: no ~/.curlrc of the notebook user's (it could make curl print without end into
  # root's file, which the download's unlimited size leaves uncapped).
  elif ! F=unlimited W=$((OPT_DOWNLOAD_TIMEOUT * 3 + 9)) u curl -q -fsSL --connect-timeout 10 \
    -m "$OPT_DOWNLOAD_TIMEOUT" --retry 2 -o "$t" -- "$l"; then
    echo "$e, the download failed: $(head -c 300 "$o")"
  elif [ "$s" ] && ! { u sha256sum "$t" && [ "$(head -c 64 "$o")" = "$s" ]; }; then
    echo "$e, its sha256 is not $s"
  elif u chmod 755 "$t" && u mv -f "$t" "$d/$n"; then
    echo "$n: installed from $l"
    continue
  else
    echo "$e"
  fi
  u rm -f "$t" || :
done
