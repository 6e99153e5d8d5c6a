#!/usr/bin/env python3
"""Exercises the Python constructs minification must keep."""

import json
import os
from dataclasses import dataclass, field


@dataclass
class Item:
    """An item with a docstring that stays."""

    name: str
    tags: list = field(default_factory=list)

    def label(self, width: int = 10) -> str:
        # f-strings with nested quotes and format specs
        return f"{self.name!r:>{width}} [{', '.join(self.tags)}]"


def numbers():
    total = 0
    for i in range(1, 5):
        if i % 2:
            total += i ** 2
        else:
            total -= 1 if i > 2 else 2
    return total, 1 .real, 0x1F, 1e3, [x for x in range(3) if x]


text = """multi-line
    string with   spaces # not a comment
"""
items = [Item("a", ["x", "y"]), Item("b")]
print(*(item.label() for item in items), sep="\n")
print(numbers())
print(text, end="")
print(json.dumps({"k": [1, 2, {"n": None}]}, sort_keys=True))
os.makedirs("/etc/minify-case", exist_ok=True)
with open("/etc/minify-case/python.json", "w") as f:
    json.dump({"items": [i.name for i in items], "numbers": numbers()[0]}, f)
lambda_ = (lambda a, *b, **c: (a, b, c))(1, 2, k=3)
print(lambda_)
