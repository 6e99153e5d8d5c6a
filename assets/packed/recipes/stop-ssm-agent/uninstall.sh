#!/bin/bash
a=amazon-ssm-agent
rpm -q --quiet $a&&dnf -y -q remove $a&&echo "removed $a"||echo "$a is not installed (or dnf failed)"
