#!/bin/bash
set -euo pipefail
. "${BASH_SOURCE[0]%/*}/../lib.sh"
dir=$OPT_BIN_DIR
[ -d "$VOLUME" ]||skip "$VOLUME does not exist"
as_user mkdir -p "$dir"||skip "$dir could not be made a folder"
owner=$(stat -c %U "$dir")
[ "$owner" = "$NOTEBOOK_USER" ]||log "$dir belongs to $owner, not $NOTEBOOK_USER: left as it is"
profile=/etc/profile.d/lcc-$LCC_STEP.sh
quoted=$(sq "$dir")
put_file "$profile" 644 <<EOT
# lcc-constructs step $LCC_STEP
if [ "\$(id -un)" = $NOTEBOOK_USER ]; then
case ":\$PATH:" in *:$quoted:*) ;; *) export PATH=$quoted:\$PATH ;; esac
fi
EOT
log "$dir is on $NOTEBOOK_USER's PATH in login shells ($profile)"
[ "$OPT_BINARY_COUNT" = 0 ]||have curl||skip "curl is not installed: no program downloaded"
for ((i=0; i<OPT_BINARY_COUNT; i++));do
name=OPT_BINARY_NAME_$i url=OPT_BINARY_URL_$i sum=OPT_BINARY_SHA256_$i
name=${!name} url=${!url} sum=${!sum}
target=$dir/$name
if [ -e "$target" ]||[ -L "$target" ];then
log "$name: already in $dir, not downloaded"
continue
fi
if ! tmp=$(as_user mktemp "$dir/.$name.download.XXXXXX");then
log "$name: not installed, $NOTEBOOK_USER cannot write to $dir"
continue
fi
if ! as_user curl -fsSL --connect-timeout 10 --max-time "$OPT_DOWNLOAD_TIMEOUT" --retry 2 -o "$tmp" -- "$url";then
error="the download from $url failed (curl's message is above)"
elif [ -n "$sum" ]&&got=$(as_user sha256sum "$tmp"||true)&&[ "${got%% *}" != "$sum" ];then
error="$url has sha256 ${got%% *} instead of $sum"
else
as_user chmod 755 "$tmp"
as_user mv -f "$tmp" "$target"
log "$name: installed from $url"
continue
fi
as_user rm -f "$tmp"
log "$name: not installed, $error"
done
