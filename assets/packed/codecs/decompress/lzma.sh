#!/bin/bash
{
if command -v xz >/dev/null;then
xz -dcF lzma
else
echo "lcc-constructs: xz not found: decompressing with python3" >&2
python3 -c 'import lzma,sys;sys.stdout.buffer.write(lzma.decompress(sys.stdin.buffer.read()))'
fi
}
