"""SageMaker calls and test controls that moto 5 lacks, added to moto's server for our tests.

The commands that read and change deployed lifecycle configurations (``lcc deploy``, ``pull``,
``diff``, ``logs``) call SageMaker through boto3; the tests point them at moto's server on
127.0.0.1 (``tests/servers.py``). moto 5.2 has Create/Describe/Delete of lifecycle
configurations and Create/Describe/Start/Stop/Delete/List of notebook instances, but not the
calls below, and its instances change status at once and never fail. Importing this module
adds, in the process that runs moto's server (``python -m tests.moto_server_ext``, which
imports it first), to moto's own SageMaker backend and response class:

SageMaker API
  * ``UpdateNotebookInstanceLifecycleConfig``: the OnCreate/OnStart hooks given replace the old
    ones (a hook left out is kept as it was), ``LastModifiedTime`` moves.
  * ``ListNotebookInstanceLifecycleConfigs``: ``NameContains``, ``SortBy``, ``SortOrder``
    (newest first unless asked), ``MaxResults``/``NextToken``; the time filters are ignored.
  * ``UpdateNotebookInstance``: ``LifecycleConfigName`` (must exist),
    ``DisassociateLifecycleConfig``, ``InstanceType``, ``RoleArn``, ``VolumeSizeInGB``,
    ``RootAccess``; anything else is refused rather than ignored. Only a Stopped instance can
    be updated (whether AWS also updates a Failed one is not documented): otherwise a
    ValidationException worded as AWS words those of Start and Stop, "Status (InService) not
    in ([Stopped]). Unable to transition to (Updating) for Notebook Instance (ARN)."
  * Create/Update of a lifecycle configuration refuse a script longer than 16384 characters,
    as AWS does (moto took any length).
  * ``DescribeNotebookInstance`` gives ``FailureReason`` for an instance whose start failed.
  * ``AWS::SageMaker::NotebookInstance`` created by moto's CloudFormation keeps its
    ``LifecycleConfigName`` (moto dropped it), so a deployed instance names its configuration.

Test controls, HTTP on the same server under ``/moto-api/`` like moto's own (JSON bodies; an
unknown instance answers 404):
  * ``POST /moto-api/lcc-test/notebook/<name>/fail-next-start`` ``{"reason": "..."}``: the
    next StartNotebookInstance of <name> ends "Failed" with that ``FailureReason``.
  * ``POST /moto-api/lcc-test/notebook/<name>/transitions`` ``{"describes": N}``: from then on
    Start, Stop and Update of <name> show "Pending", "Stopping" or "Updating" to the next N
    DescribeNotebookInstance calls, then the final status ("InService" or "Failed", "Stopped",
    "Stopped"); and, as AWS, Start needs Stopped or Failed and Stop needs InService
    (ValidationException otherwise). N = 0 (the default) is moto's behaviour: the final status
    at once, no such checks; the existing tests rely on it.
  * ``POST /moto-api/lcc-test/fail`` ``{"action": "DescribeNotebookInstance", "code":
    "ThrottlingException", "message": "Rate exceeded", "status": 400, "times": N}``: that
    SageMaker action answers this error (where moto's IAM check would deny it, before the
    action runs) while every other action works; ``times`` (default: until cleared) counts
    the failing calls, botocore's retries included. With ``"crash": true`` the action raises
    instead, and moto's server answers as it does to any fault of its own: HTTP 500 with
    Werkzeug's HTML page. ``DELETE /moto-api/lcc-test/fail`` clears all. A moto reset
    (``POST /moto-api/reset``) forgets instances and their settings, not these failures.

``tests/moto_ext_controls.py`` calls these endpoints for a test.
"""

from __future__ import annotations

import json
import threading
import weakref
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.moto_api._internal import urls as moto_api_urls
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import (
    FakeSagemakerNotebookInstance,
    FakeSageMakerNotebookInstanceLifecycleConfig,
    SageMakerModelBackend,
    sagemaker_backends,
)
from moto.sagemaker.responses import SageMakerResponse

#: AWS's limit on each lifecycle configuration script (its base64 text).
SCRIPT_LIMIT = 16384

# --- per-instance test settings ---------------------------------------------------------


@dataclass
class _Settings:
    describes: int = 0  # how many Describe calls see an in-between status (0: moto's way)
    fail_next_start: str | None = None  # FailureReason for the next start
    failure_reason: str | None = None  # of the start that failed
    target: str | None = None  # status reached once `left` Describe calls have seen the one before
    left: int = 0


