"""The hand-made method, read back: a wrapper script with a base64 tar (or tar.gz, tar.bz2,
tar.xz) inlined, which it decodes and unpacks, then calls scripts of it.

``read_article`` reads the wrapper as bash parses it (_shell.py) and accepts only what it fully
understands (docs/service-commands.md lists it); anything else makes it give the reason, and
``lcc pull`` keeps the script as it is. What it understands:

* the payload: ``echo``/``printf`` of a literal or of a variable holding one (also one set from
  ``$(cat <<EOF ... EOF)``), a here-document or a here-string, through ``base64 -d`` (and an
  optional ``gunzip``/``xz -d``/``bzip2 -d``) into ``tar x... [-C DIR]``, or first into a file
  that a later ``tar x...f FILE`` unpacks; the archive's members are checked (archive_files);
* calls of the archive's scripts, one a command: ``bash``/``sh``/``source``/``python3`` or the
  path itself (then its execute bit must be set); as ec2-user through ``sudo -u ec2-user [-i]``,
  ``su [-] ec2-user -c '...'`` or a here-document fed to ``sudo -u ec2-user -i``;
  ``nohup``/``&`` (background), ``timeout N``, ``VAR=value`` before the command, ``|| true``/
  ``|| :``/``|| echo ...`` (failure ignored), output into a log (``> LOG``, ``| tee -a LOG``:
  dropped, the runner logs each step's output); ``for NAME in WORDS; do ...; done`` over the
  archive's files, in the order bash's glob gives them in the C locale;
* around them: comments, ``set`` (``-e`` makes the calls required), ``cd``, ``mkdir``,
  ``chmod`` (its modes followed), ``chown``, ``rm`` (a file removed is not called),
  ``echo``/``printf`` (to the log), ``export VAR=value`` (the root steps' environment), plain
  variable assignments (also ``$(...)`` of a command whose output is known or harmless),
  ``true``, ``exit 0``; ``sudo`` before any of them.
"""

from __future__ import annotations

import base64
import binascii
import bz2
import fnmatch
import gzip
import io
import lzma
import posixpath
import re
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from ..bundle import RunAs, Step
from ..bundle.archive import path_problem
from ..bundle.languages import PYTHON_SUFFIXES, language, parse_shebang
from ..limits import NOTEBOOK_USER, READBACK_MAX_BYTES, SYSTEM_FOLDERS
from ..printable import printable
from ._shell import For, HereDoc, Line, Part, Redir, Simple, Unread, Word, parse

HOME = f"/home/{NOTEBOOK_USER}"

#: The script is not (all) the hand-made method: the message says which line and why.
NotArticle = Unread


@dataclass(frozen=True)
class Article:
    """What a wrapper holds: the archive's files (path: (mode, data)), the steps its calls make
    and a few words on the archive."""

    files: dict[str, tuple[int, bytes]]
    steps: tuple[Step, ...]
    archive: str


@dataclass
class _Tree:
    """The archive as the wrapper left it on the instance: files as unpacked, their modes after
    chmod, what rm removed, files the wrapper decoded, the folders of the archive."""

    root: str | None = None
    files: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    folders: set[str] = field(default_factory=set)
    modes: dict[str, int] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    decoded: dict[str, bytes] = field(default_factory=dict)
    archive: str = ""
    steps: list[Step] = field(default_factory=list)


@dataclass
class _State:
    """One shell of the wrapper (root's, or a shell started as ec2-user) and what it has done."""

    tree: _Tree
    vars: dict[str, str] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    exported: dict[str, str] = field(default_factory=dict)
    cwd: str = "/"
    user: RunAs = RunAs.ROOT
    login: bool = False
    inner: bool = False
    errexit: bool = False
    pipefail: bool = False
    exited: bool = False


_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=")
_KEYWORDS = {"if", "then", "elif", "else", "fi", "for", "while", "until", "do", "done", "case", "esac",
             "function", "{", "}", "[[", "[", "test", "select", "!", "break", "continue", "return", "eval",
             "exec", "trap", "alias", "shopt"}
_PYTHON = re.compile(r"python(3(\.[0-9]+)?)?")
_DECOMPRESSORS = {("gunzip",): "gz", ("zcat",): "gz", ("gzip", "-d"): "gz", ("gzip", "-dc"): "gz",
                  ("gzip", "-cd"): "gz", ("unxz",): "xz", ("xz", "-d"): "xz", ("xz", "-dc"): "xz",
                  ("bunzip2",): "bz2", ("bzip2", "-d"): "bz2", ("bzip2", "-dc"): "bz2"}
_TAR_FLAGS = {"z": "gz", "j": "bz2", "J": "xz", "v": None, "o": None, "p": None, "m": None}
_TAR_LONG = {"--gzip": "gz", "--gunzip": "gz", "--ungzip": "gz", "--xz": "xz", "--bzip2": "bz2",
             "--no-same-owner": None, "--same-owner": None, "--no-same-permissions": None,
             "--same-permissions": None, "--preserve-permissions": None, "--verbose": None,
             "--touch": None, "--overwrite": None}
_KINDS = {"gz": "tar.gz", "bz2": "tar.bz2", "xz": "tar.xz", "tar": "tar"}
_BRACES = re.compile(r"\{[^{}]*(,|\.\.)[^{}]*\}")
_GLOB = re.compile(r"[*?\[]")
_QUIET_TARGETS = {"/dev/null", "/dev/stdout", "/dev/stderr"}
_HERE_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def shown(text: str, limit: int = 60) -> str:
    """A piece of the script for a message: quoted, control characters escaped, cut to ``limit``."""
    text = text if len(text) <= limit else text[:limit] + "..."
    return repr(text)


# --- words ------------------------------------------------------------------------------

