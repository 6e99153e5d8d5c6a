"""Recipes by name: from the manifest, from the command line, checked against their signature."""

from __future__ import annotations

from pathlib import Path

import pytest

from lcc_constructs import BundleError, Scripts
from lcc_constructs.recipes import RECIPES, from_spec, parse_cli_spec

from .helpers import write_folder


def test_builtins_are_registered() -> None:
    assert "stop-ssm-agent" in RECIPES  # all of them: test_recipes.py


def test_manifest_interleaves_recipes_and_own_steps(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {
        "a.sh": "echo a\n", "b.sh": "echo b\n",
        "lifecycle.toml": '[[step]]\nscript = "a.sh"\n\n[[step]]\nrecipe = "stop-ssm-agent"\n'
                          '[step.with]\nname = "ssm"\n\n[[step]]\nscript = "b.sh"\n',
    })
    scripts = Scripts.from_folder(folder)
    assert [(s.name, s.script) for s in scripts.steps] == [
        ("a", "a.sh"), ("ssm", "recipes/ssm/stop-ssm-agent.sh"), ("b", "b.sh")]
    assert "recipes/ssm/stop-ssm-agent.sh" in {f.path for f in scripts.files}


def test_manifest_recipe_with_prefix_keeps_recipe_paths(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {
        "a.sh": "echo a\n",
        "lifecycle.toml": '[[step]]\nscript = "a.sh"\n[[step]]\nrecipe = "stop-ssm-agent"\n'})
    scripts = Scripts.from_folder(folder, prefix="team")
    assert [s.script for s in scripts.steps] == ["team/a.sh", "recipes/stop-ssm-agent/stop-ssm-agent.sh"]
    assert {s.script for s in scripts.steps} <= {f.path for f in scripts.files}


@pytest.mark.parametrize(("table", "message"), [
    ('recipe = "no-such"', "unknown recipe 'no-such'; known recipes: .*stop-ssm-agent"),
    ('recipe = "stop-ssm-agent"\nscript = "a.sh"', r"unknown key\(s\) \['script'\] for a recipe"),
    ('recipe = "stop-ssm-agent"\n[step.with]\nnmae = "x"', "has no option 'nmae'"),
    ('recipe = "stop-ssm-agent"\n[step.with]\nname = 3',
     r"name must be a string \(the step's name\), got 3 \(int\)"),
    ('recipe = "stop-ssm-agent"\n[step.with]\nuninstall = "yes"', "uninstall='yes' must be True or False"),
    ('recipe = "environment-variables"', "recipe 'environment-variables' needs the option 'variables'"),
])
def test_manifest_recipe_errors(tmp_path: Path, table: str, message: str) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n", "lifecycle.toml": f"[[step]]\n{table}\n"})
    with pytest.raises(BundleError, match=message) as e:
        Scripts.from_folder(folder)
    assert "lifecycle.toml: step #1" in str(e.value)


def test_the_same_recipe_twice_under_two_names() -> None:
    again = {"name": "again", "folder": "/home/ec2-user/SageMaker/b"}
    both = from_spec("persistent-bin", {}) + from_spec("persistent-bin", again)
    assert sorted(f.path for f in both.files) == [
        "recipes/again/persistent-bin.sh",
        "recipes/again/studio.sh",  # (what Studio runs instead: packed for Studio only)
        "recipes/lib.sh",  # the helper the root steps share, packed once
        "recipes/persistent-bin/persistent-bin.sh",
        "recipes/persistent-bin/studio.sh"]


def test_cli_spec() -> None:
    assert parse_cli_spec("stop-ssm-agent") == ("stop-ssm-agent", {})
    assert parse_cli_spec('x={a = 1, b = ["c", "d"], e = true}') == (
        "x", {"a": 1, "b": ["c", "d"], "e": True})
    with pytest.raises(BundleError, match="TOML inline table"):
        parse_cli_spec("x={a = }")
