#!/bin/bash
# Team defaults for JupyterLab (theme, autosave, code formatting, line numbers), written as
# overrides.json so that each user can still change them in the settings editor.
set -euo pipefail
. lib/common.sh

ENV=$NOTEBOOK_HOME/anaconda3/envs/JupyterSystemEnv
SETTINGS_DIR=$ENV/share/jupyter/lab/settings

if [ ! -d "$ENV" ]; then
  log "no JupyterSystemEnv; skipped"
  exit 0
fi
mkdir -p "$SETTINGS_DIR"
cat >"$SETTINGS_DIR/overrides.json" <<'JSON'
{
  "@jupyterlab/apputils-extension:themes": {
    "theme": "JupyterLab Light",
    "theme-scrollbars": true
  },
  "@jupyterlab/docmanager-extension:plugin": {
    "autosave": true,
    "autosaveInterval": 60,
    "confirmClosingDocument": true
  },
  "@jupyterlab/notebook-extension:tracker": {
    "codeCellConfig": {
      "lineNumbers": true,
      "lineWrap": "off",
      "autoClosingBrackets": true
    },
    "kernelShutdown": false,
    "recordTiming": true
  },
  "@jupyterlab/fileeditor-extension:plugin": {
    "editorConfig": {
      "lineNumbers": true,
      "rulers": [100],
      "tabSize": 4
    }
  },
  "@jupyterlab/terminal-extension:plugin": {
    "fontSize": 13,
    "scrollback": 10000
  },
  "@jupyterlab/extensionmanager-extension:plugin": {
    "enabled": false
  },
  "jupyterlab_code_formatter:settings": {
    "preferences": {
      "default_formatter": {
        "python": ["isort", "black"]
      }
    },
    "black": {
      "line_length": 100
    },
    "formatOnSave": false
  }
}
JSON
log "JupyterLab defaults written to $SETTINGS_DIR/overrides.json"