# Keyed by moto's instance object: a deleted instance or a moto reset forgets its settings.
_settings: weakref.WeakKeyDictionary[FakeSagemakerNotebookInstance, _Settings] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _of(nb: FakeSagemakerNotebookInstance) -> _Settings:
    with _lock:
        return _settings.setdefault(nb, _Settings())


def _require(nb: FakeSagemakerNotebookInstance, allowed: tuple[str, ...], next_status: str) -> None:
    if nb.status not in allowed:
        raise ValidationError(
            f"Status ({nb.status}) not in ([{', '.join(allowed)}]). Unable to transition to "
            f"({next_status}) for Notebook Instance ({nb.arn}).")


def _move(nb: FakeSagemakerNotebookInstance, between: str, final: str) -> None:
    """Start a status change: at once, or after ``describes`` Describe calls saw ``between``."""
    s = _of(nb)
    nb.last_modified_time = utcnow()
    if s.describes:
        nb.status, s.target, s.left = between, final, s.describes
    else:
        nb.status, s.target = final, None


def _settle(nb: FakeSagemakerNotebookInstance) -> None:
    """Called by each DescribeNotebookInstance: counts it, or ends the status change."""
    s = _of(nb)
    if s.target is None:
        return
    if s.left > 0:
        s.left -= 1
        return
    nb.status, s.target = s.target, None
    nb.last_modified_time = utcnow()


# --- backend: the missing calls ---------------------------------------------------------


def _check_scripts(hooks: list[dict[str, str]] | None, field: str) -> None:
    for i, hook in enumerate(hooks or [], 1):
        if len(hook.get("Content", "")) > SCRIPT_LIMIT:
            raise ValidationError(
                f"1 validation error detected: Value at '{field}.{i}.member.content' failed to "
                f"satisfy constraint: Member must have length less than or equal to {SCRIPT_LIMIT}")


def _config(backend: SageMakerModelBackend, name: str,
            verb: str) -> FakeSageMakerNotebookInstanceLifecycleConfig:
    try:
        return backend.notebook_instance_lifecycle_configurations[name]
    except KeyError:
        arn = FakeSageMakerNotebookInstanceLifecycleConfig.arn_formatter(
            name, backend.account_id, backend.region_name)
        raise ValidationError(
            f"Unable to {verb} Notebook Instance Lifecycle Config '{arn}'. (Details: Notebook "
            "Instance Lifecycle Config does not exist.)") from None


_moto_create_config = SageMakerModelBackend.create_notebook_instance_lifecycle_config


def create_notebook_instance_lifecycle_config(
        self: SageMakerModelBackend, notebook_instance_lifecycle_config_name: str,
        on_create: list[dict[str, str]], on_start: list[dict[str, str]],
) -> FakeSageMakerNotebookInstanceLifecycleConfig:
    _check_scripts(on_create, "onCreate")
    _check_scripts(on_start, "onStart")
    return _moto_create_config(self, notebook_instance_lifecycle_config_name, on_create, on_start)


def update_notebook_instance_lifecycle_config(
        self: SageMakerModelBackend, name: str, on_create: list[dict[str, str]] | None,
        on_start: list[dict[str, str]] | None) -> None:
    config = _config(self, name, "update")
    _check_scripts(on_create, "onCreate")
    _check_scripts(on_start, "onStart")
    if on_create is not None:
        config.on_create = on_create
    if on_start is not None:
        config.on_start = on_start
    config.last_modified_time = utcnow()


def list_notebook_instance_lifecycle_configs(
        self: SageMakerModelBackend, name_contains: str | None, sort_by: str,
        sort_order: str) -> list[FakeSageMakerNotebookInstanceLifecycleConfig]:
    configs = [c for c in self.notebook_instance_lifecycle_configurations.values()
               if not name_contains or name_contains in c.notebook_instance_lifecycle_config_name]
    key = {"Name": lambda c: c.notebook_instance_lifecycle_config_name,
           "CreationTime": lambda c: c.creation_time,
           "LastModifiedTime": lambda c: c.last_modified_time}[sort_by]
    return sorted(configs, key=key, reverse=sort_order == "Descending")


#: UpdateNotebookInstance fields this server applies (the others are refused).
_UPDATABLE = {"NotebookInstanceName", "LifecycleConfigName", "DisassociateLifecycleConfig",
              "InstanceType", "RoleArn", "VolumeSizeInGB", "RootAccess"}


