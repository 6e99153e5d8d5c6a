#!/bin/bash
clock(){
read -r t _ </proc/uptime
t=$((10#${t/./}))
}
secs(){ printf %d.%02d $(($1/100)) $(($1%100));}
say(){ echo "$(date -u +%FT%TZ) lcc-constructs[$k]: $*"|tee -a runner.log;}
run(){
local i=$1 c=(bash "$0" x "$1") p r L=${N[$1]}.log z
@@USER@@
[ "$2" = 0 ]||c=(timeout -k 5 "$(secs "$2")" "${c[@]}")
@@SUDO@@
clock
p=$t
: >"$L"
setsid "${c[@]}" </dev/null >"$L" 2>&1&
r=$!
tail -s.1 -fn+1 --pid=$r "$L"|dd bs=1 count=4096 status=none|sed -u "s/^/[${N[i]}] /"&
wait $r
X[i]=$?
clock
t=$((t-p))
D[i]=$(secs $t)
S[i]=failed Y[i]="\"exit code ${X[i]}\""
if [ "${X[i]}" = 0 ];then
S[i]=ok Y[i]=
elif [ "$2" != 0 ]&&((t>=$2))&&[[ ${X[i]} == 124 || ${X[i]} == 137 ]];then
S[i]=timed_out Y[i]="\"killed after $(secs "$2")s ($3)\""
@@KILL@@pkill -9 -s $r
fi
wait $!
z=$(stat -c%s "$L")
if ((z>4096));then
echo
((z<=8192))||echo "[${N[i]}] ...$((z-8192)) bytes not shown (all in $PWD/$L)"
tail -c +$((z>8192?z-4095:4097)) "$L"|sed "s/^/[${N[i]}] /"
fi
}
step(){
clock
l=$((b-t+t0)) y=budget
if ((l<100));then
S[$1]=skipped Y[$1]="\"budget spent: $(secs $((l>0?l:0)))s left\""
else
@@TIMEOUT@@
say "step ${N[$1]}: start as ${U[$1]-@@ME@@}, limit $(secs "$l")s ($y)"
run "$1" "$l" "$y"
fi
}
entry(){
printf -v o '{"name":"%s","user":"%s","status":"%s","exit_code":%s,"seconds":%s,"reason":%s}' \
"${N[$1]}" "${U[$1]-@@ME@@}" "${S[$1]:-pending}" "${X[$1]:-null}" "${D[$1]:-null}" "${Y[$1]:-null}"
}
status(){
local i o j=
for i in "${!N[@]}";do
entry "$i"
j+=${j:+,}$o
done
J="{\"schema\":3,\"kind\":\"$k\",\"run\":\"$I\",\"started\":\"$A\",\"finished\":${Z:-null},\"budget_seconds\":$(secs "$b"),\"exit_code\":${E:-null},\"steps\":[$j]}"
echo "$J" >.s&&mv .s status.json
}
@@COPY@@
@@ONCE@@
@@BACKGROUND@@
case $1 in
x)unset N U B Q T&&cd @@CWD@@&&e "$2";;
*)clock
A=$(date -u +%FT%TZ) I=$(date -u +%Y%m%dT%H%M%S.%3NZ)-$k E=0 t0=$t w=10
export HOME=@@HOME@@ LCC_KIND=$k LCC_SCRIPTS_DIR=$h/scripts
mkdir -p "$r/$I"&&cd "$r/$I"||exit
@@ROTATE@@
status
for i in "${!N[@]}";do
@@GO@@ "$i"
say "step ${N[i]}: ${S[i]} ${Y[i]}"
@@REQUIRED@@
@@STOP@@
status
copy
done
Z="\"$(date -u +%FT%TZ)\""
status
copy
say "done $J"
exit $E
esac
