"""The platform's limits and this library's defaults: one named constant each.

Every other module imports these; nothing restates the numbers.
"""

from __future__ import annotations

import re

#: The service counts the base64 text of each script (OnStart, OnCreate): 1 to 16384 characters.
CONTENT_LIMIT_CHARS = 16384

#: A lifecycle configuration name: at most 63 characters of this pattern.
CONFIG_NAME_MAX_CHARS = 63
CONFIG_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")

#: Each script must finish within 5 minutes or the instance goes to Failed.
SERVICE_TIMEOUT_SECONDS = 300

#: Default total time the foreground steps of one script may take (well under the 5 minutes).
DEFAULT_BUDGET_SECONDS = 240

#: Largest budget accepted: the bootstrap, the runner and the final log flush need the rest.
MAX_BUDGET_SECONDS = 280

#: A foreground step is skipped when less than this remains of the budget.
MIN_STEP_SECONDS = 1

#: Grace between SIGTERM and SIGKILL when a step runs past its timeout.
KILL_GRACE_SECONDS = 5

#: Root-owned directory the payload is unpacked into (one sub-directory per script kind).
DEFAULT_UNPACK_DIR = "/startup"

#: The notebook user, who runs Jupyter and owns the persistent volume.
NOTEBOOK_USER = "ec2-user"

#: The only folder that survives a stop/start.
PERSISTENT_DIR = "/home/ec2-user/SageMaker"

#: Root-owned folder on the persistent volume that holds logs and status files.
DEFAULT_STATE_DIR = f"{PERSISTENT_DIR}/.lifecycle"

#: Runs of each script kind kept in the log folder; older ones are deleted.
DEFAULT_KEEP_RUNS = 10

#: Step names: safe in file names, JSON and shell words without quoting.
STEP_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

#: Environment variable names a step may set.
ENV_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: S3 bucket names (payload="s3"): 3 to 63 lowercase letters, digits, dots and hyphens.
S3_BUCKET_MAX_CHARS = 63
S3_BUCKET_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

#: Absolute paths written into the bootstrap unquoted: keep them to plain characters.
SAFE_PATH_PATTERN = re.compile(r"^/[A-Za-z0-9_./-]+$")
