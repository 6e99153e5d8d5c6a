#!/bin/bash
# lcc-constructs loader: the outside of every lifecycle script the library builds.
# The bootstrap (assets/bootstrap.sh with the codec's and the payload's functions) travels
# gzip-compressed in base64, which every instance can undo with coreutils and gzip; it runs
# with the payload's text, if any, as its standard input. lcc_constructs.bundle fills in the
# @@...@@ values and drops the comment lines; `lcc inspect` shows the bootstrap.
# shellcheck disable=SC2242 # the exit status is filled in: 0, or 1 when a step is required
b=$(base64 -d <<<'@@BOOTSTRAP@@' | gzip -dc) || { echo 'lcc-constructs: ERROR: cannot read the bootstrap (base64, gzip); no step ran'; exit @@FAIL_CODE@@; }
eval "$b" <<'LCC_PAYLOAD'
@@PAYLOAD@@
LCC_PAYLOAD
