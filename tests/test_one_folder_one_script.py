"""One folder, one script, through every door: a folder whose lifecycle.toml has [options]
builds to the same bytes with ``lcc build``, ``build(Scripts.from_folder(...))``,
``LifecycleConfig(on_start=folder)`` (a real synth) and ``lcc pull``'s check (its rebuild), and
what a door is given wins over the folder, which wins over the defaults."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from lcc_constructs import LifecycleConfig, Scripts, build
from lcc_constructs.bundle import BuildOptions
from lcc_constructs.errors import ValidationError
from lcc_constructs.readback import inspect_script
from lcc_constructs.readback._folder import rebuild

from .helpers import synthesized, write_folder
from .service_helpers import LCC

MANIFEST = """[options]
budget = 100
keep_runs = 3
state_dir = "/var/log/lcc-team"
codec = "bzip2+base85"

[[step]]
script = "a.sh"
"""


def folder(tmp_path: Path, manifest: str = MANIFEST) -> Path:
    return write_folder(tmp_path / "scripts", {"a.sh": "echo a\n", "lifecycle.toml": manifest})


def lcc_build(path: Path, *flags: str) -> str:
    proc = subprocess.run([LCC, "build", str(path), *flags, "-o", "-"], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_every_door_builds_the_folders_options(tmp_path: Path) -> None:
    path = folder(tmp_path)
    doors = {
        "lcc build": lcc_build(path),
        "build()": build(Scripts.from_folder(path)).text,
        "LifecycleConfig": synthesized(path),
        "lcc pull's rebuild": rebuild(path, "on-start")[1],
    }
    assert len(set(doors.values())) == 1, {door: len(text) for door, text in doors.items()}
    read = inspect_script(doors["build()"])
    assert (read.options.budget_seconds, read.options.keep_runs, read.options.state_dir,
            read.report.codec) == (100, 3, "/var/log/lcc-team", "bzip2+base85")


def test_what_a_door_is_given_wins_over_the_folder(tmp_path: Path) -> None:
    path = folder(tmp_path)
    by_prop = inspect_script(synthesized(path, keep_runs=5, budget=cdk.Duration.seconds(50))).options
    by_flag = inspect_script(lcc_build(path, "--keep-runs", "5", "--budget", "50")).options
    by_python = inspect_script(build(Scripts.from_folder(path), BuildOptions(keep_runs=5,
                                                                             budget_seconds=50)).text).options
    for options in (by_prop, by_flag, by_python):
        # Given: 5 and 50; the rest from the folder.
        assert (options.keep_runs, options.budget_seconds, options.state_dir) == (5, 50, "/var/log/lcc-team")


def test_without_options_the_defaults(tmp_path: Path) -> None:
    path = folder(tmp_path, '[[step]]\nscript = "a.sh"\n')
    options = inspect_script(build(Scripts.from_folder(path)).text).options
    defaults = BuildOptions().resolved()
    plan = ("budget_seconds", "keep_runs", "unpack_dir", "state_dir")
    expected = [240, 10, "/startup", "/home/ec2-user/SageMaker/.lifecycle"]
    assert [getattr(options, o) for o in plan] == [getattr(defaults, o) for o in plan] == expected


def test_two_folders_that_disagree_on_an_option_are_refused(tmp_path: Path) -> None:
    a = write_folder(tmp_path / "a", {"a.sh": "echo a\n", "lifecycle.toml": "[options]\nkeep_runs = 3\n\n"
                                                                            '[[step]]\nscript = "a.sh"\n'})
    b = write_folder(tmp_path / "b", {"b.sh": "echo b\n", "lifecycle.toml": "[options]\nkeep_runs = 4\n\n"
                                                                            '[[step]]\nscript = "b.sh"\n'})
    with pytest.raises(ValidationError, match=r"set keep_runs differently in their \[options\] \(3 and 4\)"):
        Scripts.from_folder(a) + Scripts.from_folder(b, prefix="b")
    same = Scripts.from_folder(a) + Scripts.from_folder(a, prefix="again")
    assert same.options == {"keep_runs": 3}


BOTH = """[[step]]
script = "setup.sh"
kind = "on-create"

[[step]]
script = "start.sh"

[[step]]
recipe = "stop-ssm-agent"
kind = "on-create"
"""


def test_one_manifest_holds_the_on_create_and_the_on_start_steps(tmp_path: Path) -> None:
    path = write_folder(tmp_path / "s", {"setup.sh": "echo s\n", "start.sh": "echo t\n",
                                          "lifecycle.toml": BOTH})
    start = Scripts.from_folder(path)
    create = Scripts.from_folder(path, kind="on-create")
    assert [s.name for s in start.steps] == ["start"]
    assert [s.name for s in create.steps] == ["setup", "stop-ssm-agent"]
    stack = cdk.Stack(cdk.App(), "S")
    LifecycleConfig(stack, "L", on_start=str(path), on_create=str(path))
    (resource,) = Template.from_stack(stack).find_resources(
        "AWS::SageMaker::NotebookInstanceLifecycleConfig").values()
    for hook, names in (("OnStart", ("start",)), ("OnCreate", ("setup", "stop-ssm-agent"))):
        text = base64.b64decode(resource["Properties"][hook][0]["Content"]).decode()
        assert inspect_script(text).step_names == names
    assert lcc_build(path, "--kind", "on-create") == build(create, BuildOptions(kind="on-create")).text


def test_a_folder_for_one_script_needs_no_kind(tmp_path: Path) -> None:
    # Without any kind named, every step is the built script's (a folder given as on_create).
    manifest = '[[step]]\nscript = "setup.sh"\n'
    path = write_folder(tmp_path / "s", {"setup.sh": "echo s\n", "lifecycle.toml": manifest})
    assert [s.name for s in Scripts.from_folder(path, kind="on-create").steps] == ["setup"]


@pytest.mark.parametrize(("manifest", "message"), [
    ('[[step]]\nscript = "setup.sh"\nkind = "on-create"\n', r"no step of the on-start script: its steps are "
                                                           r"on-create steps"),
    ('[[step]]\nscript = "setup.sh"\nkind = "at-boot"\n', r"kind must be one of \['on-start', 'on-create'\]"),
])
def test_a_kind_without_steps_or_unknown_is_refused(tmp_path: Path, manifest: str, message: str) -> None:
    path = write_folder(tmp_path / "s", {"setup.sh": "echo s\n", "lifecycle.toml": manifest})
    with pytest.raises(ValidationError, match=message):
        Scripts.from_folder(path)


def test_the_options_a_folder_may_set_are_the_ones_every_door_resolves() -> None:
    from lcc_constructs.bundle.manifest import OPTION_KEYS
    from lcc_constructs.bundle.render import _DEFAULTS

    assert {key.field for key in OPTION_KEYS.values()} == set(_DEFAULTS)
