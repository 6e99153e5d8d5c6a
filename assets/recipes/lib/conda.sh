#!/bin/bash
# Recipe helper (recipes/lib.sh sources it): the notebook user's conda.

# conda_command: the notebook user's conda (SageMaker installs it in ~/anaconda3), if any.
conda_command() {
  if [ -x "$NOTEBOOK_HOME/anaconda3/bin/conda" ]; then
    printf '%s\n' "$NOTEBOOK_HOME/anaconda3/bin/conda"
  else
    command -v conda
  fi
}
