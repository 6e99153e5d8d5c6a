#!/bin/bash
conda_command(){
if [ -x "$NOTEBOOK_HOME/anaconda3/bin/conda" ];then
printf '%s\n' "$NOTEBOOK_HOME/anaconda3/bin/conda"
else
command -v conda
fi
}
