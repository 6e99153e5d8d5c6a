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

#: Largest budget accepted: the rest (20 s) is for the bootstrap, the last step's grace (5 s) and
#: the copies to the volume (10 s, and 1 s to kill one).
MAX_BUDGET_SECONDS = 280

#: A foreground step is skipped when less than this remains of the budget.
MIN_STEP_SECONDS = 1

#: A step's own timeout: from MIN_STEP_SECONDS to a day (a background step may run long; one
#: that should never end has no timeout).
MAX_STEP_TIMEOUT_SECONDS = 24 * 3600

#: Grace between SIGTERM and SIGKILL when a step runs past its timeout.
KILL_GRACE_SECONDS = 5

#: Root-owned directory the payload is unpacked into (one sub-directory per script kind).
DEFAULT_UNPACK_DIR = "/startup"

#: The notebook user, who runs Jupyter and owns the persistent volume.
NOTEBOOK_USER = "ec2-user"

#: The only folder that survives a stop/start.
PERSISTENT_DIR = "/home/ec2-user/SageMaker"

#: The notebook user's copy of the logs and status files on the persistent volume (root's own
#: record is in ROOT_LOG_DIR, on the root file system, reset at every start).
DEFAULT_STATE_DIR = f"{PERSISTENT_DIR}/.lifecycle"

#: Root's record of every run (logs, status.json): written by root only, read by everyone.
ROOT_LOG_DIR = "/var/log/lcc-constructs"

#: Bytes of a step's output shown on the script's output (CloudWatch): this many from its start
#: as they come, and this many from its end once it ended; the rest is only in the log files.
SHOWN_OUTPUT_BYTES = 4096

#: The notebook user's copy of a run on the volume (after each step and at the end): the seconds
#: all of a run's copies may take together, and the bytes of each log copied (its end, when
#: longer).
VOLUME_COPY_SECONDS = 10
VOLUME_COPY_BYTES = 1 << 20

#: Runs of each script kind kept in the log folder; older ones are deleted.
DEFAULT_KEEP_RUNS = 10
MAX_KEEP_RUNS = 1000

#: Where the unpack folder may be: a new folder directly inside one of these (root's alone).
UNPACK_DIR_PARENTS = ("/", "/opt")

#: Where the state folder may be: a new folder directly inside the persistent volume (logs that
#: survive a stop), or inside /var/log with a name starting with "lcc" (logs that do not).
STATE_DIR_PARENTS = (PERSISTENT_DIR, "/var/log")

#: SageMaker Studio (JupyterLab and Code Editor spaces; ../docs/studio.md): the user the script
#: runs as (uid 1000, gid 100, passwordless sudo), its home (the only folder that persists), the
#: default state folder there, where the bundle is unpacked (a new folder directly inside /tmp,
#: reset at every start) and the PATH the runner sets (conda's base environment first).
STUDIO_USER = "sagemaker-user"
STUDIO_UID, STUDIO_GID = 1000, 100
STUDIO_HOME = f"/home/{STUDIO_USER}"
DEFAULT_STUDIO_STATE_DIR = f"{STUDIO_HOME}/.lifecycle"
DEFAULT_STUDIO_UNPACK_DIR = "/tmp/lcc"
STUDIO_UNPACK_DIR_PARENTS = ("/tmp",)
STUDIO_PATH = "/opt/conda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#: The notebook instance's PATH the unpacking program sets (the service's holds a relative "bin").
NOTEBOOK_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"

#: Idle shutdown of a Studio app (AppLifecycleManagement.IdleSettings), in minutes.
STUDIO_IDLE_MINUTES = (60, 525600)

#: Folders that exist on a notebook instance (Amazon Linux 2023 and SageMaker's own): never an
#: unpack or state folder, whatever their parent.
SYSTEM_FOLDERS = frozenset({
    "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/local", "/lost+found", "/media",
    "/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var",
    "/opt/aws", "/opt/amazon", "/opt/conda", "/opt/lcc-autostop", "/opt/ml", "/opt/sagemaker",
})

#: Step names: safe in file names, JSON and shell words without quoting.
STEP_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

#: The files the runner writes into a run's folder besides each step's ``<name>.log`` and
#: ``<name>.result.json`` (assets/runtime/*.sh): root's record and the notebook user's copy. No
#: step may be named so that one of its files is one of these (a step "runner" wrote into the
#: runner's own log).
RUNNER_FILES = ("runner.log", "status.json", "not-copied.txt")

#: The files of a step in a run's folder: its output, and a background step's outcome.
STEP_FILE_SUFFIXES = (".log", ".result.json")

