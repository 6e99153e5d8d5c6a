#!/bin/bash
f=$(mktemp)
no(){
echo "lcc-constructs: ERROR: the payload cannot be used, no step ran"
exit @@FAIL@@
}
@@DECODE@@ >"$f" <<'E'
@@PAYLOAD@@
E
[ "$(sha256sum <"$f")" = "@@SHA256@@  -" ]||no
@@DECOMPRESS@@ <"$f" >"$f.s"||no
bash -es "$f" <"$f.s"
