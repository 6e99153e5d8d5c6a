#!/bin/bash
# Compressor "lzma-raw": a bare LZMA1 stream, without any header. The decoder is told the
# settings the encoder used (lc=3, lp=0, pb=0, 1 MiB dictionary; lcc_constructs/codecs.py).
# python3's lzma module stands in when xz is missing.

lcc_decompress() {
  if command -v xz >/dev/null 2>&1; then xz -dc -F raw --lzma1=lc=3,lp=0,pb=0,dict=1MiB; return; fi
  lcc_python_instead xz 'import lzma,sys;sys.stdout.buffer.write(lzma.decompress(sys.stdin.buffer.read(),lzma.FORMAT_RAW,filters=[{"id":lzma.FILTER_LZMA1,"lc":3,"lp":0,"pb":0,"dict_size":1<<20}]))'
}
