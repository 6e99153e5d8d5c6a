#!/bin/bash
# Archive "shar": the archive is a bash program that writes each file with `head -c` from its
# own standard input (lcc_constructs/archive.py). Run from a regular file, so that bash reads no
# further than each command and head stops right after its file's bytes (both POSIX).

# $1: the binary payload; $2: an empty folder to unpack into.
lcc_unpack() { lcc_decompress <"$1" >"$1.a" && (cd "$2" && /bin/bash -e <"$1.a"); }
