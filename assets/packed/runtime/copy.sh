#!/bin/bash
umask 022
mkdir -p "$2/logs/$3" 2>/dev/null||{ mv -T "$2" "$2.old-$3"&&mkdir -p "$2/logs/$3";}||exit
cd "$2/logs/$3"||exit
for f in "$1"/*;do
n=${f##*/}
if tail -c 1048576 "$f" >".$n"&&mv -f ".$n" "$n";then
[ "$(stat -c%s "$f")" -le 1048576 ]||echo "$n: only its last 1048576 bytes (all in $f)"
else
rm -f ".$n"
echo "$n: not copied (all in $f)"
fi
done >not-copied.txt
[ -s not-copied.txt ]||rm -f not-copied.txt
ln -sfn "$3" "../latest-$4"
ls -rd -- ../[0-9]*-"$4"|tail -n "+$(($5+1))"|xargs -r rm -rf --
