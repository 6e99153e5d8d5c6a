#!/bin/bash
# Jupyter AI with Amazon Bedrock as the model provider: the extension goes into Jupyter's
# environment (in the background: it is large), and the model settings into the user's config.
set -euo pipefail
. lib/common.sh

ENV=$NOTEBOOK_HOME/anaconda3/envs/JupyterSystemEnv
MODEL=${JUPYTER_AI_MODEL:-bedrock-chat:anthropic.claude-3-haiku-20240307-v1:0}
EMBEDDINGS=${JUPYTER_AI_EMBEDDINGS:-bedrock:amazon.titan-embed-text-v2:0}
REGION=$(instance_region)

config_dir=$NOTEBOOK_HOME/.local/share/jupyter/jupyter_ai
install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" "$config_dir"
cat >"$config_dir/config.json" <<JSON
{
  "model_provider_id": "$MODEL",
  "embeddings_provider_id": "$EMBEDDINGS",
  "send_with_shift_enter": false,
  "fields": {
    "$MODEL": {"region_name": "$REGION"}
  },
  "api_keys": {},
  "completions_model_provider_id": null,
  "completions_fields": {}
}
JSON
chown "$NOTEBOOK_USER:$NOTEBOOK_USER" "$config_dir/config.json"

if "$ENV/bin/python" -c 'import jupyter_ai' 2>/dev/null; then
  log "jupyter-ai already installed"
  exit 0
fi
setsid nohup bash -c "
  '$ENV/bin/pip' install --quiet 'jupyter-ai>=2.28,<3' langchain-aws &&
  systemctl --no-block restart jupyter-server
" </dev/null >/var/log/jupyter-ai-install.log 2>&1 &
log "installing jupyter-ai in the background (model $MODEL in $REGION)"
