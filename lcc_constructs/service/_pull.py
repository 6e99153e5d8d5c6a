"""``lcc pull``: a deployed configuration's scripts, each made into a folder by the read-back
layer (lcc_constructs/readback/_folder.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..bundle import KINDS, Kind
from ..readback import PulledFolder, pull_folders
from ._aws import Aws, ServiceError
from ._deploy import deployed_scripts
from ._deployed import require_config


def pull(aws: Aws, name: str, targets: dict[Kind, Path],
         say: Callable[[str], None]) -> tuple[list[PulledFolder], list[str]]:
    """Write each script of the configuration ``name`` as a folder to its target (checked by
    :func:`~lcc_constructs.readback.target_problem`); what each became (a kind the configuration
    lacks: ``folder`` None), and the notes on what could not be made as well as hoped.

    :raises ServiceError: when the configuration has a script no target was given for.
    """
    config = require_config(aws, name)
    untargeted = [kind for kind in config.scripts if kind not in targets]
    if untargeted:
        option = "--on-create DIR" if untargeted == ["on-create"] else "a DIR"
        raise ServiceError(f"{name} has an {' and '.join(untargeted)} script too: give {option} for it")
    missing = [PulledFolder(kind, None) for kind in targets if kind not in config.scripts]
    for kind in targets:
        if kind not in config.scripts:
            say(f"{kind}: {name} has no {kind} script; {targets[kind]} is left as it is")
    scripts = {targets[kind]: script for kind, script in deployed_scripts(aws, config).items()}
    written, notes = pull_folders(scripts, name, say)
    return sorted(written + missing, key=lambda p: KINDS.index(p.kind)), notes
