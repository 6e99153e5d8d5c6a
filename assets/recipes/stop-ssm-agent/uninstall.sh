#!/bin/bash
# Recipe stop-ssm-agent, uninstall=true: remove the agent's package (root, in the background:
# dnf can take a minute or more, and waits for another dnf's lock). The root volume is reset at
# every start, so the package is back at every start and this runs at every start.
a=amazon-ssm-agent
rpm -q --quiet $a && dnf -y -q remove $a && echo "removed $a" || echo "$a is not installed (or dnf failed)"