def _substitution(part: Part, state: _State) -> str | None:
    """The output of a ``$(...)`` (trailing line breaks removed), None when it is harmless but
    not known; anything else is not read."""
    lines = part.program
    one = len(lines) == 1 and not lines[0].ops and not lines[0].background and len(lines[0].pipelines[0]) == 1
    command = lines[0].pipelines[0][0] if one else None
    if not isinstance(command, Simple) or not command.words:
        raise NotArticle(f"the command substitution {shown(part.text)} is not read")
    head = command.words[0].literal()
    if head in ("date", "hostname", "whoami", "id", "uname", "nproc", "arch"):
        for word in command.words:
            _check(word, state)
        return None
    words = [_expand(w, state) for w in command.words]
    if head == "cat" and len(words) == 1:
        text = _here_input(command, state)
        if text is None:
            raise NotArticle(f"the command substitution {shown(part.text)} reads nothing the script holds")
        return text.rstrip("\n")
    if head in ("echo", "printf"):
        return _source_text(command, state).rstrip("\n")
    if head == "pwd" and len(words) == 1:
        return state.cwd
    if head in ("basename", "dirname") and len(words) == 2:
        path = words[1].rstrip("/") or "/"
        if head == "basename":
            return path.rsplit("/", 1)[-1] or "/"
        return (path.rsplit("/", 1)[0] or "/") if "/" in path else "."
    raise NotArticle(f"the command substitution {shown(part.text)} runs {shown(' '.join(words), 40)}, "
                     "whose output is not known")


def _value(part: Part, state: _State) -> str:
    """The value of a variable or command substitution part."""
    if part.kind == "subst":
        value = _substitution(part, state)
        if value is None:
            raise NotArticle(f"the output of {shown(part.text)} is not known")
        return value
    name = part.text
    if name in state.unknown:
        raise NotArticle(f"the variable {name} holds the output of {shown(state.unknown[name])}, which is "
                         "not known")
    if name not in state.vars:
        if not re.match(r"^[A-Za-z_]", name):
            raise NotArticle(f"${name} (a parameter of the shell) is not read")
        raise NotArticle(f"the variable {name} is not set by the script itself")
    return state.vars[name]


def _check(word: Word, state: _State) -> None:
    """A word bash expands but whose value does not matter: its substitutions must be harmless."""
    for part in word.parts:
        if part.kind == "subst":
            _substitution(part, state)


def _pieces(word: Word, state: _State, *, assignment: bool = False) -> list[tuple[str, bool]]:
    """The word's pieces after expansion: (text, whether globs apply to it)."""
    out = []
    for i, part in enumerate(word.parts):
        if part.kind == "bare":
            if i == 0 and part.text.startswith("~"):
                raise NotArticle(f"{shown(word.source)}: tilde expansion is not read")
            if _BRACES.search(part.text):
                raise NotArticle(f"{shown(word.source)}: brace expansion is not read")
            out.append((part.text, True))
        elif part.kind == "text":
            out.append((part.text, False))
        else:
            value = _value(part, state)
            if not part.quoted and not assignment:
                if any(ch in value for ch in " \t\n"):
                    raise NotArticle(f"{shown(word.source)}: an unquoted expansion holds spaces or line "
                                     "breaks (word splitting is not read)")
                if _GLOB.search(value):
                    raise NotArticle(f"{shown(word.source)}: an unquoted expansion holds glob characters")
            out.append((value, False))
    vanishes = all(p.kind in ("var", "subst") and not p.quoted for p in word.parts)
    if not assignment and vanishes and not "".join(text for text, _ in out):
        raise NotArticle(f"{shown(word.source)} expands to nothing (the word would vanish)")
    return out


def _expand(word: Word, state: _State, *, assignment: bool = False) -> str:
    """A word as bash expands it, globs not applied."""
    return "".join(text for text, _ in _pieces(word, state, assignment=assignment))


def _words(words: list[Word], state: _State) -> list[str]:
    """Words as bash expands them, globs matched against the archive."""
    out: list[str] = []
    for word in words:
        pieces = _pieces(word, state)
        if not any(glob and _GLOB.search(text) for text, glob in pieces):
            out.append("".join(text for text, _ in pieces))
            continue
        pattern = "".join(text if glob else re.sub(r"([*?\[])", r"[\1]", text) for text, glob in pieces)
        matches = _glob(pattern, state)
        if matches is None:
            raise NotArticle(f"the glob {shown(word.source)} may match files outside the archive")
        out += matches or ["".join(text for text, _ in pieces)]
    return out


def _glob(pattern: str, state: _State) -> list[str] | None:
    """What a glob matches among the archive's files and folders (and files the wrapper decoded),
    sorted as bash sorts them in the C locale (by bytes); None when it may match elsewhere (a
    glob that reaches outside the archive's folder, or any when that folder is a system one)."""
    if "[:" in pattern or "[=" in pattern or "[." in pattern:
        raise NotArticle(f"the glob {shown(pattern)}: character classes are not read")
    tree = state.tree
    absolute = pattern if pattern.startswith("/") else posixpath.join(state.cwd, pattern)
    segments = absolute.split("/")[1:]
    if any(s in ("", ".", "..") for s in segments):
        raise NotArticle(f"the glob {shown(pattern)} is not a plain path")
    known = set(tree.decoded)
    if tree.root is not None:
        known |= {posixpath.join(tree.root, p) for p in tree.files if p not in tree.removed}
        known |= {posixpath.join(tree.root, p) for p in tree.folders}
        known.add(tree.root)
    matches = [p for p in known if _matches(segments, p.split("/")[1:])]
    confined = tree.root is not None and tree.root not in SYSTEM_FOLDERS | {"/", HOME} and all(
        not _GLOB.search(s) for s in segments[:len(tree.root.split("/")) - 1]) and (
        absolute + "/").startswith(tree.root.rstrip("/") + "/")
    if not confined:
        return None if matches else []
    prefix = "" if pattern.startswith("/") else state.cwd.rstrip("/") + "/"
    return sorted((p[len(prefix):] for p in matches), key=lambda p: p.encode("utf-8", "surrogateescape"))


