"""The stop-ssm-agent recipe (docs/recipes/stop-ssm-agent.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..bundle import OnPlatform, RunAs, Scripts, Step
from ._common import Options, recipe_call, recipe_scripts, step_timeout

NAME = "stop-ssm-agent"
#: The script its first step runs: how ``lcc pull`` finds a use of it among the steps.
SCRIPT = f"{NAME}.sh"
#: Studio refuses it: a space is a container without the user's SSM agent, systemd or dnf.
ON_STUDIO = OnPlatform("studio", "a Studio space runs no SSM agent of its own (a container without systemd "
                       "or dnf): there is nothing to stop. Fix: leave stop-ssm-agent out of the Studio build")


def stop_ssm_agent(
    *,
    name: str = NAME,
    uninstall: bool = False,
    timeout_seconds: float = 60,
    uninstall_timeout_seconds: float = 900,
) -> Scripts:
    """Stop the SSM agent and disable it (systemd), as root.

    When ``amazon-ssm-agent`` runs, it is stopped and disabled; when it is absent, stopped or
    there is no systemd, the log says so and the step succeeds. The root volume is reset at
    every start, so this happens at every start (the agent runs until the script reaches it).

    :param uninstall: also remove the ``amazon-ssm-agent`` package with dnf, in a background
        step ``<name>-uninstall`` because removal is slow (default False).
    :param timeout_seconds: the stop step's time limit (default 60).
    :param uninstall_timeout_seconds: the background removal's time limit (default 900).
    """
    call = recipe_call(NAME, stop_ssm_agent, locals())
    o = Options(NAME, name)
    o.flag("uninstall", uninstall)
    timeout = o.seconds("timeout_seconds", timeout_seconds)
    uninstall_timeout = o.seconds("uninstall_timeout_seconds", uninstall_timeout_seconds)
    o.done()
    steps = [Step(name=name, script=SCRIPT, run_as=RunAs.ROOT, timeout_seconds=timeout)]
    if not uninstall:
        return recipe_scripts(NAME, steps, call=call, leave_out=["uninstall.sh"], on_platform=ON_STUDIO)
    steps.append(Step(name=f"{name}-uninstall", script="uninstall.sh", run_as=RunAs.ROOT,
                      timeout_seconds=uninstall_timeout, background=True))
    return recipe_scripts(NAME, steps, call=call, on_platform=ON_STUDIO)


def options_of(steps: Sequence[Step]) -> dict[str, Any]:
    """The options of the use of this recipe whose steps begin ``steps`` (read back from a
    bundle): the background removal is the next step when it is named after the first."""
    first, rest = steps[0], steps[1:]
    uninstall = bool(rest) and rest[0].name == f"{first.name}-uninstall" and rest[0].background
    options: dict[str, Any] = {"name": first.name, "uninstall": uninstall,
                               "timeout_seconds": step_timeout(first)}
    if uninstall:
        options["uninstall_timeout_seconds"] = step_timeout(rest[0])
    return options
