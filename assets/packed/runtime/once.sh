#!/bin/bash
once(){
if [ "${O[$1]}" = 1 ]&&[ -e "${r%/*}/once/${N[$1]}" ];then
S[$1]=ok Y[$1]="\"first start only: done at an earlier start (${r%/*}/once/${N[$1]})\""
else
@@STEP@@ "$1"
mark "$1"
fi
}
mark(){
[ "${O[$1]}${S[$1]}" != 1ok ]||{ mkdir -p "${r%/*}/once"&&: >"${r%/*}/once/${N[$1]}";}
}
[ "$1" != x ]||unset O
