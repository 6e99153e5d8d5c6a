"""The hand-made method, read back: a wrapper script with a base64 tar (or tar.gz, tar.bz2,
tar.xz) inlined, which it decodes and unpacks, then calls scripts of it.

``read_article`` reads the wrapper as a list of shell commands and accepts only what it fully
understands (docs/service-commands.md lists it); anything else makes it give the reason, and
``lcc pull`` keeps the script as it is. What it understands:

* the payload: ``echo``/``printf`` of a literal or of a variable holding one, a here-document or
  a here-string, through ``base64 -d`` (and an optional ``gunzip``/``xz -d``/``bzip2 -d``) into
  ``tar x... [-C DIR]``, or first into a file that a later ``tar x...f FILE`` unpacks;
* calls of the archive's scripts, one a command: ``bash``/``sh``/``source``/``python3`` or the
  path itself; as ec2-user through ``sudo -u ec2-user [-i]``, ``su [-] ec2-user -c '...'`` or a
  here-document fed to ``sudo -u ec2-user -i``; ``nohup``/``&`` (background), ``timeout N``,
  ``VAR=value`` before the command, ``|| true``/``|| :``/``|| echo ...`` (failure ignored),
  redirections (dropped: the runner logs each step's output);
* around them: comments, ``set`` (``-e`` makes the calls required), ``cd``, ``mkdir``,
  ``chmod``, ``chown``, ``rm``, ``echo``/``printf`` (to the log), ``export VAR=value`` (the
  root steps' environment), plain variable assignments, ``true``, ``exit 0``.
"""

from __future__ import annotations

import base64
import binascii
import io
import posixpath
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..bundle import RunAs, Step
from ..bundle.languages import PYTHON_SUFFIXES, language, parse_shebang
from ..limits import NOTEBOOK_USER
from ._shell import Command, Unread, command_lines, command_lists, pipeline_stages, simple_command, split

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
class _State:
    """What the wrapper has done so far, line by line."""

    vars: dict[str, str] = field(default_factory=dict)
    exported: dict[str, str] = field(default_factory=dict)
    cwd: str = "/"
    errexit: bool = False
    decoded: dict[str, bytes] = field(default_factory=dict)
    root: str | None = None
    files: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    archive: str = ""
    steps: list[Step] = field(default_factory=list)


_SEPARATORS = {";", "&&", "||", "&", "|"}
_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.S)
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_IGNORED = {"mkdir", "chmod", "chown", "rm", "true", ":"}
_KEYWORDS = {"if", "then", "elif", "else", "fi", "for", "while", "until", "do", "done", "case", "esac",
             "function", "{", "}", "[[", "[", "test", "select"}
_PYTHON = re.compile(r"^python(3(\.[0-9]+)?)?$")
_DECOMPRESSORS = {("gunzip",), ("zcat",), ("gzip", "-d"), ("gzip", "-dc"), ("gzip", "-cd"), ("unxz",),
                  ("xz", "-d"), ("xz", "-dc"), ("bunzip2",), ("bzip2", "-d"), ("bzip2", "-dc")}
_TAR_FLAGS = set("zjJvopm")
_TAR_LONG = {"--gzip", "--gunzip", "--ungzip", "--xz", "--bzip2", "--no-same-owner", "--same-owner",
             "--no-same-permissions", "--same-permissions", "--preserve-permissions", "--verbose",
             "--touch", "--overwrite"}


# --- words ------------------------------------------------------------------------------

def _expand(word: str, state: _State) -> str:
    """A word with the script's known variables put in; an unknown one ends the reading."""
    if "`" in word or "$(" in word:
        raise NotArticle(f"command substitution in {word!r} is not read")

    def value(m: re.Match[str]) -> str:
        name = m[1] or m[2]
        if name not in state.vars:
            raise NotArticle(f"the variable {name} is not set by the script itself")
        return state.vars[name]

    return _VARIABLE.sub(value, word)


def _assignments(words: list[str], state: _State) -> tuple[dict[str, str], list[str]]:
    """The ``NAME=value`` words in front of a command, and the words after them."""
    env = {}
    while words and _ASSIGNMENT.match(words[0]):
        m = _ASSIGNMENT.match(words[0])
        assert m is not None
        env[m[1]] = _expand(m[2], state)
        words = words[1:]
    return env, words


def _here_input(command: Command, state: _State) -> str | None:
    """What a command reads from a here-document or here-string."""
    for op, target in command.redirs:
        if op in ("<<", "<<-"):
            return command.body
        if op == "<<<":
            return _expand(target, state) + "\n"
    return None


