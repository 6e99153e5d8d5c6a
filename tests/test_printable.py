"""lcc_constructs.printable: what lcc prints of text it did not write shows every character a
terminal would obey as a visible escape, keeps tabs, and stays one line per value."""

from __future__ import annotations

import pytest

from lcc_constructs.printable import printable


@pytest.mark.parametrize(("text", "shown"), [
    ("plain text, with\ttabs and ünïcödé", "plain text, with\ttabs and ünïcödé"),
    ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),  # window title (OSC 0)
    ("\x1b]52;c;Zm9v\x07", "\\x1b]52;c;Zm9v\\x07"),  # clipboard write (OSC 52)
    ("\x1b[2J\x1b[1A\x1b[2K", "\\x1b[2J\\x1b[1A\\x1b[2K"),  # clear, cursor up, erase line
    ("a\nb\rc\x0bd\x0ce", "a\\nb\\rc\\x0bd\\x0ce"),
    ("\x00\x7f\x85\x9b", "\\x00\\x7f\\x85\\x9b"),  # NUL, DEL, C1 (NEL, 8-bit CSI)
    ("\u2028\u2029", "\\u2028\\u2029"),  # line and paragraph separators
    ("\u202egnp\u202c\u2066x\u2069\u200f", "\\u202egnp\\u202c\\u2066x\\u2069\\u200f"),  # bidi
    ("bad \udcff byte", "bad \\udcff byte"),  # a lone surrogate (a byte that was not UTF-8)
    ("a \\x1b b", "a \\x1b b"),  # a backslash is left as it is
])
def test_escapes(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert printable(shown) == shown  # escaping twice changes nothing
    shown.encode("utf-8")  # printable on any UTF-8 terminal


def test_keep_newlines_escapes_each_line() -> None:
    assert printable("one\x1b[2J\ntwo\r\n", keep_newlines=True) == "one\\x1b[2J\ntwo\\r\n"
