"""Recipe jupyter-settings, run in the sandboxes: JupyterLab's overrides.json in the server's
environment (a stand-in folder share/jupyter/lab, which is how the recipe finds JupyterLab; no
JupyterLab runs here) and Code Editor's machine settings in the home, merged with what is there,
over two starts of a Studio space (a fresh system each, the home kept) and on a notebook
instance."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lcc_constructs import BuildOptions, RunAs, Scripts, build, recipes
from lcc_constructs.errors import ValidationError
from lcc_constructs.sandbox import SimulationResult, simulate

from .helpers import write_script
from .recipe_helpers import assert_all_ok, probe
from .recipe_helpers import run as run_on_notebook

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]

STUDIO = BuildOptions(platform="studio")
THEMES = "@jupyterlab/apputils-extension:themes"
TERMINAL = "@jupyterlab/terminal-extension:plugin"
OVERRIDES = "/opt/conda/share/jupyter/lab/settings/overrides.json"
MACHINE = "sagemaker-code-editor-server-data/data/Machine/settings.json"
#: What the image ships (SageMaker Distribution sets some defaults of its own).
IMAGE_OVERRIDES = {THEMES: {"theme": "JupyterLab Light", "theme-scrollbars": True},
                   "@jupyterlab/notebook-extension:tracker": {"codeCellConfig": {"lineNumbers": True}}}
LAB = {THEMES: {"theme": "JupyterLab Dark"}, TERMINAL: {"fontSize": 15}}
CODE = {"editor.fontSize": 14, "[python]": {"editor.tabSize": 4}}


def image(tmp_path: Path, overrides: dict[str, object] | None = IMAGE_OVERRIDES) -> dict[str, Path]:
    """``files=``: a server environment at /opt/conda with JupyterLab's folder (and the image's
    overrides.json)."""
    lab = tmp_path / "image-lab"
    (lab / "static").mkdir(parents=True, exist_ok=True)
    (lab / "static/index.html").write_text("<html></html>\n")
    if overrides is not None:
        (lab / "settings").mkdir(exist_ok=True)
        (lab / "settings/overrides.json").write_text(json.dumps(overrides))
    return {"/opt/conda/share/jupyter/lab": lab}


def image_owner(tmp_path: Path) -> Scripts:
    """As on SageMaker Distribution, /opt/conda belongs to sagemaker-user (placed files are root's)."""
    return probe(tmp_path, "chown", "chown -R 1000:100 /opt/conda\n")


def show(tmp_path: Path) -> Scripts:
    """A step printing the overrides JupyterLab would read (the system is gone after a start)."""
    return probe(tmp_path, "show", f"echo \"owner=$(stat -c %u {OVERRIDES})\"; cat {OVERRIDES}\n",
                 run_as=RunAs.STUDIO_USER)


def start(tmp_path: Path, scripts: Scripts, *, runs: int = 1, files: dict[str, Path] | None = None,
          hide: list[str] | None = None) -> SimulationResult:
    """One start of a Studio space (a fresh container) with the home ``tmp_path/home``."""
    script = write_script(tmp_path / "on-start.sh", build(scripts, STUDIO))
    return simulate(script, platform="studio", volume=tmp_path / "home", runs=runs, files=files or {},
                    hide=hide or [])


def shown(result: SimulationResult, run: int = -1) -> tuple[str, dict[str, object]]:
    owner, _, text = result.runs[run].step("show").log.partition("\n")
    return owner, json.loads(text)


def users(home: Path) -> None:
    """What the test put in the home belongs to sagemaker-user, as the home's files do."""
    for path in [home, *home.rglob("*")]:
        os.chown(path, 1000, 100)


def test_settings_are_merged_at_every_start_and_nothing_else_changes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / MACHINE).parent.mkdir(parents=True)
    (home / MACHINE).write_text(json.dumps({"python.defaultInterpreterPath": "/opt/conda/bin/python",
                                            "editor.fontSize": 11}))
    users(home)
    scripts = (image_owner(tmp_path) + recipes.jupyter_settings(jupyterlab=LAB, code_editor=CODE)
               + show(tmp_path))
    first = start(tmp_path, scripts, runs=2, files=image(tmp_path))
    after_first = (home / MACHINE).read_text()
    again = start(tmp_path, scripts, files=image(tmp_path))  # /opt/conda is the image's again
    for result in (first, again):
        for run in result.runs:
            assert not run.would_fail, result.format() + run.output
            assert all(s.status == "ok" for s in run.steps), result.format() + run.output
        owner, overrides = shown(result)
        assert owner == "owner=1000"
        assert overrides == {**IMAGE_OVERRIDES, TERMINAL: {"fontSize": 15},
                             THEMES: {"theme": "JupyterLab Dark", "theme-scrollbars": True}}
    assert json.loads(after_first) == {"python.defaultInterpreterPath": "/opt/conda/bin/python",
                                       "editor.fontSize": 14, "[python]": {"editor.tabSize": 4}}
    assert (home / MACHINE).read_text() == after_first
    logs = [first.runs[0], first.runs[1], again.runs[0]]
    lines = [r.step("jupyter-settings").log for r in logs]
    assert f"set {THEMES}, {TERMINAL} in {OVERRIDES}" in lines[0]
    assert "set [python], editor.fontSize in /home/sagemaker-user/" + MACHINE in lines[0]
    # Twice in one container: nothing written again; at the next start only the reset file.
    assert lines[1].count("unchanged:") == 2 and "set " not in lines[1]
    assert f"set {THEMES}, {TERMINAL} in {OVERRIDES}" in lines[2]
    assert f"unchanged: /home/sagemaker-user/{MACHINE}" in lines[2]
    assert (home / MACHINE).stat().st_uid == 1000 and (home / MACHINE).stat().st_mode & 0o777 == 0o644


