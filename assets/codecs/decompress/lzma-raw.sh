#!/bin/bash
# Compressor "lzma-raw": bare LZMA1, no header; the decoder is told the settings (lcc_constructs/codecs.py).
# python3's lzma module stands in when xz is missing.
{
  if command -v xz >/dev/null; then
    xz -dcF raw --lzma1=lc=3,lp=0,pb=0,dict=1MiB
  else
    echo "lcc-constructs: xz not found: decompressing with python3" >&2
    python3 -c 'import lzma,sys;sys.stdout.buffer.write(lzma.decompress(sys.stdin.buffer.read(),lzma.FORMAT_RAW,filters=[{"id":lzma.FILTER_LZMA1,"lc":3,"lp":0,"pb":0,"dict_size":1<<20}]))'
  fi
}
