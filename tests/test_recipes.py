"""The built-in recipes' Python side: steps, options as the scripts receive them, validation,
size, and their documentation (the sandbox tests are in test_recipe_<name>.py)."""

from __future__ import annotations

import inspect
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from lcc_constructs import BundleError, RunAs, Scripts, build, recipes
from lcc_constructs.limits import CONTENT_LIMIT_CHARS
from lcc_constructs.recipes import RECIPES, from_spec

from .conftest import LCC, ROOT
from .helpers import write_folder

ALL: dict[str, dict[str, Any]] = {
    "persist-conda-envs": {},
    "stop-ssm-agent": {"uninstall": True},
    "persist-home-folders": {},
    "persistent-bin": {"binaries": {"jq": "https://example.com/jq"}},
    "environment-variables": {"variables": {"TEAM": "data"}},
    "package-index": {"index_url": "https://pypi.example.com/simple"},
    "git-config": {"user_name": "Data Team"},
}
#: The recipes made for Studio (their steps and builds are tested in test_recipe_<name>.py).
MADE_FOR_STUDIO: dict[str, dict[str, Any]] = {
    "apt-packages": {"packages": ["graphviz"]},
    "jupyter-settings": {"code_editor": {"editor.fontSize": 14}},
    "jupyter-extensions": {"packages": ["jupyterlab-git"]},
}


def test_every_recipe_is_registered_with_the_documented_names() -> None:
    # autostop is a recipe too; its own tests are in test_autostop_recipe.py.
    assert set(RECIPES) == set(ALL) | {"autostop"} | set(MADE_FOR_STUDIO)


@pytest.mark.parametrize("name", sorted(ALL))
def test_steps_files_and_users(name: str) -> None:
    scripts = from_spec(name, ALL[name])
    paths = {f.path for f in scripts.files}
    # lib.sh (the root steps' way to have ec2-user do something) only where it is used.
    assert ("recipes/lib.sh" in paths) == (name in ("persist-conda-envs", "persistent-bin"))
    for step in scripts.steps:
        assert step.script in paths and step.script.startswith(f"recipes/{name}/")
        assert step.timeout_seconds and not step.required
    users = {s.run_as for s in scripts.steps}
    as_user = {"persist-home-folders", "package-index", "git-config"}
    assert users == ({RunAs.NOTEBOOK_USER} if name in as_user else {RunAs.ROOT})


def test_recipe_shell_travels_without_comments() -> None:
    lib = next(f for f in recipes.persistent_bin().files if f.path.endswith("lib.sh"))
    source = (ROOT / "assets/recipes/lib.sh").read_text()
    assert lib.data.decode().startswith("#!/bin/bash\n") and "\n#" not in lib.data.decode()
    assert len(lib.data) < len(source) / 2


def test_options_reach_the_step_environment() -> None:
    step = recipes.environment_variables(variables={"B": "2\n", "A": "x y"}, jupyter=False).steps[0]
    assert step.env == {"OPT_JUPYTER": "0", "OPT_VARS": 'A="x y"\nB="2\n"\n'}
    step = recipes.persist_home_folders(folders=["a/b", ".ssh"]).steps[0]
    assert step.env["OPT_FOLDER_COUNT"] == "2" and step.env["OPT_FOLDER_PATH_0"] == "a/b"
    bin_step = recipes.persistent_bin(binaries={"t": "https://e.com/t"},
                                      sha256={"t": "ab" * 32}).steps[0]
    assert (bin_step.env["OPT_BINARY_NAME_0"], bin_step.env["OPT_BINARY_SHA256_0"]) == ("t", "ab" * 32)
    ssm = recipes.stop_ssm_agent(name="ssm", uninstall=True)
    assert [(s.name, s.background) for s in ssm.steps] == [("ssm", False), ("ssm-uninstall", True)]
    assert "recipes/ssm/uninstall.sh" in {f.path for f in ssm.files}
    ssm = recipes.stop_ssm_agent()
    assert [s.name for s in ssm.steps] == ["stop-ssm-agent"]
    assert not [f for f in ssm.files if f.path.endswith("uninstall.sh")]  # not used, not packed


