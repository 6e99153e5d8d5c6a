#!/bin/bash
# Recipe helpers (recipes/lib.sh sources them): values quoted for shells and for systemd.

# sq VALUE: VALUE in single quotes, read back unchanged by any POSIX shell (whatever it holds:
# quotes, $, backslashes, newlines). Only the quote itself needs care: ' becomes '\''.
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
