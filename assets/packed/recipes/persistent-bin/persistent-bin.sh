#!/bin/bash
set -euo pipefail
. "${BASH_SOURCE[0]%/*}/../lib.sh"
dir=$OPT_BIN_DIR
[ -d "$PERSISTENT_VOLUME" ]||skip "$PERSISTENT_VOLUME does not exist"
as_user mkdir -p "$dir"||skip "$dir could not be made a folder"
owner=$(stat -c %U "$dir")
[ "$owner" = "$NOTEBOOK_USER" ]||log "$dir belongs to $owner, not $NOTEBOOK_USER: left as it is"
profile=/etc/profile.d/lcc-$LCC_STEP.sh
quoted=$(sq "$dir")
{
printf '# Written by lcc-constructs (step %s) at every start: %s first on PATH.\n' "$LCC_STEP" "$dir"
printf 'if [ "$(id -un)" = %s ]; then\n' "$NOTEBOOK_USER"
printf '  case ":$PATH:" in *:%s:*) ;; *) PATH=%s:$PATH; export PATH ;; esac\nfi\n' "$quoted" "$quoted"
}|put_file "$profile" 644
log "$dir is on $NOTEBOOK_USER's PATH in login shells ($profile)"
fetch(){
local target=$dir/$1 tmp got
if [ -e "$target" ]||[ -L "$target" ];then
log "$1: already in $dir, not downloaded"
return 0
fi
if ! tmp=$(as_user mktemp "$dir/.$1.download.XXXXXX");then
log "$1: not installed, $NOTEBOOK_USER cannot write to $dir"
return 0
fi
if ! as_user curl -fsSL --connect-timeout 10 --max-time "$OPT_DOWNLOAD_TIMEOUT" --retry 2 \
-o "$tmp" -- "$2";then
as_user rm -f "$tmp"
log "$1: not installed, the download from $2 failed (curl's message is above)"
return 0
fi
if [ -n "$3" ];then
got=$(as_user sha256sum "$tmp")
got=${got%% *}
if [ "$got" != "$3" ];then
as_user rm -f "$tmp"
log "$1: not installed, $2 has sha256 $got instead of $3"
return 0
fi
fi
as_user chmod 755 "$tmp"
as_user mv -f "$tmp" "$target"
log "$1: installed from $2"
}
if [ "$OPT_BINARY_COUNT" -gt 0 ]&&! have curl;then
skip "curl is not installed: no program downloaded"
fi
for ((i=0; i<OPT_BINARY_COUNT; i++));do
name=OPT_BINARY_NAME_$i url=OPT_BINARY_URL_$i sum=OPT_BINARY_SHA256_$i
fetch "${!name}" "${!url}" "${!sum}"
done
