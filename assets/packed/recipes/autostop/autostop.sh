#!/bin/bash
set -euo pipefail
dest=/opt/lcc-autostop
unit=lcc-autostop
user=ec2-user
schedule(){
local minutes=$OPT_AUTOSTOP_INTERVAL_MINUTES pid
if [ -d /run/systemd/system ]&&command -v systemctl >/dev/null;then
printf '[Service]\nType=oneshot\nExecStart=%s check\n' "$dest/autostop.sh" >"/etc/systemd/system/$unit.service"
printf '[Timer]\nOnActiveSec=%smin\nOnUnitActiveSec=%smin\n' "$minutes" "$minutes" >"/etc/systemd/system/$unit.timer"
systemctl daemon-reload
systemctl --no-block restart "$unit.timer"
echo "autostop: systemd timer $unit.timer, every $minutes minutes"
elif command -v crontab >/dev/null;then
{
crontab -l 2>/dev/null|grep -v "# $unit\$"||true
echo "*/$minutes * * * * $dest/autostop.sh check >/dev/null 2>&1 # $unit"
}|crontab -
echo "autostop: root's crontab, every $minutes minutes"
else
if pid=$(cat "/run/$unit.pid" 2>/dev/null)&&grep -qs autostop.sh "/proc/$pid/cmdline";then
echo "autostop: the check loop already runs (pid $pid)"
return
fi
setsid "$dest/autostop.sh" loop </dev/null >/dev/null 2>&1&
echo "$!" >"/run/$unit.pid"
echo "autostop: no systemd, no crontab: a detached loop, every $minutes minutes"
fi
}
check(){
local conda=/home/$user/anaconda3 v py python='' out
local -a env=(env -i "HOME=/home/$user" "PATH=/usr/local/bin:/usr/bin:/bin")
local -a args=(--state-dir "/run/$unit" $OPT_AUTOSTOP_ARGS)
for v in $(compgen -e);do
case $v in AWS_*)env+=("$v=${!v}");esac
done
env=(setpriv --reuid="$(id -u $user)" --regid="$(id -g $user)" --init-groups -- "${env[@]}")
install -d -m 700 -o $user "/run/$unit"
for py in "$conda/envs/JupyterSystemEnv/bin/python" "$conda/bin/python" /usr/bin/python3;do
[ -x "$py" ]||continue
python=${python:-$py}
if "${env[@]}" "$py" -c 'import boto3' 2>/dev/null;then python=$py&&break;fi
done
out="$(date -u +%FT%TZ) autostop: not stopping: no Python found"
[ -z "$python" ]||out=$("${env[@]}" "$python" "$dest/autostop.py" "${args[@]}" "$@" 2>&1)||true
printf '%s\n' "$out"|tee -a /var/log/jupyter.log
}
case ${1:-install} in
install)install -d -m 755 "$dest"
install -m 644 "$(dirname "$0")/autostop.py" "$dest/"
install -m 755 "$0" "$dest/autostop.sh"
declare -p OPT_AUTOSTOP_INTERVAL_MINUTES OPT_AUTOSTOP_ARGS >"$dest/config.sh"
schedule
echo "autostop: $OPT_AUTOSTOP_ARGS"
;;
check|loop). "$dest/config.sh"
[ "$1" = loop ]||{
shift
check "$@"
exit 0
}
while true;do
check||true
sleep $((OPT_AUTOSTOP_INTERVAL_MINUTES*60))
done
esac