@pytest.mark.parametrize(("call", "message"), [
    (lambda: recipes.persist_conda_envs(envs_dir="/opt/envs"),
     r"envs_dir='/opt/envs' must be a folder inside"),
    (lambda: recipes.persist_conda_envs(envs_dir="/home/ec2-user/SageMaker"), "must be a folder inside"),
    (lambda: recipes.persist_conda_envs(envs_dir="/home/ec2-user/SageMaker/a b"), "must be a folder inside"),
    (lambda: recipes.persist_conda_envs(timeout_seconds=0), "timeout_seconds=0 must be a number"),
    (lambda: recipes.stop_ssm_agent(uninstall_timeout_seconds=True), "uninstall_timeout_seconds=True"),
    (lambda: recipes.persist_home_folders(folders=".ssh"), "not a single string"),
    (lambda: recipes.persist_home_folders(folders=[]), "non-empty list"),
    (lambda: recipes.persist_home_folders(folders=["/etc"]), "'/etc' must list folders relative"),
    (lambda: recipes.persist_home_folders(folders=["../x"]), "must list folders relative"),
    (lambda: recipes.persist_home_folders(folders=["SageMaker/x"]), "not SageMaker"),
    (lambda: recipes.persist_home_folders(folders=[".config", ".config/pip"]),
     "lists '.config/pip' inside '.config'"),
    (lambda: recipes.persist_home_folders(folders=[".ssh", ".ssh/"]), "lists a folder twice"),
    # A file listed became a link to an empty folder at every start (.bashrc broke login shells).
    (lambda: recipes.persist_home_folders(folders=[".config", ".bashrc"]),
     r"folders='\.bashrc' is a file in ec2-user's home, not a folder"),
    (lambda: recipes.persist_home_folders(folders=[".ssh/known_hosts"]), "is a file in ec2-user's home"),
    (lambda: recipes.persist_home_folders(folders=[".gitconfig"]), "use the git-config recipe"),
    (lambda: recipes.persistent_bin(folder="/home/ec2-user/SageMaker/a:b"), "folder="),
    (lambda: recipes.persistent_bin(binaries={"a/b": "https://e.com"}), "not a plain file name"),
    (lambda: recipes.persistent_bin(binaries={"a": "ftp://e.com/a"}), r"binaries\['a'\]='ftp"),
    (lambda: recipes.persistent_bin(binaries={"a": "https://e.com/a"}, sha256={"b": "0" * 64}),
     "names no program"),
    (lambda: recipes.persistent_bin(binaries={"a": "https://e.com/a"}, sha256={"a": "XYZ"}),
     "64 lowercase hexadecimal"),
    (lambda: recipes.environment_variables(variables={}), "needs at least one variable"),
    (lambda: recipes.environment_variables(variables={1: "x"}), "key 1, which is not a string"),
    (lambda: recipes.environment_variables(variables={"1A": "x"}), "not a variable name"),
    (lambda: recipes.environment_variables(variables={"PATH": "/x"}), "persistent-bin"),
    (lambda: recipes.environment_variables(variables={"LD_PRELOAD": "//home/ec2-user/x.so"}),
     "root would load or run what ec2-user planted"),
    (lambda: recipes.environment_variables(variables={"PYTHONPATH": "/opt/a:/home/./ec2-user/lib"}),
     r"variables\['PYTHONPATH'\]"),
    (lambda: recipes.environment_variables(variables={"UID": "0"}),
     r"is set by login shells themselves \(or bash\)"),
    (lambda: recipes.environment_variables(variables={"A": "x\0y"}), "without NUL"),
    (lambda: recipes.environment_variables(variables={"A": "\udc80"}), "valid Unicode"),
    (lambda: recipes.package_index(), "give at least one"),
    (lambda: recipes.package_index(index_url="pypi.example.com"), "index_url='pypi.example.com'"),
    (lambda: recipes.package_index(extra_index_urls="https://e.com"), "not a single string"),
    (lambda: recipes.package_index(trusted_hosts=["a b"]), "not a host name"),
    (lambda: recipes.package_index(conda_channels=["it's"]), "channel name"),
    # A channel became an option of `conda config --prepend channels`.
    (lambda: recipes.package_index(conda_channels=["conda-forge", "--file=/etc/shadow"]),
     "holds '--file=/etc/shadow', which is not a channel name or URL .* not starting with '-'"),
    (lambda: recipes.package_index(trusted_hosts=["-h"]), "holds '-h', which is not a host name"),
    (lambda: recipes.package_index(trusted_hosts=["pypi.example.com:99999"]),
     "names port 99999: ports are 1 to 65535"),
    (lambda: recipes.package_index(index_url="https://pypi.example.com:0/simple"), "names port 0"),
    (lambda: recipes.package_index(extra_index_urls=["https://a.example.com:65536/"]), "names port 65536"),
    (lambda: recipes.autostop(jupyter_url="https://localhost:99999"),
     r"jupyter_url='https://localhost:99999' names port 99999: ports are 1 to 65535"),
    (lambda: recipes.autostop(jupyter_url="http://[::1]:0/lab"), "names port 0"),
    (lambda: recipes.git_config(), "give one"),
    (lambda: recipes.git_config(settings={"nodot": "x"}), "is not a git key"),
    (lambda: recipes.git_config(name="../x", user_name="x"), "step name '../x' is not valid"),
    (lambda: recipes.stop_ssm_agent(name="s" * 60, uninstall=True), "step name 's{60}-uninstall'"),
])
def test_bad_options_fail_at_construction(call: object, message: str) -> None:
    with pytest.raises(BundleError, match=message) as e:
        call()  # type: ignore[operator]
    assert str(e.value).startswith("recipe '")


