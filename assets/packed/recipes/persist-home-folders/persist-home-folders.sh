#!/bin/bash
set -euo pipefail
. "${BASH_SOURCE[0]%/*}/../lib.sh"
[ -d "$PERSISTENT_VOLUME" ]||skip "$PERSISTENT_VOLUME does not exist: nowhere to keep folders"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
exists(){ [ -e "$1" ]||[ -L "$1" ];}
real_dir(){ [ -d "$1" ]&&[ ! -L "$1" ];}
same_entry(){
if [ -L "$1" ];then
[ -L "$2" ]&&[ "$(readlink "$1")" = "$(readlink "$2")" ]
elif [ -d "$1" ];then
real_dir "$2"
elif [ -f "$1" ];then
[ -f "$2" ]&&[ ! -L "$2" ]&&same_content "$1" "$2"
else
return 1
fi
}
redundant(){
local rel
while IFS= read -r -d '' rel;do
if ! same_entry "$1/$rel" "$2/$rel";then return 1;fi
done < <(cd "$1"&&find . -mindepth 1 -print0)
}
set_aside(){
local aside=$2.saved-$stamp
if exists "$aside";then aside=$aside.$$;fi
mv "$1" "$aside"
log "$1: saved aside as $aside, as it is not the same as $2 (which is kept)"
if [ "${rel##*/}" = .ssh ]&&[ -d "$aside" ];then secure_ssh "$aside";fi
}
secure_ssh(){
if ! { chmod 700 "$1"&&find "$1" -mindepth 1 -type d -exec chmod 700 {} +&&find "$1" -type f ! -name '*.pub' -exec chmod 600 {} +&&find "$1" -type f -name '*.pub' -exec chmod 644 {} +;};then
log "$1: could not set the modes (files of another owner?)"
fi
}
persist(){
local home=$NOTEBOOK_HOME/$rel kept=$OPT_PERSISTENT_DIR/$rel
if [ -L "$home" ]&&[ "$(readlink "$home")" = "$kept" ]&&[ -d "$kept" ];then
log "$home: already linked to $kept"
elif exists "$kept"&&[ ! -d "$kept" ];then
log "$home: left alone, $kept is not a folder"
return 0
elif ! exists "$kept";then
mkdir -p "${kept%/*}"
if real_dir "$home";then
cp -a "$home" "$kept.partial-$stamp"
mv "$kept.partial-$stamp" "$kept"
rm -rf "$home"
log "$home: moved to $kept"
else
if exists "$home";then set_aside "$home" "$kept";fi
mkdir "$kept"
log "$home: created $kept"
fi
else
if real_dir "$home"&&redundant "$home" "$kept";then
rm -rf "$home"
elif exists "$home";then
set_aside "$home" "$kept"
fi
log "$home: linked to $kept again"
fi
if [ ! -L "$home" ];then
mkdir -p "${home%/*}"
ln -s "$kept" "$home"
fi
if [ "${rel##*/}" = .ssh ];then secure_ssh "$kept";fi
}
mkdir -p "$OPT_PERSISTENT_DIR"
for ((i=0; i<OPT_FOLDER_COUNT; i++));do
ref=OPT_FOLDER_PATH_$i
rel=${!ref}
persist
done