def _matches(segments: list[str], path: list[str]) -> bool:
    """Whether a path's names match a glob's, segment by segment (a leading dot only by a dot)."""
    if len(segments) != len(path):
        return False
    for pattern, name in zip(segments, path, strict=True):
        if name.startswith(".") and not pattern.startswith("."):
            return False
        bash_pattern = pattern.replace("[^", "[!")
        if not fnmatch.fnmatchcase(name, bash_pattern):
            return False
    return True


def _assignments(words: list[Word], state: _State) -> tuple[dict[str, str | None], list[Word]]:
    """The ``NAME=value`` words in front of a command (None: a value not known), and the words
    after them."""
    env: dict[str, str | None] = {}
    while words and words[0].parts and words[0].parts[0].kind == "bare":
        first = words[0].parts[0]
        m = _ASSIGNMENT.match(first.text)
        if m is None:
            break
        rest = first.text[m.end():]
        value = Word(([Part("bare", rest)] if rest else []) + words[0].parts[1:], words[0].source)
        unknown = [p for p in value.parts if p.kind == "subst" and _substitution(p, state) is None]
        env[m[1]] = None if unknown else _expand(value, state, assignment=True) if value.parts else ""
        words = words[1:]
    return env, words


def _set_vars(env: dict[str, str | None], state: _State, source: str) -> None:
    for name, value in env.items():
        if value is None:
            state.vars.pop(name, None)
            state.unknown[name] = source
        else:
            state.unknown.pop(name, None)
            state.vars[name] = value


def _here_text(here: HereDoc, state: _State) -> str:
    """A here-document's text as the command reads it."""
    if not here.expand:
        return here.body
    if "`" in here.body or "\\" in here.body or "$(" in here.body:
        raise NotArticle("a here-document with \\, ` or $( that bash would expand is not read")

    def value(m: re.Match[str]) -> str:
        return _value(Part("var", m[1] or m[2], True), state)

    if re.search(r"\$[A-Za-z0-9_{(@*#?$!-]", _HERE_VARIABLE.sub("", here.body)):
        raise NotArticle("a here-document with a $ expansion other than $NAME is not read")
    return _HERE_VARIABLE.sub(value, here.body)


def _here_input(command: Simple, state: _State) -> str | None:
    """What a command reads from a here-document or here-string."""
    for redir in command.redirs:
        if redir.here is not None:
            return _here_text(redir.here, state)
        if redir.op == "<<<" and redir.target is not None:
            return _expand(redir.target, state) + "\n"
    return None


# --- redirections -------------------------------------------------------------------------

def _is_log(path: str, state: _State) -> bool:
    """Whether output may go to ``path``: a log, not a file of the archive."""
    full = posixpath.normpath(posixpath.join(state.cwd, path))
    root = state.tree.root
    if root is not None and (full == root or full.startswith(root.rstrip("/") + "/")):
        return False
    return full in _QUIET_TARGETS or full.startswith(("/var/log/", "/tmp/")) or full.endswith(".log")


def _output_only(redirs: list[Redir], state: _State, what: str) -> None:
    """A command's redirections must only send its output to logs (or read /dev/null)."""
    for redir in redirs:
        if redir.here is not None or redir.op == "<<<":
            raise NotArticle(f"{what} reads a here-document")
        assert redir.target is not None
        target = _expand(redir.target, state)
        if redir.op in (">&", "<&") and re.fullmatch(r"[0-9]+-?|-", target):
            continue
        if redir.op == "<" and target == "/dev/null":
            continue
        if redir.op in ("<", "<>", "<&"):
            raise NotArticle(f"{what} reads {shown(target)}; a step's input is /dev/null")
        if not _is_log(target, state):
            raise NotArticle(f"{what} writes to {shown(target)}, which is not a log (under /var/log or /tmp, "
                             "or a .log file)")


# --- the payload ------------------------------------------------------------------------

def _source_text(command: Simple, state: _State) -> str:
    """The text ``echo``, ``printf`` or ``cat`` puts out."""
    words = [_expand(w, state) for w in command.words]
    if words[0] == "echo":
        return " ".join(w for w in words[1:] if w not in ("-n", "-e", "-E")) + (
            "" if "-n" in words[1:2] else "\n")
    if words[0] == "printf" and len(words) >= 3 and words[1] in ("%s", "%s\n", "%s\\n"):
        return "".join(w + ("\n" if words[1] != "%s" else "") for w in words[2:])
    if words == ["cat"] and _here_input(command, state) is not None:
        return str(_here_input(command, state))
    raise NotArticle(f"{shown(' '.join(words), 40)} does not give the payload")


def _decode_flags(words: list[str]) -> bool | None:
    """Whether a command is ``base64 -d`` (True: with --ignore-garbage), None when it is not."""
    flags = set(words[1:])
    decode = {"-d", "--decode", "-D", "-di", "-id"}
    if words[:1] != ["base64"] or not flags & decode or not flags <= decode | {"-i", "--ignore-garbage"}:
        return None
    return bool(flags & {"-i", "-di", "-id", "--ignore-garbage"})


def _decode(text: str, ignore_garbage: bool) -> bytes:
    """The bytes base64 -d makes of ``text`` (line breaks skipped; with -i, anything not base64)."""
    clean = re.sub(r"[^A-Za-z0-9+/=]", "", text) if ignore_garbage else text.replace("\n", "")
    try:
        return base64.b64decode(clean, validate=True)
    except (ValueError, binascii.Error):
        raise NotArticle("the payload is not base64 (base64 -d would fail)") from None


