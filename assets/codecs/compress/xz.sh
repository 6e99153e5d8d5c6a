#!/bin/bash
# Compressor "xz" (LZMA2 in the .xz container, no integrity check: the bootstrap checks the
# sha256), with python3's lzma module when xz is missing.

lcc_decompress() {
  if command -v xz >/dev/null 2>&1; then xz -dc; return; fi
  lcc_python_instead xz 'import lzma,sys;sys.stdout.buffer.write(lzma.decompress(sys.stdin.buffer.read()))'
}
