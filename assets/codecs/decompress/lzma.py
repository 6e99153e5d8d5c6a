import lzma
lzma.LZMADecompressor().decompress(d)
