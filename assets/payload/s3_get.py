"""Download one S3 object with the instance's credentials: the standard library only.

The decoder of a script built with payload="s3": a piece of the loader's Python
(assets/loader.sh, assets/codecs/README.md) whose last line gives the object's bytes, from the
bucket and key that the here-document holds ("BUCKET KEY"). It runs as root (on Studio, as
sagemaker-user). The system python3
(3.9 on Amazon Linux 2023) has no boto3, so this signs the request itself (Signature Version 4).
On failure it says why on stderr and raises: the loader then says no step ran.

Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN when set; else, in a
container (a Studio space), the execution role's from the container credentials endpoint
(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI below 169.254.170.2, else
AWS_CONTAINER_CREDENTIALS_FULL_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN when set, as boto3
reads them); else the instance role's, from the instance metadata service (IMDSv2). Region: AWS_REGION or
AWS_DEFAULT_REGION, else the notebook's ARN in /opt/ml/metadata/resource-metadata.json, else
the metadata service. The endpoint is the region's S3 endpoint unless AWS_ENDPOINT_URL_S3 or
AWS_ENDPOINT_URL names another (then addressed path-style), and the metadata service is at
AWS_EC2_METADATA_SERVICE_ENDPOINT when that is set: the names boto3 reads.
"""

import datetime
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

METADATA_FILE = "/opt/ml/metadata/resource-metadata.json"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
ATTEMPTS = 4


def fail(message):
    sys.stderr.write("s3 payload: " + message + "\n")
    raise RuntimeError(message)


def fetch(url, headers, method="GET"):
    # Never through a proxy: the metadata services answer on the machine's own link.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(urllib.request.Request(url, headers=headers, method=method), timeout=5) as response:
        return response.read().decode()


def imds(path, token=None, method="GET"):
    base = os.environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254").rstrip("/")
    headers = {"X-aws-ec2-metadata-token": token} if token else {
        "X-aws-ec2-metadata-token-ttl-seconds": "300"}
    return fetch(base + path, headers, method)


def credentials():
    env = os.environ
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        return env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env.get("AWS_SESSION_TOKEN")
    relative = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    if relative or full:
        auth = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        url = "http://169.254.170.2" + relative if relative else full
        creds = json.loads(fetch(url, {"Authorization": auth} if auth else {}))
    else:
        token = imds("/latest/api/token", method="PUT")
        role = imds("/latest/meta-data/iam/security-credentials/", token).split()[0]
        creds = json.loads(imds("/latest/meta-data/iam/security-credentials/" + role, token))
    return creds["AccessKeyId"], creds["SecretAccessKey"], creds.get("Token")


def region():
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(name):
            return os.environ[name]
    try:
        with open(METADATA_FILE) as f:
            return json.load(f)["ResourceArn"].split(":")[3]
    except (OSError, ValueError, KeyError, IndexError):
        token = imds("/latest/api/token", method="PUT")
        return imds("/latest/meta-data/placement/region", token)


def url_of(bucket, key, region_name):
    path_key = urllib.parse.quote(key, safe="/~")
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        return endpoint.rstrip("/") + "/" + bucket + "/" + path_key
    suffix = ".amazonaws.com.cn" if region_name.startswith("cn-") else ".amazonaws.com"
    return "https://" + bucket + ".s3." + region_name + suffix + "/" + path_key


def _hmac(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signed_headers(url, region_name, access_key, secret_key, session_token, now):
    parts = urllib.parse.urlsplit(url)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    headers = {"host": parts.netloc, "x-amz-content-sha256": EMPTY_SHA256, "x-amz-date": stamp}
    if session_token:
        headers["x-amz-security-token"] = session_token
    names = ";".join(sorted(headers))
    canonical = "\n".join([
        "GET", parts.path or "/", "",
        "".join(k + ":" + headers[k].strip() + "\n" for k in sorted(headers)),
        names, EMPTY_SHA256,
    ])
    scope = day + "/" + region_name + "/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret_key).encode(), day), region_name), "s3"),
                "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = ("AWS4-HMAC-SHA256 Credential=" + access_key + "/" + scope
                                + ", SignedHeaders=" + names + ", Signature=" + signature)
    del headers["host"]
    return headers


def s3_object(bucket, key):
    sys.stderr.write("lcc-constructs: downloading the payload from s3://" + bucket + "/" + key + "\n")
    try:
        region_name = region()
        access_key, secret_key, session_token = credentials()
    except (OSError, ValueError, KeyError, IndexError) as e:
        fail("no credentials or region for this instance ({}): is an instance role attached?".format(e))
    url = url_of(bucket, key, region_name)
    for attempt in range(1, ATTEMPTS + 1):
        now = datetime.datetime.now(datetime.timezone.utc)
        headers = signed_headers(url, region_name, access_key, secret_key, session_token, now)
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
                return r.read()
        except urllib.error.HTTPError as e:
            detail = e.read()[:300].decode("utf-8", "replace")
            if e.code < 500 or attempt == ATTEMPTS:
                fail("GET s3://{}/{} failed: HTTP {} {}".format(bucket, key, e.code, detail))
        except (urllib.error.URLError, OSError) as e:
            if attempt == ATTEMPTS:
                fail("GET s3://{}/{} failed: {}".format(bucket, key, e))
        time.sleep(2 ** attempt)



s3_object(*input().split())
