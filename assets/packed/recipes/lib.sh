#!/bin/bash
NOTEBOOK_USER=ec2-user
NOTEBOOK_HOME=/home/ec2-user
PERSISTENT_VOLUME=$NOTEBOOK_HOME/SageMaker
CHANGED=0
log(){ printf '%s\n' "$*";}
skip(){
log "skipped: $*"
exit 0
}
have(){ command -v "$1" >/dev/null 2>&1;}
as_user(){ sudo -n -u "$NOTEBOOK_USER" -H -- "$@";}
conda_command(){
if [ -x "$NOTEBOOK_HOME/anaconda3/bin/conda" ];then
printf '%s\n' "$NOTEBOOK_HOME/anaconda3/bin/conda"
else
command -v conda
fi
}
sq(){
local rest=$1 out=''
while [[ $rest == *\'* ]];do
out+="${rest%%\'*}'\\''"
rest=${rest#*\'}
done
printf "'%s%s'" "$out" "$rest"
}
dq(){
local rest=$1 out='' head
while [[ $rest == *[\\\"\$\`]* ]];do
head=${rest%%[\\\"\$\`]*}
out+="$head\\${rest:${#head}:1}"
rest=${rest:${#head}+1}
done
printf '"%s%s"' "$out" "$rest"
}
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
systemd_running(){ have systemctl&&[ -d /run/systemd/system ];}
restart_jupyter(){
if ! systemd_running;then
log "Jupyter not restarted ($1): systemd is not running"
elif systemctl --no-block restart jupyter-server;then
log "restarting Jupyter ($1)"
else
log "could not restart jupyter-server ($1)"
fi
}