def _writes_file(command: Command) -> str | None:
    """The file a command's output goes to, if it goes to one."""
    targets = [t for op, t in command.redirs if op in (">", ">>", ">|", "&>", "&>>")]
    return targets[-1] if targets else None


# --- the payload ------------------------------------------------------------------------

def _source_text(command: Command, state: _State) -> str:
    """The text ``echo``, ``printf`` or ``cat`` puts into the pipe."""
    words = [_expand(w, state) for w in command.words]
    if words[0] == "echo":
        return " ".join(w for w in words[1:] if w not in ("-n", "-e", "-E"))
    if words[0] == "printf" and len(words) >= 3 and words[1] in ("%s", "%s\n", "%s\\n"):
        return "".join(words[2:])
    if words == ["cat"] and _here_input(command, state) is not None:
        return str(_here_input(command, state))
    raise NotArticle(f"{' '.join(command.words)[:40]!r} does not give the payload")


def _is_decode(words: list[str]) -> bool:
    """Whether a command is ``base64 -d`` (with options it may have)."""
    flags = {w for w in words[1:]}
    return words[:1] == ["base64"] and bool(flags & {"-d", "--decode", "-D", "-di", "-id"}) and flags <= {
        "-d", "--decode", "-D", "-di", "-id", "-i", "--ignore-garbage"}


def _decode(text: str) -> bytes:
    """The bytes of base64 text (line breaks and spaces ignored)."""
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (ValueError, binascii.Error):
        raise NotArticle("the payload is not base64") from None


def _tar_options(words: list[str], cwd: str) -> tuple[str, str]:
    """``tar x...``: the archive file (``-`` for the pipe) and the folder it unpacks into."""
    args, archive, folder, extract = words[1:], "-", cwd, False
    i = 0
    while i < len(args):
        arg = args[i] if args[i].startswith("-") or i else "-" + args[i]  # tar xzf: old style
        i += 1
        if not arg.startswith("-"):
            raise NotArticle(f"tar names {arg!r}: only whole archives are unpacked")
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
            elif name not in _TAR_LONG:
                raise NotArticle(f"tar option {name} is not read")
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
            elif ch not in _TAR_FLAGS:
                raise NotArticle(f"tar option -{ch} is not read (only whole archives are unpacked)")
    if not extract:
        raise NotArticle("tar does not extract")
    return archive, posixpath.normpath(posixpath.join(cwd, folder))


def _untar(data: bytes) -> tuple[dict[str, tuple[int, bytes]], str]:
    """The regular files of a tar archive (compressed or not), and what kind of archive."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            files = {}
            for member in tar.getmembers():
                name = posixpath.normpath(member.name)
                if member.isdir() or name == ".":
                    continue
                if name.startswith(("/", "../")) or not member.isfile():
                    raise NotArticle(f"the archive holds {member.name}, which is not a file inside it")
                extracted = tar.extractfile(member)
                assert extracted is not None
                files[name] = (member.mode & 0o777, extracted.read())
    except tarfile.TarError as e:
        raise NotArticle(f"the payload is not a tar archive ({e})") from None
    magic = {b"\x1f\x8b": "tar.gz", b"BZh": "tar.bz2", b"\xfd7zXZ": "tar.xz"}
    return files, next((kind for head, kind in magic.items() if data.startswith(head)), "tar")


def _unpack(state: _State, data: bytes, folder: str) -> None:
    """Take the archive's files as the wrapper unpacks them into ``folder``."""
    if state.root is not None:
        raise NotArticle("more than one archive is unpacked")
    state.files, kind = _untar(data)
    state.root = folder
    state.archive = f"{kind} of {len(state.files)} file(s), unpacked into {folder}"


def _pipeline(stages: list[Command], state: _State) -> None:
    """``SOURCE | base64 -d [| DECOMPRESS] | tar x...`` or ``... | base64 -d > FILE``."""
    first = 0 if _is_decode(stages[0].words) else 1
    if first >= len(stages) or not _is_decode(stages[first].words):
        raise NotArticle(f"the pipeline {' | '.join(' '.join(s.words) for s in stages)[:60]!r} is not read")
    text = _here_input(stages[0], state) if first == 0 else _source_text(stages[0], state)
    if text is None:
        raise NotArticle("base64 -d reads nothing the script holds")
    data = _decode(text)
    rest = stages[first + 1:]
    if rest and tuple(rest[0].words) in _DECOMPRESSORS:
        rest = rest[1:]  # tar reads any of these compressions itself
    if not rest and _writes_file(stages[first]):
        state.decoded[posixpath.join(state.cwd, _expand(str(_writes_file(stages[first])), state))] = data
        return
    if len(rest) != 1 or rest[0].words[:1] != ["tar"]:
        raise NotArticle("the decoded payload does not go to tar")
    archive, folder = _tar_options([_expand(w, state) for w in rest[0].words], state.cwd)
    if archive != "-":
        raise NotArticle("tar reads a file, not the pipe")
    _unpack(state, data, folder)


