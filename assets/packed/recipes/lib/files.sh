#!/bin/bash
same_content(){ [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ];}
put_file(){
local tmp
tmp=$(mktemp "$1.XXXXXX")||return
if cat >"$tmp"&&chmod "$2" "$tmp";then
if [ -f "$1" ]&&[ "$(stat -c %a "$1")" = "$2" ]&&same_content "$tmp" "$1";then
rm -f "$tmp"
return
fi
mv -f "$tmp" "$1"&&CHANGED=1&&return
fi
rm -f "$tmp"
return 1
}
