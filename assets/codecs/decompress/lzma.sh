#!/bin/bash
# Compressor "lzma" (LZMA1 in the 13-byte .lzma header).
# python3's lzma module stands in when xz is missing.
{
  if command -v xz >/dev/null; then
    xz -dcF lzma
  else
    echo "lcc-constructs: xz not found: decompressing with python3" >&2
    python3 -c 'import lzma,sys;sys.stdout.buffer.write(lzma.decompress(sys.stdin.buffer.read()))'
  fi
}
