#!/bin/bash
# Payload "s3": the bundle is an S3 object (a CDK asset) and the loader's here-document holds
# its bucket and key; this takes the place of the decoder. python3 downloads it with the
# instance role and the standard library (assets/payload/s3_get.py, put in place of
# @@S3_GET_PY@@); without python3, the aws CLI does. The loader checks its sha256 as for an
# inline payload. Messages go to stderr: stdout is the payload.
{
  read -r b k
  echo "lcc-constructs: downloading the payload from s3://$b/$k" >&2
  if command -v python3 >/dev/null; then
    python3 - "$b" "$k" <<'P'
@@S3_GET_PY@@
P
  elif command -v aws >/dev/null; then
    echo "lcc-constructs: python3 not found: downloading with the aws CLI" >&2
    r=$(grep -o 'arn:[^:"]*:sagemaker:[^:"]*' /opt/ml/metadata/resource-metadata.json 2>/dev/null) || r=
    aws s3 cp --only-show-errors ${r:+--region "${r##*:}"} "s3://$b/$k" -
  else
    echo "lcc-constructs: neither python3 nor the aws CLI is installed: cannot download the payload" >&2
    false
  fi
}
