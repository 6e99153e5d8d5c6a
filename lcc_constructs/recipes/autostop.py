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

from ..bundle import Scripts, Step
from ..limits import (
    AUTOSTOP_ACTIONS,
    AUTOSTOP_MAX_INTERVAL_MINUTES,
    DEFAULT_AUTOSTOP_IDLE_MINUTES,
    DEFAULT_AUTOSTOP_INTERVAL_MINUTES,
    DEFAULT_AUTOSTOP_LOG_FILE,
    DEFAULT_AUTOSTOP_STARTING_GRACE_MINUTES,
    DEFAULT_JUPYTER_URL,
    SAFE_PATH_PATTERN,
)
from ._common import Options, recipe_call, recipe_scripts

NAME = "autostop"
#: The script its step runs: how ``lcc pull`` finds a use of it among the steps.
SCRIPT = "autostop.py"

#: The variable holding the checker's options (plain words, split on spaces by the checker).
ARGS_ENV = "OPT_AUTOSTOP_ARGS"

#: Jupyter URLs accepted: this instance's Jupyter (loopback: the checker sends its token there),
#: as one shell word.
JUPYTER_URL_PATTERN = re.compile(r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?(/[A-Za-z0-9._/-]*)?$")


def autostop(
    *,
    name: str = NAME,
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
    ``interval_minutes`` by a systemd timer; no download, works offline).

    Idle: no kernel busy, and the latest activity of every kernel (and terminal, unless
    ``count_terminals=False``) older than ``idle_minutes``; with nothing running, counted from
    when a check first saw nothing running. ``count_connections``: an open browser connection to
    a kernel keeps the instance awake. ``starting_grace_minutes``: a kernel stuck in
    ``starting`` counts as active this long, then no longer counts. ``dry_run``: log, never
    stop. ``jupyter_url``/``token_file``: this instance's Jupyter server (loopback) and a file
    holding its token, if it needs one. ``log_file``: the notebook user's file on the persistent
    volume that keeps the decisions (they also go to /var/log/jupyter.log). Needs
    ``sagemaker:DescribeNotebookInstance`` and ``sagemaker:StopNotebookInstance`` on the
    instance: the recipe declares them and the constructs grant them.
    """
    # One timer and one /opt/lcc-autostop for the instance: a second use would replace the first.
    call = recipe_call(NAME, autostop, locals(), once=True)
    o = Options(NAME)
    minutes = {"idle_minutes": idle_minutes, "starting_grace_minutes": starting_grace_minutes}
    for option, value in minutes.items():
        zero_ok = option == "starting_grace_minutes"
        if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
                or value < 0 or (value == 0 and not zero_ok)):
            o.problem(option, value, "must be a number of minutes, 0 or more" if zero_ok
                      else "must be a positive number of minutes")
    if (isinstance(interval_minutes, bool) or not isinstance(interval_minutes, int)
            or not 1 <= interval_minutes <= AUTOSTOP_MAX_INTERVAL_MINUTES):
        o.problem("interval_minutes", interval_minutes, f"must be a whole number from 1 to "
                  f"{AUTOSTOP_MAX_INTERVAL_MINUTES} (the timer repeats within the hour)")
    o.matching("jupyter_url", jupyter_url, JUPYTER_URL_PATTERN,
               "this instance's Jupyter: http(s)://localhost, 127.0.0.1 or [::1], with a port and a "
               "path of letters, digits and . _ / - (the checker sends the token there)")
    for option, path in {"token_file": token_file, "log_file": log_file}.items():
        if path is not None:
            o.matching(option, path, SAFE_PATH_PATTERN, "an absolute path of letters, digits and _ . / -")
    given = {"count_connections": count_connections, "count_terminals": count_terminals, "dry_run": dry_run}
    for option, value in given.items():
        o.flag(option, value)
    o.done()
    # str(), not :g, which would round 90.1234567 and write 1234567 as 1.23457e+06.
    args = [f"--idle-minutes={idle_minutes}", f"--starting-grace-minutes={starting_grace_minutes}",
            f"--jupyter-url={jupyter_url}", f"--log={log_file}"]
    args += [flag for flag, (option, on) in _FLAGS.items() if given[option] == on]
    if token_file:
        args.append(f"--token-file={token_file}")
    env = {"OPT_AUTOSTOP_INTERVAL_MINUTES": str(interval_minutes), ARGS_ENV: " ".join(args)}
    step = Step(name=name, script=SCRIPT, timeout_seconds=60, env=env)
    return recipe_scripts(NAME, [step], call=call, shared_lib=False, notebook_actions=AUTOSTOP_ACTIONS)


#: The checker's flags that are options (flag -> option, and the option's value when present):
#: what the recipe writes and what reading it back gives.
_FLAGS = {"--count-connections": ("count_connections", True),
          "--ignore-terminals": ("count_terminals", False), "--dry-run": ("dry_run", True)}
#: The checker's valued arguments that are options.
_VALUED = {"--idle-minutes": "idle_minutes", "--starting-grace-minutes": "starting_grace_minutes",
           "--jupyter-url": "jupyter_url", "--log": "log_file", "--token-file": "token_file"}


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value


def options_of(steps: Sequence[Step]) -> dict[str, Any]:
    """The options of the use of this recipe whose step begins ``steps`` (read back from a
    bundle): from the checker's arguments (KeyError for one it does not know)."""
    step = steps[0]
    options: dict[str, Any] = {"name": step.name,
                               "interval_minutes": int(step.env["OPT_AUTOSTOP_INTERVAL_MINUTES"])}
    for word in step.env[ARGS_ENV].split():
        key, sep, value = word.partition("=")
        if not sep:
            option, on = _FLAGS[key]
            options[option] = on
        elif key in ("--idle-minutes", "--starting-grace-minutes"):
            options[_VALUED[key]] = _number(value)
        else:
            options[_VALUED[key]] = value
    return options
