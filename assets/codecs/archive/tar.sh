#!/bin/bash
# Archive "tar". Each archive format defines lcc_unpack.

# $1: the binary payload; $2: an empty folder to unpack into.
lcc_unpack() { lcc_decompress <"$1" | tar -x -C "$2" --no-same-owner; }
