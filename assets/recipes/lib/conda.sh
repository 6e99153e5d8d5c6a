#!/bin/bash
# Recipe helper (recipes/lib.sh sources it): the notebook user's conda.

# conda_command: the notebook user's conda (SageMaker installs it in ~/anaconda3), if any.
conda_command() {
  local conda=$NOTEBOOK_HOME/anaconda3/bin/conda
  [ -x "$conda" ] || conda=$(command -v conda) || return
  echo "$conda"
}
