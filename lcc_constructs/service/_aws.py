"""boto3 with the standard credential chain, and every failure of it as one clear message.

boto3 is imported here, when a command first calls AWS: ``lcc build`` and the constructs never
load it. The session takes ``--profile`` and ``--region`` when given, else what boto3 finds
itself (``AWS_PROFILE``, ``AWS_REGION``/``AWS_DEFAULT_REGION``, the config and credentials
files, the instance role...); ``AWS_ENDPOINT_URL`` (and ``AWS_ENDPOINT_URL_<SERVICE>``),
``AWS_MAX_ATTEMPTS`` and ``AWS_RETRY_MODE`` are boto3's own settings and apply unchanged.
"""

from __future__ import annotations

from typing import Any

# Re-exported: the service modules and lcc_constructs.service name it from here.
from ..errors import ServiceError as ServiceError

#: What to do about the errors people meet first, by AWS error code.
_HINTS = {
    "AccessDeniedException": "the identity in use lacks this permission (see 'aws sts get-caller-identity')",
    "UnrecognizedClientException": "the credentials are not valid (wrong or expired keys?)",
    "InvalidSignatureException": "the secret key does not match the access key",
    "ExpiredTokenException": "the session credentials have expired: get new ones",
    "ThrottlingException": "AWS is limiting the call rate: wait and try again; AWS_MAX_ATTEMPTS "
                           "raises boto3's retries",
}


def client_error_message(operation: str, error: Any) -> str:
    """One line for an error AWS answered (a botocore ClientError)."""
    details = error.response.get("Error", {})
    code = details.get("Code", "Error")
    attempts = error.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
    tried = f" ({attempts + 1} attempts)" if attempts else ""
    hint = f" ({_HINTS[code]})" if code in _HINTS else ""
    return f"AWS refused {operation}{tried}: {code}: {details.get('Message', '')}{hint}"


def _botocore_message(error: Exception) -> str:
    """One line for a failure before AWS could answer (a botocore BotoCoreError)."""
    from botocore import exceptions as bx

    if isinstance(error, bx.NoCredentialsError):
        return ("no AWS credentials found: set AWS_PROFILE or give --profile, or set "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is available")
    if isinstance(error, bx.NoRegionError):
        return "no AWS region: give --region, or set AWS_REGION, or a region in the profile"
    if isinstance(error, bx.ProfileNotFound):
        return f"{error} (profiles are read from AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, " \
               "by default ~/.aws/config and ~/.aws/credentials)"
    if isinstance(error, (bx.EndpointConnectionError, bx.ConnectTimeoutError)):
        return f"cannot reach AWS: {error}"
    return f"AWS call failed: {error}"


class Aws:
    """The AWS clients of one command: a boto3 session with the command's ``--profile`` and
    ``--region`` (None: boto3's own choice), and :meth:`call`, which turns every failure into a
    :class:`ServiceError`."""

    def __init__(self, region: str | None = None, profile: str | None = None) -> None:
        self._region = region
        self._profile = profile
        self._session: Any = None
        self._clients: dict[str, Any] = {}

    def _client(self, service: str) -> Any:
        """The session's client of ``service`` (both made at the first call)."""
        import boto3

        if self._session is None:
            self._session = boto3.Session(profile_name=self._profile, region_name=self._region)
        if service not in self._clients:
            self._clients[service] = self._session.client(service)
        return self._clients[service]

    @property
    def region(self) -> str:
        """The region in use (for messages)."""
        return str(self._guarded(lambda: self._client("sagemaker").meta.region_name))

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """``operation`` (boto3's snake_case name) of ``service`` with ``params``."""
        from botocore.exceptions import ClientError

        try:
            answer: dict[str, Any] = self._guarded(
                lambda: getattr(self._client(service), operation)(**params))
            return answer
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code")
            raise ServiceError(client_error_message(e.operation_name, e), code) from None

    def _guarded(self, action: Any) -> Any:
        """``action()``, with botocore's own failures (no credentials, region, profile or
        network) as a :class:`ServiceError`."""
        from botocore.exceptions import BotoCoreError

        try:
            return action()
        except BotoCoreError as e:
            raise ServiceError(_botocore_message(e)) from None
