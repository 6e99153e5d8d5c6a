#!/bin/bash
f=$(mktemp -d)/p
@@DECODE@@ >"$f" <<'E'
@@PAYLOAD@@
E
[ "$(sha256sum <"$f")" = "@@SHA256@@  -" ]&&@@DECOMPRESS@@ <"$f" >"$f.s"&&exec bash -es "$f" <"$f.s"
echo "lcc-constructs: ERROR: the payload cannot be used, no step ran"
exit @@FAIL@@
