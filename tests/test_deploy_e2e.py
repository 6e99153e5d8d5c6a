"""End to end: `cdk deploy` of the example app with the pinned CDK CLI against moto's server,
its lifecycle configuration read back through the SageMaker API, its on-start run in the
sandbox (autostop scheduled by a systemd timer), then what that timer runs, run in the sandbox
against a real Jupyter server: the deployed instance ends up Stopped."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from lcc_constructs.sandbox import availability, simulate

from .conftest import ROOT, cdk_cli, require
from .helpers import assert_ran_as_planned, standins, who_hook
from .servers import FAKE_AWS, Jupyter, Moto, last_activity_age, wait_until

pytestmark = [pytest.mark.cdk_cli, pytest.mark.sandbox]


@pytest.fixture(scope="module")
def deployed(moto: Moto, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Deploys the example app; returns the physical ids of its resources by type."""
    cdk = cdk_cli()
    out = tmp_path_factory.mktemp("deploy") / "cdk.out"
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(out.parent),
           "CDK_DISABLE_CLI_TELEMETRY": "true", **moto.env}
    proc = subprocess.run(
        [cdk, "deploy", "--require-approval", "never", "--no-notices", "--output", str(out),
         "-c", "bootstrapless=true", "LccExample"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    resources = moto.client("cloudformation").describe_stack_resources(StackName="LccExample")
    # (moto leaves some, such as security group ingress rules, without a physical id)
    return {r["ResourceType"]: r.get("PhysicalResourceId", "") for r in resources["StackResources"]}


#: Where the sandbox shows this virtualenv's libraries (boto3), read-only.
SITE = "/opt/lcc-test-site-packages"


def python_with_boto3(tmp_path: Path) -> Path:
    """Stand-in for the instance's JupyterSystemEnv python: the machine's python3 with this
    environment's boto3, bound at SITE (the sandbox's ec2-user cannot run the virtualenv's own
    Python, which may live under /root or /tmp)."""
    wrapper = tmp_path / "python"
    wrapper.write_text(f'#!/bin/bash\nPYTHONPATH={SITE} exec /usr/bin/python3 "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


def test_deployed_example_stops_itself_when_idle(moto: Moto, deployed: dict[str, str],
                                                 tmp_path: Path) -> None:
    require(availability() is None, f"sandbox unavailable: {availability()}")
    require(Path("/usr/bin/python3").exists() and shutil.which("openssl") is not None,
            "needs /usr/bin/python3 and openssl")
    sagemaker = moto.client()
    # The deployed lifecycle configuration, read back through the SageMaker API.
    config_name = deployed["AWS::SageMaker::NotebookInstanceLifecycleConfig"].split("/")[-1]
    config = sagemaker.describe_notebook_instance_lifecycle_config(
        NotebookInstanceLifecycleConfigName=config_name)
    script = tmp_path / "on-start.sh"
    script.write_bytes(base64.b64decode(config["OnStart"][0]["Content"]))
    notebook_arn = deployed["AWS::SageMaker::NotebookInstance"]
    name = notebook_arn.split("/")[-1]
    assert moto.status(name) == "InService"
    # The deployed policy: exactly autostop's two actions on this instance's ARN.
    iam = moto.client("iam")
    policy_arn = deployed["AWS::IAM::ManagedPolicy"]
    version = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=policy_arn, VersionId=version)["PolicyVersion"]["Document"]
    assert document["Statement"] == [{"Effect": "Allow", "Resource": notebook_arn, "Action": [
        "sagemaker:DescribeNotebookInstance", "sagemaker:StopNotebookInstance"]}]

    # Its on-start, in the sandbox, with systemd (the systemctl stand-in).
    keep = tmp_path / "keep"
    result = simulate(script, keep=keep, volume=tmp_path / "volume",
                      files={**standins(tmp_path, "systemctl"), **who_hook(tmp_path)})
    assert not result.would_fail, result.format() + result.last.output
    assert_ran_as_planned(result.last)
    step = result.last.step("autostop")
    assert step.status == "ok" and "systemd timer lcc-autostop.timer, every 5 minutes" in step.log
    timer = (keep / "etc/systemd/system/lcc-autostop.timer").read_text()
    assert "OnUnitActiveSec=5min" in timer
    service = (keep / "etc/systemd/system/lcc-autostop.service").read_text()
    exec_start = re.search(r"^ExecStart=(.+)$", service, re.MULTILINE)
    assert exec_start

    # A real Jupyter server whose only kernel has been idle longer than the idle time.
    jupyter = Jupyter(tmp_path / "jupyter")
    try:
        jupyter.idle_kernel("print('analysis done')")
        # Jupyter quiet for 2 s, as /api/status says (asking it is no activity).
        wait_until(lambda: last_activity_age(jupyter.api("GET", "/api/status")) > 2, 60, "Jupyter quiet 2s")

        # What the timer runs, in a sandbox holding what the on-start installed, with the
        # instance's metadata naming the deployed instance and an AWS config pointing at moto.
        metadata = tmp_path / "resource-metadata.json"
        metadata.write_text(json.dumps({"ResourceArn": notebook_arn.lower(), "ResourceName": name}))
        aws = tmp_path / "aws"
        aws.mkdir()
        (aws / "config").write_text(f"[default]\nregion = {FAKE_AWS['AWS_REGION']}\n"
                                    f"endpoint_url = {moto.url}\n")
        (aws / "credentials").write_text("[default]\naws_access_key_id = testing\n"
                                         "aws_secret_access_key = testing\n")
        check = tmp_path / "timer-runs.sh"
        check.write_text(f"#!/bin/bash\n{exec_start.group(1)} jupyter_url={jupyter.url} idle_minutes=0.02\n")
        ran = simulate(check, volume=tmp_path / "volume", files={
            "/opt/lcc-autostop": keep / "opt/lcc-autostop",
            "/opt/ml/metadata/resource-metadata.json": metadata,
            "/home/ec2-user/.aws": aws,
            "/home/ec2-user/anaconda3/envs/JupyterSystemEnv/bin/python": python_with_boto3(tmp_path),
        }, binds={SITE: sysconfig.get_paths()["purelib"]})
    finally:
        jupyter.close()
    output = ran.last.output
    assert f": stopping {name} (exit 0)" in output, output
    assert moto.status(name) == "Stopped"
    # The decision is kept on the persistent volume, in the notebook user's log.
    assert "stopping" in (tmp_path / "volume" / ".autostop.log").read_text()
