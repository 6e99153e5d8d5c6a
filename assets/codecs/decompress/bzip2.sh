#!/bin/bash
# Compressor "bzip2" (Burrows-Wheeler).
# python3's bz2 module stands in when bzip2 is missing.
{
  if command -v bzip2 >/dev/null; then
    bzip2 -dc
  else
    echo "lcc-constructs: bzip2 not found: decompressing with python3" >&2
    python3 -c 'import bz2,sys;sys.stdout.buffer.write(bz2.decompress(sys.stdin.buffer.read()))'
  fi
}