@pytest.mark.parametrize("name", sorted(ALL))
def test_each_recipe_builds_with_its_defaults(name: str) -> None:
    rendered = build(from_spec(name, ALL[name]))
    assert rendered.report.fits


def test_all_seven_recipes_fit_in_one_on_start_script() -> None:
    everything = Scripts(files=(), steps=())
    for name, options in ALL.items():
        everything = everything + from_spec(name, options)
    report = build(everything).report
    assert report.encoded_chars <= CONTENT_LIMIT_CHARS, report.format()


def test_recipes_from_a_manifest_with_tables_and_lists(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"lifecycle.toml": """
[[step]]
recipe = "environment-variables"
[step.with]
variables = {TEAM = "data science", QUOTE = "it's"}

[[step]]
recipe = "persist-home-folders"
[step.with]
folders = [".ssh", ".aws"]

[[step]]
recipe = "persistent-bin"
[step.with]
binaries = {jq = "https://example.com/jq"}
sha256 = {jq = "%s"}
""" % ("0" * 64)})
    scripts = Scripts.from_folder(folder)
    assert [s.name for s in scripts.steps] == [
        "environment-variables", "persist-home-folders", "persistent-bin"]
    assert 'QUOTE="it\'s"\n' in scripts.steps[0].env["OPT_VARS"]


def test_a_missing_required_option_names_it(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"lifecycle.toml":
                                           '[[step]]\nrecipe = "environment-variables"\n'})
    with pytest.raises(BundleError, match="environment-variables.*variables"):
        Scripts.from_folder(folder)


def test_lcc_recipes_lists_every_recipe_and_option() -> None:
    out = subprocess.run([LCC, "recipes"],
                         capture_output=True, text=True, check=True).stdout
    for name in [*ALL, *MADE_FOR_STUDIO]:
        fn = RECIPES[name]
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind is inspect.Parameter.KEYWORD_ONLY]
        line = next(line for line in out.splitlines() if line.startswith(f"{name}("))
        for p in params:
            assert re.search(rf"\b{p.name}\b", line), (name, p.name)
    assert "environment-variables(variables, name=" in out


def test_the_docs_document_every_recipe_and_option() -> None:
    index = (ROOT / "docs" / "recipes" / "README.md").read_text()
    for name in [*ALL, *MADE_FOR_STUDIO]:
        page = ROOT / "docs" / "recipes" / f"{name}.md"
        text = page.read_text()
        assert text.startswith(f"# Recipe `{name}`"), page
        assert f"({name}.md)" in index, name
        table = text.split("| option | default | meaning |", 1)[1].split("\n\n", 1)[0]
        fn = RECIPES[name]
        for p in inspect.signature(fn).parameters.values():
            if p.kind is inspect.Parameter.KEYWORD_ONLY:
                assert f"`{p.name}`" in table, (name, p.name)


def test_folders_beside_the_homes_files_are_fine() -> None:
    from lcc_constructs.recipes.persist_home_folders import HOME_FILES

    recipes.persist_home_folders(folders=[".ssh", ".config/pip", ".bashrc.d", ".aws", ".local/share/jupyter"])
    # Each listed name is refused, as itself and as the parent of anything listed.
    for name in sorted(HOME_FILES):
        with pytest.raises(BundleError, match="is a file in ec2-user's home"):
            recipes.persist_home_folders(folders=[name])
        with pytest.raises(BundleError, match="is a file in ec2-user's home"):
            recipes.persist_home_folders(folders=[f"{name}/x"])


def test_ports_and_channels_that_are_fine() -> None:
    recipes.autostop(jupyter_url="https://[::1]:65535/x")
    recipes.autostop(jupyter_url="http://127.0.0.1:1")
    recipes.package_index(index_url="https://user:pw@pypi.example.com:8443/simple",
                          trusted_hosts=["a-b.example:1"], extra_index_urls=["https://[::1]/simple", "file:///opt/wheels"],
                          conda_channels=["conda-forge", "https://conda.example.com/x-y"])
