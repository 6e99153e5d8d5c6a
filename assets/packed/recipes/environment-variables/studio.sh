#!/bin/bash
set -eu
OPT_JUPYTER=0 bash "${BASH_SOURCE%/*}/environment-variables.sh"
add(){ grep -qsxF "$1" "$2"||echo "$1" >>"$2";}
p=/etc/profile.d/lcc-$LCC_STEP.sh b=/etc/bash.bashrc
add "[ ! -r $p ] || . $p" $b
echo "variables for interactive shells: $b"
[ "$OPT_JUPYTER" = 1 ]||exit 0
d=/etc/lcc-constructs j=/etc/jupyter/jupyter_server_config.py
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
