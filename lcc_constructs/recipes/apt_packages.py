"""The apt-packages recipe (docs/recipes/apt-packages.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..bundle import OnPlatform, RunAs, Scripts, Step
from ._common import Options, recipe_call, recipe_scripts, step_timeout

NAME = "apt-packages"
#: The script its step runs: how ``lcc pull`` finds a use of it among the steps.
SCRIPT = f"{NAME}.sh"
#: A Debian package name (policy 5.6.1), with an optional :architecture and =version; never an
#: option of apt-get's (it starts with a letter or digit) nor a pattern (no * ? ~ ^ /).
_PACKAGE = re.compile(r"^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?(=[A-Za-z0-9.+~:-]+)?$")
_PACKAGE_TEXT = ("a Debian package name (lower-case letters, digits, + . -, starting with a letter "
                 "or digit), optionally with :architecture or =version")
#: Why a notebook instance refuses it (a build for one says so).
NOTEBOOK_INSTANCE = ("apt-packages installs with apt-get (Studio's Ubuntu images); a notebook "
                     "instance runs Amazon Linux 2023, whose packages come from dnf. Fix: install "
                     "them with `sudo dnf install -y ...` in a root step of your own")


def apt_packages(
    *,
    name: str = NAME,
    packages: Sequence[str],
    update: bool = True,
    background: bool = False,
    timeout_seconds: float = 600,
) -> Scripts:
    """Debian/Ubuntu packages installed with apt-get at every start (Studio).

    A Studio space's ``/usr`` and ``/var`` are the image's again at every start, so packages
    installed with ``sudo apt-get install`` are gone after a restart: this step installs them
    again, as root (through ``sudo -n`` on Studio), with ``--no-install-recommends``, waiting up
    to 60 s for another apt's lock. A notebook instance (Amazon Linux 2023, dnf) refuses it at
    build. Without apt-get the step fails, saying so (the start goes on).

    :param packages: the packages, e.g. ``["graphviz", "libsndfile1"]`` (``name``,
        ``name:arch`` or ``name=version``).
    :param update: run ``apt-get update`` first (default True): the image's package lists may be
        stale, or gone.
    :param background: install in a background step, so the start does not wait for it (the
        packages arrive a little after the app opens). Default False.
    :param timeout_seconds: the step's time limit (default 600; a foreground step also gets no
        more than what is left of the script's budget).
    """
    call = recipe_call(NAME, apt_packages, locals())
    o = Options(NAME, name)
    names = o.strings("packages", packages, _PACKAGE, _PACKAGE_TEXT, at_least_one="package")
    o.flag("update", update)
    o.flag("background", background)
    timeout = o.seconds("timeout_seconds", timeout_seconds)
    o.done()
    env = {"OPT_PACKAGES": " ".join(names), "OPT_UPDATE": "1" if update else "0"}
    step = Step(name=name, script=SCRIPT, run_as=RunAs.ROOT, background=background,
                timeout_seconds=timeout, env=env)
    return recipe_scripts(NAME, [step], call=call,
                          on_platform=OnPlatform("notebook-instance", NOTEBOOK_INSTANCE))


def options_of(steps: Sequence[Step]) -> dict[str, Any]:
    """The options of the use of this recipe whose step begins ``steps`` (read back from a bundle)."""
    step = steps[0]
    return {"name": step.name, "packages": step.env["OPT_PACKAGES"].split(),
            "update": step.env["OPT_UPDATE"] == "1", "background": step.background,
            "timeout_seconds": step_timeout(step)}
