#!/bin/bash
# Encoding "base64": 4 characters for 3 bytes; coreutils decode it on every instance.
# Each decoder reads the payload's text on stdin and writes the binary payload to stdout.
base64 -d
