#!/bin/bash
# Encoding "base64": the payload as one line of base64 text (4 characters for 3 bytes).
# Each encoding defines lcc_decode: stdin the text, stdout the binary payload.

lcc_decode() { base64 -d; }
