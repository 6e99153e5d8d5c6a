"""The LifecycleConfig construct, through aws_cdk.assertions on the synthesized template."""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.assertions import Annotations, Match, Template

from lcc_constructs import LifecycleConfig, Scripts, Step
from lcc_constructs.readback._script import inspect_script

from .helpers import of_type, tree, unpack_with_script, write_folder

TYPE = "AWS::SageMaker::NotebookInstanceLifecycleConfig"
FILES = {"10-a.sh": "#!/bin/bash\necho a\n", "20-b.py": "print('b')\n", "lib/x.txt": "data\n"}


def stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Test")


def only_resource(template: Template) -> dict[str, Any]:
    resources = of_type(template, TYPE)
    assert len(resources) == 1
    return next(iter(resources.values()))


def test_content_is_a_literal_that_carries_the_folder(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "scripts", FILES)
    s = stack()
    lcc = LifecycleConfig(s, "Lcc", on_start=folder)
    props = only_resource(Template.from_stack(s))["Properties"]
    assert "OnCreate" not in props
    content = props["OnStart"][0]["Content"]
    assert isinstance(content, str)  # never Fn::Base64: its length is known at synth
    assert len(content) <= 16384
    text = base64.b64decode(content).decode()
    assert lcc.on_start_script is not None and text == lcc.on_start_script.text
    bundle = unpack_with_script(text, tmp_path / "startup")
    assert tree(bundle / "scripts") == tree(folder)


def test_on_create_and_on_start(tmp_path: Path) -> None:
    s = stack()
    lcc = LifecycleConfig(s, "Lcc", on_start=write_folder(tmp_path / "start", FILES),
                          on_create=write_folder(tmp_path / "create", {"once.sh": "echo once\n"}))
    props = only_resource(Template.from_stack(s))["Properties"]
    created = base64.b64decode(props["OnCreate"][0]["Content"]).decode()
    assert inspect_script(created).options.kind == "on-create"
    bundle = unpack_with_script(created, tmp_path / "startup")
    assert (bundle / "scripts" / "once.sh").read_text() == "echo once\n"
    assert lcc.on_create_script is not None and lcc.on_create_script.report.steps == 1


def test_only_on_create(tmp_path: Path) -> None:
    s = stack()
    LifecycleConfig(s, "Lcc", on_create=write_folder(tmp_path / "c", {"once.sh": "echo\n"}))
    props = only_resource(Template.from_stack(s))["Properties"]
    assert "OnStart" not in props and "OnCreate" in props


