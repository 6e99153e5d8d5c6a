#!/bin/bash
# Recipe helpers (recipes/lib.sh sources them): values quoted for shells and for systemd.

# sq VALUE: VALUE in single quotes, read back unchanged by any POSIX shell (whatever it holds:
# quotes, $, backslashes, newlines). Only the quote itself needs care: ' becomes '\''.
sq() {
  local rest=$1 out=''
  while [[ $rest == *\'* ]]; do
    out+="${rest%%\'*}'\\''"
    rest=${rest#*\'}
  done
  printf "'%s%s'" "$out" "$rest"
}

# dq VALUE: VALUE in double quotes with \ " $ ` escaped by a backslash. A shell reads it back
# unchanged, and so does systemd's EnvironmentFile= parser (which keeps newlines inside quotes).
dq() {
  local rest=$1 out='' head
  while [[ $rest == *[\\\"\$\`]* ]]; do
    head=${rest%%[\\\"\$\`]*}
    out+="$head\\${rest:${#head}:1}"
    rest=${rest:${#head}+1}
  done
  printf '"%s%s"' "$out" "$rest"
}
