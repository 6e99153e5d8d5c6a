#!/bin/bash
# Encoding "base94": 9 bytes as 11 digits '!' (0) to '~' (93), big-endian, after one digit
# giving how many zero bytes pad the last group: 1.22 characters a byte where base64 takes
# 1.33, every one literal in the quoted here-document. python3 decodes it when there is one;
# else bash alone (slower, same bytes): od gives the character codes and, as bash arithmetic
# is 64-bit and a group needs 72 bits, each group is summed in two limbs (the low 32 bits and
# the rest) and written out as \xHH escapes for printf. Messages go to stderr.
{
  if command -v python3 >/dev/null; then
    python3 -c 'import sys,functools as f;s=sys.stdin.buffer.read().strip();o=b"".join(f.reduce(lambda v,c:v*94+c-33,s[i:i+11],0).to_bytes(9,"big")for i in range(1,len(s),11));sys.stdout.buffer.write(o[:len(o)-s[0]+48])'
  else
    echo "lcc-constructs: python3 not found: decoding the payload with bash (slower)" >&2
    read -r -d '' -a v < <(od -An -v -tu1) || :
    o=
    for ((i = 1; i + 11 <= ${#v[@]}; i += 11)); do
      h=0 l=0
      for ((j = i; j < i + 11; j++)); do
        l=$((l * 94 + v[j] - 33))
        h=$((h * 94 + (l >> 32)))
        l=$((l & 4294967295))
      done
      printf -v g '\\x%02x' $((h >> 32)) $(((h >> 24) & 255)) $(((h >> 16) & 255)) \
        $(((h >> 8) & 255)) $((h & 255)) $((l >> 24)) $(((l >> 16) & 255)) $(((l >> 8) & 255)) $((l & 255))
      o+=$g
    done
    # shellcheck disable=SC2059 # the format is the payload itself, as \xHH escapes
    printf "${o:0:${#o}-4*(v[0]-48)}"
  fi
}
