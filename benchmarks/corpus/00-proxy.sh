#!/bin/bash
# Route outbound traffic through the corporate proxy. Our VPC has no NAT gateway: everything
# that leaves the instance (package installs, git, pip, conda) must go through the proxy, with
# the AWS endpoints reached directly through the VPC endpoints.
set -euo pipefail
. lib/common.sh

PROXY_URL=${PROXY_URL:-http://proxy.internal.example.com:3128}
NO_PROXY_LIST="localhost,127.0.0.1,169.254.169.254,169.254.170.2,.internal.example.com"
NO_PROXY_LIST="$NO_PROXY_LIST,.amazonaws.com,.s3.amazonaws.com,.sagemaker.aws"

# Login shells and Jupyter terminals.
cat >/etc/profile.d/proxy.sh <<PROFILE
export http_proxy=$PROXY_URL
export https_proxy=$PROXY_URL
export HTTP_PROXY=$PROXY_URL
export HTTPS_PROXY=$PROXY_URL
export no_proxy=$NO_PROXY_LIST
export NO_PROXY=$NO_PROXY_LIST
PROFILE
chmod 644 /etc/profile.d/proxy.sh

# The package manager reads its own configuration, not the environment, when run by cron or
# systemd timers.
if [ -f /etc/dnf/dnf.conf ]; then
  conf=/etc/dnf/dnf.conf
else
  conf=/etc/yum.conf
fi
if grep -q '^proxy=' "$conf"; then
  sed -i "s|^proxy=.*|proxy=$PROXY_URL|" "$conf"
else
  echo "proxy=$PROXY_URL" >>"$conf"
fi
log "package manager uses the proxy ($conf)"

# pip, for every user.
mkdir -p /etc/pip
cat >/etc/pip.conf <<PIP
[global]
proxy = $PROXY_URL
timeout = 60
retries = 5
PIP

# conda reads ~/.condarc, which SageMaker manages: add our keys without replacing it.
condarc=$NOTEBOOK_HOME/.condarc
touch "$condarc"
if ! grep -q '^proxy_servers:' "$condarc"; then
  cat >>"$condarc" <<CONDA
proxy_servers:
  http: $PROXY_URL
  https: $PROXY_URL
CONDA
fi
chown "$NOTEBOOK_USER:$NOTEBOOK_USER" "$condarc"

# git over https.
as_user git config --global http.proxy "$PROXY_URL"
as_user git config --global https.proxy "$PROXY_URL"

# Jupyter reads its environment when it starts: the kernels it launches inherit the proxy.
mkdir -p /etc/systemd/system/jupyter-server.service.d
cat >/etc/systemd/system/jupyter-server.service.d/proxy.conf <<UNIT
[Service]
Environment=http_proxy=$PROXY_URL https_proxy=$PROXY_URL no_proxy=$NO_PROXY_LIST
Environment=HTTP_PROXY=$PROXY_URL HTTPS_PROXY=$PROXY_URL NO_PROXY=$NO_PROXY_LIST
UNIT
if have systemctl && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl --no-block restart jupyter-server || warn "could not restart jupyter-server"
fi
log "proxy configured: $PROXY_URL"
