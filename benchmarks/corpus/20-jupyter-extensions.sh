#!/bin/bash
# Install the JupyterLab extensions the team uses into Jupyter's own environment and restart
# the server. JupyterSystemEnv is Jupyter's environment: only server extensions go there,
# never user packages.
set -euo pipefail
. lib/common.sh

ENV=$NOTEBOOK_HOME/anaconda3/envs/JupyterSystemEnv
EXTENSIONS=(
  "jupyterlab-git>=0.50"
  "jupyterlab-lsp>=5"
  "python-lsp-server[all]"
  "jupyter-resource-usage"
  "jupyterlab_code_formatter"
  "black"
  "isort"
)

if [ ! -d "$ENV" ]; then
  log "no JupyterSystemEnv: not a notebook instance?"
  exit 0
fi

# Installing takes a minute or two: do it in the background (nohup, fully detached) so that
# the lifecycle script ends well within its 5 minutes, and restart Jupyter when it is done.
cat >/tmp/install-extensions.sh <<SCRIPT
#!/bin/bash
set -euo pipefail
source $NOTEBOOK_HOME/anaconda3/bin/activate JupyterSystemEnv
pip install --quiet --upgrade $(printf "%q " "${EXTENSIONS[@]}")
jupyter server extension enable --py jupyterlab_git
jupyter lab build --minimize=False >/dev/null 2>&1 || true
systemctl --no-block restart jupyter-server
echo "extensions installed at \$(date -u)"
SCRIPT
chmod 700 /tmp/install-extensions.sh
setsid nohup /tmp/install-extensions.sh </dev/null >/var/log/jupyter-extensions.log 2>&1 &
log "installing ${#EXTENSIONS[@]} extension package(s) in the background (log: /var/log/jupyter-extensions.log)"
