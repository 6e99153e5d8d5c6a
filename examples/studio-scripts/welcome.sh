#!/bin/bash
# Written at every start: the home persists, so this only refreshes the date and the app.
set -euo pipefail
app=$(python3 -c 'import json; print(json.load(open("/opt/ml/metadata/resource-metadata.json")).get("AppType", "?"))' 2>/dev/null || echo "?")
printf 'Started %s (%s), set up by lcc-constructs.\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$app" >"$HOME/.welcome"
