"""What ``lcc diff`` compares a deployed configuration with, when it is not a folder: a script
file, or the lifecycle configuration of a cloud assembly (``cdk.out``)."""

from __future__ import annotations

from pathlib import Path

from ..bundle import Kind
from ._script import HOOKS, content_text, lifecycle_resources
from ._scripts import ReadScript, read_script


class TargetError(ValueError):
    """A path that cannot be compared as given (a usage error)."""


def is_assembly(path: Path) -> bool:
    """Whether a folder is a cloud assembly (cdk.out) rather than a scripts folder."""
    return path.is_dir() and ((path / "manifest.json").is_file() or any(path.glob("*.template.json")))


def script_file(path: Path, kind: Kind) -> ReadScript:
    """A script file (rendered by ``lcc build``, or any other) as the ``kind`` script."""
    return read_script(path.read_text(encoding="utf-8", errors="surrogateescape"), kind, str(path),
                       assets=path.parent)


def assembly_scripts(assembly: Path, name: str) -> dict[Kind, ReadScript]:
    """The scripts of the lifecycle configuration named ``name`` in a cloud assembly (its
    nested assemblies too), or of the only one it holds.

    :raises TargetError: when there is none, or several and none of them named ``name``.
    """
    found = lifecycle_resources(assembly)
    chosen = [r for r in found if r[2].get("NotebookInstanceLifecycleConfigName") == name] or (
        found if len(found) == 1 else [])
    if len(chosen) != 1:
        listed = ", ".join(f"{t.name}:{logical}" for t, logical, _ in found) or "none"
        raise TargetError(f"{assembly}: no lifecycle configuration named {name!r}, and not just one to "
                          f"take instead (found: {listed})")
    template, logical, properties = chosen[0]
    scripts = {}
    for kind, hook in HOOKS.items():
        for entry in (properties.get(hook) or [])[:1]:
            where = f"{template}:{logical}.{hook}"
            scripts[kind] = read_script(content_text(entry.get("Content"), where), kind, where,
                                        assets=template.parent)
    return scripts
