"""Each recipe's inverse (lcc_constructs/recipes/_readback.py): a use of any recipe, with
options that are not its defaults, built, pulled back into a folder and built again gives the
same script byte for byte, and the pulled manifest names the recipe with those options."""

from __future__ import annotations

import importlib
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lcc_constructs.bundle import BuildOptions, Scripts, build, combine
from lcc_constructs.readback import read_script
from lcc_constructs.readback._folder import rebuild, stage_best
from lcc_constructs.recipes import RECIPES, recipe_uses

from .helpers import write_folder

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SHA = "0123456789abcdef" * 4

#: Every recipe with options that are not its defaults (quotes, newlines and $ in values too).
USES: dict[str, dict[str, Any]] = {
    "autostop": {"name": "idle-stop", "idle_minutes": 7.5, "interval_minutes": 3, "count_connections": True,
                 "dry_run": True, "jupyter_url": "http://127.0.0.1:8888/lab",
                 "token_file": "/home/ec2-user/.token", "log_file": "/home/ec2-user/SageMaker/stop.log"},
    "environment-variables": {"variables": {"A": "x y", "B": "it's \"$HOME\"\nline2\\", "C": ""},
                              "jupyter": False, "timeout_seconds": 12.5, "name": "vars"},
    "git-config": {"user_name": "Jo O'Neil", "user_email": "jo@example.com",
                   "settings": {"init.defaultBranch": "main", "url.https://x/.insteadOf": "git://x/"},
                   "timeout_seconds": 45},
    "package-index": {"index_url": "https://pypi.example.com/simple",
                      "extra_index_urls": ["https://a/s", "https://b/s"],
                      "trusted_hosts": ["pypi.example.com:8443"], "conda_channels": ["conda-forge", "https://c/ch"],
                      "timeout_seconds": 90},
    "persist-conda-envs": {"envs_dir": "/home/ec2-user/SageMaker/envs", "register_kernels": False,
                           "restart_jupyter": False, "timeout_seconds": 200},
    "persist-home-folders": {"folders": [".aws", ".local/share/jupyter", ".ssh"],
                             "persistent_dir": "/home/ec2-user/SageMaker/.home", "timeout_seconds": 99},
    "persistent-bin": {"folder": "/home/ec2-user/SageMaker/tools",
                       "binaries": {"jq": "https://x/jq", "yq": "file:///y"},
                       "sha256": {"jq": SHA}, "download_timeout_seconds": 30, "timeout_seconds": 100},
    "stop-ssm-agent": {"name": "ssm", "uninstall": True, "timeout_seconds": 20,
                       "uninstall_timeout_seconds": 600},
    "apt-packages": {"name": "apt", "packages": ["graphviz", "libc6:amd64", "git=1:2.39.5-0+deb12u1"],
                     "update": False, "background": True, "timeout_seconds": 90},
    "jupyter-settings": {"jupyterlab": {"@jupyterlab/apputils-extension:themes":
                                        {"theme": "it's \"$HOME\"\n"},
                                        "a:b": {"x": [1, 2.5, True, {"y": "z"}]}},
                         "server_prefix": "/opt/jlab", "timeout_seconds": 9},
    "jupyter-extensions": {"name": "ext",
                           "packages": ["jupyterlab-git", "jupyterlab-lsp==5.1.0", "a[b,c]>=1,<2"],
                           "server_prefix": "/opt/jlab", "background": True, "timeout_seconds": 120},
}
#: Recipes a notebook instance refuses (lcc pull reads notebook instances' scripts only): found
#: again among the steps of a Studio build instead.
STUDIO_ONLY = {"apt-packages"}


def pull_back(scripts: Scripts, folder: Path) -> tuple[str, str, dict[str, Any]]:
    """Build ``scripts``, pull the script into ``folder`` as lcc pull does, build that again:
    the two scripts and the pulled manifest."""
    text = build(scripts).text
    folder.mkdir()
    pulled, problems = stage_best(folder, read_script(text, "on-start", "deployed"), "cfg")
    assert problems == []
    return text, rebuild(folder, "on-start")[1], tomllib.loads((folder / "lifecycle.toml").read_text())


def test_every_recipe_has_options_for_this_test_and_an_inverse() -> None:
    assert set(USES) == set(RECIPES)
    for fn in RECIPES.values():
        module = importlib.import_module(fn.__module__)
        assert isinstance(module.SCRIPT, str) and callable(module.options_of)