def test_an_environment_of_roots_is_written_through_sudo(tmp_path: Path) -> None:
    # An image whose /opt/conda is root's: the user's step writes overrides.json with sudo.
    result = start(tmp_path, recipes.jupyter_settings(jupyterlab=LAB) + show(tmp_path),
                   files=image(tmp_path, overrides=None))
    assert all(s.status == "ok" for s in result.last.steps), result.format() + result.last.output
    owner, overrides = shown(result)
    assert (owner, overrides) == ("owner=0", LAB)
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == [".lifecycle"]


def test_a_file_that_is_not_a_json_object_is_left_as_it_is(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / MACHINE).parent.mkdir(parents=True)
    jsonc = '{\n  // the user\'s own comment\n  "editor.fontSize": 11,\n}\n'
    (home / MACHINE).write_text(jsonc)
    users(home)
    result = start(tmp_path, recipes.jupyter_settings(code_editor=CODE))
    step = result.last.step("jupyter-settings")
    assert not result.would_fail and step.status == "failed"
    assert f"failed: /home/sagemaker-user/{MACHINE} is not JSON" in step.log and "left as it is" in step.log
    assert (home / MACHINE).read_text() == jsonc
    (home / MACHINE).write_text("[1, 2]\n")
    step = start(tmp_path, recipes.jupyter_settings(code_editor=CODE)).last.step("jupyter-settings")
    assert step.status == "failed" and "holds no JSON object" in step.log
    assert (home / MACHINE).read_text() == "[1, 2]\n"
    # A folder the user cannot write: no sudo for the home, the step says so.
    (home / MACHINE).unlink()
    os.chown((home / MACHINE).parent, 0, 0)
    step = start(tmp_path, recipes.jupyter_settings(code_editor=CODE)).last.step("jupyter-settings")
    assert step.status == "failed" and "failed: cannot write in /home/sagemaker-user/" in step.log
    assert not (home / MACHINE).exists()


def test_without_jupyterlab(tmp_path: Path) -> None:
    # No /opt/conda here (and no notebook instance environment): JupyterLab's part is skipped,
    # Code Editor's done.
    result = start(tmp_path, recipes.jupyter_settings(jupyterlab=LAB, code_editor=CODE))
    step = result.last.step("jupyter-settings")
    assert step.status == "ok", result.format() + step.log
    assert "skipped JupyterLab: no share/jupyter/lab in ['/opt/conda'," in step.log
    assert json.loads((tmp_path / "home" / MACHINE).read_text()) == CODE


def test_a_server_prefix_of_ones_own(tmp_path: Path) -> None:
    lab = tmp_path / "lab"
    (lab / "static").mkdir(parents=True)
    scripts = (recipes.jupyter_settings(jupyterlab=LAB, server_prefix="/usr/local/jlab")
               + probe(tmp_path, "show", "cat /usr/local/jlab/share/jupyter/lab/settings/overrides.json\n"))
    result = start(tmp_path, scripts, files={**image(tmp_path), "/usr/local/jlab/share/jupyter/lab": lab})
    assert json.loads(result.last.step("show").log) == LAB
    step = start(tmp_path, recipes.jupyter_settings(jupyterlab=LAB, server_prefix="/nowhere"),
                 files=image(tmp_path)).last.step("jupyter-settings")
    assert step.status == "ok" and "skipped JupyterLab: no share/jupyter/lab in /nowhere" in step.log


