"""The package-index recipe (docs/recipes/package-index.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..bundle import RunAs, Scripts, Step
from ._common import URL, Options, recipe_call, recipe_scripts, step_timeout

NAME = "package-index"
#: The script its step runs: how ``lcc pull`` finds a use of it among the steps.
SCRIPT = f"{NAME}.sh"
_HOST = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]{1,5})?$")
#: A channel is an argument of `conda config --prepend channels`: one starting with - would be
#: an option of conda's (--file=/etc/shadow).
_CHANNEL = re.compile(r"^[^\s'\"\\-][^\s'\"\\]*$")
_URL_TEXT = "an https://, http:// or file:// URL without spaces or quotes"


def package_index(
    *,
    name: str = NAME,
    index_url: str | None = None,
    extra_index_urls: Sequence[str] = (),
    trusted_hosts: Sequence[str] = (),
    conda_channels: Sequence[str] = (),
    timeout_seconds: float = 60,
) -> Scripts:
    """pip (and conda) of ec2-user install from a private package index.

    Sets ``index-url``, ``extra-index-url`` and ``trusted-host`` in the ``[global]`` section of
    ``/home/ec2-user/.config/pip/pip.conf`` (mode 600: URLs may hold credentials), replacing
    earlier values of those keys and keeping every other line of the file. Runs as ec2-user
    (on Studio as sagemaker-user, whose home, and so these settings, persist). Only the options
    you give are set.

    :param index_url: replaces PyPI as pip's index (default: left as it is).
    :param extra_index_urls: indexes pip searches besides the main one.
    :param trusted_hosts: hosts pip may reach without valid HTTPS (``host`` or ``host:port``).
    :param conda_channels: conda channels put first, in this order, in the ``channels`` list of
        ``/home/ec2-user/.condarc`` (``conda config --prepend``), with ``~/anaconda3/bin/conda``
        or else the ``conda`` on ``PATH`` (Studio's); skipped with a log line when there is none.
    :param timeout_seconds: the step's time limit (default 60).
    """
    call = recipe_call(NAME, package_index, locals())
    o = Options(NAME, name)
    index = o.matching("index_url", index_url, URL, _URL_TEXT) if index_url is not None else ""
    extra = o.strings("extra_index_urls", extra_index_urls, URL, "a URL")
    for option, url in [("index_url", index), *(("extra_index_urls", u) for u in extra)]:
        if url:
            o.url_port(option, url)
    hosts = o.strings("trusted_hosts", trusted_hosts, _HOST, "a host name (letters, digits, . and -, "
                      "starting with a letter or digit) with an optional :port")
    for host in hosts:
        o.port("trusted_hosts", host, host.partition(":")[2] or None)
    channels = o.strings("conda_channels", conda_channels, _CHANNEL,
                         "a channel name or URL without spaces or quotes, not starting with '-'")
    if index_url is None and not (extra or hosts or channels) and not o.problems:
        o.problem("index_url", index_url, "and every other option are empty: give at least one")
    timeout = o.seconds("timeout_seconds", timeout_seconds)
    o.done()
    env = {"OPT_INDEX_URL": index, "OPT_EXTRA_INDEX_URLS": " ".join(extra),
           "OPT_TRUSTED_HOSTS": " ".join(hosts), "OPT_CONDA_CHANNELS": " ".join(channels)}
    step = Step(name=name, script=SCRIPT, run_as=RunAs.NOTEBOOK_USER, timeout_seconds=timeout, env=env)
    return recipe_scripts(NAME, [step], call=call)


def options_of(steps: Sequence[Step]) -> dict[str, Any]:
    """The options of the use of this recipe whose step begins ``steps`` (read back from a bundle)."""
    step = steps[0]
    return {"name": step.name, "index_url": step.env["OPT_INDEX_URL"] or None,
            "extra_index_urls": step.env["OPT_EXTRA_INDEX_URLS"].split(),
            "trusted_hosts": step.env["OPT_TRUSTED_HOSTS"].split(),
            "conda_channels": step.env["OPT_CONDA_CHANNELS"].split(), "timeout_seconds": step_timeout(step)}
