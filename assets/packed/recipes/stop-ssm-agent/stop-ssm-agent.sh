#!/bin/bash
a=amazon-ssm-agent
systemctl disable -q --now $a&&echo "$a is stopped and disabled"||echo "$a left as it is"
