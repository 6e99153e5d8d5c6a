"""The service side of the loop, with boto3: deploy a lifecycle configuration and restart a
notebook instance with it, pull a deployed one back into a folder, compare it with a folder,
a script or a cdk.out, and read its CloudWatch log (``lcc deploy``, ``pull``, ``diff``,
``logs``; docs/service-commands.md).

Layers: this package reads and builds scripts with the bundle layer and names recipes with the
recipes layer; the CLI is a thin shell over it. boto3 is imported at the first AWS call.
"""

from ._aws import Aws, ServiceError
from ._compare import Comparison
from ._deploy import Deployed, deploy, diff
from ._logs import GROUP, Logs, since_millis, stream_name
from ._logs import show_logs as logs
from ._pull import PulledFolder, pull, target_problem
from ._restart import Restart, RestartFailed, check_notebook, restart
from ._scripts import ReadScript, read_script
from ._targets import TargetError, assembly_scripts, is_assembly, script_file

__all__ = [
    "GROUP",
    "Aws",
    "Comparison",
    "Deployed",
    "Logs",
    "PulledFolder",
    "ReadScript",
    "Restart",
    "RestartFailed",
    "ServiceError",
    "TargetError",
    "assembly_scripts",
    "check_notebook",
    "deploy",
    "diff",
    "is_assembly",
    "logs",
    "pull",
    "read_script",
    "restart",
    "script_file",
    "since_millis",
    "stream_name",
    "target_problem",
]
