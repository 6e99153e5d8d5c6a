#!/bin/bash
# Recipe apt-packages: installs Debian/Ubuntu packages with apt-get at every start (on Studio,
# /usr and /var are the image's again at each start). Runs as root (on Studio through sudo).
#
# Options (step env): OPT_PACKAGES (space-separated names, checked at build: name, name:arch or
# name=version), OPT_UPDATE (1: apt-get update first).
set -eu

command -v apt-get >/dev/null || {
  echo "failed: no apt-get on this image (apt-packages needs a Debian or Ubuntu image)"
  exit 1
}
export DEBIAN_FRONTEND=noninteractive
# Another apt (an image's own start-up) may hold dpkg's lock for a while: wait for it.
apt=(apt-get -q -o DPkg::Lock::Timeout=60)
read -r -a packages <<<"$OPT_PACKAGES"
[ "$OPT_UPDATE" != 1 ] || "${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends -- "${packages[@]}"
echo "installed: $OPT_PACKAGES"
