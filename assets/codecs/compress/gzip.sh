#!/bin/bash
# Compressor "gzip" (deflate). gzip is on every notebook instance.
# Each compressor defines lcc_decompress: stdin the compressed payload, stdout the archive.

lcc_decompress() { gzip -dc; }
