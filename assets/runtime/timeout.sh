#!/bin/bash
# lcc-constructs runner, steps with a timeout of their own: in place of @@TIMEOUT@@ in step()
# (runtime/runner.sh): the smaller of the step's timeout and what is left of the budget.
# shellcheck disable=SC2154,SC2034 # the plan's and step()'s variables
((T[$1] == 0 || T[$1] > l)) || l=${T[$1]} y="step timeout"
