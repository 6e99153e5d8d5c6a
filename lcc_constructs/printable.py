"""Text that lcc did not write, made safe to print: log lines, deployed scripts' names and lines,
what a server answered.

A terminal obeys the control characters in what it prints: an escape sequence can retitle the
window, write the clipboard (OSC 52), clear the screen or move the cursor over earlier lines,
and a newline or carriage return inside one value forges a line of lcc's own output. So every
such character becomes a visible escape: ``\\n``, ``\\r``, ``\\xNN`` (the other C0 controls,
DEL and the C1 controls), ``\\uNNNN`` (lone surrogates, the Unicode line and paragraph
separators, the bidirectional formatting characters). Tabs stay. A backslash is left as it is
(a shell script's line continuations stay readable), so ``\\x1b`` in the output may also be
those four characters in the input.
"""

from __future__ import annotations

import re

__all__ = ["printable"]

_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u2028\u2029"
                     "\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    ch = match[0]
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with its control characters escaped (tabs kept): one line, unless
    ``keep_newlines`` (then each line of a message of several lines is escaped alone)."""
    if keep_newlines:
        return "\n".join(_UNSAFE.sub(_escape, line) for line in text.split("\n"))
    return _UNSAFE.sub(_escape, text)