def test_scripts_and_steps_from_python(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    s = stack()
    lcc = LifecycleConfig(s, "Lcc", on_start=[
        Scripts.from_folder(folder, steps=[Step(name="only-a", script="10-a.sh")]),
        Scripts.from_folder(write_folder(tmp_path / "t", {"t.sh": "echo t\n"}), prefix="team"),
    ])
    assert lcc.on_start_script is not None
    assert [st.name for st in lcc.on_start_script.steps] == ["only-a", "t"]
    bundle = unpack_with_script(lcc.on_start_script.text, tmp_path / "startup")
    assert (bundle / "scripts" / "team" / "t.sh").exists()


def test_name_and_arn_are_always_tokens(tmp_path: Path) -> None:
    s = stack()
    lcc = LifecycleConfig(s, "Lcc", on_start=write_folder(tmp_path / "s", FILES))
    props = only_resource(Template.from_stack(s))["Properties"]
    assert "NotebookInstanceLifecycleConfigName" not in props
    assert s.resolve(lcc.lifecycle_config_name) == {
        "Fn::GetAtt": [s.get_logical_id(lcc.resource), "NotebookInstanceLifecycleConfigName"]}
    assert s.resolve(lcc.lifecycle_config_arn) == {
        "Fn::GetAtt": [s.get_logical_id(lcc.resource), "NotebookInstanceLifecycleConfigArn"]}


def test_name_given(tmp_path: Path) -> None:
    s = stack()
    lcc = LifecycleConfig(s, "Lcc", on_start=write_folder(tmp_path / "s", FILES),
                          lifecycle_config_name="team-notebooks")
    # Still a token: what a notebook needs to depend on the configuration.
    assert s.resolve(lcc.lifecycle_config_name) == {
        "Fn::GetAtt": [s.get_logical_id(lcc.resource), "NotebookInstanceLifecycleConfigName"]}
    Template.from_stack(s).has_resource_properties(
        TYPE, {"NotebookInstanceLifecycleConfigName": "team-notebooks"})


def test_wiring_into_a_notebook_instance(tmp_path: Path) -> None:
    s = stack()
    lcc = LifecycleConfig(s, "Lcc", on_start=write_folder(tmp_path / "s", FILES))
    sagemaker.CfnNotebookInstance(s, "Nb", instance_type="ml.t3.medium",
                                  role_arn="arn:aws:iam::123456789012:role/r",
                                  lifecycle_config_name=lcc.lifecycle_config_name)
    Template.from_stack(s).has_resource_properties("AWS::SageMaker::NotebookInstance", {
        "LifecycleConfigName": {"Fn::GetAtt": [Match.any_value(), "NotebookInstanceLifecycleConfigName"]},
    })


def test_budget_reaches_the_runner(tmp_path: Path) -> None:
    s = stack()
    lcc = LifecycleConfig(s, "Lcc", on_start=write_folder(tmp_path / "s", FILES),
                          budget=cdk.Duration.seconds(90))
    assert lcc.on_start_script is not None
    assert inspect_script(lcc.on_start_script.text).options.budget_seconds == 90


def test_near_the_limit_warns(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n", "blob": os.urandom(6700)})
    s = stack()
    lcc = LifecycleConfig(s, "Lcc", on_start=folder)
    assert lcc.on_start_script is not None
    assert 0.9 * 16384 < lcc.on_start_script.report.encoded_chars <= 16384
    Annotations.from_stack(s).has_warning("/Test/Lcc", Match.string_like_regexp("little room left"))


def test_far_from_the_limit_does_not_warn(tmp_path: Path) -> None:
    s = stack()
    LifecycleConfig(s, "Lcc", on_start=write_folder(tmp_path / "s", FILES))
    Annotations.from_stack(s).has_no_warning("*", Match.any_value())


# --- errors at construction: ValueError naming the file or prop and the fix ---

ERRORS: dict[str, tuple[dict[str, str | bytes], dict[str, Any], str]] = {
    "oversize": ({"a.sh": "echo\n", "big.bin": b""}, {}, r"over the service's limit of 16384.*big\.bin"),
    "crlf": ({"a.sh": "#!/bin/bash\r\necho\r\n"}, {}, r"on_start: .*a\.sh: Windows \(CRLF\)"),
    "bash -n": ({"a.sh": "if then fi\n"}, {}, r"a\.sh: bash -n fails"),
    "python": ({"a.py": "print(\n"}, {}, r"a\.py: Python syntax error"),
    "missing step file": ({"a.sh": "echo\n"}, {"steps": [Step(name="x", script="nope.sh")]},
                          "script 'nope.sh' is not in the bundle"),
    "duplicate names": ({"a.sh": "echo\n"}, {"steps": [Step(name="x", script="a.sh"),
                                                       Step(name="x", script="a.sh")]},
                        "step name 'x' is used 2 times"),
}


@pytest.mark.parametrize("case", ERRORS)
def test_bad_scripts_fail_at_construction(tmp_path: Path, case: str) -> None:
    files, kwargs, message = ERRORS[case]
    if case == "oversize":
        files = {**files, "big.bin": os.urandom(20000)}
    folder = write_folder(tmp_path / "s", files)
    source = Scripts.from_folder(folder, **kwargs) if kwargs else folder
    with pytest.raises(ValueError, match="(?s)" + message) as e:
        LifecycleConfig(stack(), "Lcc", on_start=source)
    assert "LifecycleConfig 'Test/Lcc'" in str(e.value)


def test_symlink_leaving_the_folder_fails_at_construction(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n"})
    (folder / "passwd").symlink_to("/etc/passwd")
    with pytest.raises(ValueError, match="passwd: symlink points outside the scripts folder"):
        LifecycleConfig(stack(), "Lcc", on_start=folder)


def test_empty_folder_fails_at_construction(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="is empty"):
        LifecycleConfig(stack(), "Lcc", on_start=tmp_path / "empty")


@pytest.mark.parametrize(("name", "message"), [("a" * 64, "has 64 characters"),
                                               ("bad_name", "is not valid"),
                                               ("-x", "is not valid")])
def test_invalid_name_fails_at_construction(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"lifecycle_config_name .*{message}"):
        LifecycleConfig(stack(), "Lcc", on_start=write_folder(tmp_path / "s", FILES),
                        lifecycle_config_name=name)


def test_no_scripts_at_all() -> None:
    with pytest.raises(ValueError, match="give on_start, on_create or both"):
        LifecycleConfig(stack(), "Lcc")


def test_budget_out_of_range(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="budget of 300 seconds is out of range"):
        LifecycleConfig(stack(), "Lcc", on_start=write_folder(tmp_path / "s", FILES),
                        budget=cdk.Duration.minutes(5))


def test_minify_and_codec_props(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.py": "# comment\nprint( 'a' )\n"})
    lcc = LifecycleConfig(stack(), "Lcc", on_start=folder, minify=True, codec="lzma+base94")
    assert lcc.on_start_script is not None
    assert lcc.on_start_script.report.codec == "lzma+base94"
    bundle = unpack_with_script(lcc.on_start_script.text, tmp_path / "startup")
    assert (bundle / "scripts" / "a.py").read_text() == "print('a')\n"
    with pytest.raises(ValueError, match="(?s)on_start: .*codec 'bad' is not known"):
        LifecycleConfig(stack(), "Bad", on_start=folder, codec="bad")


def test_one_folder_for_both_kinds(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"on-start.sh": "echo start\n", "on-create.sh": "echo create\n",
                                           "helper.py": "print(1)\n"})
    lcc = LifecycleConfig(cdk.Stack(cdk.App(), "S"), "Lcc", on_start=str(folder), on_create=str(folder))
    assert lcc.on_start_script is not None and lcc.on_create_script is not None
    assert [s.script for s in lcc.on_start_script.steps] == ["on-start.sh"]
    assert [s.script for s in lcc.on_create_script.steps] == ["on-create.sh"]


def test_a_list_mixes_folder_paths_and_scripts(tmp_path: Path) -> None:
    from lcc_constructs import recipes
    from lcc_constructs.limits import AUTOSTOP_ACTIONS

    first = write_folder(tmp_path / "first", {"a.sh": "echo a\n"})
    second = write_folder(tmp_path / "second", {"b.py": "print('b')\n"})
    lcc = LifecycleConfig(stack(), "Lcc", on_start=[str(first), second, recipes.autostop()])
    assert lcc.on_start_script is not None
    assert [s.name for s in lcc.on_start_script.steps] == ["a", "b", "autostop"]
    assert lcc.notebook_actions == AUTOSTOP_ACTIONS
    bundle = unpack_with_script(lcc.on_start_script.text, tmp_path / "startup")
    assert (bundle / "scripts" / "a.sh").read_text() == "echo a\n"
    assert (bundle / "scripts" / "b.py").read_text() == "print('b')\n"


def test_a_folder_in_a_list_is_read_as_its_kind(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"on-start.sh": "echo start\n", "on-create.sh": "echo create\n"})
    lcc = LifecycleConfig(stack(), "Lcc", on_create=[folder, Scripts.from_folder(
        write_folder(tmp_path / "t", {"t.sh": "echo t\n"}), prefix="team")])
    assert lcc.on_create_script is not None
    assert [s.script for s in lcc.on_create_script.steps] == ["on-create.sh", "team/t.sh"]


@pytest.mark.parametrize(("source", "shown"), [([], "[]"), ([42], "42"), (42, "42")])
def test_what_is_no_scripts_is_refused_naming_the_prop(tmp_path: Path, source: Any, shown: str) -> None:
    with pytest.raises(ValueError, match=r"on_start: expected a folder path, a Scripts, or a non-empty list "
                                         rf"of them; got {re.escape(shown)}") as e:
        LifecycleConfig(stack(), "Lcc", on_start=source)
    assert "LifecycleConfig 'Test/Lcc'" in str(e.value)
