#!/bin/bash
# Payload "s3": the bundle is an S3 object (a CDK asset); the loader's here-document holds its
# bucket and key. Downloaded with the instance role by python3 and the standard library
# (assets/payload/s3_get.py, put in place of @@S3_GET_PY@@), or by the aws CLI when there is
# no python3. The bootstrap checks its sha256 as for an inline payload.

# stdout: the binary payload.
lcc_fetch() {
  local bucket key
  read -r bucket key
  m "downloading the payload from s3://$bucket/$key" >&2
  if command -v python3 >/dev/null 2>&1; then
    python3 - "$bucket" "$key" <<'LCC_S3_GET'
@@S3_GET_PY@@
LCC_S3_GET
    return
  fi
  if command -v aws >/dev/null 2>&1; then
    m "python3 not found: downloading with the aws CLI" >&2
    local meta region=()
    meta=$(cat /opt/ml/metadata/resource-metadata.json 2>/dev/null) || meta=''
    if [[ $meta =~ arn:[^:\"]*:sagemaker:([^:\"]+): ]]; then region=(--region "${BASH_REMATCH[1]}"); fi
    aws s3 cp --only-show-errors ${region[@]+"${region[@]}"} "s3://$bucket/$key" -
    return
  fi
  m "ERROR: neither python3 nor the aws CLI is installed: cannot download the payload" >&2
  return 127
}
