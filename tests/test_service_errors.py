"""The service commands' errors and AWS settings, against moto's server: --region, --profile
(config and credentials files in a temporary folder), AWS_ENDPOINT_URL; no credentials, wrong
credentials, access denied, throttling, an unreachable endpoint and unknown names each give
one clear line and exit 1 (no traceback); usage errors exit 2."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import boto3
import pytest

from .moto_ext_controls import fail_action
from .servers import Moto, free_port
from .service_helpers import aws_env, create_config, folder, lcc, unique


def one_clear_line(proc: subprocess.CompletedProcess[str], text: str) -> None:
    """Exit 1 with one error line (after the build's report, if there was a build)."""
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if not line.startswith("built ")]
    assert len(errors) == 1 and text in errors[0], proc.stderr


def test_region_option(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name = unique("west")
    boto3.client("sagemaker", endpoint_url=moto.url, region_name="us-west-2", aws_access_key_id="testing",
                 aws_secret_access_key="testing").create_notebook_instance_lifecycle_config(
        NotebookInstanceLifecycleConfigName=name, OnStart=[{"Content": "IyEvYmluL2Jhc2gK"}])
    missing = lcc(lcc_env, "pull", name, str(tmp_path / "a"))
    one_clear_line(missing, f"there is no lifecycle configuration named '{name}' in us-east-1")
    found = lcc(lcc_env, "pull", name, str(tmp_path / "a"), "--region", "us-west-2")
    assert found.returncode == 0, found.stderr
    assert (tmp_path / "a/on-start.sh").read_text() == "#!/bin/bash\n"


def test_aws_region_alone(moto: Moto, tmp_path: Path) -> None:
    # botocore reads only AWS_DEFAULT_REGION; lcc takes AWS_REGION first, as the docs say.
    name = unique("region")
    boto3.client("sagemaker", endpoint_url=moto.url, region_name="eu-central-1", aws_access_key_id="testing",
                 aws_secret_access_key="testing").create_notebook_instance_lifecycle_config(
        NotebookInstanceLifecycleConfigName=name, OnStart=[{"Content": "IyEvYmluL2Jhc2gK"}])
    alone = aws_env(moto, tmp_path, AWS_DEFAULT_REGION="", AWS_REGION="eu-central-1")
    found = lcc(alone, "pull", name, str(tmp_path / "a"))
    assert found.returncode == 0, found.stderr
    first = aws_env(moto, tmp_path, AWS_DEFAULT_REGION="us-east-1", AWS_REGION="eu-central-1")
    assert lcc(first, "pull", name, str(tmp_path / "b")).returncode == 0


def test_profile_from_the_config_and_credentials_files(moto: Moto, tmp_path: Path) -> None:
    name = unique("profile")
    boto3.client("sagemaker", endpoint_url=moto.url, region_name="eu-west-1", aws_access_key_id="testing",
                 aws_secret_access_key="testing").create_notebook_instance_lifecycle_config(
        NotebookInstanceLifecycleConfigName=name, OnStart=[{"Content": "IyEvYmluL2Jhc2gK"}])
    (tmp_path / "config").write_text("[profile team]\nregion = eu-west-1\n")
    (tmp_path / "credentials").write_text("[team]\naws_access_key_id = teamkey\n"
                                          "aws_secret_access_key = teamsecret\n")
    env = aws_env(moto, tmp_path, AWS_CONFIG_FILE=str(tmp_path / "config"),
                  AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"), AWS_ACCESS_KEY_ID="",
                  AWS_SECRET_ACCESS_KEY="", AWS_REGION="", AWS_DEFAULT_REGION="")
    found = lcc(env, "pull", name, str(tmp_path / "a"), "--profile", "team")
    assert found.returncode == 0, found.stderr
    one_clear_line(lcc(env, "pull", name, str(tmp_path / "b")), "no AWS region: give --region")
    unknown = lcc(env, "pull", name, str(tmp_path / "b"), "--profile", "nobody")
    one_clear_line(unknown, "The config profile (nobody) could not be found")
    assert "AWS_CONFIG_FILE" in unknown.stderr


def test_no_credentials(moto: Moto, tmp_path: Path) -> None:
    env = aws_env(moto, tmp_path, AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="")
    for args in (["pull", "any", str(tmp_path / "a")], ["deploy", "any", str(folder(tmp_path / "s"))],
                 ["logs", "any-notebook"]):
        one_clear_line(lcc(env, *args), "no AWS credentials found: set AWS_PROFILE or give --profile")


def test_wrong_credentials(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    # What AWS answers to keys it does not know (moto itself takes any).
    fail_action(moto.url, "DescribeNotebookInstanceLifecycleConfig", "UnrecognizedClientException",
                "The security token included in the request is invalid.")
    one_clear_line(lcc(lcc_env, "diff", "any", str(folder(tmp_path / "s"))),
                   "lcc diff: AWS refused DescribeNotebookInstanceLifecycleConfig: "
                   "UnrecognizedClientException: The security token included in the request is invalid. "
                   "(the credentials are not valid")


def test_access_denied(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name = unique("denied")
    assert lcc(lcc_env, "deploy", name, str(folder(tmp_path / "s"))).returncode == 0
    (tmp_path / "s/10-hello.sh").write_text("#!/bin/bash\necho other\n")
    fail_action(moto.url, "UpdateNotebookInstanceLifecycleConfig", "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
                "sagemaker:UpdateNotebookInstanceLifecycleConfig")
    one_clear_line(lcc(lcc_env, "deploy", name, str(tmp_path / "s")),
                   "lcc deploy: AWS refused UpdateNotebookInstanceLifecycleConfig: AccessDeniedException: "
                   "User: arn:aws:iam::123456789012:user/dev is not authorized")


def test_throttling_after_botocores_retries(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    env = {**lcc_env, "AWS_MAX_ATTEMPTS": "2", "AWS_RETRY_MODE": "standard"}
    name = unique("throttled")
    create_config(moto, name, on_start="#!/bin/bash\n")
    fail_action(moto.url, "DescribeNotebookInstanceLifecycleConfig", "ThrottlingException", "Rate exceeded")
    one_clear_line(lcc(env, "pull", name, str(tmp_path / "a")),
                   "AWS refused DescribeNotebookInstanceLifecycleConfig (2 attempts): ThrottlingException: "
                   "Rate exceeded (AWS is limiting the call rate")
    assert not (tmp_path / "a").exists()


def test_an_unreachable_endpoint(moto: Moto, tmp_path: Path) -> None:
    env = aws_env(moto, tmp_path, AWS_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
                  AWS_MAX_ATTEMPTS="1")
    proc = lcc(env, "logs", "any-notebook")
    one_clear_line(proc, "cannot reach AWS: Could not connect to the endpoint URL")


@pytest.mark.parametrize(("args", "message"), [
    (["deploy", "bad_name!", "."], "'bad_name!'"),
    (["deploy", "ok-name"], "give a scripts folder, --recipe, or --on-create FOLDER"),
    (["deploy", "ok-name", ".", "--poll", "0"], "--poll and --wait-timeout must be above 0"),
    (["deploy", "ok-name", ".", "--restart", "bad_name!"], "notebook instance name 'bad_name!' is not valid"),
    (["logs", "n" * 64], "is not valid"),
    (["pull", "ok-name", "same", "--on-create", "same"], "DIR and --on-create DIR must be two folders"),
    (["logs", "nb", "--follow", "--poll", "-1"], "--poll must be above 0"),
    (["diff", "ok-name"], "give a scripts folder, a script file or a cdk.out folder"),
])
def test_usage_errors_exit_2_before_any_call(args: list[str], message: str, tmp_path: Path) -> None:
    # No AWS settings at all: a usage error is found before anything would need them.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"}
    env.update({k: v for k, v in os.environ.items() if k == "PYTHONPATH"})  # this tree's package
    proc = lcc(env, *args)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_a_server_error_page_is_one_short_line(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    # moto's server answering a fault of its own: HTTP 500 and Werkzeug's HTML page.
    fail_action(moto.url, "DescribeNotebookInstanceLifecycleConfig", "unused", crash=True)
    proc = lcc({**lcc_env, "AWS_MAX_ATTEMPTS": "1"}, "pull", unique("x"), str(tmp_path / "a"))
    assert proc.returncode == 1
    assert proc.stderr == ("lcc pull: AWS failed DescribeNotebookInstanceLifecycleConfig: HTTP 500: 500 "
                           "Internal Server Error (a server error: try again later)\n")


def test_a_server_errors_message_is_escaped_and_cut(moto: Moto, lcc_env: dict[str, str],
                                                    tmp_path: Path) -> None:
    message = "overloaded \x1b]0;owned\x07\x1b[2J\nforged line\r" + "x" * 1000
    fail_action(moto.url, "DescribeNotebookInstanceLifecycleConfig", "ServiceUnavailable", message,
                status=503)
    proc = lcc({**lcc_env, "AWS_MAX_ATTEMPTS": "1"}, "pull", unique("x"), str(tmp_path / "a"))
    assert proc.returncode == 1
    head = "lcc pull: AWS failed DescribeNotebookInstanceLifecycleConfig: HTTP 503: ServiceUnavailable: "
    tail = " (a server error: try again later)\n"
    assert proc.stderr.startswith(head) and proc.stderr.endswith(tail), proc.stderr
    reason = proc.stderr[len(head):-len(tail)]
    # White space (the newline and carriage return too) collapsed, escape sequences escaped, cut.
    assert reason == ("overloaded \\x1b]0;owned\\x07\\x1b[2J forged line " + "x" * 1000)[:197] + "..."
