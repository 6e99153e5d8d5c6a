"""The autostop recipe: stop the notebook instance when Jupyter has been idle for a while.

The checker (``assets/recipes/autostop/autostop.py``) travels inside the payload: nothing is
downloaded at start, so it works in private subnets. Its permissions are granted by
:class:`~lcc_constructs.notebook.NotebookInstance` and :class:`~lcc_constructs.notebook.AttachLifecycleConfig`
whenever the lifecycle configuration carries this recipe (see :func:`carries_autostop`).
"""

from __future__ import annotations

import math
import re

from .errors import BundleError
from .limits import (
    AUTOSTOP_MAX_INTERVAL_MINUTES,
    DEFAULT_AUTOSTOP_IDLE_MINUTES,
    DEFAULT_AUTOSTOP_INTERVAL_MINUTES,
    DEFAULT_AUTOSTOP_LOG_FILE,
    DEFAULT_AUTOSTOP_STARTING_GRACE_MINUTES,
    DEFAULT_JUPYTER_URL,
    SAFE_PATH_PATTERN,
)
from .recipe_registry import recipe_scripts, register
from .steps import Scripts, Step

__all__ = ["autostop", "carries_autostop"]

#: Every autostop step sets this variable; it is how a lifecycle configuration is known to
#: carry autostop (and so to need its IAM grant).
MARKER_ENV = "OPT_AUTOSTOP_ARGS"

#: Jupyter URLs accepted: this instance's Jupyter (loopback: the checker sends its token there),
#: as one shell word.
JUPYTER_URL_PATTERN = re.compile(r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?(/[A-Za-z0-9._/-]*)?$")


@register("autostop")
def autostop(
    *,
    name: str = "autostop",
    idle_minutes: float = DEFAULT_AUTOSTOP_IDLE_MINUTES,
    interval_minutes: int = DEFAULT_AUTOSTOP_INTERVAL_MINUTES,
    count_connections: bool = False,
    count_terminals: bool = True,
    starting_grace_minutes: float = DEFAULT_AUTOSTOP_STARTING_GRACE_MINUTES,
    dry_run: bool = False,
    jupyter_url: str = DEFAULT_JUPYTER_URL,
    token_file: str | None = None,
    log_file: str = DEFAULT_AUTOSTOP_LOG_FILE,
) -> Scripts:
    """Stop the instance after ``idle_minutes`` without Jupyter activity (checked every
    ``interval_minutes`` by a systemd timer, cron or a loop; no download, works offline).

    Idle: no kernel busy, and the latest activity of every kernel (and terminal, unless
    ``count_terminals=False``) older than ``idle_minutes``; with nothing running, counted from
    when a check first saw nothing running. ``count_connections``: an open browser connection to
    a kernel keeps the instance awake. ``starting_grace_minutes``: a kernel stuck in
    ``starting`` counts as active this long, then no longer counts. ``dry_run``: log, never
    stop. ``jupyter_url``/``token_file``: the Jupyter server to ask and a file holding its
    token, if it needs one. ``log_file``: the notebook user's file on the persistent volume
    that keeps the decisions (they also go to /var/log/jupyter.log). Needs
    ``sagemaker:DescribeNotebookInstance`` and ``sagemaker:StopNotebookInstance`` on the
    instance: ``NotebookInstance`` and ``AttachLifecycleConfig`` grant them.
    """
    where = f"recipe 'autostop' ({name!r})"
    numbers = {"idle_minutes": idle_minutes, "starting_grace_minutes": starting_grace_minutes}
    for option, value in numbers.items():
        if not math.isfinite(value) or value < 0 or (option == "idle_minutes" and value == 0):
            raise BundleError(f"{where}: {option}={value!r} must be a positive number of minutes")
    if not 1 <= interval_minutes <= AUTOSTOP_MAX_INTERVAL_MINUTES:
        raise BundleError(
            f"{where}: interval_minutes={interval_minutes!r} must be a whole number from 1 to "
            f"{AUTOSTOP_MAX_INTERVAL_MINUTES} (cron cannot repeat more rarely within an hour)"
        )
    if not JUPYTER_URL_PATTERN.match(jupyter_url):
        raise BundleError(f"{where}: jupyter_url={jupyter_url!r} must be this instance's Jupyter: "
                          "http(s)://localhost, 127.0.0.1 or [::1], with a port and a path of "
                          "letters, digits and . _ / - (the checker sends the token there)")
    for option, path in {"token_file": token_file, "log_file": log_file}.items():
        if path is not None and not SAFE_PATH_PATTERN.match(path):
            raise BundleError(
                f"{where}: {option}={path!r} must be an absolute path of letters, digits and _ . / -"
            )
    # Plain words, split on spaces by the checker (autostop.py check).
    args = [f"--idle-minutes={idle_minutes:g}", f"--starting-grace-minutes={starting_grace_minutes:g}",
            f"--jupyter-url={jupyter_url}", f"--log={log_file}"]
    flags = {"--count-connections": count_connections, "--ignore-terminals": not count_terminals,
             "--dry-run": dry_run}
    args += [flag for flag, on in flags.items() if on]
    if token_file:
        args.append(f"--token-file={token_file}")
    env = {
        "OPT_AUTOSTOP_INTERVAL_MINUTES": str(interval_minutes),
        MARKER_ENV: " ".join(args),
    }
    return recipe_scripts("autostop", [Step(name, "autostop.py", timeout_seconds=60, env=env)],
                          shared_lib=False)


def carries_autostop(steps: tuple[Step, ...]) -> bool:
    """Whether these steps include the autostop recipe (so the instance needs its grant)."""
    return any(MARKER_ENV in step.env for step in steps)
