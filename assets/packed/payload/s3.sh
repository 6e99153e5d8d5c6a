#!/bin/bash
{
read -r b k
echo "lcc-constructs: downloading the payload from s3://$b/$k" >&2
if command -v python3 >/dev/null;then
python3 - "$b" "$k" <<'P'
@@S3_GET_PY@@
P
elif command -v aws >/dev/null;then
echo "lcc-constructs: python3 not found: downloading with the aws CLI" >&2
r=$(grep -o 'arn:[^:"]*:sagemaker:[^:"]*' /opt/ml/metadata/resource-metadata.json 2>/dev/null)||r=
aws s3 cp --only-show-errors ${r:+--region "${r##*:}"} "s3://$b/$k" -
else
echo "lcc-constructs: neither python3 nor the aws CLI is installed: cannot download the payload" >&2
false
fi
}
