#!/bin/bash
# Encoding "base94": 9 bytes as 11 digits '!' (0) to '~' (93), in big-endian order; 1.22
# characters a byte where base64 takes 1.33. The first character is the number of zero bytes
# that pad the last group. Every character is literal inside the quoted here-document.
# Decoded by python3 when there is one, else by bash alone (slower, same bytes). Messages go
# to stderr: stdout is the payload.

lcc_decode() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import sys,functools as f;s=sys.stdin.buffer.read().strip();o=b"".join(f.reduce(lambda v,c:v*94+c-33,s[i:i+11],0).to_bytes(9,"big") for i in range(1,len(s),11));sys.stdout.buffer.write(o[:len(o)-s[0]+48])'
    return
  fi
  m "python3 not found: decoding the payload with bash (slower)" >&2
  lcc_decode_bash
}

# od turns the text into character codes. Bash arithmetic is 64-bit and a group needs 72 bits:
# it is summed in two limbs, the low 32 bits (lo) and the rest (hi), then written out as \xHH
# escapes for printf.
lcc_decode_bash() {
  local i j hi lo group out=''
  local -a v
  read -r -d '' -a v < <(od -An -v -tu1) || :
  for ((i = 1; i + 11 <= ${#v[@]}; i += 11)); do
    hi=0 lo=0
    for ((j = i; j < i + 11; j++)); do
      lo=$((lo * 94 + v[j] - 33))
      hi=$((hi * 94 + (lo >> 32)))
      lo=$((lo & 4294967295))
    done
    printf -v group '\\x%02x' $((hi >> 32)) $(((hi >> 24) & 255)) $(((hi >> 16) & 255)) \
      $(((hi >> 8) & 255)) $((hi & 255)) $((lo >> 24)) $(((lo >> 16) & 255)) \
      $(((lo >> 8) & 255)) $((lo & 255))
    out+=$group
  done
  # shellcheck disable=SC2059 # the format is the payload itself, as \xHH escapes
  printf "${out:0:${#out}-4*(v[0]-48)}"
}
