"""Which value a build option takes (docs/steps.md, docs/cli.md): a flag or a prop given wins,
else the folder's lifecycle.toml [options], else the default; for every option, unpack_dir and
minify included, through lcc build, lcc report and LifecycleConfig."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from lcc_constructs import Scripts, build
from lcc_constructs.readback import inspect_script

from .helpers import synthesized, write_folder
from .service_helpers import LCC

#: A Python step that minification makes smaller (Python alone: no shfmt needed).
STEP = ("import os\n\n\ndef main():\n    # say where the scripts are\n"
        "    print(os.environ['LCC_SCRIPTS_DIR'])\n\n\nmain()\n")
MINIFIED = b"import os\ndef main():\n print(os.environ['LCC_SCRIPTS_DIR'])\nmain()\n"
MANIFEST = '[options]\nunpack_dir = "/opt/lifecycle"\nminify = true\n\n[[step]]\nscript = "a.py"\n'


def folder(tmp_path: Path, manifest: str = MANIFEST) -> Path:
    return write_folder(tmp_path / "scripts", {"a.py": STEP, "lifecycle.toml": manifest})


def lcc(*args: str) -> str:
    proc = subprocess.run([LCC, *args], capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_folders_unpack_dir_and_minify_apply_when_no_door_gives_them(tmp_path: Path) -> None:
    path = folder(tmp_path)
    texts = {"lcc build": lcc("build", str(path), "-o", "-"),
             "build()": build(Scripts.from_folder(path)).text, "LifecycleConfig": synthesized(path)}
    assert len(set(texts.values())) == 1, {door: len(text) for door, text in texts.items()}
    read = inspect_script(texts["build()"])
    assert read.options.unpack_dir == "/opt/lifecycle"
    assert read.files["a.py"] == (0o755, MINIFIED)
    report = json.loads(lcc("report", str(path), "--json"))
    assert report["minified_bytes"] == len(MINIFIED) and report["raw_bytes"] == len(STEP)


def test_a_door_given_an_option_wins_over_the_folder(tmp_path: Path) -> None:
    path = folder(tmp_path)
    by_flag = inspect_script(lcc("build", str(path), "--unpack-dir", "/startup", "-o", "-"))
    by_prop = inspect_script(synthesized(path, unpack_dir="/startup", minify=False))
    for read in (by_flag, by_prop):
        assert read.options.unpack_dir == "/startup"
    assert by_flag.files["a.py"][1] == MINIFIED  # not given: the folder's minify
    assert by_prop.files["a.py"][1] == STEP.encode()  # given False: not minified


def test_without_the_folders_options_the_defaults(tmp_path: Path) -> None:
    path = folder(tmp_path, '[[step]]\nscript = "a.py"\n')
    for text in (lcc("build", str(path), "-o", "-"), synthesized(path)):
        read = inspect_script(text)
        assert read.options.unpack_dir == "/startup" and read.files["a.py"][1] == STEP.encode()
