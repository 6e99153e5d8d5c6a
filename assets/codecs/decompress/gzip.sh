#!/bin/bash
# Compressor "gzip" (deflate); gzip is on every instance. Each decompressor reads the
# compressed payload on stdin and writes the decompressed program to stdout.
gzip -dc
