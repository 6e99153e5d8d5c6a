#!/bin/bash
# Recipe helpers (recipes/lib.sh sources them): files written only when they change.
# shellcheck disable=SC2034 # CHANGED is for the recipes

# same_content FILE1 FILE2: whether both hold the same bytes (coreutils only: no cmp).
same_content() { [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ]; }

# put_file PATH MODE: write stdin to PATH with MODE (e.g. 644), atomically, unless PATH already
# holds exactly that with that mode. Sets CHANGED=1 when it wrote. The file belongs to whoever
# runs this.
put_file() {
  local tmp
  tmp=$(mktemp "$1.XXXXXX") || return
  if cat >"$tmp" && chmod "$2" "$tmp"; then
    # The same mode (stat gives a symlink's own, 777: never asked for) and the same bytes.
    if [ -f "$1" ] && [ "$(stat -c %a "$1")" = "$2" ] && same_content "$tmp" "$1"; then
      rm -f "$tmp"
      return
    fi
    mv -f "$tmp" "$1" && CHANGED=1 && return
  fi
  rm -f "$tmp"
  return 1
}
