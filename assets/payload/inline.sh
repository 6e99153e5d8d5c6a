#!/bin/bash
# Payload "inline": the encoded payload travels in the script itself, as the here-document the
# loader (assets/loader.sh) gives the bootstrap as its standard input.

# stdout: the binary payload.
lcc_fetch() { lcc_decode; }
