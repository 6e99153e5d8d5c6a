"""The git-config recipe (docs/recipes/git-config.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..bundle import RunAs, Scripts, Step
from ._common import Options, recipe_call, recipe_scripts, step_timeout, table_env, table_rows

NAME = "git-config"
#: The script its step runs: how ``lcc pull`` finds a use of it among the steps.
SCRIPT = f"{NAME}.sh"
# section.key or section.subsection.key; git allows any subsection text but a newline.
_GIT_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9-]*(\.[^\n\0]+)?\.[A-Za-z][A-Za-z0-9-]*$")


def git_config(
    *,
    name: str = NAME,
    user_name: str | None = None,
    user_email: str | None = None,
    settings: Mapping[str, str] | None = None,
    timeout_seconds: float = 30,
) -> Scripts:
    """Git identity and settings of ec2-user (``git config --global``, in ``~/.gitconfig``).

    Runs as ec2-user (on Studio as sagemaker-user, whose ``~/.gitconfig`` persists); each key gets
    exactly the value given (``--replace-all``). Without git the
    step fails (``git: command not found``), which does not fail the start.

    :param user_name: ``user.name``.
    :param user_email: ``user.email``.
    :param settings: any other keys, e.g. ``{"init.defaultBranch": "main", "pull.rebase": "true"}``.
    :param timeout_seconds: the step's time limit (default 30).
    """
    call = recipe_call(NAME, git_config, locals())
    o = Options(NAME, name)
    values = o.table("settings", settings)
    for option, key, value in (("user_name", "user.name", user_name),
                               ("user_email", "user.email", user_email)):
        if value is not None:
            values[key] = o.text(option, value)
    if not values and not o.problems:
        o.problem("settings", settings, "and user_name, user_email are empty: give one")
    for key in values:
        if not _GIT_KEY.fullmatch(key):
            o.problem("settings", key, "is not a git key (section.name or section.subsection.name)")
    timeout = o.seconds("timeout_seconds", timeout_seconds)
    o.done()
    env = table_env("OPT_GIT", ["KEY", "VALUE"], sorted(values.items()))
    step = Step(name=name, script=SCRIPT, run_as=RunAs.NOTEBOOK_USER, timeout_seconds=timeout, env=env)
    return recipe_scripts(NAME, [step], call=call)


def options_of(steps: Sequence[Step]) -> dict[str, Any]:
    """The options of the use of this recipe whose step begins ``steps`` (read back from a bundle):
    the identity as ``user_name``/``user_email``, every other key in ``settings``."""
    step = steps[0]
    settings = dict(table_rows(step.env, "OPT_GIT", ["KEY", "VALUE"]))
    return {"name": step.name, "user_name": settings.pop("user.name", None),
            "user_email": settings.pop("user.email", None), "settings": settings or None,
            "timeout_seconds": step_timeout(step)}
