"""The archive: the bundle's files as a bash program, the same bytes for the same files anywhere.

The archive is written as lines of a bash program that writes each file with ``head -c`` from
its own standard input, each followed by the file's bytes: a file costs a short command line
(tar would cost a 512-byte header and padding). The unpacking program (assets/runtime/unpack.sh)
holds it and is run with bash reading it from a regular file as its standard input; POSIX
guarantees what this relies on for a seekable standard input: the shell reads no further than
the command it runs, and ``head`` leaves the offset just past the bytes it copied. Files are
ordered by suffix and name (similar files side by side compress better), with modes set by
``chmod`` lines at the end; directories are made first.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..errors import ValidationError, raise_if


@dataclass(frozen=True)
class ArchiveEntry:
    path: str
    data: bytes
    mode: int


def _parent_dirs(files: list[ArchiveEntry]) -> list[str]:
    return sorted({str(p) for e in files for p in PurePosixPath(e.path).parents if str(p) != "."})


#: Files created by the archive get 0644 from the unpacking program's umask 022: only other
#: modes need a chmod line.
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
    """The archive of ``entries`` (see the module's documentation)."""
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


def path_problem(path: str) -> str | None:
    """Why ``path`` is not a relative, normalized path (no ``..``, ``.``, empty part or NUL),
    if it is not: the shape of a path in a folder read back from a stranger."""
    parts = path.split("/")
    if path.startswith("/"):
        return "an absolute path"
    if ".." in parts:
        return "a path with '..'"
    if "" in parts or "." in parts or "\0" in path:
        return "a path that is not normalized"
    return None


def path_problems(paths: Iterable[str]) -> list[str]:
    """What is wrong with ``paths`` as the files of one folder read back from a stranger (an
    archive, a deployed bundle): each must be relative and normalized (no ``..``, ``.``, empty
    part or trailing ``/``), and appear once, and no file may be the folder of another."""
    problems = []
    seen: set[str] = set()
    for path in paths:
        if path_problem(path):
            problems.append(f"{path!r} is not a relative, normalized path")
        elif path in seen:
            problems.append(f"{path!r} is there twice")
        seen.add(path)
    problems += [f"{p!r} is a file and the folder of another one" for p in sorted(seen)
                 if any(q.startswith(p + "/") for q in seen)]
    return problems


def read_shar(program: bytes) -> list[ArchiveEntry]:
    """The files of the archive inside ``program`` (the unpacking program, or the archive
    alone): from its first line to the first command that is not one of the archive's.

    :raises ValidationError: when it is not such an archive, or its paths are not a folder's
        (:func:`path_problems`): read back, it is input from a stranger.
    """
    pos = program.find(_SHAR_WRITE.encode())
    if pos < 0:
        raise ValidationError("no archive of lcc-constructs in this program")
    entries: list[ArchiveEntry] = []
    modes: dict[str, int] = {}
    pos += len(_SHAR_WRITE)
    try:
        while pos < len(program):
            words, end = _command(program, pos)
            if words[:1] == ["f"] and len(words) == 3:
                size, path = int(words[1]), words[2]
                entries.append(ArchiveEntry(path, program[end:end + size], _SHAR_DEFAULT_MODE))
                pos = end + size
            elif words[:1] == ["chmod"] and words[2:3] == ["--"]:
                modes.update(dict.fromkeys(words[3:], int(words[1], 8) & 0o777))
                pos = end
            elif words[:1] == ["mkdir"]:
                pos = end
            else:
                break
    except ValueError as e:  # a size or mode that is no number, a quote that does not end
        raise ValidationError(f"not an archive of lcc-constructs: {e}") from None
    problems = path_problems(e.path for e in entries)
    problems += [f"{p!r} has a mode but is not in it" for p in sorted(set(modes) - {e.path for e in entries})]
    raise_if([f"the archive: {p}" for p in problems])
    entries = [ArchiveEntry(e.path, e.data, modes.get(e.path, e.mode)) for e in entries]
    return sorted(entries, key=lambda e: e.path)
