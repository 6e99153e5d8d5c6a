"""The persistent-bin recipe (docs/recipes/persistent-bin.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..bundle import OnPlatform, RunAs, Scripts, Step
from ..limits import PERSISTENT_DIR
from ._common import URL, Options, recipe_call, recipe_scripts, step_timeout, table_env, table_rows

NAME = "persistent-bin"
#: The script its step runs: how ``lcc pull`` finds a use of it among the steps.
SCRIPT = f"{NAME}.sh"
#: On Studio its studio.sh runs (packed only there), which runs the same script for sagemaker-user.
ON_STUDIO = OnPlatform("studio", "on Studio it is the space user's (sagemaker-user's), its folder in the "
                       "home", script="studio.sh")
_BINARY_NAME = re.compile(r"^[A-Za-z0-9_+][A-Za-z0-9._+-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def persistent_bin(
    *,
    name: str = NAME,
    folder: str = f"{PERSISTENT_DIR}/.bin",
    binaries: Mapping[str, str] | None = None,
    sha256: Mapping[str, str] | None = None,
    download_timeout_seconds: float = 60,
    timeout_seconds: float = 180,
) -> Scripts:
    """A persistent folder for programs, first on ec2-user's PATH.

    ``folder`` is created (owned by ec2-user) and put first on ec2-user's ``PATH`` in login
    shells and Jupyter terminals by ``/etc/profile.d/lcc-<name>.sh`` (mode 644); other users,
    root included, do not get it, as root must never run what the notebook user can write.
    Programs named in ``binaries`` are downloaded (as ec2-user, with curl) only when the folder
    lacks them, checked against ``sha256`` when given, and made executable (755); a failed
    download or a wrong checksum is logged and leaves nothing behind, and the start goes on.
    On Studio it is sagemaker-user's: the folder's part below the persistent volume goes below
    its home (``~/.bin`` by default), first on its ``PATH`` in login and interactive shells.

    :param folder: the folder (default ``/home/ec2-user/SageMaker/.bin``).
    :param binaries: file name -> URL (``https://``, ``http://`` or ``file://``) of programs to
        install once (default none).
    :param sha256: file name -> expected SHA-256 (hex) of the download, for any of ``binaries``.
    :param download_timeout_seconds: time limit of each download attempt (default 60).
    :param timeout_seconds: the step's time limit (default 180).
    """
    call = recipe_call(NAME, persistent_bin, locals())
    o = Options(NAME, name)
    urls = o.table("binaries", binaries)
    sums = o.table("sha256", sha256)
    for file_name, url in urls.items():
        if not _BINARY_NAME.fullmatch(file_name):
            o.problem("binaries", file_name, "is not a plain file name (letters, digits and _ . + -)")
        o.matching(f"binaries[{file_name!r}]", url, URL,
                   "an https://, http:// or file:// URL without spaces or quotes")
    for file_name, digest in sums.items():
        if file_name not in urls:
            o.problem("sha256", file_name, "names no program of binaries")
        o.matching(f"sha256[{file_name!r}]", digest, _SHA256, "64 lowercase hexadecimal digits")
    env = {
        "OPT_BIN_DIR": o.persistent_path("folder", folder),
        "OPT_DOWNLOAD_TIMEOUT": str(round(o.seconds("download_timeout_seconds", download_timeout_seconds))),
        **table_env("OPT_BINARY", ["NAME", "URL", "SHA256"],
                    [[n, u, sums.get(n, "")] for n, u in sorted(urls.items())]),
    }
    timeout = o.seconds("timeout_seconds", timeout_seconds)
    o.done()
    step = Step(name=name, script=SCRIPT, run_as=RunAs.ROOT, timeout_seconds=timeout, env=env)
    return recipe_scripts(NAME, [step], call=call, shared_lib=True, on_platform=ON_STUDIO,
                          folders=[env["OPT_BIN_DIR"]])


def options_of(steps: Sequence[Step]) -> dict[str, Any]:
    """The options of the use of this recipe whose step begins ``steps`` (read back from a bundle)."""
    step = steps[0]
    rows = table_rows(step.env, "OPT_BINARY", ["NAME", "URL", "SHA256"])
    return {"name": step.name, "folder": step.env["OPT_BIN_DIR"],
            "binaries": {name: url for name, url, _ in rows} or None,
            "sha256": {name: digest for name, _, digest in rows if digest} or None,
            "download_timeout_seconds": int(step.env["OPT_DOWNLOAD_TIMEOUT"]),
            "timeout_seconds": step_timeout(step)}
