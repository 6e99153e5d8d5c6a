#!/bin/bash
# An R kernel in its own conda environment on the persistent volume, created in the background
# the first time (it takes several minutes) and registered with Jupyter at every start.
set -euo pipefail
. lib/common.sh

ENV=$PERSISTENT/.envs/r-4
CONDA=$NOTEBOOK_HOME/anaconda3/bin/conda
PACKAGES=(r-base=4.3 r-irkernel r-tidyverse r-data.table r-arrow r-aws.s3 r-ggplot2 r-rmarkdown)

if [ -x "$ENV/bin/R" ]; then
  as_user "$ENV/bin/R" --quiet --no-save -e "IRkernel::installspec(name = 'r-4', displayname = 'R 4')" >/dev/null
  log "R kernel registered from $ENV"
  exit 0
fi

if [ -f "$ENV.creating" ]; then
  log "the R environment is still being created (see $ENV.log)"
  exit 0
fi

log "creating the R environment in the background (first start only)"
touch "$ENV.creating"
chown "$NOTEBOOK_USER:$NOTEBOOK_USER" "$ENV.creating"
sudo -u "$NOTEBOOK_USER" -i setsid nohup bash -c "
  '$CONDA' create -y -q -p '$ENV' -c conda-forge ${PACKAGES[*]} &&
  '$ENV/bin/R' --quiet --no-save -e \"IRkernel::installspec(name = 'r-4', displayname = 'R 4')\"
  rm -f '$ENV.creating'
" </dev/null >"$ENV.log" 2>&1 &
