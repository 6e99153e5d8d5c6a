#!/bin/bash
# IPython defaults for every kernel: autoreload of edited modules, a longer history kept on the
# persistent volume, and no "Do you really want to exit" prompts in terminals.
set -euo pipefail
. lib/common.sh

PROFILE_DIR=$NOTEBOOK_HOME/.ipython/profile_default
HISTORY=$PERSISTENT/.ipython-history.sqlite

install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" "$PROFILE_DIR" "$PROFILE_DIR/startup"

cat >"$PROFILE_DIR/ipython_config.py" <<PY
# Written by the lifecycle configuration at every start: edit the script, not this file.
c = get_config()  # noqa: F821

c.InteractiveShellApp.extensions = ["autoreload"]
c.InteractiveShellApp.exec_lines = ["%autoreload 2"]
c.InteractiveShell.confirm_exit = False
c.InteractiveShell.ast_node_interactivity = "last_expr_or_assign"
c.HistoryManager.hist_file = "$HISTORY"
c.HistoryManager.db_cache_size = 1000
c.TerminalInteractiveShell.editing_mode = "emacs"
c.TerminalInteractiveShell.true_color = True
c.InlineBackend.figure_formats = {"png", "retina"}
PY

cat >"$PROFILE_DIR/startup/10-pandas-display.py" <<'PY'
try:
    import pandas as pd
except ImportError:
    pass
else:
    pd.set_option("display.max_columns", 100)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 120)
    pd.set_option("display.float_format", "{:,.4f}".format)
PY
chown -R "$NOTEBOOK_USER:$NOTEBOOK_USER" "$PROFILE_DIR"
log "IPython profile written to $PROFILE_DIR"
