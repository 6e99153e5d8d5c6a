#!/bin/bash
# Recipe stop-ssm-agent: stop the SSM agent and disable it for this boot (root). The root volume
# is reset at every start, so this runs at every start; the agent runs for the few seconds
# before it. When there is nothing to do (no such unit, masked), systemctl says why.
a=amazon-ssm-agent
systemctl disable -q --now $a && echo "$a is stopped and disabled" || echo "$a left as it is"
