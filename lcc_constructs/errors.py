"""The one exception type the bundle layer raises for bad input."""

from __future__ import annotations


class BundleError(ValueError):
    """Raised at build (and so at construct creation) when the scripts cannot be bundled.

    The message names the file or property at fault and the fix. ``problems`` holds each
    problem found, when several were found at once.
    """

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems or (message,)
