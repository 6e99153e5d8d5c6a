"""Minification: smaller files, the same programs, and the same behaviour on the instance."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

from lcc_constructs import BuildOptions, BundleError, Scripts, build, recipes
from lcc_constructs.bundle import _minify as minify_module
from lcc_constructs.bundle._minify import find_shfmt, minify_python, minify_scripts, minify_shell
from lcc_constructs.sandbox import simulate

from .conftest import require
from .helpers import tree, unpack_with_script, write_folder, write_script

CASES = Path(__file__).resolve().parent / "minify_cases"


@pytest.fixture
def shfmt() -> str:
    found = find_shfmt()
    require(found is not None, "shfmt is not installed (the minify extra: shfmt-py)")
    assert found is not None
    return found


def test_python_loses_comments_and_indentation_but_not_its_meaning() -> None:
    source = (CASES / "20-python-features.py").read_bytes()
    small, why = minify_python(source)
    assert small is not None, why
    assert len(small) < 0.85 * len(source)
    text = small.decode()
    assert text.startswith("#!/usr/bin/env python3\n")
    assert "# f-strings" not in text and "\n\n" not in text
    assert "\n def label(self,width:int=10)->str:\n  return f" in text  # one space a level
    assert '"""An item with a docstring that stays."""' in text  # strings are kept as written
    assert ast.dump(ast.parse(text)) == ast.dump(ast.parse(source))


def test_python_declaring_another_encoding_is_kept() -> None:
    source = "# -*- coding: latin-1 -*-\nprint('caf\xe9')\n".encode("latin-1")
    small, why = minify_python(source)
    assert small is None and "iso-8859-1 encoding" in why


def test_shell_is_minified_and_parses_the_same(shfmt: str) -> None:
    source = (CASES / "10-shell-features.sh").read_bytes()
    small, why = minify_shell(source, "10-shell-features.sh", shfmt)
    assert small is not None, why
    assert len(small) < 0.85 * len(source)
    assert small.startswith(b"#!/bin/bash\n") and b"# Functions" not in small
    assert subprocess.run(["bash", "-n"], input=small).returncode == 0


def test_shell_that_shfmt_would_simplify_is_kept(shfmt: str) -> None:
    source = b'#!/bin/bash\n# comment\necho "${HOME}"\n'
    small, why = minify_shell(source, "a.sh", shfmt)
    assert small is None and "simplifies" in why


def test_kept_files_are_reported_as_warnings(tmp_path: Path, shfmt: str) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": 'echo "${HOME}"\n', "b.sh": "# c\necho b\n"})
    report = build(Scripts.from_folder(folder), BuildOptions(minify=True)).report
    assert report.warnings == ("a.sh: packed as it was: shfmt's minified form is not the same "
                               "program (it simplifies something)",)
    assert report.minified_bytes == len('echo "${HOME}"\n') + len("echo b\n")
    assert report.raw_bytes == len('echo "${HOME}"\n') + len("# c\necho b\n")


def test_without_shfmt_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(minify_module, "find_shfmt", lambda: None)
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n"})
    with pytest.raises(BundleError, match=r"pip install 'lcc-constructs\[minify\]'"):
        build(Scripts.from_folder(folder), BuildOptions(minify=True))
    py_only = write_folder(tmp_path / "p", {"a.py": "print( 1 )  # c\n"})
    assert minify_scripts(Scripts.from_folder(py_only)).scripts.files[0].data == b"print(1)\n"


def test_minified_scripts_keep_the_cloud_actions_their_recipes_need(shfmt: str) -> None:
    # The constructs grant what the rendered script declares: a minified autostop that lost
    # its actions would leave the instance unable to stop itself.
    rendered = build(recipes.autostop(), BuildOptions(minify=True))
    assert rendered.notebook_actions == (
        "sagemaker:DescribeNotebookInstance", "sagemaker:StopNotebookInstance")


def test_other_files_are_untouched(tmp_path: Path, shfmt: str) -> None:
    files = {"a.sh": "echo a  # c\n", "data.txt": "# not code\n\n  indented\n", "b.bin": b"\0#\n"}
    folder = write_folder(tmp_path / "s", files)
    rendered = build(Scripts.from_folder(folder), BuildOptions(minify=True))
    unpacked = tree(unpack_with_script(rendered.text, tmp_path / "startup") / "scripts")
    assert unpacked["data.txt"][1] == b"# not code\n\n  indented\n" and unpacked["b.bin"][1] == b"\0#\n"
    assert unpacked["a.sh"][1] == b"echo a\n"


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
def test_minified_scripts_do_the_same_on_the_instance(tmp_path: Path, shfmt: str) -> None:
    outcomes = []
    for minify in (False, True):
        rendered = build(Scripts.from_folder(CASES), BuildOptions(minify=minify))
        assert (rendered.report.minified_bytes is not None) == minify
        assert not rendered.report.warnings
        keep = tmp_path / f"keep-{minify}"
        run = simulate(write_script(tmp_path / f"s-{minify}.sh", rendered), keep=keep,
                       volume=tmp_path / f"volume-{minify}").last
        assert not run.would_fail, run.output
        assert [s.status for s in run.steps] == ["ok", "ok"]
        outcomes.append(({s.name: s.log for s in run.steps},
                         tree(keep / "etc" / "minify-case")))
    assert outcomes[0] == outcomes[1]
    logs = outcomes[0][0]
    shell_log = logs["10-shell-features"]
    assert "trap ran" in shell_log and "hello delta#not-a-comment" in shell_log
    assert "string with   spaces # not a comment" in logs["20-python-features"]
