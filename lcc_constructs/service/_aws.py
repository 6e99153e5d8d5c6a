"""boto3 with the standard credential chain, and every failure of it as one clear message.

boto3 is imported here, when a command first calls AWS: ``lcc build`` and the constructs never
load it. The session takes ``--profile`` and ``--region`` when given, else what boto3 finds
itself (``AWS_PROFILE``, ``AWS_REGION``/``AWS_DEFAULT_REGION``, the config and credentials
files, the instance role...); ``AWS_ENDPOINT_URL`` (and ``AWS_ENDPOINT_URL_<SERVICE>``),
``AWS_MAX_ATTEMPTS`` and ``AWS_RETRY_MODE`` are boto3's own settings and apply unchanged.
"""

from __future__ import annotations

import os
import re
from typing import Any

# Re-exported: the service modules and lcc_constructs.service name it from here.
from ..errors import ServiceError as ServiceError
from ..printable import printable

#: What to do about the errors people meet first, by AWS error code.
_HINTS = {
    "AccessDeniedException": "the identity in use lacks this permission (see 'aws sts get-caller-identity')",
    "UnrecognizedClientException": "the credentials are not valid (wrong or expired keys?)",
    "InvalidSignatureException": "the secret key does not match the access key",
    "ExpiredTokenException": "the session credentials have expired: get new ones",
    "ThrottlingException": "AWS is limiting the call rate: wait and try again; AWS_MAX_ATTEMPTS "
                           "raises boto3's retries",
}


#: The most characters shown of what a failing server (5xx) or something other than AWS (an
#: answer without an AWS error code: a proxy's page, say) said, and of an AWS error's message.
REASON_CHARS = 200
MESSAGE_CHARS = 1000
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")


def one_line(text: str, limit: int = REASON_CHARS) -> str:
    """``text`` as one short printable line: white space collapsed, control characters escaped,
    cut after ``limit`` characters."""
    line = printable(" ".join(text.split()))
    return line if len(line) <= limit else line[:limit - 3] + "..."


def _page_text(page: str) -> str:
    """What a page that is not an AWS error says: its HTML title, else its text."""
    title = _TITLE.search(page)
    return title[1] if title else _TAG.sub(" ", page)


def client_error_message(operation: str, error: Any) -> str:
    """One line for an error AWS (or whatever answered at the endpoint) answered (a botocore
    ClientError): the call, the attempts, the HTTP status when the server failed (5xx) or gave
    no AWS error code (a page: its title or text), the code and the message, escaped and cut
    (:data:`REASON_CHARS`, :data:`MESSAGE_CHARS`)."""
    details = error.response.get("Error") or {}
    code = str(details.get("Code") or "Error")
    message = str(details.get("Message") or "")
    metadata = error.response.get("ResponseMetadata") or {}
    attempts = metadata.get("RetryAttempts") or 0
    status = metadata.get("HTTPStatusCode")
    tried = f" ({attempts + 1} attempts)" if attempts else ""
    failed = isinstance(status, int) and status >= 500
    if code == str(status):  # botocore's code when the answer holds no AWS error
        code, reason = f"HTTP {status}", one_line(_page_text(message), REASON_CHARS)
    else:
        code = f"HTTP {status}: {printable(code)}" if failed else printable(code)
        reason = one_line(message, REASON_CHARS if failed else MESSAGE_CHARS)
    if failed:
        return f"AWS failed {operation}{tried}: {code}: {reason} (a server error: try again later)"
    hint = f" ({_HINTS[code]})" if code in _HINTS else ""
    return f"AWS refused {operation}{tried}: {code}: {reason}{hint}"


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
        return f"cannot reach AWS: {one_line(str(error), MESSAGE_CHARS)}"
    return f"AWS call failed: {one_line(str(error), REASON_CHARS)}"


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
            # botocore reads AWS_DEFAULT_REGION only; AWS_REGION (which the other SDKs and the
            # AWS CLI read first) is taken here.
            region = self._region or os.environ.get("AWS_REGION") or None
            self._session = boto3.Session(profile_name=self._profile, region_name=region)
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
            details = e.response.get("Error") or {}
            raise ServiceError(client_error_message(e.operation_name, e), details.get("Code"),
                               str(details.get("Message") or "")) from None

    def _guarded(self, action: Any) -> Any:
        """``action()``, with botocore's own failures (no credentials, region, profile or
        network) as a :class:`ServiceError`."""
        from botocore.exceptions import BotoCoreError

        try:
            return action()
        except BotoCoreError as e:
            raise ServiceError(_botocore_message(e)) from None
