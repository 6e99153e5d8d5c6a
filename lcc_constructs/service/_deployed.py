"""Lifecycle configurations and notebook instances as SageMaker holds them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..bundle import KINDS, Kind
from ..errors import ValidationError
from ..limits import READBACK_MAX_BYTES
from ..readback import HOOKS, decode_content
from ._aws import Aws, ServiceError


@dataclass(frozen=True)
class DeployedConfig:
    """A lifecycle configuration: its name and its scripts (text) by kind; a kind without
    script is absent."""

    name: str
    scripts: dict[Kind, str] = field(default_factory=dict)


def _missing(error: ServiceError, *markers: str) -> bool:
    """Whether SageMaker said that the thing asked for does not exist."""
    message = error.answer if error.answer is not None else str(error)
    return error.code == "ValidationException" and any(m in message for m in markers)


def _script(content: str, name: str, kind: Kind) -> str:
    """The script of a hook's Content (base64)."""
    try:
        return decode_content(content, f"the {kind} script of {name}")
    except ValidationError:
        raise ServiceError(f"the {kind} script of {name} is not base64 as the API gives it") from None


def read_config(aws: Aws, name: str) -> DeployedConfig | None:
    """The lifecycle configuration ``name``; None when there is none of that name."""
    try:
        answer = aws.call("sagemaker", "describe_notebook_instance_lifecycle_config",
                          NotebookInstanceLifecycleConfigName=name)
    except ServiceError as e:
        if _missing(e, "does not exist"):
            return None
        raise
    scripts = {kind: _script(answer[HOOKS[kind]][0]["Content"], name, kind)
               for kind in KINDS if answer.get(HOOKS[kind])}
    return DeployedConfig(name, scripts)


def require_config(aws: Aws, name: str) -> DeployedConfig:
    """The lifecycle configuration ``name``, which must exist."""
    config = read_config(aws, name)
    if config is None:
        raise ServiceError(f"there is no lifecycle configuration named {name!r} in {aws.region}")
    return config


def write_config(aws: Aws, name: str, contents: dict[Kind, str], *, exists: bool) -> None:
    """Create the configuration ``name`` with ``contents`` (base64 by kind), or make the existing
    one hold exactly these: a kind left out is removed."""
    # An update names both hooks (an empty list removes one); a create only those it has.
    hooks = {HOOKS[kind]: [{"Content": contents[kind]}] if kind in contents else []
             for kind in KINDS if exists or kind in contents}
    operation = "update" if exists else "create"
    aws.call("sagemaker", f"{operation}_notebook_instance_lifecycle_config",
             NotebookInstanceLifecycleConfigName=name, **hooks)


def find_notebook(aws: Aws, name: str) -> dict[str, Any] | None:
    """DescribeNotebookInstance of ``name``; None when there is no instance of that name."""
    try:
        return aws.call("sagemaker", "describe_notebook_instance", NotebookInstanceName=name)
    except ServiceError as e:
        if _missing(e, "RecordNotFound", "does not exist"):
            return None
        raise


def no_notebook_message(aws: Aws, name: str) -> str:
    """The error when there is no notebook instance ``name``."""
    return f"there is no notebook instance named {name!r} in {aws.region}"


def describe_notebook(aws: Aws, name: str) -> dict[str, Any]:
    """DescribeNotebookInstance of ``name``, which must exist."""
    described = find_notebook(aws, name)
    if described is None:
        raise ServiceError(no_notebook_message(aws, name))
    return described


def s3_getter(aws: Aws) -> Callable[[str], bytes]:
    """Downloads the S3 payload of a script built with payload="s3" (``bucket key``)."""

    def get(location: str) -> bytes:
        bucket, _, key = location.partition(" ")
        answer = aws.call("s3", "get_object", Bucket=bucket, Key=key)
        # Any object the script names: its size is checked before a byte is read.
        size, limit = answer.get("ContentLength"), READBACK_MAX_BYTES
        body: bytes = answer["Body"].read(limit + 1) if isinstance(size, int) and size <= limit else b""
        answer["Body"].close()
        if len(body) > limit or not isinstance(size, int) or size > limit:
            raise ValidationError(f"the S3 payload s3://{bucket}/{key} is {size} bytes, more than the "
                                  f"{limit} lcc reads back (limits.READBACK_MAX_BYTES)")
        return body

    return get
