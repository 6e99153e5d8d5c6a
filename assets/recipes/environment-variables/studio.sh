#!/bin/bash
# Recipe environment-variables on Studio (packed for Studio only; root, through sudo). There is
# no systemd: environment-variables.sh, its Jupyter part off, writes the variables and the
# profile script of login shells. Then Ubuntu's interactive shells that are not login shells
# (the terminals of JupyterLab and Code Editor) source that script from /etc/bash.bashrc, and,
# with OPT_JUPYTER, a line of /etc/jupyter/jupyter_server_config.py (the image's file is kept:
# the line is added, once) has the JupyterLab server load them into its environment when it
# starts, which its kernels and terminals inherit: /etc/lcc-constructs/jupyter.py reads the
# file as the recipe wrote it (NAME="VALUE" lines, \ " $ ` escaped by a backslash). /etc is
# reset at every start.
set -eu
OPT_JUPYTER=0 bash "${BASH_SOURCE%/*}/environment-variables.sh"
add() { grep -qsxF "$1" "$2" || echo "$1" >>"$2"; }
p=/etc/profile.d/lcc-$LCC_STEP.sh b=/etc/bash.bashrc
add "[ ! -r $p ] || . $p" $b
echo "variables for interactive shells: $b"
[ "$OPT_JUPYTER" = 1 ] || exit 0
d=/etc/lcc-constructs j=/etc/jupyter/jupyter_server_config.py
# Whatever goes wrong, the server starts (without them, saying why in its log).
cat >$d/jupyter.py <<'PY'
import os, re, sys
try:
    with open(lcc_env, encoding="utf-8") as f:
        for k, v in re.findall(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"\n', f.read()):
            os.environ[k] = re.sub(r"\\(.)", r"\1", v, flags=re.S)
except Exception as e:
    print(f"lcc-constructs: variables of {lcc_env} not set: {e}", file=sys.stderr)
PY
mkdir -p ${j%/*}
add "exec(open('$d/jupyter.py').read(),{'lcc_env':'$d/$LCC_STEP.env'})" $j
echo "variables for JupyterLab, its kernels and terminals: $j"
