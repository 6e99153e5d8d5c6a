"""The SageMaker calls and test controls tests/moto_sagemaker_ext.py adds to moto's server, and
the CloudWatch Logs calls `lcc logs` needs (moto's own): boto3 against the server on 127.0.0.1
that the `moto` fixture starts, as the commands will use it."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.error
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, WaiterError

from .moto_ext_controls import clear_failures, fail_action, fail_next_start, transitions
from .servers import ACCOUNT, REGION, Moto
from .service_helpers import create_config, hook, script, unique


@pytest.fixture(autouse=True)
def no_failures_left(moto: Moto) -> Iterator[None]:
    yield
    clear_failures(moto.url)


def error(call: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return dict(raised.value.response["Error"])


def config(moto: Moto, on_start: str = "echo start", on_create: str | None = None) -> str:
    name = unique("lcc")
    create_config(moto, name, on_start=on_start, on_create=on_create)
    return name


def stopped_notebook(moto: Moto) -> str:
    name, _ = moto.notebook()
    moto.client().stop_notebook_instance(NotebookInstanceName=name)
    assert moto.status(name) == "Stopped"
    return name


# --- lifecycle configurations -------------------------------------------------------------

def test_updated_lifecycle_config_is_described_with_its_new_content(moto: Moto) -> None:
    sm = moto.client()
    name = config(moto, on_start="echo old start", on_create="echo create")
    before = sm.describe_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=name)
    time.sleep(0.01)
    sm.update_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=name,
                                                 OnStart=hook("echo new start"))
    after = sm.describe_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=name)
    assert script(after["OnStart"]) == "echo new start"
    assert script(after["OnCreate"]) == "echo create"  # a hook left out is kept
    assert after["LastModifiedTime"] > before["LastModifiedTime"]
    assert after["CreationTime"] == before["CreationTime"]
    sm.update_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=name,
                                                 OnCreate=hook("echo new create"), OnStart=hook("x"))
    after = sm.describe_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=name)
    assert (script(after["OnCreate"]), script(after["OnStart"])) == ("echo new create", "x")


def test_updating_a_missing_lifecycle_config_is_refused(moto: Moto) -> None:
    err = error(moto.client().update_notebook_instance_lifecycle_config,
                NotebookInstanceLifecycleConfigName="no-such-config", OnStart=hook("x"))
    assert err["Code"] == "ValidationException"
    assert "no-such-config'. (Details: Notebook Instance Lifecycle Config does not exist.)" in err["Message"]


def test_scripts_over_16384_characters_are_refused(moto: Moto) -> None:
    sm = moto.client()
    too_long = [{"Content": "A" * 16385}]
    err = error(sm.create_notebook_instance_lifecycle_config,
                NotebookInstanceLifecycleConfigName=unique("big"), OnStart=too_long)
    assert err["Code"] == "ValidationException" and "onStart.1.member.content" in err["Message"]
    name = config(moto)
    err = error(sm.update_notebook_instance_lifecycle_config,
                NotebookInstanceLifecycleConfigName=name, OnCreate=too_long)
    assert "less than or equal to 16384" in err["Message"]
    sm.update_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=name,
                                                 OnStart=[{"Content": "A" * 16384}])


def test_lifecycle_configs_are_listed(moto: Moto) -> None:
    sm = moto.client()
    prefix = unique("list")
    names = [f"{prefix}-{i}" for i in range(3)]
    for name in names:
        sm.create_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=name,
                                                     OnStart=hook(name))
    listed = sm.list_notebook_instance_lifecycle_configs(
        NameContains=prefix)["NotebookInstanceLifecycleConfigs"]
    assert [c["NotebookInstanceLifecycleConfigName"] for c in listed] == names[::-1]  # newest first
    assert listed[0]["NotebookInstanceLifecycleConfigArn"] == (
        f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:notebook-instance-lifecycle-config/{names[2]}")
    assert {"CreationTime", "LastModifiedTime"} <= set(listed[0])
    pages = sm.get_paginator("list_notebook_instance_lifecycle_configs").paginate(
        NameContains=prefix, SortBy="Name", SortOrder="Ascending", PaginationConfig={"PageSize": 2})
    seen = [[c["NotebookInstanceLifecycleConfigName"] for c in p["NotebookInstanceLifecycleConfigs"]]
            for p in pages]
    assert seen == [names[:2], names[2:]]


# --- notebook instances -------------------------------------------------------------------

def test_update_notebook_instance_is_refused_unless_stopped(moto: Moto) -> None:
    sm = moto.client()
    lcc = config(moto)
    name, arn = moto.notebook()
    err = error(sm.update_notebook_instance, NotebookInstanceName=name, LifecycleConfigName=lcc)
    assert err["Code"] == "ValidationException"
    assert err["Message"] == (f"Status (InService) not in ([Stopped]). Unable to transition to "
                              f"(Updating) for Notebook Instance ({arn}).")
    sm.stop_notebook_instance(NotebookInstanceName=name)
    sm.update_notebook_instance(NotebookInstanceName=name, LifecycleConfigName=lcc,
                                InstanceType="ml.t3.large", VolumeSizeInGB=20)
    described = sm.describe_notebook_instance(NotebookInstanceName=name)
    assert described["NotebookInstanceLifecycleConfigName"] == lcc
    assert (described["InstanceType"], described["VolumeSizeInGB"]) == ("ml.t3.large", 20)
    assert described["NotebookInstanceStatus"] == "Stopped"
    sm.update_notebook_instance(NotebookInstanceName=name, DisassociateLifecycleConfig=True)
    described = sm.describe_notebook_instance(NotebookInstanceName=name)
    assert "NotebookInstanceLifecycleConfigName" not in described


def test_update_notebook_instance_refuses_what_it_cannot_do(moto: Moto) -> None:
    sm = moto.client()
    name = stopped_notebook(moto)
    err = error(sm.update_notebook_instance, NotebookInstanceName=name, LifecycleConfigName="no-such-config")
    assert "no-such-config'. (Details: Notebook Instance Lifecycle Config does not exist.)" in err["Message"]
    err = error(sm.update_notebook_instance, NotebookInstanceName=name, LifecycleConfigName=config(moto),
                DisassociateLifecycleConfig=True)
    assert err["Code"] == "ValidationException"
    err = error(sm.update_notebook_instance, NotebookInstanceName=name, DefaultCodeRepository="repo")
    assert "does not apply ['DefaultCodeRepository']" in err["Message"]
    err = error(sm.update_notebook_instance, NotebookInstanceName="no-such-instance",
                RootAccess="Disabled")
    assert err["Message"] == "RecordNotFound"


def test_by_default_statuses_change_at_once(moto: Moto) -> None:
    # What test_autostop_checker.py and test_deploy_e2e.py rely on.
    sm = moto.client()
    name, _ = moto.notebook()
    assert moto.status(name) == "InService"
    sm.stop_notebook_instance(NotebookInstanceName=name)
    assert moto.status(name) == "Stopped"
    sm.start_notebook_instance(NotebookInstanceName=name)
    assert moto.status(name) == "InService"


def test_a_start_goes_pending_then_in_service(moto: Moto) -> None:
    sm = moto.client()
    name, _ = moto.notebook()
    transitions(moto.url, name, describes=1)
    sm.stop_notebook_instance(NotebookInstanceName=name)
    assert [moto.status(name) for _ in range(3)] == ["Stopping", "Stopped", "Stopped"]
    sm.start_notebook_instance(NotebookInstanceName=name)
    assert [moto.status(name) for _ in range(3)] == ["Pending", "InService", "InService"]
    transitions(moto.url, name, describes=2)
    sm.stop_notebook_instance(NotebookInstanceName=name)
    assert [moto.status(name) for _ in range(3)] == ["Stopping", "Stopping", "Stopped"]
    # boto3's own waiter, polling, sees it through.
    sm.start_notebook_instance(NotebookInstanceName=name)
    sm.get_waiter("notebook_instance_in_service").wait(
        NotebookInstanceName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    assert moto.status(name) == "InService"


def test_a_start_made_to_fail_ends_failed_with_the_reason(moto: Moto) -> None:
    sm = moto.client()
    name = stopped_notebook(moto)
    reason = ("Notebook Instance Lifecycle Config 'arn:x' for Notebook Instance 'arn:y' took longer "
              "than 5 minutes.")
    fail_next_start(moto.url, name, reason)
    transitions(moto.url, name, describes=1)
    sm.start_notebook_instance(NotebookInstanceName=name)
    first = sm.describe_notebook_instance(NotebookInstanceName=name)
    assert first["NotebookInstanceStatus"] == "Pending" and "FailureReason" not in first
    with pytest.raises(WaiterError) as waited:
        sm.get_waiter("notebook_instance_in_service").wait(
            NotebookInstanceName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    assert "Failed" in str(waited.value)
    failed = sm.describe_notebook_instance(NotebookInstanceName=name)
    assert (failed["NotebookInstanceStatus"], failed["FailureReason"]) == ("Failed", reason)
    # Only the next start: a Failed instance starts again, and this time it works.
    sm.start_notebook_instance(NotebookInstanceName=name)
    assert [moto.status(name) for _ in range(2)] == ["Pending", "InService"]
    assert "FailureReason" not in sm.describe_notebook_instance(NotebookInstanceName=name)


def test_with_transitions_start_and_stop_need_the_statuses_aws_needs(moto: Moto) -> None:
    sm = moto.client()
    name, arn = moto.notebook()
    transitions(moto.url, name, describes=1)
    err = error(sm.start_notebook_instance, NotebookInstanceName=name)
    assert err["Message"] == (f"Status (InService) not in ([Stopped, Failed]). Unable to transition "
                              f"to (Pending) for Notebook Instance ({arn}).")
    sm.stop_notebook_instance(NotebookInstanceName=name)
    err = error(sm.stop_notebook_instance, NotebookInstanceName=name)  # still Stopping
    assert err["Message"].startswith(
        "Status (Stopping) not in ([InService]). Unable to transition to (Stopping)")
    assert moto.status(name) == "Stopping"
    assert moto.status(name) == "Stopped"
    sm.update_notebook_instance(NotebookInstanceName=name, RootAccess="Disabled")
    assert [moto.status(name) for _ in range(2)] == ["Updating", "Stopped"]


def test_a_failed_start_without_transitions_is_failed_at_once(moto: Moto) -> None:
    name = stopped_notebook(moto)
    fail_next_start(moto.url, name, "boom")
    moto.client().start_notebook_instance(NotebookInstanceName=name)
    assert moto.status(name) == "Failed"


def test_controls_answer_404_for_an_unknown_instance(moto: Moto) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        fail_next_start(moto.url, "no-such-instance", "boom")
    assert raised.value.code == 404


def test_cloudformation_notebook_keeps_its_lifecycle_config_name(moto: Moto) -> None:
    template = {"Resources": {
        "Lcc": {"Type": "AWS::SageMaker::NotebookInstanceLifecycleConfig",
                "Properties": {"OnStart": hook("echo from cfn")}},
        "Nb": {"Type": "AWS::SageMaker::NotebookInstance", "Properties": {
            "InstanceType": "ml.t3.medium", "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/notebook",
            "LifecycleConfigName": {"Fn::GetAtt": ["Lcc", "NotebookInstanceLifecycleConfigName"]}}}}}
    stack = unique("Stack")
    cfn = moto.client("cloudformation")
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template))
    ids = {r["LogicalResourceId"]: r["PhysicalResourceId"]
           for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]}
    described = moto.client().describe_notebook_instance(NotebookInstanceName=ids["Nb"].split("/")[-1])
    assert described["NotebookInstanceLifecycleConfigName"] == ids["Lcc"].split("/")[-1]


# --- one action failing -------------------------------------------------------------------

def without_retries(moto: Moto) -> Any:
    """A SageMaker client that makes each call once (botocore retries throttling by default)."""
    return boto3.client("sagemaker", endpoint_url=moto.url, region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"mode": "standard", "max_attempts": 1}))


def test_describe_fails_while_stop_works(moto: Moto) -> None:
    sm = without_retries(moto)
    name, _ = moto.notebook()
    fail_action(moto.url, "DescribeNotebookInstance", "AccessDeniedException",
                f"User: arn:aws:sts::{ACCOUNT}:assumed-role/x is not authorized to perform: "
                "sagemaker:DescribeNotebookInstance")
    err = error(sm.describe_notebook_instance, NotebookInstanceName=name)
    assert err["Code"] == "AccessDeniedException" and "is not authorized" in err["Message"]
    sm.stop_notebook_instance(NotebookInstanceName=name)
    assert error(sm.describe_notebook_instance, NotebookInstanceName=name)["Code"] == "AccessDeniedException"
    clear_failures(moto.url)
    assert moto.status(name) == "Stopped"


def test_stop_fails_while_describe_works(moto: Moto) -> None:
    sm = without_retries(moto)
    name, _ = moto.notebook()
    fail_action(moto.url, "StopNotebookInstance", "ThrottlingException", "Rate exceeded")
    err = error(sm.stop_notebook_instance, NotebookInstanceName=name)
    assert (err["Code"], err["Message"]) == ("ThrottlingException", "Rate exceeded")
    assert sm.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceStatus"] == "InService"
    clear_failures(moto.url)
    sm.stop_notebook_instance(NotebookInstanceName=name)
    assert moto.status(name) == "Stopped"


def test_a_crash_answers_500_with_an_html_page(moto: Moto) -> None:
    sm = without_retries(moto)
    name, _ = moto.notebook()
    fail_action(moto.url, "DescribeNotebookInstance", "unused", crash=True)
    with pytest.raises(ClientError) as raised:
        sm.describe_notebook_instance(NotebookInstanceName=name)
    answer = raised.value.response
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert answer["Error"]["Code"] == "500"  # botocore's, when the answer holds no AWS error
    assert "<title>500 Internal Server Error</title>" in answer["Error"]["Message"]
    sm.stop_notebook_instance(NotebookInstanceName=name)  # another action works


def test_a_failure_for_a_number_of_calls_is_retried_through_by_botocore(moto: Moto) -> None:
    name, _ = moto.notebook()
    fail_action(moto.url, "DescribeNotebookInstance", "ThrottlingException", "Rate exceeded", times=1)
    described = moto.client().describe_notebook_instance(NotebookInstanceName=name)
    assert described["ResponseMetadata"]["RetryAttempts"] == 1
    assert described["NotebookInstanceStatus"] == "InService"


# --- CloudWatch Logs (moto's own) ---------------------------------------------------------

GROUP = "/aws/sagemaker/NotebookInstances"


def test_lifecycle_logs_are_written_and_read_back(moto: Moto) -> None:
    logs = moto.client("logs")
    name, _ = moto.notebook()
    stream = f"{name}/LifecycleConfigOnStart"
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=GROUP)  # unless another test of this module did
    logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    now = int(time.time() * 1000)
    lines = ["lcc: step 10-hello ok", "lcc: step 20-fail failed (exit 3)", "lcc: done in 2s"]
    logs.put_log_events(logGroupName=GROUP, logStreamName=stream,
                        logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(lines)])

    streams = logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix=name)["logStreams"]
    assert [s["logStreamName"] for s in streams] == [stream]
    assert streams[0]["lastEventTimestamp"] == now + 2
    got = logs.get_log_events(logGroupName=GROUP, logStreamName=stream, startFromHead=True)
    assert [e["message"] for e in got["events"]] == lines
    filtered = logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix=name, filterPattern="failed")
    assert [(e["logStreamName"], e["message"]) for e in filtered["events"]] == [(stream, lines[1])]
    assert [e["message"] for e in logs.filter_log_events(
        logGroupName=GROUP, logStreamNames=[stream], startTime=now + 1)["events"]] == lines[1:]
