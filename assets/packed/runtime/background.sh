#!/bin/bash
go(){
if [ "${B[$1]}" = 1 ];then
setsid bash "$0" b "$1" "$I" </dev/null >/dev/null 2>&1&
S[$1]=started Y[$1]="\"pid $!\""
else
step "$1"
fi
}
if [ "$1" = b ];then
I=$3
run "$2" "${T[$2]-0}" "step timeout"
@@MARK@@
entry "$2"
echo "$o" >".$2"&&mv ".$2" "${N[$2]}.result.json"
copy
exit
fi
