#!/bin/bash
# Compressor "bzip2" (Burrows-Wheeler), with python3's bz2 module when bzip2 is missing.

lcc_decompress() {
  if command -v bzip2 >/dev/null 2>&1; then bzip2 -dc; return; fi
  lcc_python_instead bzip2 'import bz2,sys;sys.stdout.buffer.write(bz2.decompress(sys.stdin.buffer.read()))'
}
