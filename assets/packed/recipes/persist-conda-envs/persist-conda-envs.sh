#!/bin/bash
set -eu
. "${BASH_SOURCE%/*}/../lib.sh"
e=$OPT_ENVS_DIR
u mkdir -p "$e"||{
echo "skipped: $e cannot be made a folder"
exit 0
}
if u ${C-~ec2-user/anaconda3/bin/conda} config --prepend envs_dirs "$e";then
echo "conda creates environments in $e"
else
echo "conda not configured: $(head -c 300 "$o")"
fi
[ "$OPT_REGISTER_KERNELS" = 1 ]||exit 0
specs(){
u bash -c 'cat ~/.local/share/jupyter/kernels/*/kernel.json|md5sum'
head -c 99 "$o"
}
before=$(specs)
u find "$e" -mindepth 1 -maxdepth 1 -type d -printf '%f\0'||echo "$e: not all listed: $(head -c 200 "$o")"
mapfile -d '' envs < <(head -c 4096 "$o"|sort -z)
for n in "${envs[@]}";do
k=${n,,}
k=conda-env-${k//[!a-z0-9._-]/_}
if u "$e/$n/bin/python" -m ipykernel install --user --name "$k" --display-name "$n (persistent)";then
echo "$n: kernel $k"
else
echo "$n: no kernel ($(head -c 200 "$o"))"
fi
done
if [ "$before" = "$(specs)" ];then
echo "kernels unchanged: Jupyter not restarted"
elif [ "$OPT_RESTART_JUPYTER" = 1 ];then
systemctl --no-block restart jupyter-server&&echo "restarting Jupyter"||echo "Jupyter not restarted"
else
echo "kernels changed: Jupyter not restarted (restart_jupyter is off)"
fi
