"""payload="s3": the bundle as a CDK asset, downloaded by the on-start script with the instance
role (IMDSv2 credentials, SigV4 with the standard library) and checked against its sha256.

End to end against moto's S3 on 127.0.0.1 with its IAM checks on: the signature must be right
and the policy grant_read_payload writes must be enough, and no more than that one object."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from lcc_constructs import BuildOptions, LifecycleConfig, Scripts, build
from lcc_constructs.readback._script import inspect_path
from lcc_constructs.sandbox import SimulationResult, simulate

from .helpers import of_type, tree, write_folder
from .standins import imds

ACCOUNT, REGION = "123456789012", "us-east-1"
FILES = {"10-hello.sh": "#!/bin/bash\necho hello from s3\n", "big.txt": "x" * 40000,
         "lib/data.bin": bytes(range(256)) * 50}
TYPE = "AWS::SageMaker::NotebookInstanceLifecycleConfig"


def synth(tmp: Path, folder: Path, env: cdk.Environment | None, grant: bool = True) -> tuple[Path, Template]:
    app = cdk.App(outdir=str(tmp / "cdk.out"))
    stack = cdk.Stack(app, "Nb", env=env)
    lcc = LifecycleConfig(stack, "Lcc", on_start=folder, payload="s3")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    if grant:
        lcc.grant_read_payload(role)
    app.synth()
    return tmp / "cdk.out", Template.from_stack(stack)


def resolve(value: Any) -> Any:
    """The few intrinsics of our IAM policy, as CloudFormation resolves them in the aws partition."""
    if isinstance(value, dict) and "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return sep.join(resolve(p) for p in parts)
    if value == {"Ref": "AWS::Partition"}:
        return "aws"
    if isinstance(value, dict):
        return {k: resolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v) for v in value]
    return value


def content_of(template: Template) -> Any:
    (resource,) = of_type(template, TYPE).values()
    return resource["Properties"]["OnStart"][0]["Content"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_folder(tmp_path_factory.mktemp("s3") / "scripts", FILES)


def test_the_grant_is_get_object_on_that_object_only(folder: Path, tmp_path: Path) -> None:
    out, template = synth(tmp_path, folder, cdk.Environment(account=ACCOUNT, region=REGION))
    (policy,) = template.find_resources("AWS::IAM::Policy").values()
    (asset,) = out.glob("asset.*.lcc")
    key = asset.name[len("asset."):]
    assert resolve(policy["Properties"]["PolicyDocument"]["Statement"]) == [{
        "Action": "s3:GetObject", "Effect": "Allow",
        "Resource": f"arn:aws:s3:::cdk-hnb659fds-assets-{ACCOUNT}-{REGION}/{key}"}]
    text = base64.b64decode(content_of(template)).decode()
    assert f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION} {key}\n" in text
    assert len(text) < 12288 and len(asset.read_bytes()) > 1000


def test_an_environment_agnostic_stack_gets_the_bucket_from_cloudformation(folder: Path,
                                                                           tmp_path: Path) -> None:
    out, template = synth(tmp_path, folder, None)
    content = content_of(template)
    parts = content["Fn::Base64"]["Fn::Join"][1]
    assert {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"} in parts
    (found,) = inspect_path(out)  # lcc inspect reads the payload from the assembly's asset
    assert found.report.codec.endswith("+s3")
    assert {p: d for p, (_, d) in found.files.items()} == {p: d for p, (_, d) in tree(folder).items()}


def test_inline_has_nothing_to_grant(folder: Path, tmp_path: Path) -> None:
    stack = cdk.Stack(cdk.App(), "S")
    small = write_folder(tmp_path / "small", {"a.sh": "echo\n"})
    lcc = LifecycleConfig(stack, "L", on_start=small)
    role = iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    assert not lcc.grant_read_payload(role).success
    Template.from_stack(stack).resource_count_is("AWS::IAM::Policy", 0)


def test_the_oversize_error_offers_minify_and_s3(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n" + "# comment\n" * 100, "big": os.urandom(12000)})
    with pytest.raises(ValueError, match=r"payload='s3' stores the bundle as an S3 object \(up to 256 MiB of "
                                         r"files\) \(then the script takes about \d+ characters\)") as e:
        build(Scripts.from_folder(folder))
    assert re.search(r"minify=True \(lcc --minify\) drops comments and indentation \(then \d+ characters\)",
                     str(e.value))
    assert build(Scripts.from_folder(folder), BuildOptions(payload="s3")).report.fits


# --- end to end: the synthesized script in the sandbox, against moto's S3 ---

@pytest.fixture(scope="module")
def aws(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import boto3
    from moto import server as moto_server
    from moto import settings

    tmp = tmp_path_factory.mktemp("e2e")
    out, template = synth(tmp, folder, cdk.Environment(account=ACCOUNT, region=REGION))
    (asset,) = out.glob("asset.*.lcc")
    bucket, key = f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION}", asset.name[len("asset."):]
    (policy,) = template.find_resources("AWS::IAM::Policy").values()

    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    url = "http://{}:{}".format(*server.get_host_and_port())
    kw: dict[str, Any] = {"endpoint_url": url, "region_name": REGION,
                          "aws_access_key_id": "setup", "aws_secret_access_key": "setup"}
    s3, iam_client, sts = (boto3.client(name, **kw) for name in ("s3", "iam", "sts"))
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=key, Body=asset.read_bytes())
    s3.put_object(Bucket=bucket, Key="other.lcc", Body=asset.read_bytes())
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    iam_client.create_role(RoleName="notebook", AssumeRolePolicyDocument=json.dumps(trust))
    iam_client.put_role_policy(RoleName="notebook", PolicyName="payload",
                               PolicyDocument=json.dumps(resolve(policy["Properties"]["PolicyDocument"])))
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/notebook",
                            RoleSessionName="notebook-instance")["Credentials"]
    metadata = imds.serve("notebook", {"AccessKeyId": creds["AccessKeyId"],
                                       "SecretAccessKey": creds["SecretAccessKey"],
                                       "Token": creds["SessionToken"]}, REGION)
    meta_file = tmp / "resource-metadata.json"
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/nb"
    meta_file.write_text(json.dumps({"ResourceArn": arn, "ResourceName": "nb"}))
    before = settings.INITIAL_NO_AUTH_ACTION_COUNT
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0  # from now on moto checks signatures and policies
    try:
        yield {"url": url, "imds": metadata, "s3": s3, "bucket": bucket, "key": key, "asset": asset,
               "script": base64.b64decode(content_of(template)).decode(), "meta": meta_file, "tmp": tmp}
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = before
        metadata.stop()
        server.stop()


def run(aws: dict[str, Any], text: str, tmp_path: Path, files: dict[str, Path] | None = None,
        **kwargs: Any) -> SimulationResult:
    script = tmp_path / "on-start.sh"
    script.write_text(text)
    script.chmod(0o755)
    env = {"AWS_EC2_METADATA_SERVICE_ENDPOINT": aws["imds"].url, "AWS_ENDPOINT_URL_S3": aws["url"]}
    return simulate(script, env=env, keep=tmp_path / "keep",
                    volume=kwargs.pop("volume", tmp_path / "volume"),
                    files={"/opt/ml/metadata/resource-metadata.json": aws["meta"], **(files or {})},
                    **kwargs)


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_the_script_downloads_checks_and_runs_the_payload(aws: dict[str, Any], folder: Path,
                                                          tmp_path: Path) -> None:
    result = run(aws, aws["script"], tmp_path)
    out = result.last.output
    assert not result.would_fail, out
    assert f"downloading the payload from s3://{aws['bucket']}/{aws['key']}" in out
    assert "hello from s3" in result.last.step("10-hello").log
    assert tree(tmp_path / "keep" / "startup" / "on-start" / "scripts") == tree(folder)
    assert "PUT /latest/api/token" in aws["imds"].requests
    assert "GET /latest/meta-data/iam/security-credentials/notebook" in aws["imds"].requests


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_another_object_is_denied(aws: dict[str, Any], tmp_path: Path) -> None:
    text = aws["script"].replace(f" {aws['key']}\n", " other.lcc\n")
    run_ = run(aws, text, tmp_path).last
    assert run_.exit_code == 0 and not run_.steps  # nothing required: the start goes on
    assert "HTTP 403" in run_.output and "AccessDenied" in run_.output
    assert "the payload cannot be used, no step ran" in run_.output


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_a_replaced_object_fails_the_sha256_check(aws: dict[str, Any], tmp_path: Path) -> None:
    replace_object(aws, b"tampered")
    try:
        run_ = run(aws, aws["script"], tmp_path).last
        assert "the payload cannot be used, no step ran" in run_.output and not run_.steps
    finally:
        replace_object(aws, aws["asset"].read_bytes())


def replace_object(aws: dict[str, Any], body: bytes) -> None:
    """The payload's object replaced, as its owner (moto checks the role's requests only)."""
    from moto import settings

    settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
    try:
        aws["s3"].put_object(Bucket=aws["bucket"], Key=aws["key"], Body=body)
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0


def test_a_script_for_s3_wants_a_location(folder: Path) -> None:
    rendered = build(Scripts.from_folder(folder), BuildOptions(payload="s3"))
    assert rendered.payload is not None
    located = rendered.with_location("my-bucket", "path/to/x.lcc")
    assert "my-bucket path/to/x.lcc\n" in located.text
    assert located.report.encoded_chars == len(located.content)
    with pytest.raises(ValueError, match="are not an S3 location this script can use"):
        rendered.with_location("Bad_Bucket", "k")
    with pytest.raises(ValueError, match="only a script built with payload='s3'"):
        build(Scripts.from_folder(folder)).with_location("my-bucket", "k")
    assert located.text.startswith("#!/bin/bash\n")


def test_synth_writes_only_into_the_cloud_assembly(folder: Path, tmp_path: Path) -> None:
    # A build image with no writable home (here: a home below a file, which not even root can
    # create): the payload goes through the assembly, and synth works. (jsii keeps a package
    # cache in the home unless told where: that one is jsii's own, pointed at the usual one.)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent.parent)!r})\n"
            "import json; from pathlib import Path\nfrom tests.test_s3_payload import synth\n"
            f"out, _ = synth(Path({str(tmp_path)!r}), Path({str(folder)!r}), None)\n"
            "print(json.dumps(sorted(p.name for p in out.iterdir())))")
    env = {k: v for k, v in os.environ.items() if k != "XDG_CACHE_HOME"}
    jsii_cache = os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT",
                                str(Path.home() / ".cache" / "aws" / "jsii" / "package-cache"))
    env.update(HOME=str(blocker / "home"), JSII_RUNTIME_PACKAGE_CACHE_ROOT=jsii_cache)
    proc = subprocess.run([sys.executable, "-c", code], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert any(name.startswith("asset.") and name.endswith(".lcc") for name in json.loads(proc.stdout))


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_a_studio_script_downloads_its_payload_with_the_container_credentials(aws: dict[str, Any],
                                                                              folder: Path,
                                                                              tmp_path: Path) -> None:
    # On Studio there is no instance metadata service: the execution role's credentials come
    # from the container credentials endpoint, and the script runs as sagemaker-user.
    rendered = build(Scripts.from_folder(folder), BuildOptions(platform="studio", payload="s3"))
    assert rendered.payload is not None
    replace_object(aws, rendered.payload)
    try:
        script = tmp_path / "studio.sh"
        script.write_text(rendered.with_location(aws["bucket"], aws["key"]).text)
        before = len(aws["imds"].requests)
        result = simulate(script, platform="studio", volume=tmp_path / "home", env={
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer t",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": aws["imds"].url + "/v2/credentials/space",
            "AWS_ENDPOINT_URL_S3": aws["url"]})
    finally:
        replace_object(aws, aws["asset"].read_bytes())
    assert not result.would_fail, result.last.output
    assert "hello from s3" in result.last.step("10-hello").log
    assert result.last.step("10-hello").user == "sagemaker-user"
    assert aws["imds"].requests[before:] == ["GET /v2/credentials/space", "Authorization: Bearer t"]
