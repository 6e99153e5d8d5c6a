#!/bin/bash
# Helpers shared by the example steps (sourced, not run).

log() { printf '%s: %s\n' "${LCC_STEP:-step}" "$*"; }

have() { command -v "$1" >/dev/null 2>&1; }