def update_notebook_instance(self: SageMakerModelBackend, params: dict[str, Any]) -> None:
    unsupported = sorted(set(params) - _UPDATABLE)
    if unsupported:
        raise ValidationError(f"this test server's UpdateNotebookInstance does not apply {unsupported}")
    nb = self.get_notebook_instance(params["NotebookInstanceName"])
    if params.get("LifecycleConfigName") and params.get("DisassociateLifecycleConfig"):
        raise ValidationError("Cannot set LifecycleConfigName and DisassociateLifecycleConfig together.")
    _require(nb, ("Stopped",), "Updating")
    if params.get("LifecycleConfigName"):
        _config(self, params["LifecycleConfigName"], "associate")
        nb.lifecycle_config_name = params["LifecycleConfigName"]
    if params.get("DisassociateLifecycleConfig"):
        nb.lifecycle_config_name = None
    if "InstanceType" in params:
        nb.validate_instance_type(params["InstanceType"])
        nb.instance_type = params["InstanceType"]
    if "VolumeSizeInGB" in params:
        nb.validate_volume_size_in_gb(params["VolumeSizeInGB"])
        nb.volume_size_in_gb = params["VolumeSizeInGB"]
    if "RoleArn" in params:
        nb.role_arn = params["RoleArn"]
    if "RootAccess" in params:
        nb.root_access = params["RootAccess"]
    _move(nb, "Updating", "Stopped")


def start(self: SageMakerModelBackend, name: str) -> None:
    nb = self.get_notebook_instance(name)
    s = _of(nb)
    if s.describes:
        _require(nb, ("Stopped", "Failed"), "Pending")
    s.failure_reason, s.fail_next_start = s.fail_next_start, None
    _move(nb, "Pending", "InService" if s.failure_reason is None else "Failed")


def stop(self: SageMakerModelBackend, name: str) -> None:
    nb = self.get_notebook_instance(name)
    if _of(nb).describes:
        _require(nb, ("InService",), "Stopping")
    _move(nb, "Stopping", "Stopped")


_moto_to_dict = FakeSagemakerNotebookInstance.to_dict


def to_dict(self: FakeSagemakerNotebookInstance) -> dict[str, Any]:
    described = _moto_to_dict(self)
    reason = _of(self).failure_reason
    if self.status == "Failed" and reason is not None:
        described["FailureReason"] = reason
    return described


_moto_from_cfn = FakeSagemakerNotebookInstance.create_from_cloudformation_json.__func__


def create_from_cloudformation_json(cls: type, resource_name: str, cloudformation_json: Any,
                                    account_id: str, region_name: str, **kwargs: Any) -> Any:
    nb = _moto_from_cfn(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    nb.lifecycle_config_name = cloudformation_json["Properties"].get("LifecycleConfigName")
    return nb


for _method in (create_notebook_instance_lifecycle_config, update_notebook_instance_lifecycle_config,
                list_notebook_instance_lifecycle_configs, update_notebook_instance):
    setattr(SageMakerModelBackend, _method.__name__, _method)
# New names: the API's Start/Stop go through transitions; moto's CloudFormation keeps its own.
SageMakerModelBackend.lcc_start_notebook_instance = start
SageMakerModelBackend.lcc_stop_notebook_instance = stop
FakeSagemakerNotebookInstance.to_dict = to_dict
FakeSagemakerNotebookInstance.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)


# --- responses: the API handlers --------------------------------------------------------


def _r_update_notebook_instance_lifecycle_config(self: SageMakerResponse) -> ActionResult:
    self.sagemaker_backend.update_notebook_instance_lifecycle_config(
        self._get_param("NotebookInstanceLifecycleConfigName"), self._get_param("OnCreate"),
        self._get_param("OnStart"))
    return EmptyResult()


def _r_list_notebook_instance_lifecycle_configs(self: SageMakerResponse) -> ActionResult:
    configs = self.sagemaker_backend.list_notebook_instance_lifecycle_configs(
        self._get_param("NameContains"), self._get_param("SortBy", "CreationTime"),
        self._get_param("SortOrder", "Descending"))
    first = int(self._get_param("NextToken") or 0)
    last = first + int(self._get_param("MaxResults") or 10)
    page = [{"NotebookInstanceLifecycleConfigName": c.notebook_instance_lifecycle_config_name,
             "NotebookInstanceLifecycleConfigArn": c.arn, "CreationTime": c.creation_time,
             "LastModifiedTime": c.last_modified_time} for c in configs[first:last]]
    result: dict[str, Any] = {"NotebookInstanceLifecycleConfigs": page}
    if last < len(configs):
        result["NextToken"] = str(last)
    return ActionResult(result)


