#!/bin/bash
conda_command(){
local conda=$NOTEBOOK_HOME/anaconda3/bin/conda
[ -x "$conda" ]||conda=$(command -v conda)||return
echo "$conda"
}
