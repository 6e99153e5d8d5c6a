"""A shell script as bash would parse it, for reading what a hand-made wrapper does
(_handmade.py): words made of parts (quoted text, unquoted text where globs apply, variables,
command substitutions ``$(...)`` with their own commands), redirections apart from the words,
here-documents attached to their redirection, simple commands joined into pipelines (``|``,
``|&``), lists (``&&``, ``||``) ended by ``;``, ``&`` or a line break, and ``for NAME in
WORDS; do ...; done`` loops. Nothing is expanded here. What bash would parse otherwise, or
what this module does not parse (``$((...))``, backquotes, ``${NAME...}`` forms, ``$'...'``,
subshells, ``case``), raises :class:`Unread` with the line."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field


class Unread(Exception):
    """A part of the script this reader does not read: the message says which and why."""


@dataclass
class Part:
    """A piece of a word: ``text`` (quoted or escaped: taken as it is), ``bare`` (unquoted:
    globs and braces apply), ``var`` (``$NAME``: its name) or ``subst`` (``$(...)``: its source
    and commands); ``quoted`` when a var or subst is inside double quotes."""

    kind: str
    text: str
    quoted: bool = False
    program: list[Line] = field(default_factory=list)


@dataclass
class Word:
    """A shell word: its parts, and the text it was written as (for messages)."""

    parts: list[Part]
    source: str

    def literal(self) -> str | None:
        """The word's text when it holds no expansion, else None."""
        if any(p.kind in ("var", "subst") for p in self.parts):
            return None
        return "".join(p.text for p in self.parts)


@dataclass
class HereDoc:
    """A here-document's lines, and whether bash expands them (its delimiter unquoted)."""

    body: str = ""
    expand: bool = True


@dataclass
class Redir:
    """A redirection: its operator, target word (None for a here-document), here-document and
    the file descriptor number written before it, if any."""

    op: str
    target: Word | None
    here: HereDoc | None = None
    fd: str | None = None


@dataclass
class Simple:
    """A simple command: words (assignments first) and redirections."""

    words: list[Word]
    redirs: list[Redir]


@dataclass
class For:
    """``for NAME in ITEMS; do BODY; done`` (and the loop's redirections)."""

    name: str
    items: list[Word]
    body: list[Line]
    redirs: list[Redir]


Command = Simple | For


@dataclass
class Line:
    """One and-or list: pipelines (each a list of commands) joined by ``&&``/``||`` (``ops``);
    ``background`` when it ends with ``&``; the line it starts on."""

    number: int
    pipelines: list[list[Command]]
    ops: list[str]
    background: bool


@dataclass
class _Op:
    text: str
    start: int
    here: HereDoc | None = None


@dataclass
class _Tok:
    word: Word
    start: int
    end: int


_Token = _Op | _Tok
_Adder = Callable[[str, str], None]
_OPERATORS = sorted([";;", "&&", "||", "|&", "<<<", "<<-", "<<", ">>", "&>>", "&>", ">&", "<&", ">|", "<>",
                     ";", "&", "|", "<", ">", "(", ")", "\n"], key=len, reverse=True)
_META = " \t\n;&|<>()"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
REDIRS = {"<", ">", ">>", "&>", "&>>", ">&", "<&", ">|", "<>", "<<", "<<-", "<<<"}


