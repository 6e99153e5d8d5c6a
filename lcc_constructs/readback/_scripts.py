"""A lifecycle script read for what it is: one this library built (with its files, steps and
options), one an older or newer version of it built, or anyone else's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..bundle import Kind
from ..errors import ValidationError
from ._script import InspectedScript, inspect_script, parse_loader

#: ours: built by this version (readable); other-version: by lcc-constructs, but a loader this
#: version does not read; foreign: anything else.
Origin = Literal["ours", "other-version", "foreign"]

#: Every script lcc-constructs ever built names it (in its messages).
MARKER = "lcc-constructs"


@dataclass(frozen=True)
class ReadScript:
    """A script of one kind: where it comes from (for messages), its text, what it is, and, for
    one of ours, what it carries (``inspected``) or why that cannot be read (``problem``)."""

    kind: Kind
    source: str
    text: str
    origin: Origin
    inspected: InspectedScript | None = None
    problem: str | None = None

    @property
    def lines(self) -> int:
        """How many lines the script has."""
        return len(self.text.splitlines())

    def describe(self) -> str:
        """A few words on what the script is."""
        if self.inspected is not None:
            r = self.inspected.report
            return (f"{len(self.inspected.steps)} step(s) ({', '.join(self.inspected.step_names)}), "
                    f"{len(self.inspected.files)} file(s), {r.encoded_chars} characters")
        if self.origin == "ours":
            return f"built by lcc-constructs, not readable here: {self.problem}"
        if self.origin == "other-version":
            return f"built by another version of lcc-constructs ({self.lines} lines)"
        return f"a script not built by lcc-constructs ({self.lines} lines)"


def read_script(text: str, kind: Kind, source: str, *, assets: Path | None = None,
                fetch: Callable[[str], bytes] | None = None) -> ReadScript:
    """``text`` read for what it is. ``assets``: a cdk.out folder holding S3 payloads;
    ``fetch``: gets an S3 payload by its location (``bucket key``) instead."""
    try:
        parse_loader(text)
    except ValidationError:
        return ReadScript(kind, source, text, "other-version" if MARKER in text else "foreign")
    try:
        return ReadScript(kind, source, text, "ours", inspect_script(text, source, assets, fetch=fetch))
    except ValidationError as e:
        return ReadScript(kind, source, text, "ours", problem=str(e))
