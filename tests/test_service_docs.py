"""docs/service-commands.md: every ``sh`` example runs, in order, in one folder, against moto's
server (a notebook instance ``my-notebook`` exists; before the first ``lcc logs`` the log lines
its example shows are written to the instance's stream); where a ``text`` block follows an
example directly, it is what the example prints (sizes and seconds aside)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from .conftest import ROOT
from .servers import Moto
from .service_helpers import put_log_lines

DOC = ROOT / "docs" / "service-commands.md"
_FENCE = re.compile(r"^```(\w+)\n(.*?)^```\n", re.S | re.M)


def examples() -> list[tuple[str, str | None]]:
    """Each ``sh`` block, with the ``text`` block right after it (its output), if any."""
    text = DOC.read_text()
    blocks = [(m.start(), m.end(), m[1], m[2]) for m in _FENCE.finditer(text)]
    found = []
    for i, (_, end, language, body) in enumerate(blocks):
        if language != "sh":
            continue
        after = blocks[i + 1] if i + 1 < len(blocks) else None
        output = after[3] if after and after[2] == "text" and not text[end:after[0]].strip() else None
        found.append((body, output))
    return found


def normal(text: str) -> str:
    """Output without what changes from run to run: sizes in characters and seconds waited."""
    return re.sub(r"\(\d+s\)", "(Ns)", re.sub(r"\d+ characters", "N characters", text))


def log_lines(output: str) -> list[str]:
    """The stream lines an ``lcc logs`` example shows: those before its first summary."""
    lines = output.splitlines()
    return lines[:next(i for i, line in enumerate(lines) if line.startswith("run "))]


def test_every_example_runs_and_prints_what_the_page_shows(moto: Moto, lcc_env: dict[str, str],
                                                            tmp_path: Path) -> None:
    moto.notebook("my-notebook")
    found = examples()
    assert len(found) >= 8
    logs_written = False
    for script, output in found:
        if "lcc logs my-notebook" in script and not logs_written:
            assert output is not None
            put_log_lines(moto, "my-notebook/LifecycleConfigOnStart", log_lines(output))
            logs_written = True
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=lcc_env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"{script}\n{proc.stdout}\n{proc.stderr}"
        if output is not None:
            assert normal(proc.stdout) == normal(output), script


def test_the_page_names_every_option_of_the_commands() -> None:
    from lcc_constructs.cli import parser

    page = DOC.read_text()
    commands = parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for command in ("deploy", "pull", "diff", "logs"):
        for action in commands[command]._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert f"`{option}" in page, (command, option)
