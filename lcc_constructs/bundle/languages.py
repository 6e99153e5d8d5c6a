"""What a packed file is written in, and how a step's script is started."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Literal

Language = Literal["shell", "python"]

SHELL_SUFFIXES = (".sh", ".bash")
PYTHON_SUFFIXES = (".py",)


def parse_shebang(data: bytes) -> tuple[str, str] | None:
    """``(interpreter, argument)`` of a ``#!`` line, split as Linux does; None without one.

    Linux passes everything after the interpreter, trimmed, as one argument.
    """
    if not data.startswith(b"#!"):
        return None
    line = data[2:].split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    if not line:
        return None
    parts = line.split(None, 1)
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


def _language_of_program(program: str) -> Language | None:
    base = PurePosixPath(program).name
    if base in ("bash", "sh"):
        return "shell"
    if base.startswith("python"):
        return "python"
    return None


def language(path: str, data: bytes) -> Language | None:
    """The language of a file, from its ``#!`` line first, else its suffix."""
    shebang = parse_shebang(data)
    if shebang is not None:
        interp, arg = shebang
        if PurePosixPath(interp).name == "env" and arg:
            # "#!/usr/bin/env python3" or "#!/usr/bin/env -S bash -e"
            words = [w for w in arg.split() if not w.startswith("-")]
            return _language_of_program(words[0]) if words else None
        return _language_of_program(interp)
    if path.endswith(SHELL_SUFFIXES):
        return "shell"
    if path.endswith(PYTHON_SUFFIXES):
        return "python"
    return None


def interpreter(path: str, data: bytes) -> tuple[str, str]:
    """How the runner starts a step's script: its ``#!`` line, else python3 for ``.py``, else
    /bin/bash."""
    shebang = parse_shebang(data)
    if shebang is not None:
        return shebang
    if path.endswith(PYTHON_SUFFIXES):
        return "python3", ""
    return "/bin/bash", ""


#: How a ``#!`` line names the instance's own python3 (Amazon Linux 2023's, Python 3.9).
INSTANCE_PYTHONS = ("python3", "python", "python3.9")


def runs_on_instance_python(path: str, data: bytes) -> bool:
    """Whether a Python file runs with the instance's python3 (3.9): without a ``#!`` line, or
    with one naming python3 in /usr/bin or /bin or through env. A ``#!`` line naming another
    interpreter (a conda environment's, ``python3.11``) picks its own Python."""
    program, argument = interpreter(path, data)
    folder, _, name = program.rpartition("/")
    if name == "env" and folder in ("/usr/bin", "/bin"):
        words = [w for w in argument.split() if not w.startswith("-")]
        return bool(words) and words[0] in INSTANCE_PYTHONS
    return name in INSTANCE_PYTHONS and folder in ("", "/usr/bin", "/bin")
