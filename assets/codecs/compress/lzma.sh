#!/bin/bash
# Compressor "lzma" (LZMA1 in the 13-byte .lzma header), with python3's lzma module when xz is
# missing.

lcc_decompress() {
  if command -v xz >/dev/null 2>&1; then xz -dc -F lzma; return; fi
  lcc_python_instead xz 'import lzma,sys;sys.stdout.buffer.write(lzma.decompress(sys.stdin.buffer.read()))'
}
