#!/bin/bash
set -eu
conf=$HOME/.config/pip/pip.conf
keys='' settings=''
add_setting(){
if [ -n "$2" ];then
keys+=" $1"
settings+="$1 = $2"$'\n'
fi
}
add_setting index-url "$OPT_INDEX_URL"
add_setting extra-index-url "$OPT_EXTRA_INDEX_URLS"
add_setting trusted-host "$OPT_TRUSTED_HOSTS"
merged(){
local line section='' drop='' key
[ ! -f "$1" ]||while IFS= read -r line||[ -n "$line" ];do
[[ -n $drop && $line == [[:space:]]*[![:space:]]* ]]&&continue
drop=''
if [[ $line == \[*\]* ]];then
section=${line#\[} section=${section%\]*}
printf '%s\n' "$line"
[ "$section" != global ]||{
printf %s "$settings"
settings=''
}
continue
fi
key=${line%%[=:]*} key=${key//[[:space:]]/} key=${key,,}
if [ "$section" = global ]&&[[ "$keys " == *" ${key//_/-} "* ]];then
drop=1
continue
fi
printf '%s\n' "$line"
done <"$1"
[ -z "$settings" ]||printf '[global]\n%s' "$settings"
}
if [ -n "$keys" ];then
mkdir -p "${conf%/*}"
(umask 077&&merged "$conf" >"$conf.new")
mv "$conf.new" "$conf"
echo "pip:$keys set in $conf"
fi
[ -n "$OPT_CONDA_CHANNELS" ]||exit 0
c=$(PATH=~/anaconda3/bin:$PATH type -P conda)||{
echo "skipped: no conda, no conda channel set"
exit 0
}
read -r -a channels <<<"$OPT_CONDA_CHANNELS"
for ((i=${#channels[@]}-1; i>=0; i--));do
"$c" config --prepend channels "${channels[i]}"
done
echo "conda: channels $OPT_CONDA_CHANNELS first in ~/.condarc"
