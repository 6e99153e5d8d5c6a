"""A stand-in for the EC2 instance metadata service (IMDSv2), on 127.0.0.1.

The notebook instance's role credentials come from the metadata service at 169.254.169.254,
which the sandbox cannot reach (and tests must not try). Scripts read its address from
AWS_EC2_METADATA_SERVICE_ENDPOINT, as boto3 does; point that at this server.

It behaves like IMDSv2 for what our scripts use: ``PUT /latest/api/token`` with a TTL header
returns a token; every GET needs that token (401 without); ``.../iam/security-credentials/``
lists the role, ``.../iam/security-credentials/<role>`` returns its credentials as JSON, and
``.../placement/region`` the region. It is also the container credentials endpoint of a Studio
space (AWS_CONTAINER_CREDENTIALS_FULL_URI): ``GET /v2/credentials/<id>``, no token, returns the
credentials (with the Authorization header's value recorded). Every request is recorded in
``requests``.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Imds:
    role: str
    credentials: dict[str, str]
    region: str
    url: str = ""
    requests: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def serve(role: str, credentials: dict[str, str], region: str) -> Imds:
    """Start the stand-in on a free port of 127.0.0.1; call ``stop()`` when done."""
    imds = Imds(role, credentials, region)
    tokens: set[str] = set()
    prefix = "/latest/meta-data/"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def reply(self, status: int, body: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_PUT(self) -> None:  # noqa: N802 - the http.server API
            imds.requests.append(f"PUT {self.path}")
            if self.path != "/latest/api/token" or not self.headers.get(
                    "X-aws-ec2-metadata-token-ttl-seconds", "").isdigit():
                self.reply(400, "")
                return
            token = secrets.token_hex(16)
            tokens.add(token)
            self.reply(200, token)

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            imds.requests.append(f"GET {self.path}")
            if self.path.startswith("/v2/credentials/"):
                imds.requests.append(f"Authorization: {self.headers.get('Authorization')}")
                self.reply(200, json.dumps({**credentials, "Expiration": "2099-01-01T00:00:00Z"}))
                return
            if self.headers.get("X-aws-ec2-metadata-token") not in tokens:
                self.reply(401, "")
                return
            pages = {
                prefix + "iam/security-credentials/": role,
                prefix + "iam/security-credentials/" + role: json.dumps(
                    {"Code": "Success", "Type": "AWS-HMAC", **credentials}),
                prefix + "placement/region": region,
            }
            if self.path in pages:
                self.reply(200, pages[self.path])
            else:
                self.reply(404, "")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    imds._server = server
    imds.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return imds
