"""``lcc deploy``: make a lifecycle configuration hold exactly the scripts built, saying what
changes; ``lcc diff``: the same comparison, as a drift check."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ..bundle import KINDS, Kind
from ..readback import Comparison, ReadScript, compare, read_script
from ._aws import Aws, ServiceError
from ._deployed import DeployedConfig, read_config, require_config, s3_getter, write_config


def deployed_scripts(aws: Aws, config: DeployedConfig) -> dict[Kind, ReadScript]:
    """The configuration's scripts, read for what they are (an S3 payload downloaded)."""
    return {kind: read_script(text, kind, f"deployed {config.name}", fetch=s3_getter(aws))
            for kind, text in config.scripts.items()}


def comparisons(deployed: dict[Kind, ReadScript], wanted: dict[Kind, ReadScript]) -> list[Comparison]:
    """Each kind's differences, from what is deployed to what is wanted."""
    return [compare(kind, deployed.get(kind), wanted.get(kind)) for kind in KINDS]


def _refuse_foreign(name: str, deployed: dict[Kind, ReadScript]) -> None:
    """Refuse to replace a script lcc-constructs did not build."""
    foreign = [s for s in deployed.values() if s.origin == "foreign"]
    if foreign:
        kinds = " and ".join(s.kind for s in foreign)
        raise ServiceError(
            f"{name} holds an {kinds} script that lcc-constructs did not build; lcc deploy replaces only "
            f"configurations it built. See it with 'lcc pull {name} DIR' or 'lcc diff {name} FOLDER', "
            "then give --force to replace it.")


def _contents(wanted: dict[Kind, ReadScript]) -> dict[Kind, str]:
    """The API's Content (base64) of each script."""
    return {kind: base64.b64encode(s.text.encode("utf-8", "surrogateescape")).decode("ascii")
            for kind, s in wanted.items()}


@dataclass(frozen=True)
class Deployed:
    """What ``lcc deploy`` did to the configuration ``name`` (or would do, ``dry_run``):
    ``action`` created, updated or unchanged, and each kind's comparison."""

    name: str
    action: Literal["created", "updated", "unchanged"]
    dry_run: bool
    comparisons: list[Comparison]

    def to_dict(self) -> dict[str, Any]:
        """The configuration's part of ``lcc deploy --json``."""
        return {"name": self.name, "action": self.action, "dry_run": self.dry_run,
                "scripts": [c.to_dict() for c in self.comparisons]}


def deploy(aws: Aws, name: str, wanted: dict[Kind, ReadScript], *, dry_run: bool, force: bool,
           say: Callable[[str], None]) -> Deployed:
    """Create the configuration ``name`` with the ``wanted`` scripts, or update it to hold
    exactly those (a kind not wanted is removed); nothing when it holds them already. Prints
    what changes, and returns it.

    :raises ServiceError: when the configuration holds a script not built by lcc-constructs
        (unless ``force``), or AWS refuses.
    """
    config = read_config(aws, name)
    would = "would be " if dry_run else ""
    deployed = deployed_scripts(aws, config) if config is not None else {}
    changes = comparisons(deployed, wanted)
    if config is not None and all(c.equal for c in changes):
        say(f"{name}: unchanged")
        return Deployed(name, "unchanged", dry_run, changes)
    if not force:
        _refuse_foreign(name, deployed)
    if not dry_run:
        write_config(aws, name, _contents(wanted), exists=config is not None)
    action: Literal["created", "updated"] = "created" if config is None else "updated"
    say(f"{name}: {would}{action}")
    for comparison in changes:
        for line in comparison.summary:
            say(f"  {line}")
    return Deployed(name, action, dry_run, changes)


def diff(aws: Aws, name: str, wanted: dict[Kind, ReadScript]) -> list[Comparison]:
    """What differs between the deployed configuration ``name`` and ``wanted``, by kind."""
    return comparisons(deployed_scripts(aws, require_config(aws, name)), wanted)