class _Lexer:
    """Tokens of a whole script: words, operators, line breaks; here-document bodies read at the
    line break after their redirection."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.text, self.pos, self.first_line = text, 0, first_line
        self.breaks = [i for i, ch in enumerate(text) if ch == "\n"]
        self.pending: list[tuple[HereDoc, str, bool, int]] = []

    def line(self, pos: int) -> int:
        return self.first_line + bisect.bisect_left(self.breaks, pos)

    def fail(self, why: str, pos: int | None = None) -> Unread:
        return Unread(f"line {self.line(self.pos if pos is None else pos)}: {why}")

    def tokens(self, closing: bool = False) -> list[_Token]:
        """Tokens up to the end (or, ``closing``, up to the ``)`` that ends a ``$(``)."""
        out: list[_Token] = []
        while True:
            self._blanks()
            if self.pos >= len(self.text):
                if closing:
                    raise self.fail("a $( is never closed")
                if self.pending:
                    _, delimiter, _, opened = self.pending[0]
                    raise self.fail(f"the here-document {delimiter!r} is never closed", opened)
                return out
            ch = self.text[self.pos]
            if ch == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
                continue
            if closing and ch == ")":
                self.pos += 1
                return out
            op = next((o for o in _OPERATORS if self.text.startswith(o, self.pos)), None)
            if op is None:
                start = self.pos
                out.append(_Tok(self._word(), start, self.pos))
                continue
            out.append(_Op(op, self.pos))
            self.pos += len(op)
            if op == "\n":
                self._bodies()
            elif op in ("<<", "<<-"):
                out[-1] = _Op(op, out[-1].start, self._here(op == "<<-"))

    def _blanks(self) -> None:
        while self.pos < len(self.text):
            if self.text[self.pos] in " \t":
                self.pos += 1
            elif self.text.startswith("\\\n", self.pos):
                self.pos += 2
            else:
                return

    def _here(self, strip: bool) -> HereDoc:
        """The delimiter after ``<<``: a here-document to read at the next line break."""
        self._blanks()
        start = self.pos
        if start >= len(self.text) or self.text[start] in _META:
            raise self.fail("a here-document without a delimiter")
        word = self._word()
        delimiter = word.literal()
        if delimiter is None:
            raise self.fail("a here-document delimiter with an expansion is not read")
        here = HereDoc(expand=not any(c in self.text[start:self.pos] for c in "'\"\\"))
        self.pending.append((here, delimiter, strip, start))
        return here

    def _bodies(self) -> None:
        """Read the pending here-documents' lines (from here on)."""
        for here, delimiter, strip, start in self.pending:
            lines = []
            while True:
                if self.pos >= len(self.text):
                    raise self.fail(f"the here-document {delimiter!r} is never closed", start)
                end = self.text.find("\n", self.pos)
                end = len(self.text) if end < 0 else end
                line = self.text[self.pos:end]
                self.pos = min(end + 1, len(self.text))
                if strip:
                    line = line.lstrip("\t")
                if line == delimiter:
                    break
                lines.append(line + "\n")
            here.body = "".join(lines)
        self.pending = []

    def _word(self) -> Word:
        """One word, from here to an unquoted metacharacter."""
        start, parts = self.pos, list[Part]()
        text = self.text

        def add(kind: str, chars: str) -> None:
            if parts and parts[-1].kind == kind and kind in ("text", "bare"):
                parts[-1].text += chars
            else:
                parts.append(Part(kind, chars))

        while self.pos < len(text) and text[self.pos] not in _META:
            ch = text[self.pos]
            if ch == "\\":
                if text.startswith("\\\n", self.pos):
                    self.pos += 2
                    continue
                add("text", text[self.pos + 1:self.pos + 2] or "\\")
                self.pos += 2
            elif ch == "'":
                end = text.find("'", self.pos + 1)
                if end < 0:
                    raise self.fail("a quote is never closed")
                add("text", text[self.pos + 1:end])
                self.pos = end + 1
            elif ch == '"':
                self._double(parts, add)
            elif ch == "$":
                self._dollar(parts, add, quoted=False)
            elif ch == "`":
                raise self.fail("command substitution with backquotes (`...`) is not read")
            else:
                add("bare", ch)
                self.pos += 1
        return Word(parts, text[start:self.pos])

    def _double(self, parts: list[Part], add: _Adder) -> None:
        """A double-quoted string: text, variables and command substitutions."""
        text, opened = self.text, self.pos
        self.pos += 1
        add("text", "")  # "" is a word of its own, even empty
        while True:
            if self.pos >= len(text):
                raise self.fail("a quote is never closed", opened)
            ch = text[self.pos]
            if ch == '"':
                self.pos += 1
                return
            if ch == "\\" and text[self.pos + 1:self.pos + 2] in ("$", "`", '"', "\\", "\n"):
                if text[self.pos + 1] != "\n":
                    add("text", text[self.pos + 1])
                self.pos += 2
            elif ch == "$":
                self._dollar(parts, add, quoted=True)
            elif ch == "`":
                raise self.fail("command substitution with backquotes (`...`) is not read")
            else:
                add("text", ch)
                self.pos += 1

    def _dollar(self, parts: list[Part], add: _Adder, *, quoted: bool) -> None:
        """``$NAME``, ``${NAME}``, ``$(...)``, a special parameter, or a ``$`` as it is."""
        text, start = self.text, self.pos
        rest = text[start + 1:start + 2]
        if text.startswith("$((", start):
            raise self.fail("arithmetic $((...)) is not read")
        if rest == "(":
            self.pos += 2
            lines = _Parser(self.tokens(closing=True), self).program()
            parts.append(Part("subst", text[start:self.pos], quoted, lines))
        elif rest == "{":
            end = text.find("}", start)
            inner = text[start + 2:end] if end > 0 else ""
            if not _NAME.fullmatch(inner):
                written = text[start:end + 1 if end > 0 else start + 12]
                raise self.fail(f"the expansion {written!r} is not read")
            parts.append(Part("var", inner, quoted))
            self.pos = end + 1
        elif m := _NAME.match(text, start + 1):
            parts.append(Part("var", m[0], quoted))
            self.pos = m.end()
        elif rest and rest in "0123456789@*#?$!-":
            parts.append(Part("var", rest, quoted))
            self.pos += 2
        elif rest in ("'", '"') and not quoted:
            raise self.fail(f"${rest}...{rest} quoting is not read")
        else:
            add("text" if quoted else "bare", "$")
            self.pos += 1