#: Environment variable names a step may set.
ENV_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: The most one environment string may hold on Linux, ``NAME=value`` and its final NUL byte
#: (MAX_ARG_STRLEN, 32 pages of 4 KiB): a longer one fails the step's start with "Argument list
#: too long".
ENV_STRING_MAX_BYTES = 131072

#: The runner's own variables start with this: a step may not set them.
RESERVED_ENV_PREFIX = "LCC_"

#: Variables bash sets itself or keeps read-only: exported to a step, they fail it ("readonly
#: variable") or are silently replaced.
BASH_SPECIAL_VARIABLES = frozenset({
    "BASH", "BASHOPTS", "BASHPID", "BASH_ALIASES", "BASH_ARGC", "BASH_ARGV", "BASH_ARGV0",
    "BASH_CMDS", "BASH_COMMAND", "BASH_EXECUTION_STRING", "BASH_LINENO", "BASH_REMATCH",
    "BASH_SOURCE", "BASH_SUBSHELL", "BASH_VERSINFO", "BASH_VERSION", "DIRSTACK", "EPOCHREALTIME",
    "EPOCHSECONDS", "EUID", "FUNCNAME", "GROUPS", "HISTCMD", "HOSTNAME", "HOSTTYPE", "LINENO",
    "MACHTYPE", "OLDPWD", "OPTARG", "OPTIND", "OSTYPE", "PIPESTATUS", "PPID", "PWD", "RANDOM",
    "SECONDS", "SHELLOPTS", "SHLVL", "SRANDOM", "UID",
})

#: S3 bucket names (payload="s3"): 3 to 63 lowercase letters, digits, dots and hyphens.
S3_BUCKET_MAX_CHARS = 63
S3_BUCKET_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

#: Absolute paths written into the bootstrap unquoted: keep them to plain characters.
SAFE_PATH_PATTERN = re.compile(r"^/[A-Za-z0-9_./-]+$")

#: What the autostop checker calls on its own notebook instance, and nothing else (the recipe
#: declares these; constructs grant them, or NotebookInstance(notebook_actions=...)).
AUTOSTOP_ACTIONS = ("sagemaker:DescribeNotebookInstance", "sagemaker:StopNotebookInstance")

#: Autostop: idle minutes before the instance is stopped, unless configured otherwise.
DEFAULT_AUTOSTOP_IDLE_MINUTES = 60

#: Autostop: minutes between two checks (the systemd timer's interval); at most an hour.
DEFAULT_AUTOSTOP_INTERVAL_MINUTES = 5
AUTOSTOP_MAX_INTERVAL_MINUTES = 60

#: Autostop's decisions, kept on the persistent volume (written by the notebook user).
DEFAULT_AUTOSTOP_LOG_FILE = f"{PERSISTENT_DIR}/.autostop.log"

#: The notebook instance's Jupyter server (HTTPS, self-signed certificate).
DEFAULT_JUPYTER_URL = "https://localhost:8443"

#: Platform of notebook instances created by NotebookInstance unless told otherwise.
DEFAULT_PLATFORM_IDENTIFIER = "notebook-al2023-v1"

#: The ML storage volume of a notebook instance, in GiB.
MIN_VOLUME_SIZE_GB = 5
MAX_VOLUME_SIZE_GB = 16384

#: The most lcc reads back from what is deployed (lcc inspect, pull, diff, logs): a payload is
#: decompressed, an S3 payload downloaded and a hand-made archive unpacked (its stream, and the
#: sum of its files' sizes, checked before anything is read) up to this many bytes, and refused
#: beyond. Anyone allowed to update a configuration writes what is read, and a few
#: KiB of bzip2 decompress to GiBs; a bundle of lcc-constructs is far smaller (a script's
#: payload holds at most about 100 KiB of files; an S3 payload is meant for a few MiB).
READBACK_MAX_BYTES = 64 << 20

#: The most bytes of files a script's bundle may hold; a folder holding more is refused before
#: any of its files is read (a 1 GB sparse file took 74 s and 3.2 GB of memory to be refused).
#: Inline, the 16384 characters are no bound of their own (bzip2 turns a GiB of zeros into less
#: than a KiB), but lcc reads a payload back only up to READBACK_MAX_BYTES: a bundle beyond it
#: could not be inspected, pulled or compared. With payload="s3" the object may be larger (the
#: instance downloads and unpacks it in memory within the start's 5 minutes; lcc reads back
#: only its first READBACK_MAX_BYTES).
INLINE_FILES_MAX_BYTES = READBACK_MAX_BYTES
S3_FILES_MAX_BYTES = 256 << 20

#: The most a lifecycle.toml may hold (it lists steps and options: a few KiB).
MANIFEST_MAX_BYTES = 1 << 20
