"""The environment-variables recipe (docs/recipes/environment-variables.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..bundle import OnPlatform, RunAs, Scripts, Step
from ..bundle.checks import LOADS_USER_FILES, env_string_bytes, loads_user_files
from ..errors import ValidationError
from ..limits import BASH_SPECIAL_VARIABLES, ENV_NAME_PATTERN, ENV_STRING_MAX_BYTES
from ._common import Options, recipe_call, recipe_scripts, step_timeout

NAME = "environment-variables"
#: The script its step runs: how ``lcc pull`` finds a use of it among the steps.
SCRIPT = f"{NAME}.sh"
#: On Studio its studio.sh runs (packed only there): no systemd there.
ON_STUDIO = OnPlatform("studio", "no systemd on Studio: interactive shells through /etc/bash.bashrc, "
                       "JupyterLab through its configuration", script="studio.sh")

#: Variables a profile script must not set: login shells (and the runner's own steps) depend on
#: them, values are taken literally (``PATH=/x:$PATH`` cannot be expressed), and bash sets or
#: keeps read-only the others.
RESERVED_VARIABLES = BASH_SPECIAL_VARIABLES | {"PATH", "HOME", "USER", "LOGNAME", "SHELL", "IFS"}


#: One line of the environment file: NAME="VALUE", with \ " $ ` escaped by a backslash.
_LINE = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\[\\"$`])*)"\n')


def _dq(value: str) -> str:
    """``value`` in double quotes, read back unchanged by a shell and by systemd's
    EnvironmentFile= parser (which keeps newlines inside quotes)."""
    return '"' + re.sub(r'([\\"$`])', r"\\\1", value) + '"'


def _lines(text: str) -> dict[str, str]:
    """The variables of an environment file written by :func:`environment_variables`."""
    out, pos = {}, 0
    while pos < len(text):
        m = _LINE.match(text, pos)
        if m is None:
            raise ValidationError(f"recipe {NAME!r}: cannot read its variables at {text[pos:pos + 40]!r}")
        out[m[1]] = re.sub(r"\\(.)", r"\1", m[2], flags=re.S)
        pos = m.end()
    return out


def environment_variables(
    *,
    variables: Mapping[str, str],
    name: str = NAME,
    jupyter: bool = True,
    timeout_seconds: float = 30,
) -> Scripts:
    """Environment variables for every user's login shells and for Jupyter's kernels.

    ``/etc/profile.d/lcc-<name>.sh`` (root, mode 644) exports them from
    ``/etc/lcc-constructs/<name>.env``, each value quoted so that it arrives exactly as given
    (spaces, quotes, ``$``, backslashes, newlines). Kernels do
    not read profile scripts: they inherit the environment of the Jupyter server, which systemd
    starts. So, with ``jupyter``, the values also go to ``/etc/lcc-constructs/<name>.env``
    (systemd's EnvironmentFile format, mode 644), which the drop-in
    ``/etc/systemd/system/jupyter-server.service.d/lcc-<name>.conf`` adds to the
    ``jupyter-server`` unit, and Jupyter is restarted without waiting when either file changed.
    Anyone on the instance can read the values (they are in the template, too): no secrets.

    On Studio (no systemd) login shells get them the same way, interactive shells that are not
    login shells (terminals) from ``/etc/bash.bashrc``, and, with ``jupyter``, the JupyterLab
    server, its kernels and terminals from a line added to
    ``/etc/jupyter/jupyter_server_config.py`` that loads them when the server starts.

    :param variables: name -> value (required, at least one).
    :param jupyter: also for Jupyter and its kernels (default True).
    :param timeout_seconds: the step's time limit (default 30).
    """
    call = recipe_call(NAME, environment_variables, locals())
    o = Options(NAME, name)
    values = o.table("variables", variables)
    if not values and not o.problems:
        o.problem("variables", variables, "needs at least one variable")
    for key in values:
        if not ENV_NAME_PATTERN.fullmatch(key):
            o.problem("variables", key, "is not a variable name (letters, digits, _)")
        elif key in RESERVED_VARIABLES:
            o.problem("variables", key, "is set by login shells themselves (or bash): not one of "
                      f"{', '.join(sorted(RESERVED_VARIABLES))}; for PATH use the persistent-bin recipe")
        elif loads_user_files(key, values[key]):
            o.problem(f"variables[{key!r}]", values[key],
                      f"{LOADS_USER_FILES} (root's login shells get it too: /etc/profile.d)")
    env = {"OPT_JUPYTER": o.flag("jupyter", jupyter),
           "OPT_VARS": "".join(f"{k}={_dq(v)}\n" for k, v in sorted(values.items()))}
    size = env_string_bytes("OPT_VARS", env["OPT_VARS"])
    if size > ENV_STRING_MAX_BYTES:
        o.problems.append(
            f"recipe {NAME!r}: variables take {size} bytes together, quoted, and reach the step as one "
            f"environment string of at most {ENV_STRING_MAX_BYTES} bytes (128 KiB, Linux's limit): the "
            "step would fail to start with 'Argument list too long'. Fix: fewer or shorter values, or "
            "two uses of the recipe (name=...), each with a part of them.")
    timeout = o.seconds("timeout_seconds", timeout_seconds)
    o.done()
    step = Step(name=name, script=SCRIPT, run_as=RunAs.ROOT, timeout_seconds=timeout, env=env)
    return recipe_scripts(NAME, [step], call=call, on_platform=ON_STUDIO)


def options_of(steps: Sequence[Step]) -> dict[str, Any]:
    """The options of the use of this recipe whose step begins ``steps`` (read back from a bundle)."""
    step = steps[0]
    return {"name": step.name, "variables": _lines(step.env["OPT_VARS"]),
            "jupyter": step.env["OPT_JUPYTER"] == "1", "timeout_seconds": step_timeout(step)}
