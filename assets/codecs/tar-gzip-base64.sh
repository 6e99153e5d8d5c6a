#!/bin/bash
# Codec "tar+gzip+base64": the payload is a gzip-compressed tar archive in base64 text.
# Both functions are pasted into the bootstrap in place of its @@CODEC@@ line.

# stdin: the payload text; stdout: the binary payload whose sha256 the bootstrap checks.
lcc_decode() { base64 -d; }

# $1: the binary payload; $2: an empty folder to unpack into.
lcc_unpack() { gzip -dc "$1" | tar -x -C "$2" --no-same-owner; }
