#!/bin/bash
set -eu
stamp=$(date -u +%Y%m%dT%H%M%SZ)
exists(){ [ -e "$1" ]||[ -L "$1" ];}
real_dir(){ [ -d "$1" ]&&[ ! -L "$1" ];}
same_entry(){
if [ -L "$1" ];then
[ -L "$2" ]&&[ "$(readlink "$1")" = "$(readlink "$2")" ]
elif [ -d "$1" ];then
real_dir "$2"
else
[ -f "$1" ]&&[ -f "$2" ]&&[ ! -L "$2" ]&&[ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ]
fi
}
redundant(){
local entry
while IFS= read -r -d '' entry;do
same_entry "$1/$entry" "$2/$entry"||return
done < <(find "$1" -mindepth 1 -printf '%P\0')
}
secure_ssh(){
find "$1/" -type d -exec chmod 700 {} + -o -type f -name '*.pub' -exec chmod 644 {} + \
-o -type f -exec chmod 600 {} +||echo "$1: could not set the modes (files of another owner?)"
}
set_aside(){
local aside=$2.saved-$stamp
! exists "$aside"||aside+=.$$
mv "$1" "$aside"
echo "$1: saved aside as $aside ($2 differs and is kept)"
[ "${2##*/}" != .ssh ]||[ ! -d "$aside" ]||secure_ssh "$aside"
}
mkdir -p "$OPT_PERSISTENT_DIR"
for ((i=0; i<OPT_FOLDER_COUNT; i++));do
rel=OPT_FOLDER_PATH_$i
home=$HOME/${!rel} kept=$OPT_PERSISTENT_DIR/${!rel}
if [ -L "$home" ]&&[ "$(readlink "$home")" = "$kept" ]&&[ -d "$kept" ];then
echo "$home: already linked to $kept"
elif exists "$kept"&&[ ! -d "$kept" ];then
echo "$home: left alone, $kept is not a folder"
continue
elif ! exists "$kept";then
mkdir -p "${kept%/*}"
if real_dir "$home";then
cp -a "$home" "$kept.partial-$stamp"
mv "$kept.partial-$stamp" "$kept"
rm -rf "$home"
echo "$home: moved to $kept"
else
! exists "$home"||set_aside "$home" "$kept"
mkdir "$kept"
echo "$home: created $kept"
fi
else
if real_dir "$home"&&redundant "$home" "$kept";then
rm -rf "$home"
elif exists "$home";then
set_aside "$home" "$kept"
fi
echo "$home: linked to $kept again"
fi
if [ ! -L "$home" ];then
mkdir -p "${home%/*}"
ln -s "$kept" "$home"
fi
[ "${kept##*/}" != .ssh ]||secure_ssh "$kept"
done
