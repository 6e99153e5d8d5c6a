"""Deterministic tar archives: the same files give the same bytes on any machine.

Entries are sorted by path, times are 0, owners root (uid/gid 0, no names), file permission
bits are kept (special bits dropped), directories are 0755.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class ArchiveEntry:
    path: str
    data: bytes
    mode: int


def _tarinfo(name: str, kind: bytes, mode: int, size: int = 0) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.size = size
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def build_tar(entries: Iterable[ArchiveEntry]) -> bytes:
    """A tar archive of ``entries`` and the directories that hold them."""
    files = sorted(entries, key=lambda e: e.path)
    dirs = sorted({str(p) for e in files for p in PurePosixPath(e.path).parents if str(p) != "."})
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        members: list[tuple[str, tarfile.TarInfo, bytes | None]] = [
            (d, _tarinfo(d, tarfile.DIRTYPE, 0o755), None) for d in dirs
        ]
        members += [
            (e.path, _tarinfo(e.path, tarfile.REGTYPE, e.mode & 0o777, len(e.data)), e.data)
            for e in files
        ]
        for _, info, data in sorted(members, key=lambda m: m[0]):
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()