def _tar_options(words: list[str], cwd: str) -> tuple[str, str, str | None]:
    """``tar x...``: the archive file (``-`` for the pipe), the folder it unpacks into, and the
    compression its options name (gz, bz2, xz) or None."""
    args, archive, folder, extract, compression = words[1:], "-", cwd, False, None
    i = 0
    while i < len(args):
        arg = args[i] if args[i].startswith("-") or i else "-" + args[i]  # tar xzf: old style
        i += 1
        if not arg.startswith("-"):
            raise NotArticle(f"tar names {shown(arg)}: only whole archives are unpacked")
        if arg.startswith("--"):
            name, sep, value = arg.partition("=")
            if name in ("--file", "--directory") and not sep:
                value, i = args[i] if i < len(args) else "", i + 1
            if name == "--extract":
                extract = True
            elif name == "--file":
                archive = value
            elif name == "--directory":
                folder = value
            elif name in _TAR_LONG:
                compression = _TAR_LONG[name] or compression
            else:
                raise NotArticle(f"tar option {shown(name)} is not read")
            continue
        for j, ch in enumerate(arg[1:]):
            if ch == "x":
                extract = True
            elif ch in "fC":
                value = arg[j + 2:]
                if not value:
                    value, i = args[i] if i < len(args) else "", i + 1
                archive, folder = (value, folder) if ch == "f" else (archive, value)
                break
            elif ch in _TAR_FLAGS:
                compression = _TAR_FLAGS[ch] or compression
            else:
                raise NotArticle(f"tar option -{printable(ch)} is not read (only whole archives are "
                                 "unpacked)")
    if not extract:
        raise NotArticle("tar does not extract")
    return archive, posixpath.normpath(posixpath.join(cwd, folder)), compression


