"""The exceptions of this library: the one it raises for bad input, and the one its service
commands raise when AWS fails them (kept here so ``lcc`` can catch it without loading the
service package)."""

from __future__ import annotations

from collections.abc import Sequence


class ValidationError(ValueError):
    """Bad input, found before anything is deployed: scripts that cannot be bundled, a recipe
    option or a construct prop out of range.

    Every check collects all the problems it finds; the message lists each one, naming the
    file, step, option or prop at fault, the value and the fix. ``problems`` holds them one by
    one, and ``path`` the construct they belong to, when a construct raised it.
    """

    def __init__(self, problems: str | Sequence[str], *, path: str | None = None,
                 construct: str | None = None, headline: str | None = None) -> None:
        self.problems: tuple[str, ...] = (problems,) if isinstance(problems, str) else tuple(problems)
        self.path = path
        where = f"{construct} {path!r}: " if construct and path else f"{path}: " if path else ""
        if headline:
            message = f"{where}{headline} ({len(self.problems)} problem(s)):\n- " + "\n- ".join(self.problems)
        elif len(self.problems) == 1:
            message = where + self.problems[0]
        else:
            message = f"{where}{len(self.problems)} problems:\n- " + "\n- ".join(self.problems)
        super().__init__(message)

def got(value: object) -> str:
    """What a wrong value was, for a message: ``got None``, ``got 'x' (str)``, ``got [1] (list)``
    (its repr, cut after 60 characters)."""
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    plain = value is None or isinstance(value, bool)
    return f"got {text}" if plain else f"got {text} ({type(value).__name__})"


def raise_if(problems: Sequence[str], *, path: str | None = None, construct: str | None = None,
             headline: str | None = None) -> None:
    """Raise every problem found at once, or nothing. ``path`` and ``construct``: the
    construct at fault (its path and class)."""
    if problems:
        raise ValidationError(problems, path=path, construct=construct, headline=headline)


class ServiceError(Exception):
    """A call to AWS failed, or the service is in a state the command cannot go on from
    (``lcc`` exits 1). ``code``: the AWS error code, when AWS answered one; ``answer``: AWS's
    message as it came (the message shown may be shortened)."""

    def __init__(self, message: str, code: str | None = None, answer: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.answer = answer


#: The name this exception had first; ``except BundleError`` keeps working.
BundleError = ValidationError
