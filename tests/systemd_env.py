"""How systemd reads an ``EnvironmentFile=`` (tests only; no systemd runs here).

A model of the parser of systemd 248 and later (Amazon Linux 2023 has 252), written from its
documented rules (systemd.exec(5), "EnvironmentFile="):

* blank lines and lines starting with ``#`` or ``;`` are ignored;
* ``KEY=VALUE``; whitespace around the key and before the value is dropped;
* unquoted values: a backslash keeps the next character, a backslash before a newline joins
  the lines, trailing whitespace is dropped;
* single quotes keep everything up to the next single quote, newlines included;
* double quotes keep everything up to the next unescaped double quote; inside them a backslash
  before ``"``, ``\\``, `````` ` `````` or ``$`` keeps just that character, before a newline joins
  the lines, and before anything else is kept with it;
* no variable expansion.

``tests/test_standins.py`` checks the model against those rules.
"""

from __future__ import annotations

WHITESPACE = " \t\r"
SHELL_NEED_ESCAPE = '"\\`$'


def parse(text: str) -> dict[str, str]:
    result: dict[str, str] = {}
    state = "PRE_KEY"
    key: list[str] = []
    value: list[str] = []
    trailing = 0  # unquoted whitespace at the end of value, dropped if the line ends there

    def push() -> None:
        name = "".join(key).rstrip(WHITESPACE)
        result[name] = "".join(value[:len(value) - trailing] if trailing else value)

    for c in text:
        if state == "PRE_KEY":
            if c in "#;":
                state = "COMMENT"
            elif c not in WHITESPACE + "\n":
                state, key, value, trailing = "KEY", [c], [], 0
        elif state == "KEY":
            if c == "\n":
                state = "PRE_KEY"  # a line without '=' is ignored
            elif c == "=":
                state = "PRE_VALUE"
            else:
                key.append(c)
        elif state == "PRE_VALUE":
            if c == "\n":
                push()
                state = "PRE_KEY"
            elif c == "'":
                state = "SINGLE_QUOTE"
            elif c == '"':
                state = "DOUBLE_QUOTE"
            elif c == "\\":
                state = "VALUE_ESCAPE"
            elif c not in WHITESPACE:
                state, trailing = "VALUE", 0
                value.append(c)
        elif state == "VALUE":
            if c == "\n":
                push()
                state = "PRE_KEY"
            elif c == "\\":
                state, trailing = "VALUE_ESCAPE", 0
            else:
                trailing = trailing + 1 if c in WHITESPACE else 0
                value.append(c)
        elif state == "VALUE_ESCAPE":
            state = "VALUE"
            if c != "\n":
                value.append(c)
        elif state == "SINGLE_QUOTE":
            if c == "'":
                state = "PRE_VALUE"
            else:
                value.append(c)
        elif state == "DOUBLE_QUOTE":
            if c == '"':
                state = "PRE_VALUE"
            elif c == "\\":
                state = "DOUBLE_QUOTE_ESCAPE"
            else:
                value.append(c)
        elif state == "DOUBLE_QUOTE_ESCAPE":
            state = "DOUBLE_QUOTE"
            if c in SHELL_NEED_ESCAPE:
                value.append(c)
            elif c != "\n":
                value += ["\\", c]
        elif state == "COMMENT" and c == "\n":
            state = "PRE_KEY"
    if state not in ("PRE_KEY", "KEY", "COMMENT"):
        push()
    return result
