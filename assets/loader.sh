#!/bin/bash
# lcc-constructs loader: the plain-text outside of every lifecycle script the library builds,
# the only part that is not compressed (docs/architecture.md, "The chain on the instance").
# It decodes the payload (the here-document) into a temporary folder of root's, checks its
# sha256 before anything of it runs, decompresses it, and hands over to bash -e running the
# result: the unpacking program (assets/runtime/unpack.sh), which reads its archive from its
# own standard input. Whatever comes after the hand-over runs only when something failed.
# A folder, not a file: the decompressed copy's name would be guessable in /tmp, where the
# notebook user could plant it first.
# lcc_constructs.bundle fills in the @@...@@ values: @@DECODE@@ and @@DECOMPRESS@@ with the
# codec's commands (assets/codecs), @@FAIL@@ with 1 when a step is required, else 0.
# shellcheck disable=SC2242 # @@FAIL@@ is 0 or 1
f=$(mktemp -d)/p
@@DECODE@@ >"$f" <<'E'
@@PAYLOAD@@
E
[ "$(sha256sum <"$f")" = "@@SHA256@@  -" ] && @@DECOMPRESS@@ <"$f" >"$f.s" && exec bash -es "$f" <"$f.s"
echo "lcc-constructs: ERROR: the payload cannot be used, no step ran"
exit @@FAIL@@
