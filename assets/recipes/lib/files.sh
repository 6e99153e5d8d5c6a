#!/bin/bash
# Recipe helpers (recipes/lib.sh sources them): files written only when they change.
# shellcheck disable=SC2034 # CHANGED is for the recipes

# same_content FILE1 FILE2: whether both hold the same bytes (coreutils only: no cmp).
same_content() { [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ]; }

# put_file PATH MODE: write stdin to PATH with MODE (e.g. 644), atomically, unless PATH already
# holds exactly that with that mode. Sets CHANGED=1 when it wrote. The file belongs to whoever
# runs this.
put_file() {
  local path=$1 mode=$2 tmp
  tmp=$(mktemp "$path.XXXXXX") || return 1
  if ! cat >"$tmp"; then
    rm -f "$tmp"
    return 1
  fi
  if [ -f "$path" ] && [ ! -L "$path" ] && [ "$(stat -c %a "$path")" = "$mode" ] &&
    same_content "$tmp" "$path"; then
    rm -f "$tmp"
    return 0
  fi
  if ! chmod "$mode" "$tmp" || ! mv -f "$tmp" "$path"; then
    rm -f "$tmp"
    return 1
  fi
  CHANGED=1
}
