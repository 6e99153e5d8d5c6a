#!/bin/bash
set -eu
. "${BASH_SOURCE%/*}/../lib.sh"
d=$OPT_BIN_DIR
u mkdir -p "$d"||{
echo "skipped: $d cannot be made a folder"
exit 0
}
p=/etc/profile.d/lcc-$LCC_STEP.sh
echo "[ \"\$(id -un)\" != ${v-ec2-user} ]||case :\$PATH: in *:$d:*);;*)PATH=$d:\$PATH;;esac" >"$p"
echo "$d is first on ${v-ec2-user}'s PATH ($p)"
for ((i=0; i<OPT_BINARY_COUNT; i++));do
n=OPT_BINARY_NAME_$i l=OPT_BINARY_URL_$i s=OPT_BINARY_SHA256_$i
n=${!n} l=${!l} s=${!s}
t=$d/.$n.part e="$n: not installed"
if u test -e "$d/$n" -o -L "$d/$n";then
echo "$n: already in $d"
continue
elif ! F=unlimited W=$((OPT_DOWNLOAD_TIMEOUT*3+9)) u curl -q -fsSL --connect-timeout 10 \
-m "$OPT_DOWNLOAD_TIMEOUT" --retry 2 -o "$t" -- "$l";then
echo "$e, the download failed: $(head -c 300 "$o")"
elif [ "$s" ]&&! { u sha256sum "$t"&&[ "$(head -c 64 "$o")" = "$s" ];};then
echo "$e, its sha256 is not $s"
elif u chmod 755 "$t"&&u mv -f "$t" "$d/$n";then
echo "$n: installed from $l"
continue
else
echo "$e"
fi
u rm -f "$t"||:
done
