"""A shell script as lines of commands, for reading what a hand-made wrapper does
(_article.py): tokens as bash splits them (quotes removed), lines continued by ``\\`` or an
open quote joined, here-documents attached to the command that opens them, command lists split
at ``;``, ``&``, ``&&`` and ``||``, pipelines at ``|``, redirections apart from the words.
Nothing of bash's expansion happens here."""

from __future__ import annotations

import shlex
from dataclasses import dataclass


class Unread(Exception):
    """A part of the script this reader does not read: the message says which and why."""


@dataclass(frozen=True)
class Command:
    """One simple command: its words, redirections (operator, target) and here-document."""

    words: list[str]
    redirs: list[tuple[str, str]]
    body: str | None


REDIRS = {">", ">>", "<", "&>", "&>>", ">&", "<&", ">|", "<<", "<<<", "<<-"}


def split(text: str) -> list[str]:
    """The words (quotes removed) and operators of a line, up to a comment.

    :raises ValueError: when a quote is left open.
    """
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|<>()")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    return list(lexer)


def command_lines(text: str) -> list[tuple[int, list[str], str | None]]:
    """Each command line's number, tokens and here-document body: lines continued with ``\\``
    or an open quote are joined; a here-document's lines are its body."""
    raw = text.split("\n")
    out = []
    i = 0
    while i < len(raw):
        start, line = i + 1, raw[i]
        i += 1
        while True:
            if line.endswith("\\") and i < len(raw):
                line, i = line[:-1] + raw[i], i + 1
                continue
            try:
                tokens = split(line)
                break
            except ValueError:  # a quote left open: the string goes on
                if i >= len(raw):
                    raise Unread(f"line {start}: a quote is never closed") from None
                line, i = line + "\n" + raw[i], i + 1
        body, i = here_document(tokens, raw, i, start)
        if tokens:
            out.append((start, tokens, body))
    return out


def here_document(tokens: list[str], raw: list[str], i: int, start: int) -> tuple[str | None, int]:
    """The body of the here-document the tokens open (lines from ``i`` on), and the line after."""
    if "<<" not in tokens:
        return None, i
    delimiter = tokens[tokens.index("<<") + 1] if tokens.index("<<") + 1 < len(tokens) else ""
    strip = delimiter.startswith("-")
    delimiter = delimiter.removeprefix("-")
    body: list[str] = []
    while i < len(raw):
        line = raw[i].lstrip("\t") if strip else raw[i]
        i += 1
        if line == delimiter:
            return "\n".join(body) + "\n", i
        body.append(line)
    raise Unread(f"line {start}: the here-document {delimiter!r} is never closed")


def command_lists(tokens: list[str]) -> list[tuple[list[list[str]], list[str], str]]:
    """The command lists of a line: (pipelines, the operators between them, terminator)."""
    out = []
    pipelines: list[list[str]] = [[]]
    ops: list[str] = []
    for token in tokens:
        if token in ("&&", "||"):
            ops.append(token)
            pipelines.append([])
        elif token in (";", "&"):
            out.append((pipelines, ops, token))
            pipelines, ops = [[]], []
        else:
            pipelines[-1].append(token)
    if pipelines != [[]]:
        out.append((pipelines, ops, ";"))
    return [(p, o, t) for p, o, t in out if any(p)]


def simple_command(tokens: list[str], body: str | None) -> Command:
    """A simple command's words and redirections (a file descriptor number before a
    redirection goes with it)."""
    words: list[str] = []
    redirs = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in ("(", ")"):
            raise Unread("subshells and functions are not read")
        if token in REDIRS:
            if words and words[-1].isdigit():
                words.pop()
            target = tokens[i + 1] if i + 1 < len(tokens) else ""
            redirs.append((token, target))
            i += 2
            continue
        words.append(token)
        i += 1
    return Command(words, redirs, body if any(op in ("<<", "<<-") for op, _ in redirs) else None)


def pipeline_stages(pipeline: list[str], body: str | None) -> list[Command]:
    """The simple commands of a pipeline, split at ``|``."""
    stages: list[list[str]] = [[]]
    for token in pipeline:
        if token == "|":
            stages.append([])
        else:
            stages[-1].append(token)
    return [simple_command(s, body) for s in stages]