def _tar_file(words: list[str], state: _State) -> None:
    """``tar x...f FILE``: unpacks a payload decoded into FILE before."""
    archive, folder = _tar_options(words, state.cwd)
    path = posixpath.normpath(posixpath.join(state.cwd, archive))
    if path not in state.decoded:
        raise NotArticle(f"tar unpacks {archive}, which the script did not decode")
    _unpack(state, state.decoded[path], folder)


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


def _seconds(text: str) -> float:
    """``timeout``'s duration (``N``, ``Ns``, ``Nm``, ``Nh``) in seconds."""
    m = re.match(r"^([0-9]+(?:\.[0-9]+)?)([smh]?)$", text)
    if not m:
        raise NotArticle(f"timeout {text!r} is not read")
    return float(m[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[m[2]]


def _user(name: str) -> RunAs:
    """Who a call runs as (root or the notebook user only)."""
    if name not in ("root", NOTEBOOK_USER):
        raise NotArticle(f"a step runs as {name!r}; lcc runs steps as root or {NOTEBOOK_USER}")
    return RunAs(name)


def _sudo(call: _Call) -> None:
    """``sudo [-n] [-i|-H|-E] -u USER ...`` (combined flags too)."""
    words = call.words[1:]
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
                raise NotArticle(f"sudo option -{ch} is not read")
    call.words = words


def _su(call: _Call, state: _State) -> None:
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
            raise NotArticle(f"su option {word} is not read")
    if command is None:
        raise NotArticle("su without -c is not read")
    call.user = _user(user)
    tokens = split(_expand(command, state))
    if tokens[-1:] == ["&"]:
        call.background, tokens = True, tokens[:-1]
    if set(tokens) & _SEPARATORS:
        raise NotArticle(f"su -c {command!r}: only one command is read")
    call.words = simple_command(tokens, None).words


def _prefixes(call: _Call, state: _State) -> None:
    """Peel ``nohup``, ``setsid``, ``timeout N``, ``env VAR=...``, ``sudo``, ``su`` off a call."""
    while call.words:
        head = call.words[0]
        if head in ("nohup", "setsid"):
            call.words = call.words[1:]
        elif head == "timeout" and len(call.words) > 2:
            call.timeout, call.words = _seconds(call.words[1]), call.words[2:]
        elif head == "env":
            env, call.words = _assignments(call.words[1:], state)
            call.env.update(env)
        elif head == "sudo":
            _sudo(call)
        elif head == "su":
            _su(call, state)
        else:
            return


def _interpreter(words: list[str]) -> tuple[str | None, str]:
    """The language the call runs its script with (None: by its own ``#!`` line) and the script."""
    head = PurePosixPath(words[0]).name
    runs = "shell" if head in ("bash", "sh") or words[0] in ("source", ".") else (
        "python" if _PYTHON.match(head) else None)
    rest = words[1:] if runs else words
    if runs is None and len(rest) > 1:
        raise NotArticle(f"{' '.join(words)[:60]!r} is a command of its own, not a call of the archive's "
                         "scripts")
    if len(rest) != 1 or rest[0].startswith("-"):
        raise NotArticle(f"the call {' '.join(words)[:60]!r} passes arguments or options, which steps "
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
    if state.root is None:
        raise NotArticle(f"{word!r} is called before any archive is unpacked")
    cwd = HOME if call.login else state.cwd
    path = posixpath.normpath(posixpath.join(cwd, word))
    rel = posixpath.relpath(path, state.root)
    if rel.startswith("..") or rel not in state.files:
        raise NotArticle(f"{word!r} is not a file of the archive unpacked into {state.root}")
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
    """The step a call makes."""
    runs, word = _interpreter(call.words)
    script = _script_path(_expand(word, state), call, state)
    started = _runs_as(script, state.files[script][1])
    if runs is not None and runs != started:
        how = f"as {started}" if started else "with the program of its #! line"
        raise NotArticle(f"{script} is called with {call.words[0]}, but lcc's runner would start it {how} "
                         "(its #! line or suffix)")
    env = {**(state.exported if call.user is RunAs.ROOT and not call.login else {}), **call.env}
    return Step(name=_step_name(script, {s.name for s in state.steps}), script=script, run_as=call.user,
                background=background, timeout_seconds=call.timeout, env=env, required=required)


# --- commands ---------------------------------------------------------------------------

def _set(words: list[str], state: _State) -> None:
    """``set -e``, ``set -euo pipefail``, ``set -o errexit`` (and ``+``) switch errexit."""
    args = words[1:]
    for i, word in enumerate(args):
        named = word in ("-o", "+o") and args[i + 1:i + 2] == ["errexit"]
        if named or re.match(r"^[-+][a-z]+$", word) and "e" in word:
            state.errexit = word.startswith("-")


def _ignores_failure(pipeline: list[str]) -> bool | None:
    """After ``||``: True when the failure is ignored, False when it fails the script."""
    words = pipeline
    if words in (["true"], [":"], ["exit", "0"]) or words[:1] == ["echo"]:
        return True
    if words[:1] == ["exit"]:
        return False
    return None


def _body(body: str | None, call: _Call, state: _State, background: bool) -> None:
    """``sudo -u ec2-user -i <<EOF``: the here-document's commands run in that user's login shell."""
    if body is None or not call.login:
        raise NotArticle("a command runs no script")
    inner = _State(vars=state.vars, cwd=HOME, root=state.root, files=state.files, archive=state.archive,
                   steps=state.steps)
    for number, tokens, inner_body in command_lines(body):
        try:
            _line(tokens, inner_body, inner, login_user=call.user, background=background)
        except NotArticle as e:
            raise NotArticle(f"in the here-document, line {number}: {e}") from None


def _harmless(command: Command, words: list[str]) -> bool:
    """Commands that only log, make folders, set modes or clean up: left out of the steps."""
    logs = words[0] in ("echo", "printf") and _writes_file(command) in (None, "/dev/null", "/dev/stderr", "2")
    return logs or words[0] in _IGNORED or words in (["exit", "0"], ["exit"])


def _simple(command: Command, state: _State, *, background: bool, required: bool,
            login_user: RunAs | None) -> None:
    """One simple command of the wrapper."""
    env, words = _assignments(command.words, state)
    if not words:
        state.vars.update(env)
        return
    head = words[0]
    if head in _KEYWORDS:
        raise NotArticle(f"'{head}' (the shell's control flow) is not read")
    if head == "set":
        _set(words, state)
    elif head == "cd" and len(words) == 2:
        state.cwd = posixpath.normpath(posixpath.join(state.cwd, _expand(words[1], state)))
    elif head == "export":
        exported, rest = _assignments(words[1:], state)
        if rest:
            raise NotArticle("export of a variable without a value is not read")
        state.vars.update(exported)
        state.exported.update(exported)
    elif _harmless(command, words):
        pass
    elif head == "tar":
        _tar_file([_expand(w, state) for w in words], state)
    else:
        call = _Call(words, env=env)
        if login_user is not None:
            call.user, call.login = login_user, True
        _prefixes(call, state)
        background = background or call.background
        if call.words:
            required = required and not background
            state.steps.append(_step(call, state, background=background, required=required))
        else:
            _body(command.body, call, state, background)


def _line(tokens: list[str], body: str | None, state: _State, *, login_user: RunAs | None = None,
          background: bool = False) -> None:
    """Every command list of one line of the wrapper (or of a here-document fed to a login shell)."""
    for pipelines, ops, terminator in command_lists(tokens):
        required = state.errexit and login_user is None
        if ops and ops[-1] == "||":
            verdict = _ignores_failure(pipelines[-1])
            if verdict is None:
                raise NotArticle(f"'|| {' '.join(pipelines[-1])}' is not read")
            required, pipelines, ops = not verdict, pipelines[:-1], ops[:-1]
        if "||" in ops:
            raise NotArticle("'||' between commands is not read")
        for pipeline in pipelines:  # a && b: as a; b (set -e or not, the calls are the steps)
            stages = pipeline_stages(pipeline, body)
            if len(stages) > 1:
                _pipeline(stages, state)
            else:
                _simple(stages[0], state, background=background or terminator == "&", required=required,
                        login_user=login_user)


def read_article(text: str) -> Article:
    """The archive and the calls of a hand-made wrapper.

    :raises NotArticle: saying which line is not the hand-made method, and why.
    """
    state = _State()
    for number, tokens, body in command_lines(text):
        try:
            _line(tokens, body, state)
        except NotArticle as e:
            raise NotArticle(f"line {number}: {e}") from None
    if state.root is None:
        raise NotArticle("no base64 archive is unpacked")
    if not state.steps:
        raise NotArticle("no script of the archive is called")
    return Article(state.files, tuple(state.steps), state.archive)
