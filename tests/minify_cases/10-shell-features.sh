#!/bin/bash
# Exercises the shell constructs minification must keep: every line here matters to the output.
set -euo pipefail

# Functions, locals, arithmetic, arrays and parameter expansion.
greet() {
  local who=$1 n
  n=$(( ${#who} * 2 ))     # comment after code
  printf 'hello %s (%d)\n' "$who" "$n"
}
items=(alpha "beta gamma" 'delta#not-a-comment')
for item in "${items[@]}"; do
  greet "$item"
done
echo "count: ${#items[@]}, last: ${items[2]}, upper: ${items[0]^^}, trimmed: ${items[1]% *}"

# Here-documents, quoted and not, with what looks like comments inside.
name=world
cat <<EOT
  # not a comment: $name
	tab-indented line kept
EOT
cat <<'EOT'
  literal $name   and   spaces
EOT

# case, while, until, subshells, pipelines, traps.
for word in start 42 stop; do
  case $word in
    start) echo "case: start" ;;
    [0-9]*) echo "case: number $word" ;;
    *) echo "case: other $word" ;;
  esac
done
i=0
while [ "$i" -lt 3 ]; do i=$((i + 1)); done
until [ "$i" -eq 0 ]; do
  i=$((i - 1))
done
echo "loops: $i $( (echo sub; echo shell) | tr '\n' ' ')"
trap 'echo "trap ran"' EXIT
mkdir -p /etc/minify-case
printf '%s\n' "${items[@]}" > /etc/minify-case/items.txt
[[ -f /etc/minify-case/items.txt && $name == w* ]] && echo "test: ok"
