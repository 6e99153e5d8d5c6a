"""The service side of the loop, with boto3: deploy a lifecycle configuration and restart a
notebook instance with it, pull a deployed one back into a folder, compare it with a folder,
a script or a cdk.out, and read its CloudWatch log (``lcc deploy``, ``pull``, ``diff``,
``logs``; docs/service-commands.md).

Layers: this package makes the AWS calls; what it reads back is read by the readback layer
(lcc_constructs/readback), and the CLI is a thin shell over both. boto3 is imported at the
first AWS call.
"""

from ._aws import Aws, ServiceError
from ._deploy import Deployed, deploy, diff
from ._logs import GROUP, Logs, since_millis, stream_name
from ._logs import show_logs as logs
from ._pull import pull
from ._restart import Restart, RestartFailed, check_notebook, restart

__all__ = [
    "GROUP",
    "Aws",
    "Deployed",
    "Logs",
    "Restart",
    "RestartFailed",
    "ServiceError",
    "check_notebook",
    "deploy",
    "diff",
    "logs",
    "pull",
    "restart",
    "since_millis",
    "stream_name",
]
