#!/bin/bash
# Compressor "xz" (LZMA2 in the .xz container, no integrity check: the loader checks the sha256).
# python3's lzma module stands in when xz is missing.
{
  if command -v xz >/dev/null; then
    xz -dc
  else
    echo "lcc-constructs: xz not found: decompressing with python3" >&2
    python3 -c 'import lzma,sys;sys.stdout.buffer.write(lzma.decompress(sys.stdin.buffer.read()))'
  fi
}
