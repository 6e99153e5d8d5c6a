import zlib
zlib.decompress(d,-15)
