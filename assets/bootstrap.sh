#!/bin/bash
# lcc-constructs bootstrap: the code of every lifecycle script the library builds, run by the
# loader (assets/loader.sh) with the payload's text, if any, on its standard input.
# lcc_constructs.bundle fills in the @@...@@ values, the codec's functions (lcc_decode,
# lcc_decompress, lcc_unpack; assets/codecs) and the payload's (lcc_fetch; assets/payload),
# and drops the comment lines.
# It gets the payload, checks its sha256, unpacks it into a root-owned folder that the
# notebook user cannot write, and hands over to the runner packed inside it.
# It exits non-zero only when the payload cannot be used and the bundle has required steps.
set -euo pipefail
umask 022
cd /
k='@@KIND@@'
d='@@UNPACK_DIR@@'
h='@@SHA256@@'
e='@@FAIL_CODE@@'
c='@@CODEC@@'
read -r LCC_T0 _ </proc/uptime
export LCC_T0
# @@CODEC_SHELL@@
m() { printf '%s lcc-constructs[%s]: %s\n' "$(date -u +%FT%TZ)" "$k" "$*"; }
x() {
  m "ERROR: $*; no step ran"
  exit "$e"
}
w=$(mktemp -d /tmp/lcc.XXXXXX) || x "cannot create a temporary folder"
trap 'rm -rf "$w"' EXIT
lcc_fetch >"$w/p" || x "cannot decode the payload ($c)"
[ "$(sha256sum <"$w/p")" = "$h  -" ] || x "payload sha256 mismatch"
mkdir "$w/t"
lcc_unpack "$w/p" "$w/t" || x "cannot unpack the payload ($c)"
# Nothing root runs may be writable by the notebook user, nor setuid.
chmod -R u-s,g-ws,o-w "$w/t"
if [ -L "$d" ] || { [ -e "$d" ] && [ ! -d "$d" ]; }; then rm -f "$d"; fi
mkdir -p "$d"
chown root:root "$d"
chmod 755 "$d"
rm -rf "$d/$k.old"
if [ -e "$d/$k" ] || [ -L "$d/$k" ]; then mv "$d/$k" "$d/$k.old"; fi
mv "$w/t" "$d/$k"
rm -rf "$d/$k.old"
chown -R root:root "$d/$k"
chmod 755 "$d/$k"
rm -rf "$w"
trap - EXIT
exec /bin/bash "$d/$k/lcc/runner.sh" </dev/null
