#!/bin/bash
# Set the team's time zone and a UTF-8 locale, so that notebooks print local times and tools
# that read LANG do not fall back to ASCII.
set -euo pipefail
. lib/common.sh

TZ_NAME=${TZ_NAME:-Europe/Berlin}
LOCALE=${LOCALE:-en_US.UTF-8}

if [ ! -f "/usr/share/zoneinfo/$TZ_NAME" ]; then
  die "unknown time zone $TZ_NAME"
fi

if have timedatectl && [ -d /run/systemd/system ]; then
  timedatectl set-timezone "$TZ_NAME"
else
  ln -sf "/usr/share/zoneinfo/$TZ_NAME" /etc/localtime
  echo "ZONE=\"$TZ_NAME\"" >/etc/sysconfig/clock
fi
log "time zone set to $TZ_NAME"

cat >/etc/profile.d/locale.sh <<PROFILE
export LANG=$LOCALE
export LC_ALL=$LOCALE
export TZ=$TZ_NAME
PROFILE
chmod 644 /etc/profile.d/locale.sh

# Kernels started by Jupyter do not read /etc/profile.d: put TZ in the environment of the
# server through a drop-in, and restart it without blocking this script.
mkdir -p /etc/systemd/system/jupyter-server.service.d
changed=$(printf '[Service]\nEnvironment=TZ=%s LANG=%s\n' "$TZ_NAME" "$LOCALE" |
  write_if_changed /etc/systemd/system/jupyter-server.service.d/timezone.conf)
if [ "$changed" = changed ] && have systemctl && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl --no-block restart jupyter-server
  log "jupyter-server restarted to pick up TZ"
fi
