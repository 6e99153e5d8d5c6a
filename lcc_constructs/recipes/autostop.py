"""The autostop recipe (docs/recipes/autostop.md): stop the notebook instance when Jupyter has been
idle for a while.

The checker (``assets/recipes/autostop/autostop.py``) travels inside the payload: nothing is
downloaded at start, so it works in private subnets. The recipe declares the IAM actions the
checker calls (limits.AUTOSTOP_ACTIONS); the constructs grant them on the instance.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from ..bundle import OnPlatform, RunAs, Scripts, Step
from ..limits import (
    AUTOSTOP_ACTIONS,
    AUTOSTOP_MAX_INTERVAL_MINUTES,
    DEFAULT_AUTOSTOP_IDLE_MINUTES,
    DEFAULT_AUTOSTOP_INTERVAL_MINUTES,
    DEFAULT_AUTOSTOP_LOG_FILE,
    DEFAULT_JUPYTER_URL,
    SAFE_PATH_PATTERN,
)
from ._common import Options, recipe_call, recipe_scripts

NAME = "autostop"
#: The script its step runs: how ``lcc pull`` finds a use of it among the steps.
SCRIPT = "autostop.py"

#: The variable holding the checker's options: ``name=value`` words, only those that differ from
#: the checker's defaults (which are the recipe's), split on spaces by systemd.
ARGS_ENV = "OPT_AUTOSTOP_ARGS"
INTERVAL_ENV = "OPT_AUTOSTOP_INTERVAL_MINUTES"

#: Jupyter URLs accepted: this instance's Jupyter (loopback: the checker sends its token there
#: and does not check the certificate), as one word of a systemd command line.
JUPYTER_URL_PATTERN = re.compile(r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?(/[A-Za-z0-9._/-]*)?$")

#: Options of earlier versions that the checker can no longer honour, and why.
REMOVED = {
    "count_terminals": "is no longer possible: Jupyter's last activity (/api/status), which the checker "
                       "reads, counts terminals with kernels and API use; remove the option",
    "starting_grace_minutes": "is no longer an option: a kernel stuck 'starting' now counts from its start "
                              "like any other activity (Jupyter's last activity); remove the option",
}


def autostop(
    *,
    name: str = NAME,
    idle_minutes: float = DEFAULT_AUTOSTOP_IDLE_MINUTES,
    interval_minutes: int = DEFAULT_AUTOSTOP_INTERVAL_MINUTES,
    count_connections: bool = False,
    dry_run: bool = False,
    jupyter_url: str = DEFAULT_JUPYTER_URL,
    token_file: str | None = None,
    log_file: str = DEFAULT_AUTOSTOP_LOG_FILE,
    count_terminals: bool = True,
    starting_grace_minutes: float | None = None,
) -> Scripts:
    """Stop the instance after ``idle_minutes`` without Jupyter activity (checked every
    ``interval_minutes`` by a systemd timer; no download, works offline).

    Idle: Jupyter's own last activity (``/api/status``: kernels, terminals, any use of its API)
    older than ``idle_minutes``, and no kernel busy. ``count_connections``: an open connection to
    a kernel also keeps the instance awake. ``dry_run``: log, never stop.
    ``jupyter_url``/``token_file``: this instance's Jupyter server (loopback) and a file holding
    its token, if it needs one. ``log_file``: the notebook user's file on the persistent volume
    that keeps the decisions (they also go to /var/log/jupyter.log). ``count_terminals`` (only
    True, what Jupyter counts) and ``starting_grace_minutes`` (only None) are kept to say why
    earlier versions' values are refused. Needs ``sagemaker:DescribeNotebookInstance`` and
    ``sagemaker:StopNotebookInstance`` on the instance: the recipe declares them and the
    constructs grant them.

    On Studio no script runs: the step becomes the app's idle shutdown after ``idle_minutes``
    (rounded up to whole minutes, 60 to 525600; ``StudioLifecycleConfig.attach`` sets it), and
    nothing is granted; ``dry_run`` has no counterpart there, so a Studio build refuses it.
    """
    # One timer and one /opt/lcc-autostop for the instance: a second use would replace the first.
    call = recipe_call(NAME, autostop, locals(), once=True)
    o = Options(NAME, name)
    if (isinstance(idle_minutes, bool) or not isinstance(idle_minutes, (int, float))
            or not math.isfinite(idle_minutes) or idle_minutes <= 0):
        o.problem("idle_minutes", idle_minutes, "must be a positive number of minutes")
    if (isinstance(interval_minutes, bool) or not isinstance(interval_minutes, int)
            or not 1 <= interval_minutes <= AUTOSTOP_MAX_INTERVAL_MINUTES):
        o.problem("interval_minutes", interval_minutes, f"must be a whole number from 1 to "
                  f"{AUTOSTOP_MAX_INTERVAL_MINUTES} (the timer repeats within the hour)")
    if o.matching("jupyter_url", jupyter_url, JUPYTER_URL_PATTERN,
                  "this instance's Jupyter: http(s)://localhost, 127.0.0.1 or [::1], with a port and a "
                  "path of letters, digits and . _ / - (the checker sends the token there)"):
        o.url_port("jupyter_url", jupyter_url)
    for option, path in {"token_file": token_file, "log_file": log_file}.items():
        if path is not None:
            o.matching(option, path, SAFE_PATH_PATTERN, "an absolute path of letters, digits and _ . / -")
    for option, value in {"count_connections": count_connections, "dry_run": dry_run}.items():
        o.flag(option, value)
    if count_terminals is not True:
        o.problem("count_terminals", count_terminals, REMOVED["count_terminals"])
    if starting_grace_minutes is not None:
        o.problem("starting_grace_minutes", starting_grace_minutes, REMOVED["starting_grace_minutes"])
    o.done()
    # str(), not :g, which would round 90.1234567 and write 1234567 as 1.23457e+06.
    given = {"idle_minutes": str(idle_minutes), "count_connections": "1" if count_connections else "0",
             "dry_run": "1" if dry_run else "0", "jupyter_url": jupyter_url, "token_file": token_file or "",
             "log_file": log_file}
    args = [f"{k}={v}" for k, v in given.items() if v != CHECKER_DEFAULTS[k]]
    env = {INTERVAL_ENV: str(interval_minutes), ARGS_ENV: " ".join(args)}
    step = Step(name=name, script=SCRIPT, run_as=RunAs.ROOT, timeout_seconds=60, env=env)
    return recipe_scripts(NAME, [step], call=call, notebook_actions=AUTOSTOP_ACTIONS,
                          on_platform=on_studio(idle_minutes, dry_run))


def on_studio(idle_minutes: float, dry_run: bool) -> OnPlatform:
    """What autostop becomes on Studio: the app's idle shutdown (whole minutes, rounded up), or,
    with ``dry_run``, a build error."""
    if dry_run:
        return OnPlatform("studio", "dry_run (log, never stop) has no counterpart in Studio's idle shutdown, "
                          "which shuts the app down. Fix: build for Studio without dry_run")
    minutes = math.ceil(idle_minutes)
    return OnPlatform("studio", f"autostop becomes Studio's own idle shutdown after {minutes} minutes "
                      "(AppLifecycleManagement idle settings, set by StudioLifecycleConfig.attach)", minutes)


#: The checker's options that are the recipe's, with the checker's defaults (its OPTIONS, which a
#: test compares with this): a value equal to its default is not written.
CHECKER_DEFAULTS = {"idle_minutes": str(DEFAULT_AUTOSTOP_IDLE_MINUTES), "count_connections": "0",
                    "dry_run": "0", "jupyter_url": DEFAULT_JUPYTER_URL, "token_file": "",
                    "log_file": DEFAULT_AUTOSTOP_LOG_FILE}
_FLAGS = ("count_connections", "dry_run")


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value


def options_of(steps: Sequence[Step]) -> dict[str, Any]:
    """The options of the use of this recipe whose step begins ``steps`` (read back from a
    bundle): from the checker's arguments (KeyError for one it does not know)."""
    step = steps[0]
    options: dict[str, Any] = {"name": step.name, "interval_minutes": int(step.env[INTERVAL_ENV])}
    for word in step.env[ARGS_ENV].split():
        key, _, value = word.partition("=")
        CHECKER_DEFAULTS[key]  # noqa: B018 - a KeyError names an argument this version does not write
        options[key] = _number(value) if key == "idle_minutes" else value == "1" if key in _FLAGS else value
    return options