class _Parser:
    """Lines (and-or lists) of tokens."""

    def __init__(self, tokens: list[_Token], lexer: _Lexer) -> None:
        self.tokens, self.i, self.lexer = tokens, 0, lexer

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def fail(self, why: str) -> Unread:
        token = self.peek() or (self.tokens[-1] if self.tokens else None)
        return self.lexer.fail(why, token.start if token else None)

    def _is_op(self, *ops: str) -> bool:
        token = self.peek()
        return isinstance(token, _Op) and token.text in ops

    def _is_word(self, *words: str) -> bool:
        token = self.peek()
        parts = token.word.parts if isinstance(token, _Tok) else []
        return len(parts) == 1 and parts[0].kind == "bare" and parts[0].text in words

    def _skip_breaks(self) -> None:
        while self._is_op("\n"):
            self.i += 1

    def program(self, until: str | None = None) -> list[Line]:
        """Lines up to the end, or up to the word ``until`` in a command's place."""
        lines: list[Line] = []
        while True:
            self._skip_breaks()
            token = self.peek()
            if token is None:
                if until:
                    raise self.fail(f"'{until}' is missing")
                return lines
            if until and self._is_word(until):
                self.i += 1
                return lines
            lines.append(self._line())

    def _line(self) -> Line:
        token = self.peek()
        assert token is not None
        number = self.lexer.line(token.start)
        pipelines, ops = [self._pipeline()], []
        while self._is_op("&&", "||"):
            op = self.peek()
            assert isinstance(op, _Op)
            ops.append(op.text)
            self.i += 1
            self._skip_breaks()
            pipelines.append(self._pipeline())
        background = self._is_op("&")
        if self._is_op(";", "&"):
            self.i += 1
        elif self.peek() is not None and not self._is_op("\n"):
            raise self.fail(f"{self._shown()} is not read here")
        return Line(number, pipelines, ops, background)

    def _shown(self) -> str:
        token = self.peek()
        text = token.text if isinstance(token, _Op) else token.word.source if token else ""
        return repr(text)

    def _pipeline(self) -> list[Command]:
        commands = [self._command()]
        while self._is_op("|", "|&"):
            self.i += 1
            self._skip_breaks()
            commands.append(self._command())
        return commands

    def _command(self) -> Command:
        if self._is_op("(", ")"):
            raise self.fail("subshells and functions are not read")
        if self._is_word("for"):
            return self._for()
        words: list[Word] = []
        redirs: list[Redir] = []
        while True:
            token = self.peek()
            if isinstance(token, _Tok):
                self.i += 1
                nxt = self.peek()
                number = re.fullmatch("[0-9]+", token.word.source)
                if number and isinstance(nxt, _Op) and nxt.start == token.end and nxt.text in REDIRS:
                    redirs.append(self._redir(nxt, token.word.source))  # 2>file: the number goes with it
                    continue
                words.append(token.word)
            elif isinstance(token, _Op) and token.text in REDIRS:
                redirs.append(self._redir(token))
            elif isinstance(token, _Op) and token.text in ("(", ")"):
                raise self.fail("subshells and functions are not read")
            elif isinstance(token, _Op) and token.text == ";;":
                raise self.fail("';;' (case) is not read")
            else:
                break
        if not words and not redirs:
            raise self.fail(f"a command is missing before {self._shown()}")
        return Simple(words, redirs)

    def _redir(self, token: _Op, fd: str | None = None) -> Redir:
        self.i += 1
        if token.here is not None:
            return Redir(token.text, None, token.here, fd)
        target = self.peek()
        if not isinstance(target, _Tok):
            raise self.fail(f"the redirection {token.text!r} has no target")
        self.i += 1
        return Redir(token.text, target.word, None, fd)

    def _for(self) -> For:
        self.i += 1
        token = self.peek()
        name = token.word.literal() if isinstance(token, _Tok) else None
        if name is None or not _NAME.fullmatch(name):
            raise self.fail("only 'for NAME in WORDS' loops are read")
        self.i += 1
        self._skip_breaks()
        if not self._is_word("in"):
            raise self.fail("only 'for NAME in WORDS' loops are read")
        self.i += 1
        items = []
        while isinstance(self.peek(), _Tok) and not self._is_word("do"):
            token = self.peek()
            assert isinstance(token, _Tok)
            items.append(token.word)
            self.i += 1
        if self._is_op(";", "\n"):
            self.i += 1
        self._skip_breaks()
        if not self._is_word("do"):
            raise self.fail("'do' is missing after the loop's words")
        self.i += 1
        body = self.program(until="done")
        redirs = []
        while self._is_op(*REDIRS):
            token = self.peek()
            assert isinstance(token, _Op)
            redirs.append(self._redir(token))
        return For(name, items, body, redirs)


def parse(text: str, first_line: int = 1) -> list[Line]:
    """The lines of a script (numbered from ``first_line``).

    :raises Unread: at what this module does not parse, with the line.
    """
    lexer = _Lexer(text, first_line)
    return _Parser(lexer.tokens(), lexer).program()