def _r_update_notebook_instance(self: SageMakerResponse) -> ActionResult:
    self.sagemaker_backend.update_notebook_instance(dict(self._get_params()))
    return EmptyResult()


def _r_start_notebook_instance(self: SageMakerResponse) -> ActionResult:
    self.sagemaker_backend.lcc_start_notebook_instance(self._get_param("NotebookInstanceName"))
    return EmptyResult()


def _r_stop_notebook_instance(self: SageMakerResponse) -> ActionResult:
    self.sagemaker_backend.lcc_stop_notebook_instance(self._get_param("NotebookInstanceName"))
    return EmptyResult()


_moto_describe = SageMakerResponse.describe_notebook_instance


def _r_describe_notebook_instance(self: SageMakerResponse) -> ActionResult:
    _settle(self.sagemaker_backend.get_notebook_instance(self._get_param("NotebookInstanceName")))
    return _moto_describe(self)


# --- injected failures ------------------------------------------------------------------

#: action -> {"code", "message", "status", "times" (None: until cleared), "crash"}
_failures: dict[str, dict[str, Any]] = {}

_moto_authorize = SageMakerResponse._authenticate_and_authorize_normal_action


def _authorize(self: SageMakerResponse, resource: str = "*") -> None:
    """Where moto checks IAM before an action: an injected failure answers instead."""
    with _lock:
        failure = _failures.get(self._get_action())
        if failure is not None and failure["times"] is not None:
            failure["times"] -= 1
            if failure["times"] <= 0:
                del _failures[self._get_action()]
    if failure is not None and failure["crash"]:
        raise RuntimeError(f"lcc-test: {self._get_action()} made to crash")
    if failure is not None:
        error = JsonRESTError(failure["code"], failure["message"])
        error.code = failure["status"]
        raise error
    _moto_authorize(self, resource)


for _name, _handler in [
    ("update_notebook_instance_lifecycle_config", _r_update_notebook_instance_lifecycle_config),
    ("list_notebook_instance_lifecycle_configs", _r_list_notebook_instance_lifecycle_configs),
    ("update_notebook_instance", _r_update_notebook_instance),
    ("start_notebook_instance", _r_start_notebook_instance),
    ("stop_notebook_instance", _r_stop_notebook_instance),
    ("describe_notebook_instance", _r_describe_notebook_instance),
    ("_authenticate_and_authorize_normal_action", _authorize),
]:
    setattr(SageMakerResponse, _name, _handler)


# --- the test controls (moto-api endpoints) ---------------------------------------------


def _answer(status: int, body: dict[str, Any]) -> tuple[int, dict[str, str], str]:
    return status, {"Content-Type": "application/json"}, json.dumps(body)


def _instance(name: str) -> FakeSagemakerNotebookInstance | None:
    for _account, _region, backend in sagemaker_backends.iter_backends():
        found = backend.notebook_instances.get(name)
        if found is not None:
            return found
    return None


def notebook_control(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """POST /moto-api/lcc-test/notebook/<name>/(fail-next-start|transitions)"""
    *_, name, what = urlparse(full_url).path.rstrip("/").split("/")
    if request.method != "POST":
        return _answer(405, {"error": "POST only"})
    body = json.loads(request.data or b"{}")
    nb = _instance(name)
    if nb is None:
        return _answer(404, {"error": f"no notebook instance {name}"})
    s = _of(nb)
    if what == "fail-next-start":
        s.fail_next_start = str(body.get("reason", "lcc-test: start made to fail"))
    else:
        s.describes = int(body.get("describes", 1))
    return _answer(200, {"ok": True})


def fail_control(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """POST /moto-api/lcc-test/fail (one action fails), DELETE (none does)"""
    with _lock:
        if request.method == "DELETE":
            _failures.clear()
            return _answer(200, {"ok": True})
        body = json.loads(request.data or b"{}")
        if request.method != "POST" or not body.get("action") or not body.get("code"):
            return _answer(400, {"error": "POST {\"action\": ..., \"code\": ...} or DELETE"})
        _failures[body["action"]] = {
            "code": body["code"], "message": body.get("message", f"{body['code']} (lcc-test)"),
            "status": int(body.get("status", 400)), "times": body.get("times"),
            "crash": bool(body.get("crash", False))}
    return _answer(200, {"ok": True})


moto_api_urls.url_paths.update({
    "{0}/moto-api/lcc-test/notebook/(?P<name>[^/]+)/fail-next-start": notebook_control,
    "{0}/moto-api/lcc-test/notebook/(?P<name>[^/]+)/transitions": notebook_control,
    "{0}/moto-api/lcc-test/fail": fail_control,
})
