"""Deterministic archives: the same files give the same bytes on any machine.

Two formats, and the bundler keeps whichever compresses smaller:

- ``tar``: entries sorted by path, times 0, owners root (uid/gid 0, no names), file permission
  bits kept (special bits dropped), directories 0755. Unpacked with ``tar -x``.
- ``shar``: the archive is a small bash program that writes each file with ``head -c`` from its
  own standard input, followed by the file's bytes (assets/codecs/archive/shar.sh runs it). A
  file costs a short command line instead of tar's 512-byte header and padding. It relies on
  what POSIX guarantees when both read a seekable standard input: the shell reads no further
  than the command it runs, and ``head`` leaves the offset just past the bytes it copied.
"""

from __future__ import annotations

import io
import shlex
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from .errors import BundleError


@dataclass(frozen=True)
class ArchiveEntry:
    path: str
    data: bytes
    mode: int


def _parent_dirs(files: list[ArchiveEntry]) -> list[str]:
    return sorted({str(p) for e in files for p in PurePosixPath(e.path).parents if str(p) != "."})


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
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        members: list[tuple[str, tarfile.TarInfo, bytes | None]] = [
            (d, _tarinfo(d, tarfile.DIRTYPE, 0o755), None) for d in _parent_dirs(files)
        ]
        members += [
            (e.path, _tarinfo(e.path, tarfile.REGTYPE, e.mode & 0o777, len(e.data)), e.data)
            for e in files
        ]
        for _, info, data in sorted(members, key=lambda m: m[0]):
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def read_tar(archive: bytes) -> list[ArchiveEntry]:
    """The regular files of a tar archive."""
    out = []
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            extracted = tar.extractfile(member) if member.isfile() else None
            if extracted is not None:
                out.append(ArchiveEntry(member.name, extracted.read(), member.mode & 0o777))
    return out


#: Files created by the shar program get 0644 from the bootstrap's umask 022: only other modes
#: need a chmod line.
_SHAR_DEFAULT_MODE = 0o644
_SHAR_WRITE = 'f(){ head -c "$1" >"$2";}\n'


def _shar_order(entry: ArchiveEntry) -> tuple[str, str, str]:
    # Files of one kind side by side compress better than files in path order: LZ77 finds the
    # shared idioms of the previous shell (or Python) file nearby.
    path = PurePosixPath(entry.path)
    return (path.suffix, path.name, entry.path)


def _utf8(text: str) -> bytes:
    # File names that are not UTF-8 reach us as surrogate escapes (os.fsdecode): keep their bytes.
    return text.encode("utf-8", "surrogateescape")


def build_shar(entries: Iterable[ArchiveEntry]) -> bytes:
    """A shar archive of ``entries`` (see the module's documentation)."""
    files = sorted(entries, key=_shar_order)
    out = [_SHAR_WRITE.encode()]
    dirs = _parent_dirs(files)
    if dirs:
        out.append(_utf8(f"mkdir -p -- {' '.join(shlex.quote(d) for d in dirs)}\n"))
    for e in files:
        out.append(_utf8(f"f {len(e.data)} {shlex.quote(e.path)}\n"))
        out.append(e.data)
    modes: dict[int, list[str]] = {}
    for e in sorted(files, key=lambda e: e.path):
        modes.setdefault(e.mode & 0o777, []).append(e.path)
    for mode, paths in sorted(modes.items()):
        if mode != _SHAR_DEFAULT_MODE:
            out.append(_utf8(f"chmod {mode:o} -- {' '.join(shlex.quote(p) for p in paths)}\n"))
    return b"".join(out)


def _command(data: bytes, pos: int) -> tuple[list[str], int]:
    """The words of the shell command at ``pos`` (up to its unquoted newline), and where the
    next one starts. Only what build_shar writes (shlex.quote's quoting) is understood."""
    quote = None
    i = pos
    while i < len(data):
        ch = data[i:i + 1]
        if quote:
            quote = None if ch == quote else quote
        elif ch in (b"'", b'"'):
            quote = ch
        elif ch == b"\n":
            break
        i += 1
    return shlex.split(data[pos:i].decode("utf-8", "surrogateescape")), i + 1


def read_shar(archive: bytes) -> list[ArchiveEntry]:
    """The files of a shar archive written by :func:`build_shar`."""
    if not archive.startswith(_SHAR_WRITE.encode()):
        raise BundleError("not a shar archive of lcc-constructs")
    files: dict[str, ArchiveEntry] = {}
    pos = len(_SHAR_WRITE)
    while pos < len(archive):
        words, pos = _command(archive, pos)
        if words[:1] == ["f"]:
            size, path = int(words[1]), words[2]
            files[path] = ArchiveEntry(path, archive[pos:pos + size], _SHAR_DEFAULT_MODE)
            pos += size
        elif words[:1] == ["chmod"]:
            for path in words[3:]:
                files[path] = ArchiveEntry(path, files[path].data, int(words[1], 8))
        elif words[:1] != ["mkdir"]:
            raise BundleError(f"unexpected command in a shar archive: {words[:2]}")
    return sorted(files.values(), key=lambda e: e.path)
