#!/bin/bash
bg_start(){
if command -v setsid >/dev/null;then
setsid bash "$0" b "$1" "$I" </dev/null >/dev/null 2>&1&
S[$1]=started Y[$1]="\"pid $!\""
else
S[$1]=failed Y[$1]='"cannot start: setsid not found"'
fi
}
bg_watch(){
I=$2
run "$1" "${T[$1]}" "step timeout"
entry "$1"
echo "$o" >"$I/.$1"&&mv "$I/.$1" "$I/${N[$1]}.result.json"
}
