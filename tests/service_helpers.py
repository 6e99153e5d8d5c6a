"""Helpers of the service commands' tests: the real ``lcc`` console script run against moto's
server on 127.0.0.1 with fake credentials, and what the tests deploy and read."""

from __future__ import annotations

import base64
import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .helpers import write_folder
from .servers import Moto

LCC = str(Path(sys.executable).parent / "lcc")
GROUP = "/aws/sagemaker/NotebookInstances"

#: A scripts folder with a manifest, two steps, a helper and modes that must come back.
FOLDER = {
    "10-hello.sh": "#!/bin/bash\nset -euo pipefail\necho \"hello $GREETING\"\n",
    "20-report.py": "import os\nprint('report', os.environ.get('LCC_STEP'))\n",
    "lib/common.sh": "say() { echo \"$*\"; }\n",
    "data/banner.txt": "Welcome\n",
    "lifecycle.toml": """[options]
budget = 200
keep_runs = 5

[[step]]
script = "10-hello.sh"
name = "hello"
timeout = 30
[step.env]
GREETING = "world"

[[step]]
script = "20-report.py"
run_as = "ec2-user"
background = true
""",
}
MODES = {"data/banner.txt": 0o600, "lib/common.sh": 0o644}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def aws_env(moto: Moto, tmp: Path, **extra: str) -> dict[str, str]:
    """This process's environment without any AWS setting of the machine, pointed at moto's
    server with fake credentials; no config files, no instance metadata (nothing beyond
    127.0.0.1)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(moto.env)
    env.update({"AWS_CONFIG_FILE": str(tmp / "no-aws-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "no-aws-credentials"),
                "AWS_EC2_METADATA_DISABLED": "true"})
    env.update(extra)
    return {k: v for k, v in env.items() if v != ""}


def lcc(env: Mapping[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The ``lcc`` console script, as a user runs it."""
    return subprocess.run([LCC, *args], env=dict(env), capture_output=True, text=True, timeout=timeout)


def folder(root: Path, files: Mapping[str, str | bytes] = FOLDER, modes: Mapping[str, int] = MODES) -> Path:
    return write_folder(root, files, modes)


def hook(text: str) -> list[dict[str, str]]:
    """A hook's value as the API takes and gives it: the script as base64 Content."""
    return [{"Content": base64.b64encode(text.encode()).decode()}]


def script(hooks: list[dict[str, str]]) -> str:
    """The script (text) of a hook's value in the API."""
    return base64.b64decode(hooks[0]["Content"]).decode()


def deployed(moto: Moto, name: str) -> dict[str, str]:
    """The deployed configuration's scripts by kind (text)."""
    sm = moto.client()
    answer = sm.describe_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=name)
    return {kind: script(answer[key])
            for kind, key in (("on-start", "OnStart"), ("on-create", "OnCreate")) if answer.get(key)}


def create_config(moto: Moto, name: str, on_start: str | None = None, on_create: str | None = None) -> None:
    """A configuration made with the API directly (by hand, as other tools make them)."""
    hooks = {key: hook(text) for key, text in (("OnStart", on_start), ("OnCreate", on_create))
             if text is not None}
    moto.client().create_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=name, **hooks)


def put_log_lines(moto: Moto, stream: str, lines: Sequence[str], start_ms: int | None = None) -> int:
    """Log events in the instance's lifecycle stream, as the service writes a script's output;
    returns the time of the first (ms)."""
    logs = moto.client("logs")
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=GROUP)
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    start = start_ms if start_ms is not None else int(time.time() * 1000)
    logs.put_log_events(logGroupName=GROUP, logStreamName=stream,
                        logEvents=[{"timestamp": start + i, "message": m} for i, m in enumerate(lines)])
    return start


def files_of(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under root: relative path -> (permission bits, content)."""
    return {p.relative_to(root).as_posix(): (p.stat().st_mode & 0o777, p.read_bytes())
            for p in sorted(root.rglob("*")) if p.is_file()}


def run_args(**kwargs: Any) -> list[str]:
    """``--key value`` arguments (underscores as dashes) for the values that are not None."""
    return [a for k, v in kwargs.items() if v is not None for a in (f"--{k.replace('_', '-')}", str(v))]
