"""The size report's figures (docs/cli.md, "lcc report", "lcc inspect"): lcc inspect reads back
from a script exactly the figures its build reported (bytes of files, not characters; the
characters of the base64 Content), the files in path order and largest first; and the modes the
archive carries back (the owner's bits, the group's and others' read and execute bits)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from lcc_constructs import Scripts, build, recipes
from lcc_constructs.readback import inspect_script

from .helpers import write_folder

FILES: dict[str, str | bytes] = {
    "10-setup.sh": "#!/bin/bash\necho 'configuring ünïcødé'\n",
    "lib/ß.txt": "ßßßß\n",  # 4 characters, 9 bytes
    "zz/data.bin": bytes(range(256)) * 3,
    "b.txt": "b" * 100,
    "a.txt": "a" * 100,
}
MODES = {"10-setup.sh": 0o775, "lib/ß.txt": 0o640, "zz/data.bin": 0o600, "b.txt": 0o664, "a.txt": 0o664}


def test_inspect_reads_back_the_figures_the_build_reported(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES, MODES)
    rendered = build(Scripts.from_folder(folder) + recipes.stop_ssm_agent())
    read = inspect_script(rendered.text).report
    assert dataclasses.asdict(read) == dataclasses.asdict(rendered.report)
    assert read.encoded_chars == len(rendered.content) > read.script_bytes == len(rendered.text.encode())
    sizes = {f.path: f.raw_bytes for f in read.files}
    assert sizes["lib/ß.txt"] == 9 and sizes["10-setup.sh"] == len(str(FILES["10-setup.sh"]).encode())
    assert read.raw_bytes == sum(sizes.values())


def test_files_come_in_path_order_and_the_largest_first(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES, MODES)
    # Recipes' files come after the folder's in the bundle: the report sorts them by path.
    report = build(Scripts.from_folder(folder) + recipes.stop_ssm_agent()).report
    paths = [f.path for f in report.files]
    assert paths == sorted(paths) and "recipes/stop-ssm-agent/stop-ssm-agent.sh" in paths
    assert abs(sum(f.share for f in report.files) - 1) < 1e-9
    # Largest first; files of one size by path.
    assert [f.path for f in report.largest(4)] == ["zz/data.bin", "recipes/stop-ssm-agent/stop-ssm-agent.sh",
                                                   "a.txt", "b.txt"]
    listed = report.format().split("files (largest first):\n")[1].splitlines()
    shown = [int(line.split()[0]) for line in listed if not line.lstrip().startswith(("...", "warning"))]
    assert shown == sorted(shown, reverse=True) and len(shown) == len(report.files)


def test_the_archive_carries_back_the_owners_bits_and_the_others_read_and_execute(tmp_path: Path) -> None:
    files = {"run.sh": "echo\n", "tool.sh": "echo\n", "both.txt": "x\n", "other.txt": "y\n", "secret": "s\n",
             "plain.txt": "p\n", "suid": "u\n"}
    modes = {"run.sh": 0o775, "tool.sh": 0o775, "both.txt": 0o666, "other.txt": 0o666, "secret": 0o600,
             "plain.txt": 0o644, "suid": 0o4755}
    folder = write_folder(tmp_path / "s", files, modes)
    read = inspect_script(build(Scripts.from_folder(folder)).text)
    assert {path: mode for path, (mode, _) in read.files.items()} == {
        "run.sh": 0o755, "tool.sh": 0o755, "both.txt": 0o644, "other.txt": 0o644, "secret": 0o600,
        "plain.txt": 0o644, "suid": 0o755}