@pytest.mark.parametrize("recipe", sorted(set(USES) - STUDIO_ONLY))
def test_a_recipe_with_options_comes_back_as_itself(recipe: str, tmp_path: Path) -> None:
    text, again, manifest = pull_back(RECIPES[recipe](**USES[recipe]), tmp_path / "pulled")
    assert again == text
    expected = {k: v for k, v in USES[recipe].items() if not (k == "name" and v == recipe)}
    assert manifest["step"] == [{"recipe": recipe, "with": expected}]
    assert sorted(p.name for p in (tmp_path / "pulled").iterdir()) == ["lifecycle.toml"]


@pytest.mark.parametrize("recipe", ["autostop", "persist-conda-envs", "persist-home-folders",
                                    "persistent-bin", "stop-ssm-agent"])
def test_a_recipe_with_its_defaults_comes_back_without_options(recipe: str, tmp_path: Path) -> None:
    text, again, manifest = pull_back(RECIPES[recipe](), tmp_path / "pulled")
    assert again == text
    assert manifest["step"] == [{"recipe": recipe}]


@pytest.mark.parametrize("recipe", sorted(STUDIO_ONLY))
def test_a_studio_recipe_is_found_in_a_studio_build(recipe: str, tmp_path: Path) -> None:
    own = Scripts.from_folder(write_folder(tmp_path / "own", {"a.sh": "echo a\n"}))
    text = build(combine([own, RECIPES[recipe](**USES[recipe])]), BuildOptions(platform="studio")).text
    inspected = read_script(text, "on-start", "x").inspected
    assert inspected is not None
    uses = recipe_uses(inspected.steps, inspected.files)
    expected = {k: v for k, v in USES[recipe].items() if not (k == "name" and v == recipe)}
    assert [(u.recipe, u.options, u.first, u.count) for u in uses] == [(recipe, expected, 1, 1)]


def test_recipes_among_own_steps_and_one_recipe_twice(tmp_path: Path) -> None:
    own = Scripts.from_folder(write_folder(tmp_path / "own", {"a.sh": "echo a\n", "lib/x.sh": "x=1\n"}))
    scripts = combine([RECIPES["stop-ssm-agent"](), own, RECIPES["git-config"](name="git-a", user_name="A"),
                       RECIPES["git-config"](name="git-b", user_email="b@x")])
    text, again, manifest = pull_back(scripts, tmp_path / "pulled")
    assert again == text
    assert manifest["step"] == [{"recipe": "stop-ssm-agent"}, {"script": "a.sh"},
                                {"recipe": "git-config", "with": {"name": "git-a", "user_name": "A"}},
                                {"recipe": "git-config", "with": {"name": "git-b", "user_email": "b@x"}}]
    assert sorted(p.relative_to(tmp_path / "pulled").as_posix() for p in (tmp_path / "pulled").rglob("*")
                  if p.is_file()) == ["a.sh", "lib/x.sh", "lifecycle.toml"]


def test_a_recipe_whose_files_differ_stays_plain_steps(tmp_path: Path) -> None:
    # Built by a version whose recipe script was not today's: the steps and files are kept as
    # they are, which builds the same script; calling the recipe would not.
    made = RECIPES["persistent-bin"](name="pb")
    files = tuple(replace(f, data=f.data + b"# older\n") if f.path.endswith("persistent-bin.sh") else f
                  for f in made.files)
    text, again, manifest = pull_back(Scripts(files, made.steps), tmp_path / "pulled")
    assert again == text
    assert [s["script"] for s in manifest["step"]] == ["recipes/pb/persistent-bin.sh"]
    assert (tmp_path / "pulled/recipes/lib.sh").is_file()


def test_recipe_uses_are_found_in_order_with_their_steps() -> None:
    text = build(combine([RECIPES["stop-ssm-agent"](uninstall=True), RECIPES["autostop"]()])).text
    inspected = read_script(text, "on-start", "x").inspected
    assert inspected is not None
    uses = recipe_uses(inspected.steps, inspected.files)
    assert [(u.recipe, u.options, u.first, u.count) for u in uses] == [
        ("stop-ssm-agent", {"uninstall": True}, 0, 2), ("autostop", {}, 2, 1)]
