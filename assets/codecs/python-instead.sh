#!/bin/bash
# Shared by the compressors whose program an instance might lack (bzip2, xz): python3's
# standard library decompresses the same formats.

# $1: the missing program; $2: python3 code that does its job from stdin to stdout.
# Messages go to stderr: stdout is the data.
lcc_python_instead() {
  if ! command -v python3 >/dev/null 2>&1; then
    m "ERROR: neither $1 nor python3 is installed: cannot decompress the payload" >&2
    return 127
  fi
  m "$1 not found: decompressing with python3 instead" >&2
  python3 -c "$2"
}
