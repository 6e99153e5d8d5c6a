"""The jupyter-extensions recipe (docs/recipes/jupyter-extensions.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from ..bundle import RunAs, Scripts, Step
from ..limits import SAFE_PATH_PATTERN
from ._common import Options, recipe_call, recipe_scripts, step_timeout

NAME = "jupyter-extensions"
#: The script its step runs: how ``lcc pull`` finds a use of it among the steps.
SCRIPT = f"{NAME}.sh"
_VERSION = r"(==|>=|<=|~=|!=|<|>)[A-Za-z0-9.*+!]+"
#: A project name (PEP 508), optional extras and version specifiers; no URL, path or option.
_REQUIREMENT = re.compile(rf"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?(\[[A-Za-z0-9._,-]+\])?"
                          rf"({_VERSION}(,{_VERSION})*)?$")
_REQUIREMENT_TEXT = ("a package name (letters, digits, . _ -) with optional [extras] and version "
                     "specifiers such as ==1.2 or >=4,<5, without spaces")


def jupyter_extensions(
    *,
    name: str = NAME,
    packages: Sequence[str],
    server_prefix: str | None = None,
    background: bool = False,
    timeout_seconds: float = 600,
) -> Scripts:
    """JupyterLab extensions pip-installed into the JupyterLab server's environment at every start.

    On Studio the server's environment (``/opt/conda`` on SageMaker Distribution) is the image's
    again at every start, so extensions installed there are gone after a restart: this step
    installs them again, as the notebook user, with ``<prefix>/bin/python -m pip install``, which
    uses pip's configuration (the package-index recipe's index when it runs before). On a notebook
    instance it installs into ``JupyterSystemEnv`` as ec2-user. Packages already there are left
    as they are.

    :param packages: the extensions' Python packages, e.g. ``["jupyterlab-git",
        "jupyterlab-lsp==5.1.0"]``.
    :param server_prefix: the environment JupyterLab runs from (an absolute path). Default: the
        first of ``/opt/conda`` and ``/home/ec2-user/anaconda3/envs/JupyterSystemEnv`` with
        ``bin/python``.
    :param background: install in a background step, so the start does not wait (a page reload
        shows them once installed). Default False.
    :param timeout_seconds: the step's time limit (default 600; a foreground step also gets no
        more than what is left of the script's budget).
    """
    call = recipe_call(NAME, jupyter_extensions, locals())
    o = Options(NAME, name)
    names = o.strings("packages", packages, _REQUIREMENT, _REQUIREMENT_TEXT, at_least_one="extension")
    prefix = ""
    if server_prefix is not None:
        path = PurePosixPath(server_prefix) if isinstance(server_prefix, str) else None
        if (path is None or not SAFE_PATH_PATTERN.fullmatch(str(server_prefix)) or ".." in path.parts
                or path == PurePosixPath("/")):
            o.problem("server_prefix", server_prefix, "must be an absolute folder (letters, digits and "
                      "_ . / -), e.g. '/opt/conda'")
        else:
            prefix = path.as_posix()
    o.flag("background", background)
    timeout = o.seconds("timeout_seconds", timeout_seconds)
    o.done()
    env = {"OPT_PACKAGES": " ".join(names), "OPT_PREFIX": prefix}
    step = Step(name=name, script=SCRIPT, run_as=RunAs.NOTEBOOK_USER, background=background,
                timeout_seconds=timeout, env=env)
    return recipe_scripts(NAME, [step], call=call)


def options_of(steps: Sequence[Step]) -> dict[str, Any]:
    """The options of the use of this recipe whose step begins ``steps`` (read back from a bundle)."""
    step = steps[0]
    return {"name": step.name, "packages": step.env["OPT_PACKAGES"].split(),
            "server_prefix": step.env["OPT_PREFIX"] or None, "background": step.background,
            "timeout_seconds": step_timeout(step)}