def _compression(data: bytes) -> str:
    """What compresses ``data``, by its magic bytes: gz, bz2, xz, or tar (none)."""
    magic = {b"\x1f\x8b": "gz", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz"}
    return next((kind for head, kind in magic.items() if data.startswith(head)), "tar")


def _reader(kind: str, source: io.BytesIO) -> io.BufferedIOBase:
    """A stream of ``source`` decompressed as ``kind`` (gz, bz2, xz; tar: as it is)."""
    if kind == "gz":
        return gzip.GzipFile(fileobj=source)
    if kind == "bz2":
        return bz2.BZ2File(source)
    if kind == "xz":
        return lzma.LZMAFile(source)
    return source


def _decompressed(data: bytes, kind: str) -> bytes:
    """``data`` decompressed as a stream, at most READBACK_MAX_BYTES (more is refused)."""
    chunks, size = [], 0
    try:
        with _reader(kind, io.BytesIO(data)) as stream:
            while size <= READBACK_MAX_BYTES:
                chunk = stream.read(min(1 << 20, READBACK_MAX_BYTES + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
    except (OSError, EOFError, lzma.LZMAError, zlib.error, ValueError) as e:
        raise NotArticle(f"the payload is not a {_KINDS[kind]} archive ({printable(str(e))})") from None
    if size > READBACK_MAX_BYTES:
        raise NotArticle(f"the archive unpacks to more than {READBACK_MAX_BYTES} bytes (READBACK_MAX_BYTES)")
    return b"".join(chunks)


def _member_path(member: tarfile.TarInfo) -> str:
    """A member's path in the folder: one leading ``./`` (as ``tar c .`` writes) dropped; the
    archive's own folder is ``.``."""
    return (member.name[2:] if member.name.startswith("./") else member.name) or "."


def _member_problem(name: str, member: tarfile.TarInfo) -> str | None:
    """Why a member cannot be taken as a file or folder of the archive, if it cannot."""
    if member.issparse():
        return "a sparse file"
    if not (member.isreg() or member.isdir()):
        kinds = {tarfile.SYMTYPE: "a symbolic link", tarfile.LNKTYPE: "a hard link",
                 tarfile.CHRTYPE: "a character device", tarfile.BLKTYPE: "a block device",
                 tarfile.FIFOTYPE: "a FIFO"}
        return kinds.get(member.type, "not a regular file")
    shape = path_problem(name) if name != "." else None  # "." is the archive's own folder
    if shape:
        return shape
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "a name that is not UTF-8"
    if printable(name) != name:
        return "a name with a control character"
    if any(len(p.encode()) > 255 for p in name.split("/")):
        return "a name longer than a file name can be"
    return None


def archive_files(data: bytes) -> tuple[dict[str, tuple[int, bytes]], set[str], str]:
    """The regular files of a tar archive (compressed or not), its folders, and what kind of
    archive. Every member must be a regular file or a folder, at a plain relative path (one
    leading ``./``, as ``tar c .`` writes, is allowed), none twice, no file where another member
    needs a folder; their sizes are checked before anything is read."""
    kind = _compression(data)
    raw = _decompressed(data, kind)
    files: dict[str, tuple[int, bytes]] = {}
    folders: set[str] = set()
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            members = tar.getmembers()
            total = 0
            for member in members:
                name = _member_path(member)
                problem = _member_problem(name, member)
                if problem:
                    raise NotArticle(f"the archive holds {shown(member.name)}, {problem}")
                if name in files or name in folders:
                    raise NotArticle(f"the archive holds {shown(name)} twice")
                if member.isdir():
                    folders.add(name)
                    continue
                total += member.size
                if total > READBACK_MAX_BYTES:
                    raise NotArticle(f"the archive's files hold more than {READBACK_MAX_BYTES} bytes "
                                     "(READBACK_MAX_BYTES)")
                files[name] = (member.mode & 0o777, b"")
            for member in members:
                name = _member_path(member)
                if name in files:
                    extracted = tar.extractfile(member)
                    assert extracted is not None
                    files[name] = (files[name][0], extracted.read(member.size))
    except (tarfile.TarError, EOFError, ValueError, OSError, UnicodeError) as e:
        raise NotArticle(f"the payload is not a tar archive ({printable(str(e))})") from None
    folders.discard(".")
    for path in [*files, *folders]:
        for i in range(1, path.count("/") + 1):
            parent = path.rsplit("/", i)[0]
            if parent in files:
                raise NotArticle(f"the archive holds {shown(parent)} as a file and {shown(path)} inside it")
            folders.add(parent)
    return files, folders, _KINDS[kind]


def _unpack(state: _State, data: bytes, folder: str, compression: str | None, piped: bool) -> None:
    """Take the archive's files as the wrapper unpacks them into ``folder``."""
    tree = state.tree
    if state.inner:
        raise NotArticle("the archive is unpacked in a shell started by su or sudo")
    if tree.root is not None:
        raise NotArticle("more than one archive is unpacked")
    kind = _compression(data)
    if compression is not None and compression != kind or piped and compression is None and kind != "tar":
        said = {"gz": "-z", "bz2": "-j", "xz": "-J", None: "no compression option"}[compression]
        raise NotArticle(f"tar is given {said} for a {_KINDS[kind]} archive: it would not unpack it")
    tree.files, tree.folders, archive = archive_files(data)
    tree.modes = {path: mode for path, (mode, _) in tree.files.items()}
    tree.root = folder
    tree.archive = f"{archive} of {len(tree.files)} file(s), unpacked into {printable(folder)}"


def _payload(stages: list[Simple], state: _State) -> None:
    """``SOURCE | base64 -d [| DECOMPRESS] | tar x...`` or ``... | base64 -d > FILE``."""
    if not all(stage.words for stage in stages):
        raise NotArticle("a pipeline with a command missing is not read")
    heads = [_expand(w, state) for w in stages[0].words]
    first = 0 if _decode_flags(heads) is not None else 1
    decode = [_expand(w, state) for w in stages[first].words] if first < len(stages) else []
    garbage = _decode_flags(decode)
    if garbage is None:
        shown_pipeline = " | ".join(" ".join(w.source for w in s.words) for s in stages)
        raise NotArticle(f"the pipeline {shown(shown_pipeline)} is not read")
    text = _here_input(stages[0], state) if first == 0 else _source_text(stages[0], state)
    if text is None:
        raise NotArticle("base64 -d reads nothing the script holds")
    if first == 1:
        _output_only([r for r in stages[0].redirs if r.here is None and r.op != "<<<"], state, "the payload")
    data = _decode(text, garbage)
    rest = stages[first + 1:]
    decompressed = None
    if rest and tuple(_expand(w, state) for w in rest[0].words) in _DECOMPRESSORS:
        decompressed = _DECOMPRESSORS[tuple(_expand(w, state) for w in rest[0].words)]
        if _compression(data) != decompressed:
            raise NotArticle(f"{shown(' '.join(w.source for w in rest[0].words))} is given a "
                             f"{_KINDS[_compression(data)]} archive, which it would not decompress")
        data = _decompressed(data, decompressed)
        rest = rest[1:]
    writes = [r for r in stages[first].redirs if r.op in (">", ">>", ">|")]
    if not rest and writes and decompressed is None:
        assert writes[-1].target is not None
        path = posixpath.normpath(posixpath.join(state.cwd, _expand(writes[-1].target, state)))
        state.tree.decoded[path] = data
        return
    if len(rest) != 1 or not rest[0].words or rest[0].words[0].literal() != "tar":
        raise NotArticle("the decoded payload does not go to tar")
    archive, folder, compression = _tar_options(_words(rest[0].words, state), state.cwd)
    if archive != "-":
        raise NotArticle("tar reads a file, not the pipe")
    _unpack(state, data, folder, compression, piped=True)


def _tar_file(words: list[str], state: _State) -> None:
    """``tar x...f FILE``: unpacks a payload decoded into FILE before."""
    archive, folder, compression = _tar_options(words, state.cwd)
    path = posixpath.normpath(posixpath.join(state.cwd, archive))
    if path not in state.tree.decoded:
        raise NotArticle(f"tar unpacks {shown(archive)}, which the script did not decode")
    _unpack(state, state.tree.decoded[path], folder, compression, piped=False)


# --- modes and removals -----------------------------------------------------------------------

def _archive_paths(path: str, state: _State, *, inside: bool) -> list[str] | None:
    """The archive's files at ``path`` (and, ``inside``, under it); None when the path is outside
    the archive's folder."""
    tree = state.tree
    full = posixpath.normpath(posixpath.join(state.cwd, path))
    if tree.root is None:
        return None
    if full == tree.root or (tree.root + "/").startswith(full.rstrip("/") + "/"):
        return list(tree.files) if inside else []
    rel = posixpath.relpath(full, tree.root)
    if rel.startswith(".."):
        return None
    return [p for p in tree.files if p == rel or inside and p.startswith(rel + "/")]


def _mode_change(spec: str) -> Callable[[int], int] | None:
    """What ``chmod SPEC`` does to a file's mode; None when SPEC is not a mode."""
    if re.fullmatch(r"[0-7]{1,4}", spec):
        return lambda _: int(spec, 8) & 0o777
    clauses = spec.split(",")
    if not all(re.fullmatch(r"[ugoa]*([-+=][rwxXst]*)+", c) for c in clauses):
        return None

    def change(mode: int) -> int:
        for clause in clauses:
            who = clause[:len(clause) - len(clause.lstrip("ugoa"))]
            mask = sum({"u": 0o700, "g": 0o070, "o": 0o007, "a": 0o777}[w] for w in set(who)) or 0o755
            for op, perms in re.findall(r"([-+=])([rwxXst]*)", clause[len(who):]):
                bits = sum({"r": 0o444, "w": 0o222, "x": 0o111}.get(p, 0) for p in set(perms))
                if "X" in perms and mode & 0o111:
                    bits |= 0o111
                bits &= mask
                mode = mode | bits if op == "+" else mode & ~bits if op == "-" else mode & ~mask | bits
        return mode & 0o777

    return change


def _chmod(words: list[str], state: _State) -> None:
    """``chmod [-R] MODE PATH...``: the archive's files get their new mode."""
    args = words[1:]
    recursive, mode_change, paths = False, None, []
    for i, arg in enumerate(args):
        if arg == "--":
            paths = args[i + 1:]
            break
        if arg in ("-R", "--recursive"):
            recursive = True
        elif arg in ("-f", "-v", "-c", "--silent", "--quiet", "--verbose", "--changes"):
            pass
        elif mode_change is None:
            mode_change = _mode_change(arg)
            if mode_change is None:
                raise NotArticle(f"chmod {shown(arg)} is not read")
        else:
            paths.append(arg)
    if mode_change is None:
        raise NotArticle("chmod without a mode is not read")
    for path in paths:
        found = _archive_paths(path, state, inside=recursive)
        if found and state.user is not RunAs.ROOT:
            raise NotArticle(f"chmod of the archive's files as {state.user.value} is not read")
        for rel in found or []:
            state.tree.modes[rel] = mode_change(state.tree.modes[rel])


def _rm(words: list[str], state: _State) -> None:
    """``rm [-rf] PATH...``: the archive's files removed (and files the wrapper decoded)."""
    paths = [w for w in words[1:] if not w.startswith("-")]
    for path in paths:
        full = posixpath.normpath(posixpath.join(state.cwd, path))
        state.tree.removed.update(_archive_paths(path, state, inside=True) or [])
        for decoded in list(state.tree.decoded):
            if decoded == full or decoded.startswith(full.rstrip("/") + "/"):
                del state.tree.decoded[decoded]


# --- calls ------------------------------------------------------------------------------

@dataclass
class _Call:
    """A call of a script, as its prefixes (sudo, su, nohup, timeout, env) leave it."""

    words: list[str]
    user: RunAs = RunAs.ROOT
    login: bool = False
    background: bool = False
    env: dict[str, str] = field(default_factory=dict)
    timeout: float | None = None
    shell: str | None = None  # su -c's command, run by a shell of the user


def _seconds(text: str) -> float:
    """``timeout``'s duration (``N``, ``Ns``, ``Nm``, ``Nh``) in seconds."""
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([smh]?)", text)
    if not m:
        raise NotArticle(f"timeout {shown(text)} is not read")
    return float(m[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[m[2]]


def _user(name: str) -> RunAs:
    """Who a call runs as (root or the notebook user only)."""
    if name not in ("root", NOTEBOOK_USER):
        raise NotArticle(f"a step runs as {shown(name)}; lcc runs steps as root or {NOTEBOOK_USER}")
    return RunAs(name)


def _sudo(call: _Call) -> None:
    """``sudo [-n] [-i|-H|-E] -u USER ...`` (combined flags too)."""
    words = call.words[1:]
    call.user = RunAs.ROOT
    while words and words[0].startswith("-"):
        flag, words = words[0], words[1:]
        if flag == "--":
            break
        if flag.startswith("--user="):
            call.user = _user(flag.partition("=")[2])
            continue
        if flag == "--login":
            call.login = True
            continue
        for j, ch in enumerate(flag[1:]):
            if ch == "u":
                name = flag[j + 2:] or (words.pop(0) if words else "")
                call.user = _user(name)
                break
            if ch == "i":
                call.login = True
            elif ch not in "nHE":
                raise NotArticle(f"sudo option -{printable(ch)} is not read")
    call.words = words


def _su(call: _Call) -> None:
    """``su [-|-l] USER -c 'COMMAND'`` (the options in any order)."""
    words, user, command = call.words[1:], "root", None
    while words:
        word, words = words[0], words[1:]
        if word in ("-", "-l", "--login"):
            call.login = True
        elif word in ("-c", "--command"):
            command, words = (words[0] if words else ""), words[1:]
        elif word in ("-s", "--shell"):
            words = words[1:]
        elif not word.startswith("-"):
            user = word
        else:
            raise NotArticle(f"su option {shown(word)} is not read")
    if command is None:
        raise NotArticle("su without -c is not read")
    call.user = _user(user)
    call.shell, call.words = command, []


def _prefixes(call: _Call, state: _State) -> None:
    """Peel ``nohup``, ``setsid``, ``timeout N``, ``env VAR=...``, ``sudo``, ``su`` off a call."""
    while call.words:
        head = call.words[0]
        if head in ("nohup", "setsid"):
            call.words = call.words[1:]
        elif head == "timeout" and len(call.words) > 2:
            call.timeout, call.words = _seconds(call.words[1]), call.words[2:]
        elif head == "env":
            call.words = call.words[1:]
            while call.words and _ASSIGNMENT.match(call.words[0]):
                name, _, value = call.words[0].partition("=")
                call.env[name] = value
                call.words = call.words[1:]
        elif head in ("sudo", "su"):
            if state.user is not RunAs.ROOT:
                raise NotArticle(f"{head} in {state.user.value}'s shell is not read")
            if call.user is not RunAs.ROOT or call.shell is not None:
                raise NotArticle(f"{head} after sudo or su is not read")
            (_sudo(call) if head == "sudo" else _su(call))
        else:
            return


def _interpreter(words: list[str]) -> tuple[str | None, str]:
    """The language the call runs its script with (None: by its path) and the script."""
    head = PurePosixPath(words[0]).name
    runs = "shell" if head in ("bash", "sh") or words[0] in ("source", ".") else (
        "python" if _PYTHON.fullmatch(head) else None)
    rest = words[1:] if runs else words
    if runs is None and len(rest) > 1:
        raise NotArticle(f"{shown(' '.join(words))} is a command of its own, not a call of the archive's "
                         "scripts")
    if len(rest) != 1 or rest[0].startswith("-"):
        raise NotArticle(f"the call {shown(' '.join(words))} passes arguments or options, which steps "
                         "do not take")
    return runs, rest[0]


def _runs_as(path: str, data: bytes) -> str | None:
    """The language lcc's runner starts a file with: its ``#!`` line's (None for one other than
    shell and python), else python for .py and shell for the rest (bundle/languages.py)."""
    if parse_shebang(data) is not None:
        return language(path, data)
    return "python" if path.endswith(PYTHON_SUFFIXES) else "shell"


def _script_path(word: str, call: _Call, state: _State) -> str:
    """The archive path of the script a call runs."""
    tree = state.tree
    if tree.root is None:
        raise NotArticle(f"{shown(word)} is called before any archive is unpacked")
    cwd = HOME if call.login else state.cwd
    path = posixpath.normpath(posixpath.join(cwd, word))
    rel = posixpath.relpath(path, tree.root)
    if rel.startswith("..") or rel not in tree.files:
        raise NotArticle(f"{shown(word)} is not a file of the archive unpacked into {shown(tree.root)}")
    if rel in tree.removed:
        raise NotArticle(f"{shown(word)} was removed (rm) before it is called")
    return rel


def _step_name(script: str, taken: set[str]) -> str:
    """A step name from the script's file name, unique among ``taken``."""
    base = re.sub(r"[^A-Za-z0-9_.-]", "-", PurePosixPath(script).stem).lstrip("._-")[:60] or "step"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def _step(call: _Call, state: _State, *, background: bool, required: bool) -> Step:
    """The step a call makes: only one whose script would run on the instance as lcc runs it."""
    runs, word = _interpreter(call.words)
    script = _script_path(word, call, state)
    data = state.tree.files[script][1]
    started = _runs_as(script, data)
    if runs is None:
        mode = state.tree.modes[script]
        needed = 0o111 if call.user is RunAs.ROOT else 0o001
        if not mode & needed:
            whose = "" if call.user is RunAs.ROOT else f" for {NOTEBOOK_USER} (the others' bit)"
            raise NotArticle(f"{script} is called by its path, but it is not executable{whose} (mode "
                             f"{mode:o}): bash would say 'Permission denied'")
        if parse_shebang(data) is None:
            runs = "shell"  # without a #! line, bash runs the file itself
    if runs is not None and runs != started:
        how = f"as {started}" if started else "with the program of its #! line"
        called = call.words[0] if len(call.words) > 1 else "its path (bash runs a file without #! as shell)"
        raise NotArticle(f"{script} is called with {printable(called)}, but lcc's runner would start it "
                         f"{how} (its #! line or suffix)")
    env = {**(state.exported if call.user is RunAs.ROOT and not call.login else {}), **call.env}
    for name, value in env.items():
        try:
            f"{name}={value}".encode()
        except UnicodeEncodeError:
            raise NotArticle(f"the variable {printable(name)} of {script} is not UTF-8") from None
    return Step(name=_step_name(script, {s.name for s in state.tree.steps}), script=script, run_as=call.user,
                background=background, timeout_seconds=call.timeout, env=env, required=required)


# --- commands ---------------------------------------------------------------------------

def _set(words: list[str], state: _State) -> None:
    """``set -e``, ``set -euo pipefail``, ``set -o errexit`` (and ``+``) switch errexit and pipefail."""
    args = words[1:]
    i = 0
    while i < len(args):
        word = args[i]
        i += 1
        if word == "--" or not re.fullmatch(r"[-+][a-zA-Z]+", word):
            break
        on = word.startswith("-")
        for ch in word[1:]:
            if ch == "e":
                state.errexit = on
            elif ch == "o" and i < len(args):
                option, i = args[i], i + 1
                if option == "errexit":
                    state.errexit = on
                elif option == "pipefail":
                    state.pipefail = on


def _ignores_failure(pipeline: list[For | Simple], state: _State) -> bool | None:
    """After ``||``: True when the failure is ignored, False when it fails the script."""
    command = pipeline[0] if len(pipeline) == 1 else None
    if not isinstance(command, Simple) or not command.words:
        return None
    words = [w.literal() for w in command.words]
    if words in (["true"], [":"], ["exit", "0"]) or words[:1] == ["echo"]:
        if words[:1] == ["echo"]:
            _log(command, state)
        return True
    if words[:1] == ["exit"]:
        return False
    return None


def _log(command: Simple, state: _State) -> None:
    """``echo``/``printf`` to the log: its words only checked, its output to a log."""
    for word in command.words:
        _check(word, state)
    _output_only(command.redirs, state, command.words[0].source)


def _inner(state: _State, user: RunAs, login: bool, env: dict[str, str]) -> _State:
    """A shell started by su or sudo as ``user``: the variables it gets, in its home for a login
    shell."""
    kept = {} if login else dict(state.exported)
    kept.update(env)
    return _State(tree=state.tree, vars=dict(kept), exported=dict(kept), cwd=HOME if login else state.cwd,
                  user=user, login=login, inner=True)


def _run_shell(text: str, call: _Call, state: _State, *, background: bool, required: bool, what: str) -> None:
    """Commands that su -c or ``sudo -i <<EOF`` run in a shell of the user."""
    inner = _inner(state, call.user, call.login, call.env)
    try:
        lines = parse(text)
    except Unread as e:
        raise NotArticle(f"in {what}: {e}") from None
    if call.shell is not None and (len(lines) != 1 or len(lines[0].pipelines) != 1):
        raise NotArticle(f"su -c {shown(text)}: only one command is read")
    for line in lines:
        try:
            _line(line, inner, background=background, required=required if call.shell is not None else False)
        except NotArticle as e:
            raise NotArticle(f"in {what}, line {line.number}: {e}") from None


_HARMLESS = {"mkdir", "chown", "chgrp", "true", ":"}


def _command_words(words: list[str], command: Simple, state: _State, *, background: bool, required: bool,
                   env: dict[str, str]) -> None:
    """A command once expanded: what it does to the archive, or the step it makes."""
    head = words[0]
    if head in _HARMLESS or head in ("echo", "printf") or words in (["exit", "0"], ["exit"]):
        _output_only(command.redirs, state, head)
        state.exited = state.exited or head == "exit"
        return
    if head == "chmod":
        _chmod(words, state)
    elif head == "rm":
        _rm(words, state)
    elif head == "tar":
        _tar_file(words, state)
    else:
        call = _Call(words, user=state.user, login=state.login, env=env)
        _prefixes(call, state)
        background = background or call.background
        if call.shell is not None:
            _run_shell(call.shell, call, state, background=background, required=required,
                       what=f"su -c {shown(call.shell, 40)}")
        elif not call.words:
            here = next((r.here for r in command.redirs if r.here is not None), None)
            if here is None or not call.login or call.user is RunAs.ROOT:
                raise NotArticle("a command runs no script")
            _run_shell(_here_text(here, state), call, state, background=background, required=False,
                       what="the here-document")
        elif call.words[0] in _HARMLESS | {"chmod", "rm", "echo", "printf"}:
            inner = replace(state, user=call.user, login=call.login, cwd=HOME if call.login else state.cwd)
            _command_words(call.words, command, inner, background=background, required=required, env=env)
        else:
            _output_only(command.redirs, state, "the call")
            state.tree.steps.append(_step(call, state, background=background,
                                          required=required and not background))
        return
    _output_only(command.redirs, state, head)


def _simple(command: Simple, state: _State, *, background: bool, required: bool, piped: bool) -> None:
    """One simple command of the wrapper."""
    env, words = _assignments(command.words, state)
    source = " ".join(w.source for w in command.words)
    if not words:
        if piped:
            raise NotArticle("an assignment in a pipeline is not read")
        _output_only(command.redirs, state, "an assignment")
        _set_vars(env, state, source)
        return
    head = words[0].literal()
    if head in _KEYWORDS:
        raise NotArticle(f"'{printable(head or '')}' (the shell's control flow) is not read")
    if head in ("echo", "printf"):
        _log(command, state)
        return
    if head in ("mkdir", "chown", "chgrp"):
        for word in words:
            _check(word, state)
        _output_only(command.redirs, state, head)
        return
    if piped and head in ("set", "cd", "export", "tar", "chmod", "rm", "exit"):
        raise NotArticle(f"{head} in a pipeline is not read")
    known = {k: v for k, v in env.items() if v is not None}
    if len(known) != len(env):
        raise NotArticle(f"{shown(source)} gives a command a variable whose value is not known")
    if head == "export":
        exported, rest = _assignments(words[1:], state)
        for word in rest:
            name = word.literal()
            if name is None or name not in state.vars:
                raise NotArticle(f"export {shown(word.source)} without a value is not read")
            exported[name] = state.vars[name]
        if any(v is None for v in exported.values()):
            raise NotArticle(f"{shown(source)} exports a value that is not known")
        _set_vars(exported, state, source)
        state.exported.update({k: v for k, v in exported.items() if v is not None})
        return
    expanded = _words(words, state)
    if head == "set":
        _set(expanded, state)
    elif head == "cd" and len(expanded) <= 2 and expanded[1:] != ["-"]:
        state.cwd = posixpath.normpath(posixpath.join(state.cwd, expanded[1] if len(expanded) == 2 else (
            HOME if state.user is RunAs.NOTEBOOK_USER else "/root")))
    else:
        _command_words(expanded, command, state, background=background, required=required, env=known)


def _loop(loop: For, state: _State, *, background: bool, required: bool) -> None:
    """``for NAME in WORDS; do ...; done``: the body once for each word, as bash expands them."""
    _output_only(loop.redirs, state, "the loop")
    inner = None if required or not state.errexit else False  # done || true: set -e is off inside
    for item in _words(loop.items, state):
        state.vars[loop.name] = item
        state.unknown.pop(loop.name, None)
        for line in loop.body:
            try:
                _line(line, state, background=background, required=inner)
            except NotArticle as e:
                raise NotArticle(f"in the loop with {loop.name}={shown(item)}, line {line.number}: "
                                 f"{e}") from None


def _is_tee(command: For | Simple, state: _State) -> bool:
    """``tee [-a] LOG...`` (its own output to /dev/null or a log)."""
    if not isinstance(command, Simple) or not command.words or command.words[0].literal() != "tee":
        return False
    for path in _words(command.words[1:], state):
        if path not in ("-a", "--append", "-i", "-p") and not _is_log(path, state):
            raise NotArticle(f"tee writes to {shown(path)}, which is not a log (under /var/log or /tmp, or a "
                             ".log file)")
    _output_only(command.redirs, state, "tee")
    return True


def _pipeline(commands: list[For | Simple], state: _State, *, background: bool, required: bool) -> None:
    """A pipeline: one command, a command whose output goes to ``tee LOG``, or the payload."""
    if len(commands) == 2 and _is_tee(commands[1], state):
        commands, required = commands[:1], required and state.pipefail  # tee's status is the pipeline's
        piped = True
    elif len(commands) > 1:
        if any(isinstance(c, For) for c in commands):
            raise NotArticle("a loop in a pipeline is not read")
        _payload([c for c in commands if isinstance(c, Simple)], state)
        return
    else:
        piped = False
    command = commands[0]
    if isinstance(command, For):
        _loop(command, state, background=background, required=required)
    else:
        _simple(command, state, background=background, required=required, piped=piped)


def _line(line: Line, state: _State, *, background: bool = False, required: bool | None = None) -> None:
    """One and-or list of the wrapper (or of a shell su or sudo starts); its calls are required
    under ``set -e`` unless ``required`` says otherwise."""
    if state.exited:
        raise NotArticle("it comes after 'exit', which ends the script there")
    pipelines, ops = line.pipelines, line.ops
    required = state.errexit if required is None else required
    if ops and ops[-1] == "||":
        verdict = _ignores_failure(pipelines[-1], state)
        if verdict is None:
            words = " ".join(w.source for c in pipelines[-1] if isinstance(c, Simple) for w in c.words)
            raise NotArticle(f"'|| {printable(words)[:40]}' is not read")
        required, pipelines, ops = not verdict, pipelines[:-1], ops[:-1]
    if "||" in ops:
        raise NotArticle("'||' between commands is not read")
    for pipeline in pipelines:  # a && b: as a; b (set -e or not, the calls are the steps)
        _pipeline(pipeline, state, background=background or line.background, required=required)


def read_article(text: str) -> Article:
    """The archive and the calls of a hand-made wrapper.

    :raises NotArticle: saying which line is not the hand-made method, and why (control
        characters escaped).
    """
    try:
        return _read(text)
    except NotArticle as e:
        raise NotArticle(printable(str(e))) from None


def _read(text: str) -> Article:
    state = _State(tree=_Tree())
    for line in parse(text):
        try:
            _line(line, state)
        except NotArticle as e:
            raise NotArticle(f"line {line.number}: {e}") from None
    tree = state.tree
    if tree.root is None:
        raise NotArticle("no base64 archive is unpacked")
    if not tree.steps:
        raise NotArticle("no script of the archive is called")
    return Article(tree.files, tuple(tree.steps), tree.archive)
