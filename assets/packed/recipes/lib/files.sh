#!/bin/bash
same_content(){ [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ];}
put_file(){
local path=$1 mode=$2 tmp
tmp=$(mktemp "$path.XXXXXX")||return 1
if ! cat >"$tmp";then
rm -f "$tmp"
return 1
fi
if [ -f "$path" ]&&[ ! -L "$path" ]&&[ "$(stat -c %a "$path")" = "$mode" ]&&same_content "$tmp" "$path";then
rm -f "$tmp"
return 0
fi
if ! chmod "$mode" "$tmp"||! mv -f "$tmp" "$path";then
rm -f "$tmp"
return 1
fi
CHANGED=1
}
