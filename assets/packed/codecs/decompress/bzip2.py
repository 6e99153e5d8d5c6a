import bz2
bz2.decompress(d)
