#!/bin/bash
clock(){
read -r t _ </proc/uptime
t=$((10#${t/./}))
}
secs(){ printf %d.%02d $(($1/100)) $(($1%100));}
say(){ echo "$(date -u +%FT%TZ) lcc-constructs[$k]: $*"|tee -a "$I/runner.log";}
x(){
export LCC_STEP="${N[$1]}" LCC_KIND="$k" LCC_SCRIPTS_DIR="$h/scripts"
[ "${U[$1]}" != root ]||cd "$h/scripts"||exit
set -- "$1" "${C[$1]}"
unset N U B Q T C
e "$1"
eval "exec $2"
}
run(){
local i=$1 c=(bash "$0" x "$1") p r L=$I/${N[$1]}.log
[ "${U[i]}" = root ]||c=(sudo -nu "${U[i]}" -i -- "${c[@]}")
[ "$2" = 0 ]||c=(timeout -k "$g" "$(secs "$2")" "${c[@]}")
clock
p=$t
: >>"$L"
setsid "${c[@]}" </dev/null >>"$L" 2>&1&
r=$!
tail -s.1 -fn+1 --pid=$r "$L"|sed -u "s/^/[${N[i]}] /"&
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
for ((p=g*10; p>0; p--));do
pgrep -s $r >/dev/null||break
sleep .1
done
pkill -9 -s $r
fi
wait $!
}
entry(){
printf -v o '{"name":"%s","user":"%s","status":"%s","exit_code":%s,"seconds":%s,"reason":%s}' \
"${N[$1]}" "${U[$1]}" "${S[$1]:-pending}" "${X[$1]:-null}" "${D[$1]:-null}" "${Y[$1]:-null}"
}
status(){
local i o j=
for i in "${!N[@]}";do
entry "$i"
j+=${j:+,}$o
done
J="{\"schema\":2,\"kind\":\"$k\",\"run\":\"$I\",\"started\":\"$A\",\"finished\":${Z:-null},\"budget_seconds\":$(secs "$b"),\"exit_code\":${E:-null},\"steps\":[$j]}"
echo "$J" >"$I/.s"&&mv "$I/.s" "$I/status.json"
}
state(){
cd "${s%/*}"&&[ "$(pwd -P)" = "${s%/*}" ]&&{
mkdir -m 755 "${s##*/}" 2>/dev/null
cd "${s##*/}"
}&&[ "$(pwd -P) $(stat -c '%u %a' .)" = "$s 0 755" ]&&mkdir -p logs&&{ cd logs||return;}
}
case $1 in
x)x "$2";;
b)bg_watch "$2" "$3";;
*)clock
A=$(date -u +%FT%TZ) I=$(date -u +%Y%m%dT%H%M%S.%3NZ)-$k E=0 t0=$t w=
export HOME=/root
if ! state&&! {
cd /&&setsid -w sudo -nu ec2-user mv -T -- "$s" "$s.untrusted-$I" </dev/null >/dev/null 2>&1
state
};then
w="$s cannot be used: logs in /var/log/lcc-constructs"
cd /&&mkdir -p /var/log/lcc-constructs/logs&&cd /var/log/lcc-constructs/logs||exit
fi
ls -rd -- [0-9]*-"$k" 2>/dev/null|tail -n "+$n"|xargs -r rm -rf --
mkdir "$I"&&ln -sfn "$I" "latest-$k"
[ -z "$w" ]||say "$w"
status
for i in "${!N[@]}";do
if [ "${B[i]}" = 1 ];then
bg_start "$i"
else
clock
l=$((b-t+t0)) y=budget
if ((l<m));then
S[i]=skipped Y[i]="\"budget spent: $(secs $((l>0?l:0)))s left\""
else
((T[i]==0||T[i]>l))||l=${T[i]} y="step timeout"
say "step ${N[i]}: start as ${U[i]}, limit $(secs "$l")s ($y)"
run "$i" "$l" "$y"
fi
fi
say "step ${N[i]}: ${S[i]} ${Y[i]}"
[ "${Q[i]}" = 0 ]||[ "${S[i]}" = ok ]||E=1
status
done
Z="\"$(date -u +%FT%TZ)\""
status
say "done $J"
exit $E
esac
