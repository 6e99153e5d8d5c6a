#!/bin/bash
[ "${U[i]}" != root ]||c=(sudo -nH env "PATH=$PATH" LCC_KIND="$k" LCC_SCRIPTS_DIR="$h/scripts" "${c[@]}")
