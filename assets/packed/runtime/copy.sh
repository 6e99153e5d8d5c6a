#!/bin/bash
umask 022
mkdir -p "$2/logs/$3" 2>/dev/null||{ [ "$(stat -f -c %a "${2%/*}")" != 0 ]&&mv -T "$2" "$2.old-$3"&&mkdir -p "$2/logs/$3";}||exit
cd "$2/logs/$3"||exit
ln -sfn "$3" "../latest-$4"
ls -rd -- ../[0-9]*-"$4"|tail -n "+$(($5+1))"|xargs -r rm -rf --
for f in "$1"/*;do
tail -c 1048576 "$f" >".t$$"&&mv -f ".t$$" "${f##*/}"||echo "${f##*/}"
done >not-copied.txt
[ ! -s not-copied.txt ]&&rm not-copied.txt
