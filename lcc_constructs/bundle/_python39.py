"""Python 3.9's grammar, checked with a newer Python: what Amazon Linux 2023's python3 (3.9) runs.

``ast.parse(..., feature_version=(3, 9))`` refuses most newer syntax (``match``, ``except*``,
type parameters), but not all of it: what it lets through is looked for here in the tree
(stars and unparenthesized ``:=`` in an index, starred ``*args`` annotations, asynchronous
comprehensions inside others) and, on Python 3.12 and newer, in the tokens (f-strings that
reuse their quotes, span lines, or hold a backslash or a comment in a replacement field: PEP
701).
tests/test_checks.py compares the verdicts with Python 3.9's own compiler.
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from collections.abc import Iterator

#: The Python the instance runs a step's ``.py`` file with (Amazon Linux 2023's python3).
INSTANCE_PYTHON = (3, 9)

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def python39_problem(data: bytes) -> tuple[int, str] | None:
    """The first piece of ``data``, a Python file, that Python 3.9 cannot compile (its line and
    what it is), or None; ``data`` compiles with the Python running this."""
    # Read as Python reads it: a coding line, or UTF-8 (a byte order mark dropped).
    source = data.decode(tokenize.detect_encoding(io.BytesIO(data).readline)[0])
    try:
        tree = ast.parse(source, feature_version=INSTANCE_PYTHON)
    except SyntaxError as e:
        return _gated_line(source) or e.lineno or 1, e.msg
    found = [*_tree_problems(tree, source), *_fstring_problems(source)]
    return min(found) if found else None


def _gated_line(source: str) -> int | None:
    """The first line of a statement ``feature_version`` refuses (which it reports at the
    statement's end): ``match``, ``except*``, ``type``, type parameters."""
    kinds = tuple(getattr(ast, name) for name in ("Match", "TryStar", "TypeAlias") if hasattr(ast, name))
    lines = [node.lineno for node in ast.walk(ast.parse(source)) if isinstance(node, ast.stmt)
             and (isinstance(node, kinds) or getattr(node, "type_params", None))]
    return min(lines) if lines else None


def _tree_problems(tree: ast.Module, source: str) -> Iterator[tuple[int, str]]:
    lines = source.encode("utf-8").split(b"\n")
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if any(isinstance(item, ast.Starred) for item in items):
                yield node.lineno, "a star expression in an index is Python 3.11's"
            if any(isinstance(item, ast.NamedExpr) and not _after_parenthesis(lines, item) for item in items):
                yield node.lineno, "an unparenthesized := in an index is Python 3.10's"
        elif (isinstance(node, ast.arguments) and node.vararg
              and isinstance(node.vararg.annotation, ast.Starred)):
            yield node.vararg.lineno, "a starred annotation of *args is Python 3.11's"
    scopes: dict[ast.AST, ast.AST] = {}
    awaits: set[ast.AST] = set()
    _scopes(tree, tree, scopes, awaits)

    def asynchronous(c: ast.AST) -> bool:
        return c in awaits or any(g.is_async for g in getattr(c, "generators", ()))

    for comp, scope in scopes.items():
        if (not isinstance(comp, ast.GeneratorExp) and asynchronous(comp)
                and isinstance(scope, _COMPREHENSIONS) and not asynchronous(scope)):
            yield (getattr(comp, "lineno", 1),
                   "an asynchronous comprehension inside another comprehension is Python 3.11's")


def _after_parenthesis(lines: list[bytes], node: ast.expr) -> bool:
    """Whether the text before ``node`` ends with an opening parenthesis (its own)."""
    before = b"\n".join([*lines[:node.lineno - 1], lines[node.lineno - 1][:node.col_offset]])
    return before.rstrip().endswith(b"(")


def _scopes(node: ast.AST, scope: ast.AST, scopes: dict[ast.AST, ast.AST], awaits: set[ast.AST]) -> None:
    """Each comprehension's enclosing scope (a function, lambda, comprehension or the module),
    and the scopes holding an ``await`` of their own. A comprehension's first iterable belongs
    to the scope around it, the rest to the comprehension."""
    if isinstance(node, ast.Await):
        awaits.add(scope)
    if isinstance(node, _COMPREHENSIONS):
        scopes[node] = scope
        first, *rest = node.generators
        _scopes(first.iter, scope, scopes, awaits)
        inner: list[ast.AST] = [first.target, *first.ifs, *rest]
        inner += [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        for child in inner:
            _scopes(child, node, scopes, awaits)
        return
    if isinstance(node, _FUNCTIONS):
        # Defaults and decorators are evaluated around the function; its body is its own.
        around: list[ast.AST] = [*node.args.defaults, *(d for d in node.args.kw_defaults if d)]
        around += getattr(node, "decorator_list", [])
        for child in around:
            _scopes(child, scope, scopes, awaits)
        body = node.body if isinstance(node.body, list) else [node.body]
        for child in body:
            _scopes(child, node, scopes, awaits)
        return
    for child in ast.iter_child_nodes(node):
        _scopes(child, scope, scopes, awaits)


def _fstring_problems(source: str) -> Iterator[tuple[int, str]]:
    """Python 3.12's f-strings (PEP 701), which only 3.12 and newer tokenize (older Pythons
    refuse them when they compile)."""
    if sys.version_info < (3, 12):
        return
    start, middle, end = (getattr(tokenize, f"FSTRING_{part}") for part in ("START", "MIDDLE", "END"))
    offsets = [0]
    for line in io.StringIO(source):
        offsets.append(offsets[-1] + len(line))
    depth, outer = 0, (0, 0)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):  # what compiles tokenizes; the compiler decides
        return
    for tok in tokens:
        if tok.type == start:
            if depth == 0:
                outer = tok.start
            depth += 1
            continue
        if tok.type == end:
            depth -= 1
            if depth == 0:
                text = source[offsets[outer[0] - 1] + outer[1]:offsets[tok.end[0] - 1] + tok.end[1]]
                if _lexed_by_39(text) != len(text):
                    yield outer[0], ("an f-string reusing its quotes or spanning lines in a replacement "
                                     "field is Python 3.12's")
            continue
        # Inside an f-string, everything but its own literal text is part of a replacement field.
        if depth and (depth > 1 or tok.type != middle) and (
                tok.type == tokenize.COMMENT or "\\" in tok.string):
            yield tok.start[0], "a backslash or a comment in an f-string's replacement field is Python 3.12's"


def _lexed_by_39(text: str) -> int:
    """Where Python 3.9 ends the string literal ``text`` starts with (its length when it ends
    where it should): at the first unescaped closing quote, or at a newline in a single-quoted
    one (-1)."""
    i = 0
    while text[i] not in "'\"":
        i += 1
    quote = text[i] * 3 if text[i:i + 3] in ("'''", '"""') else text[i]
    i += len(quote)
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith(quote, i):
            return i + len(quote)
        elif text[i] == "\n" and len(quote) == 1:
            return -1
        else:
            i += 1
    return -1
