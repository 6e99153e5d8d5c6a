#!/bin/bash
# code-server (VS Code in the browser) for the notebook user, installed once on the persistent
# volume and started at every boot behind Jupyter's proxy (/proxy/8080/).
set -euo pipefail
. lib/common.sh

VERSION=${CODE_SERVER_VERSION:-4.96.4}
PREFIX=$PERSISTENT/.code-server
BIN=$PREFIX/code-server-$VERSION-linux-amd64/bin/code-server
PORT=8080

if [ ! -x "$BIN" ]; then
  log "installing code-server $VERSION into $PREFIX (once)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  url="https://github.com/coder/code-server/releases/download/v$VERSION/code-server-$VERSION-linux-amd64.tar.gz"
  retry 3 curl -fsSL -o "$tmp/cs.tgz" "$url"
  install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" "$PREFIX"
  tar -xzf "$tmp/cs.tgz" -C "$PREFIX"
  chown -R "$NOTEBOOK_USER:$NOTEBOOK_USER" "$PREFIX"
fi

# Settings: no auth (Jupyter's proxy already requires the presigned URL), user data on the
# volume so that extensions and settings persist.
install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" "$NOTEBOOK_HOME/.config/code-server"
cat >"$NOTEBOOK_HOME/.config/code-server/config.yaml" <<YAML
bind-addr: 127.0.0.1:$PORT
auth: none
cert: false
user-data-dir: $PREFIX/data
extensions-dir: $PREFIX/extensions
disable-telemetry: true
disable-update-check: true
YAML
chown "$NOTEBOOK_USER:$NOTEBOOK_USER" "$NOTEBOOK_HOME/.config/code-server/config.yaml"

cat >/etc/systemd/system/code-server.service <<UNIT
[Unit]
Description=code-server for $NOTEBOOK_USER
After=network.target

[Service]
User=$NOTEBOOK_USER
Environment=HOME=$NOTEBOOK_HOME
WorkingDirectory=$PERSISTENT
ExecStart=$BIN --config $NOTEBOOK_HOME/.config/code-server/config.yaml $PERSISTENT
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT

if have systemctl && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now code-server.service
fi

# A launcher tile in JupyterLab.
ENV=$NOTEBOOK_HOME/anaconda3/envs/JupyterSystemEnv
if [ -x "$ENV/bin/pip" ] && ! "$ENV/bin/python" -c 'import jupyter_server_proxy' 2>/dev/null; then
  "$ENV/bin/pip" install --quiet jupyter-server-proxy
fi
log "code-server $VERSION on port $PORT"
