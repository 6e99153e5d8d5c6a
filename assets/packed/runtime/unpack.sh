#!/bin/bash
export PATH=@@PATH@@
umask 022
u=@@UNPACK_DIR@@ k=@@KIND@@
trap 'echo "lcc-constructs[$k]: ERROR: cannot unpack into $u, no step ran";exit @@FAIL@@' EXIT
rm -rf "$u/.$k"
mkdir -pm 700 "$u/.$k"
cd "$u/.$k"
@@ARCHIVE@@
cd /
chmod 755 "$u/.$k"
rm -rf "${u:?}/$k"
mv "$u/.$k" "$u/$k"
exec bash "$u/$k/lcc/runner.sh"