def test_on_a_notebook_instance_jupyterlab_settings_go_to_its_environment(tmp_path: Path) -> None:
    env = "/home/ec2-user/anaconda3/envs/JupyterSystemEnv"
    lab = tmp_path / "lab"
    (lab / "static").mkdir(parents=True)
    scripts = (probe(tmp_path, "chown", "chown -R ec2-user: /home/ec2-user/anaconda3\n")
               + recipes.jupyter_settings(jupyterlab=LAB)
               + probe(tmp_path, "show", f"cat {env}/share/jupyter/lab/settings/overrides.json\n"))
    result = run_on_notebook(tmp_path, scripts, runs=2, files={f"{env}/share/jupyter/lab": lab})
    assert_all_ok(result)
    assert result.runs[0].step("jupyter-settings").user == "ec2-user"
    for run in result.runs:
        assert json.loads(run.step("show").log) == LAB
    assert "unchanged:" in result.runs[1].step("jupyter-settings").log


def test_a_notebook_instance_refuses_code_editor_settings() -> None:
    with pytest.raises(ValidationError, match="cannot run on a notebook instance: a notebook instance has "
                                              "no Code Editor"):
        build(recipes.jupyter_settings(jupyterlab=LAB, code_editor=CODE))
    assert build(recipes.jupyter_settings(jupyterlab=LAB)).report.fits
    assert build(recipes.jupyter_settings(jupyterlab=LAB, code_editor=CODE), STUDIO).report.fits


def test_the_step_and_its_options() -> None:
    step = recipes.jupyter_settings(jupyterlab=LAB, code_editor={"a": "it's \"$HOME\"\n"},
                                    timeout_seconds=12).steps[0]
    assert (step.run_as, step.timeout_seconds, step.script) == (
        RunAs.NOTEBOOK_USER, 12, "recipes/jupyter-settings/jupyter-settings.py")
    assert json.loads(step.env["OPT_LAB"]) == LAB
    assert json.loads(step.env["OPT_CODE_EDITOR"]) == {"a": "it's \"$HOME\"\n"}
    assert step.env["OPT_PREFIX"] == ""


@pytest.mark.parametrize(("options", "message"), [
    ({}, "jupyterlab=None and code_editor are empty"),
    ({"jupyterlab": {}, "code_editor": {}}, "are empty"),
    ({"jupyterlab": ["x"]}, "must be a table of plugin ids"),
    ({"jupyterlab": {"themes": {"a": 1}}}, "'themes' is not a JupyterLab plugin id"),
    ({"jupyterlab": {"@x/y:z": {}}}, r"jupyterlab\['@x/y:z'\]=\{\} must be a non-empty table"),
    ({"jupyterlab": {"@x/y:z": "dark"}}, "must be a non-empty table"),
    ({"jupyterlab": {"@x/y:z": {"a": float("nan")}}}, "nan is not a JSON number"),
    ({"jupyterlab": {"@x/y:z": {"a": {1: 2}}}}, "the key 1 is not a string"),
    ({"code_editor": {"a": {1, 2}}}, r"\(set\) is not a JSON value"),
    ({"code_editor": {"a": [None]}}, "null \\(None\\) cannot be written in lifecycle.toml"),
    ({"code_editor": "editor.fontSize=14"}, "must be a table of setting names"),
    ({"code_editor": {"": 1}}, "has an empty setting name"),
    ({"code_editor": {"a": 1}, "server_prefix": "opt/conda"}, "server_prefix='opt/conda' must be"),
    ({"code_editor": {"a": 1}, "server_prefix": "/opt/../etc"}, "must be an absolute folder"),
    ({"code_editor": {"a": 1}, "server_prefix": "/"}, "must be an absolute folder"),
    ({"code_editor": {"a": 1}, "timeout_seconds": -1}, "timeout_seconds=-1 must be a number"),
])
def test_bad_options_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        recipes.jupyter_settings(**options)  # type: ignore[arg-type]


def test_from_a_manifest_with_nested_tables(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "lifecycle.toml").write_text(
        '[[step]]\nrecipe = "jupyter-settings"\n'
        '[step.with.jupyterlab."@jupyterlab/apputils-extension:themes"]\ntheme = "JupyterLab Dark"\n'
        '[step.with.jupyterlab."@jupyterlab/terminal-extension:plugin"]\nfontSize = 15\n'
        '[step.with.code_editor]\n"editor.fontSize" = 14\n"[python]" = {"editor.tabSize" = 4}\n')
    scripts = Scripts.from_folder(folder)
    assert scripts.steps == recipes.jupyter_settings(jupyterlab=LAB, code_editor=CODE).steps
    assert build(scripts, STUDIO).report.fits
