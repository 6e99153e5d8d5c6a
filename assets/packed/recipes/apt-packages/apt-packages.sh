#!/bin/bash
set -eu
command -v apt-get >/dev/null||{
echo "failed: no apt-get on this image (apt-packages needs a Debian or Ubuntu image)"
exit 1
}
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -q -o DPkg::Lock::Timeout=60)
read -r -a packages <<<"$OPT_PACKAGES"
[ "$OPT_UPDATE" != 1 ]||"${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends -- "${packages[@]}"
echo "installed: $OPT_PACKAGES"
