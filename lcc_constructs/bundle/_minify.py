"""Optional minification of the packed files (``minify=True``, ``lcc build --minify``).

Comments, blank lines and indentation go; the program stays the same, which is checked, never
assumed: each file is parsed before and after by a real parser, and a file whose minified form
is not the same program (or does not parse) is packed as it was, with a warning.

- Shell: ``shfmt -mn`` (from the shfmt-py wheel: ``pip install 'lcc-constructs[minify]'``),
  checked by comparing shfmt's syntax trees of both versions, positions and comments aside.
  shfmt's minify mode also simplifies (``${x}`` to ``$x``, ``$(( $a ))`` to ``$((a))``); a file
  it simplifies is kept as it was, since a simplification can change what a script does.
- Python: Python's own tokenizer, re-emitting each logical line with one space of indentation
  per level and no space between tokens that do not need one, checked by comparing ``ast``
  dumps. String literals (docstrings included) are kept byte for byte.

Line numbers in error messages and tracebacks then refer to the minified files.
"""

from __future__ import annotations

import ast
import io
import json
import os
import shutil
import subprocess
import sys
import tokenize
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from .languages import language
from .steps import BundleFile, Scripts

_SHFMT_HELP = (
    "minify=True needs the shfmt program, from the optional extra: "
    "pip install 'lcc-constructs[minify]' (or put shfmt on PATH), or leave minify off"
)


@dataclass(frozen=True)
class Minified:
    scripts: Scripts
    #: Why each file that could not be minified was packed as it was, by path.
    kept: dict[str, str]


def find_shfmt() -> str | None:
    # The wheel installs shfmt beside the interpreter, which is not on PATH when a virtualenv's
    # python runs without being activated (cdk synth does that).
    beside = Path(sys.executable).parent / "shfmt"
    return str(beside) if os.access(beside, os.X_OK) else shutil.which("shfmt")


def _without_positions(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_positions(v) for k, v in node.items()
                if k not in ("Comments", "Last") and not _is_position(v)}
    if isinstance(node, list):
        return [_without_positions(v) for v in node]
    return node


def _is_position(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= {"Offset", "Line", "Col"}


def _shfmt(shfmt: str, args: list[str], data: bytes) -> bytes | None:
    proc = subprocess.run([shfmt, *args], input=data, capture_output=True)
    return proc.stdout if proc.returncode == 0 else None


def minify_shell(data: bytes, path: str, shfmt: str) -> tuple[bytes | None, str]:
    """The minified shell file, or None and why not."""
    name = ["--filename", path]
    small = _shfmt(shfmt, ["-mn", *name], data)
    if small is None:
        return None, "shfmt cannot parse it"
    before, after = (_shfmt(shfmt, ["--to-json", *name], d) for d in (data, small))
    if before is None or after is None or (
            _without_positions(json.loads(before)) != _without_positions(json.loads(after))):
        return None, "shfmt's minified form is not the same program (it simplifies something)"
    return small, ""


def _span(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> str:
    """The source text between two tokenize positions (1-based rows, 0-based columns)."""
    if start[0] == end[0]:
        return lines[start[0] - 1][start[1]:end[1]]
    middle = "".join(lines[start[0]:end[0] - 1])
    return lines[start[0] - 1][start[1]:] + middle + lines[end[0] - 1][:end[1]]


def _wordlike(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or ord(ch) > 127


_STRING_STARTS = {getattr(tokenize, n) for n in ("FSTRING_START", "TSTRING_START") if hasattr(tokenize, n)}
_STRING_ENDS = {getattr(tokenize, n) for n in ("FSTRING_END", "TSTRING_END") if hasattr(tokenize, n)}


def _python_lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    tokens = iter(tokenize.generate_tokens(io.StringIO(text).readline))
    out: list[str] = []
    words: list[str] = []
    kinds: list[int] = []
    level = line_level = 0
    for tok in tokens:
        kind, string = tok.type, tok.string
        if kind in (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER):
            continue
        if kind == tokenize.INDENT:
            level += 1
            continue
        if kind == tokenize.DEDENT:
            level -= 1
            continue
        if kind == tokenize.NEWLINE:
            out.append(" " * line_level + "".join(words))
            words, kinds = [], []
            continue
        if kind in _STRING_STARTS:
            # 3.12+ splits f-strings into tokens: keep the whole literal as written.
            depth, start = 1, tok.start
            while depth:
                inner = next(tokens)
                depth += (inner.type in _STRING_STARTS) - (inner.type in _STRING_ENDS)
            string, kind = _span(lines, start, inner.end), tokenize.STRING
        if not words:
            line_level = level
        elif _wordlike(words[-1][-1]) and _wordlike(string[0]) or (
                kinds[-1] == tokenize.NUMBER and (string[0] == "." or _wordlike(string[0]))):
            # "1. if" must not become "1.if" (a SyntaxWarning, and an error in a later Python).
            words.append(" ")
            kinds.append(tokenize.OP)
        words.append(string)
        kinds.append(kind)
    return out


def minify_python(data: bytes) -> tuple[bytes | None, str]:
    """The minified Python file, or None and why not."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        if encoding != "utf-8":
            return None, f"it declares the {encoding} encoding"
        text = data.decode("utf-8")
        tree = ast.dump(ast.parse(text))
        shebang = text.splitlines(keepends=True)[0] if text.startswith("#!") else ""
        small = shebang + "".join(line + "\n" for line in _python_lines(text))
        with warnings.catch_warnings():
            # What Python only warns about today (an invalid decimal literal) is refused here.
            warnings.simplefilter("error", SyntaxWarning)
            same = ast.dump(ast.parse(small)) == tree
    except (SyntaxError, SyntaxWarning, ValueError, UnicodeDecodeError, tokenize.TokenError) as e:
        return None, f"it cannot be tokenized or parsed here ({e})"
    if not same:
        return None, "its minified form is not the same program"
    return small.encode(), ""


def minify_scripts(scripts: Scripts) -> Minified:
    """``scripts`` with every shell and Python file minified where that is provably safe."""
    kinds = {f.path: language(f.path, f.data) for f in scripts.files}
    shfmt = find_shfmt()
    if shfmt is None and "shell" in kinds.values():
        raise ValidationError(_SHFMT_HELP)
    files: list[BundleFile] = []
    kept: dict[str, str] = {}
    for f in scripts.files:
        if kinds[f.path] == "shell" and shfmt is not None:
            small, why = minify_shell(f.data, f.path, shfmt)
        elif kinds[f.path] == "python":
            small, why = minify_python(f.data)
        else:
            files.append(f)
            continue
        if small is None:
            kept[f.path] = why
        files.append(f if small is None or len(small) >= len(f.data) else replace(f, data=small))
    return Minified(replace(scripts, files=tuple(files)), kept)
