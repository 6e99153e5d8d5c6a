#!/bin/bash
# /etc is rebuilt at every start: point pip at the team's package index again.
set -euo pipefail
printf '[global]\nindex-url = %s\n' "https://pypi.example.com/simple" >/etc/pip.conf
