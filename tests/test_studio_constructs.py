"""StudioLifecycleConfig and its attaching to the L1 CfnDomain, CfnUserProfile and CfnSpace,
through real synthesized templates (aws_cdk.assertions)."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.assertions import Annotations, Match, Template
from constructs import Construct

from lcc_constructs import (
    IStudioLifecycleConfig,
    LifecycleConfig,
    Scripts,
    StudioApp,
    StudioLifecycleConfig,
    ValidationError,
    recipes,
)
from lcc_constructs.bundle import OnPlatform
from lcc_constructs.limits import CONFIG_NAME_MAX_CHARS, CONFIG_NAME_PATTERN, STUDIO_IDLE_MINUTES
from lcc_constructs.readback import inspect_script

from .helpers import of_type, tree, write_folder

TYPE = "AWS::SageMaker::StudioLifecycleConfig"
ROLE = "arn:aws:iam::123456789012:role/studio"
FILES = {"10-a.sh": "#!/bin/bash\necho a\n", "20-b.py": "print('b')\n"}
OTHER = "arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/team-own"
THIRD = "arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/third"
JL, CE = StudioApp.JUPYTER_LAB, StudioApp.CODE_EDITOR


def stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Test")


def config(s: Construct, tmp_path: Path, id: str = "Lcc", app: StudioApp = JL,
           files: dict[str, str] | None = None, **props: Any) -> StudioLifecycleConfig:
    folder = write_folder(tmp_path / f"{id}-scripts", files or FILES)
    return StudioLifecycleConfig(s, id, app=app, on_start=folder, **props)


def domain(s: cdk.Stack, user: Any = None, space: Any = None) -> sagemaker.CfnDomain:
    return sagemaker.CfnDomain(
        s, "Domain", auth_mode="IAM", domain_name="d", subnet_ids=["subnet-1"], vpc_id="vpc-1",
        default_user_settings=user or sagemaker.CfnDomain.UserSettingsProperty(execution_role=ROLE),
        default_space_settings=space)


def props(s: cdk.Stack, resource: cdk.CfnResource) -> dict[str, Any]:
    resources = Template.from_stack(s).to_json()["Resources"]
    return resources[s.get_logical_id(resource)]["Properties"]  # type: ignore[no-any-return]


def idle_settings(s: cdk.Stack, d: sagemaker.CfnDomain) -> Any:
    settings = props(s, d)["DefaultUserSettings"]["JupyterLabAppSettings"]
    return settings["AppLifecycleManagement"]["IdleSettings"]


def arn(s: cdk.Stack, lcc: IStudioLifecycleConfig) -> Any:
    return s.resolve(lcc.studio_lifecycle_config_arn)


def synth_error(s: cdk.Stack) -> str:
    """The message of a problem found at synth (raised by the aspect, inside jsii)."""
    with pytest.raises(Exception) as e:  # noqa: PT011 - jsii turns it into a RuntimeError
        Template.from_stack(s)
    # jsii keeps the ValidationError as the context of the error it raises.
    assert isinstance(e.value, ValidationError) or isinstance(e.value.__context__, ValidationError)
    return str(e.value)


# -- the configuration --------------------------------------------------------------------------

def test_content_is_a_literal_studio_script_of_the_folder(tmp_path: Path) -> None:
    s = stack()
    lcc = config(s, tmp_path)
    (resource,) = of_type(Template.from_stack(s), TYPE).values()
    p = resource["Properties"]
    assert p["StudioLifecycleConfigAppType"] == "JupyterLab"
    assert p["StudioLifecycleConfigName"] == lcc.studio_lifecycle_config_name
    content = p["StudioLifecycleConfigContent"]
    assert isinstance(content, str) and 0 < len(content) <= 16384
    text = base64.b64decode(content).decode()
    assert text == lcc.rendered.text == lcc.on_start_script.text
    read = inspect_script(text)
    assert read.options.platform == "studio" and read.options.kind == "on-start"
    folder = tree(tmp_path / "Lcc-scripts")
    assert {p: d for p, (_, d) in read.files.items()} == {p: d for p, (_, d) in folder.items()}
    assert lcc.report.encoded_chars == len(content) and lcc.report.fits
    assert lcc.app is JL and lcc.idle_minutes is None


def test_the_name_changes_with_the_content_and_not_without(tmp_path: Path) -> None:
    names = []
    for files in (FILES, FILES, {**FILES, "10-a.sh": "#!/bin/bash\necho A\n"}):
        s = stack()
        names.append(config(s, tmp_path, files=files).studio_lifecycle_config_name)
        assert of_type(Template.from_stack(s), TYPE)  # it synthesizes
    assert names[0] == names[1] != names[2]
    assert names[0].startswith("Test-Lcc-jl-")


def test_derived_names_stay_within_63_characters_of_the_pattern(tmp_path: Path) -> None:
    # A deep path of long ids, with characters the pattern refuses.
    stage = cdk.Stage(cdk.App(), "Stage-0-" + "x" * 30)
    scope = Construct(cdk.Stack(stage, "S" * 40), "Team.2--" + "y" * 40)
    names = {config(scope, tmp_path, id=f"Lcc{app.value}" + "z" * 50, app=app).studio_lifecycle_config_name
             for app in StudioApp}
    assert len(names) == 2
    for name in names:
        assert len(name) <= CONFIG_NAME_MAX_CHARS and CONFIG_NAME_PATTERN.fullmatch(name), name
        assert re.search(r"-(jl|ce)-[0-9a-f]{12}$", name) and "zzz" in name


def test_a_given_name_is_used_and_checked(tmp_path: Path) -> None:
    s = stack()
    lcc = config(s, tmp_path, name="team-jupyterlab-v3")
    (resource,) = of_type(Template.from_stack(s), TYPE).values()
    assert resource["Properties"]["StudioLifecycleConfigName"] == "team-jupyterlab-v3"
    assert lcc.studio_lifecycle_config_name == "team-jupyterlab-v3"
    for bad, message in (("a" * 64, "has 64 characters"), ("bad_name", "is not valid"),
                         ("-x", "is not valid")):
        with pytest.raises(ValidationError, match=f"name {bad!r} {message}") as e:
            config(stack(), tmp_path, name=bad)
        assert "StudioLifecycleConfig 'Test/Lcc'" in str(e.value)


def test_one_folder_for_both_apps_is_two_configurations(tmp_path: Path) -> None:
    s = stack()
    folder = write_folder(tmp_path / "s", FILES)
    made = {app: StudioLifecycleConfig(s, f"Team{app.value}", app=app, on_start=folder) for app in StudioApp}
    resources = of_type(Template.from_stack(s), TYPE)
    assert sorted(r["Properties"]["StudioLifecycleConfigAppType"] for r in resources.values()) == \
        ["CodeEditor", "JupyterLab"]
    assert made[JL].rendered.text == made[CE].rendered.text  # the same script for both apps
    assert made[JL].studio_lifecycle_config_name != made[CE].studio_lifecycle_config_name
    assert made[CE].studio_lifecycle_config_name.split("-")[-2] == "ce"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"app": "Jupyter"}, r"app must be StudioApp.JUPYTER_LAB or StudioApp.CODE_EDITOR .*got 'Jupyter'"),
    ({"app": "JupyterServer"}, r"app must be .*got 'JupyterServer'"),
    ({"on_start": []}, r"on_start: expected a folder path, a Scripts, or a non-empty list of them; got \[\]"),
    ({"budget": cdk.Duration.minutes(5)}, r"on_start: .*budget of 300 seconds is out of range"),
    ({"codec": "bad"}, r"on_start: .*codec 'bad' is not known"),
    ({"payload": "ftp"}, r"on_start: .*payload='ftp' must be one of"),
    ({"name": 42}, r"name must be a string, got 42 \(int\)"),
])
def test_bad_props_are_refused_naming_the_prop(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    with pytest.raises(ValidationError, match=message) as e:
        StudioLifecycleConfig(stack(), "Lcc", **{"app": JL, "on_start": folder, **kwargs})
    assert "StudioLifecycleConfig 'Test/Lcc'" in str(e.value)


def test_the_app_may_be_given_by_its_name(tmp_path: Path) -> None:
    assert config(stack(), tmp_path, app="CodeEditor").app is CE  # type: ignore[arg-type]


def test_minify_codec_and_the_folders_options(tmp_path: Path) -> None:
    manifest = '[options]\nkeep_runs = 3\n\n[[step]]\nscript = "a.py"\n'
    folder = write_folder(tmp_path / "s", {"a.py": "# comment\nprint( 'a' )\n", "lifecycle.toml": manifest})
    lcc = StudioLifecycleConfig(stack(), "Lcc", app=JL, on_start=folder, minify=True, codec="lzma+base94")
    read = inspect_script(lcc.rendered.text)
    assert lcc.report.codec == "lzma+base94" and read.files["a.py"][1] == b"print('a')\n"
    assert read.options.keep_runs == 3 and read.options.unpack_dir == "/tmp/lcc"
    assert read.options.state_dir == "/home/sagemaker-user/.lifecycle"


def test_near_the_limit_warns_and_over_it_fails(tmp_path: Path) -> None:
    s = stack()
    # Random bytes do not compress: 7200 of them take 90-95% of the limit.
    near = write_folder(tmp_path / "near", {"a.sh": "echo a\n", "blob.bin": os.urandom(7200)})
    StudioLifecycleConfig(s, "Near", app=JL, on_start=near)
    Annotations.from_stack(s).has_warning("/Test/Near", Match.string_like_regexp("little room left"))
    over = write_folder(tmp_path / "over", {"a.sh": "echo a\n", "blob.bin": os.urandom(20000)})
    with pytest.raises(ValidationError, match="(?s)on_start: .*16384"):
        StudioLifecycleConfig(stack(), "Over", app=JL, on_start=over)


def test_an_s3_payload_is_an_asset_the_execution_role_may_read(tmp_path: Path) -> None:
    s = cdk.Stack(cdk.App(), "Test", env=cdk.Environment(account="123456789012", region="us-east-1"))
    lcc = config(s, tmp_path, payload="s3")
    role = iam.Role(s, "Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    lcc.grant_read_payload(role)
    t = Template.from_stack(s)
    (resource,) = of_type(t, TYPE).values()
    text = base64.b64decode(resource["Properties"]["StudioLifecycleConfigContent"]).decode()
    assert lcc.rendered.payload is not None and lcc.rendered.payload_sha256 in text
    payload = lcc.rendered.payload
    read = inspect_script(text, fetch=lambda location: payload)
    assert read.step_names == ("10-a", "20-b")
    (policy,) = of_type(t, "AWS::IAM::Policy").values()
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "s3:GetObject"
    resource = json.dumps(statement["Resource"])
    assert "cdk-hnb659fds-assets-123456789012-us-east-1" in resource and ".lcc" in resource
    inline = config(stack(), tmp_path, id="Inline")
    grant = inline.grant_read_payload(iam.Role(inline, "R", assumed_by=iam.AccountRootPrincipal()))
    assert not grant.success


def test_an_s3_payload_in_an_environment_agnostic_stack(tmp_path: Path) -> None:
    s = stack()
    lcc = config(s, tmp_path, payload="s3")
    (resource,) = of_type(Template.from_stack(s), TYPE).values()
    assert "Fn::Base64" in resource["Properties"]["StudioLifecycleConfigContent"]
    # The name comes from the files (the payload's sha256), not from the bucket's name.
    again = config(stack(), tmp_path, payload="s3")
    assert lcc.studio_lifecycle_config_name == again.studio_lifecycle_config_name
    changed = config(stack(), tmp_path, id="Lcc", files={**FILES, "20-b.py": "print('B')\n"}, payload="s3")
    assert changed.studio_lifecycle_config_name != lcc.studio_lifecycle_config_name


def test_notebook_configurations_are_unchanged_by_the_shared_parts(tmp_path: Path) -> None:
    # LifecycleConfig and StudioLifecycleConfig share cdk/content.py: the notebook's S3 payload
    # keeps its asset id and the folder's script builds for each platform.
    s = cdk.Stack(cdk.App(), "Test", env=cdk.Environment(account="123456789012", region="us-east-1"))
    folder = write_folder(tmp_path / "s", FILES)
    LifecycleConfig(s, "Notebook", on_start=folder, payload="s3")
    assert s.node.find_child("Notebook").node.try_find_child("OnStartPayload") is not None
    studio = StudioLifecycleConfig(s, "Studio", app=JL, on_start=folder, payload="s3")
    assert studio.node.try_find_child("OnStartPayload") is not None


# -- attaching ------------------------------------------------------------------------------------

def test_attach_to_a_domain_lists_it_for_users_and_spaces_keeping_what_is_there(tmp_path: Path) -> None:
    s = stack()
    lcc = config(s, tmp_path)
    d = domain(s, user=sagemaker.CfnDomain.UserSettingsProperty(
        execution_role=ROLE,
        jupyter_lab_app_settings=sagemaker.CfnDomain.JupyterLabAppSettingsProperty(lifecycle_config_arns=[OTHER]),
    ), space=sagemaker.CfnDomain.DefaultSpaceSettingsProperty(execution_role=ROLE))
    lcc.attach(d)
    p = props(s, d)
    assert p["DefaultUserSettings"]["JupyterLabAppSettings"] == {"LifecycleConfigArns": [OTHER, arn(s, lcc)]}
    assert p["DefaultUserSettings"]["ExecutionRole"] == ROLE
    assert p["DefaultSpaceSettings"] == {"ExecutionRole": ROLE,
                                         "JupyterLabAppSettings": {"LifecycleConfigArns": [arn(s, lcc)]}}


def test_a_code_editor_configuration_goes_to_user_settings_only(tmp_path: Path) -> None:
    # CloudFormation's DefaultSpaceSettings has no Code Editor settings.
    s = stack()
    lcc = config(s, tmp_path, app=CE)
    d = domain(s, space=sagemaker.CfnDomain.DefaultSpaceSettingsProperty(execution_role=ROLE))
    lcc.attach(d, default=True)
    p = props(s, d)
    assert p["DefaultUserSettings"]["CodeEditorAppSettings"] == {
        "LifecycleConfigArns": [arn(s, lcc)], "DefaultResourceSpec": {"LifecycleConfigArn": arn(s, lcc)}}
    assert p["DefaultSpaceSettings"] == {"ExecutionRole": ROLE}
    assert "JupyterLabAppSettings" not in p["DefaultUserSettings"]


def test_a_domain_without_default_space_settings_gets_none(tmp_path: Path) -> None:
    s = stack()
    lcc = config(s, tmp_path)
    d = domain(s)
    lcc.attach(d)
    assert "DefaultSpaceSettings" not in props(s, d)  # they would need an execution role


def test_settings_set_after_attach_are_merged_as_a_dict(tmp_path: Path) -> None:
    s = stack()
    lcc = config(s, tmp_path)
    d = domain(s)
    lcc.attach(d, default=True)
    # jsii takes a dict in the JavaScript names (camelCase).
    d.default_user_settings = {"executionRole": ROLE, "jupyterLabAppSettings": {
        "lifecycleConfigArns": [OTHER, THIRD], "defaultResourceSpec": {"instanceType": "ml.t3.large"},
        "codeRepositories": [{"repositoryUrl": "https://example.com/team.git"}]}}
    jl = props(s, d)["DefaultUserSettings"]["JupyterLabAppSettings"]
    assert jl["LifecycleConfigArns"] == [OTHER, THIRD, arn(s, lcc)]
    assert jl["DefaultResourceSpec"] == {"InstanceType": "ml.t3.large", "LifecycleConfigArn": arn(s, lcc)}
    assert jl["CodeRepositories"] == [{"RepositoryUrl": "https://example.com/team.git"}]


def test_settings_set_after_attach_are_merged_as_properties(tmp_path: Path) -> None:
    s = stack()
    lcc = config(s, tmp_path)
    profile = sagemaker.CfnUserProfile(s, "Profile", domain_id="d-1", user_profile_name="u")
    lcc.attach(profile)
    profile.user_settings = sagemaker.CfnUserProfile.UserSettingsProperty(
        execution_role=ROLE, jupyter_lab_app_settings=sagemaker.CfnUserProfile.JupyterLabAppSettingsProperty(
            lifecycle_config_arns=[OTHER]))
    assert props(s, profile)["UserSettings"] == {
        "ExecutionRole": ROLE, "JupyterLabAppSettings": {"LifecycleConfigArns": [OTHER, arn(s, lcc)]}}


def test_tokens_in_the_list_are_kept_and_ours_not_listed_twice(tmp_path: Path) -> None:
    s = stack()
    lcc = config(s, tmp_path)
    other = config(s, tmp_path, id="Other")
    parameter = cdk.CfnParameter(s, "Extra", type="String")
    d = domain(s, user=sagemaker.CfnDomain.UserSettingsProperty(
        execution_role=ROLE, jupyter_lab_app_settings=sagemaker.CfnDomain.JupyterLabAppSettingsProperty(
            lifecycle_config_arns=[parameter.value_as_string, lcc.studio_lifecycle_config_arn])))
    lcc.attach(d)
    lcc.attach(d)
    other.attach(d)
    assert props(s, d)["DefaultUserSettings"]["JupyterLabAppSettings"]["LifecycleConfigArns"] == [
        {"Ref": "Extra"}, arn(s, lcc), arn(s, other)]


def test_a_token_for_the_whole_app_settings_is_read(tmp_path: Path) -> None:
    s = stack()
    lcc = config(s, tmp_path)
    d = domain(s, user=sagemaker.CfnDomain.UserSettingsProperty(
        execution_role=ROLE, jupyter_lab_app_settings=cdk.Token.as_any({"LifecycleConfigArns": [OTHER]})))
    lcc.attach(d)
    assert props(s, d)["DefaultUserSettings"]["JupyterLabAppSettings"]["LifecycleConfigArns"] == [
        OTHER, arn(s, lcc)]


def test_default_keeps_the_rest_of_the_resource_spec(tmp_path: Path) -> None:
    s = stack()
    lcc = config(s, tmp_path)
    d = domain(s, user=sagemaker.CfnDomain.UserSettingsProperty(
        execution_role=ROLE, jupyter_lab_app_settings=sagemaker.CfnDomain.JupyterLabAppSettingsProperty(
            default_resource_spec=sagemaker.CfnDomain.ResourceSpecProperty(instance_type="ml.t3.medium"))))
    lcc.attach(d, default=True)
    jl = props(s, d)["DefaultUserSettings"]["JupyterLabAppSettings"]
    assert jl == {"LifecycleConfigArns": [arn(s, lcc)],
                  "DefaultResourceSpec": {"InstanceType": "ml.t3.medium", "LifecycleConfigArn": arn(s, lcc)}}


def test_built_in_is_enforced_and_not_listed(tmp_path: Path) -> None:
    s = stack()
    team, admin = config(s, tmp_path, id="Team"), config(s, tmp_path, id="Admin")
    d = domain(s, space=sagemaker.CfnDomain.DefaultSpaceSettingsProperty(execution_role=ROLE))
    admin.attach(d, built_in=True)
    team.attach(d, default=True)
    p = props(s, d)
    for settings in ("DefaultUserSettings", "DefaultSpaceSettings"):
        assert p[settings]["JupyterLabAppSettings"] == {
            "BuiltInLifecycleConfigArn": arn(s, admin), "LifecycleConfigArns": [arn(s, team)],
            "DefaultResourceSpec": {"LifecycleConfigArn": arn(s, team)}}, settings


@pytest.mark.parametrize("which", ["default", "built_in"])
def test_a_second_different_default_or_built_in_is_refused(tmp_path: Path, which: str) -> None:
    s = stack()
    first, second = config(s, tmp_path, id="First"), config(s, tmp_path, id="Second")
    d = domain(s)
    first.attach(d, **{which: True})
    first.attach(d, **{which: True})  # the same one again is fine
    field = "lifecycle_config_arn" if which == "default" else "built_in_lifecycle_config_arn"
    with pytest.raises(ValidationError, match=rf"default_user_settings.jupyter_lab_app_settings\..*{field}: "
                                              r"one JupyterLab .* per target, and this one would get 2") as e:
        second.attach(d, **{which: True})
    assert "StudioLifecycleConfig 'Test/Second.attach'" in str(e.value)
    # For another app it is another setting.
    config(s, tmp_path, id="Editor", app=CE).attach(d, **{which: True})


def test_a_default_the_user_set_is_not_replaced(tmp_path: Path) -> None:
    # Before attach: refused at once. After attach: refused at synth.
    s = stack()
    lcc = config(s, tmp_path)
    spec = sagemaker.CfnDomain.ResourceSpecProperty(lifecycle_config_arn=OTHER)
    before = domain(s, user=sagemaker.CfnDomain.UserSettingsProperty(
        execution_role=ROLE, jupyter_lab_app_settings=sagemaker.CfnDomain.JupyterLabAppSettingsProperty(
            default_resource_spec=spec)))
    with pytest.raises(ValidationError,
                       match="default_resource_spec.lifecycle_config_arn: one JupyterLab default"):
        lcc.attach(before, default=True)
    lcc.attach(before)  # listing it beside the user's default is fine
    s2 = stack()
    lcc2 = config(s2, tmp_path)
    after = domain(s2)
    lcc2.attach(after, default=True)
    after.default_user_settings = sagemaker.CfnDomain.UserSettingsProperty(
        execution_role=ROLE, jupyter_lab_app_settings=sagemaker.CfnDomain.JupyterLabAppSettingsProperty(
            default_resource_spec=spec))
    message = synth_error(s2)
    assert ("default_user_settings.jupyter_lab_app_settings.default_resource_spec.lifecycle_config_arn"
            in message)
    assert OTHER in message


def test_default_and_built_in_together_are_refused(tmp_path: Path) -> None:
    s = stack()
    with pytest.raises(ValidationError, match="default and built_in: .* would run it twice"):
        config(s, tmp_path).attach(domain(s), default=True, built_in=True)


def test_idle_settings_are_enabled_with_the_timeout(tmp_path: Path) -> None:
    s = stack()
    lcc = config(s, tmp_path)
    d = domain(s, user=sagemaker.CfnDomain.UserSettingsProperty(
        execution_role=ROLE, jupyter_lab_app_settings=sagemaker.CfnDomain.JupyterLabAppSettingsProperty(
            app_lifecycle_management=sagemaker.CfnDomain.AppLifecycleManagementProperty(
                idle_settings=sagemaker.CfnDomain.IdleSettingsProperty(max_idle_timeout_in_minutes=240)))))
    lcc.attach(d, idle_minutes=120)
    idle = idle_settings(s, d)
    assert idle == {"LifecycleManagement": "ENABLED", "IdleTimeoutInMinutes": 120,
                    "MaxIdleTimeoutInMinutes": 240}


@pytest.mark.parametrize("minutes", [STUDIO_IDLE_MINUTES[0] - 1, STUDIO_IDLE_MINUTES[1] + 1, 90.5, True,
                                     "60", 0])
def test_idle_minutes_out_of_range_are_refused(tmp_path: Path, minutes: Any) -> None:
    s = stack()
    with pytest.raises(ValidationError, match=r"idle_minutes must be a whole number of minutes from 60 to "
                                              r"525600 .*got"):
        config(s, tmp_path).attach(domain(s), idle_minutes=minutes)


@pytest.mark.parametrize("minutes", list(STUDIO_IDLE_MINUTES))
def test_idle_minutes_at_the_ends_of_the_range(tmp_path: Path, minutes: int) -> None:
    s = stack()
    lcc = config(s, tmp_path)
    d = domain(s)
    lcc.attach(d, idle_minutes=minutes)
    idle = idle_settings(s, d)
    assert idle["IdleTimeoutInMinutes"] == minutes


def test_idle_minutes_may_be_a_token(tmp_path: Path) -> None:
    s = stack()
    lcc = config(s, tmp_path)
    d = domain(s)
    lcc.attach(d, idle_minutes=cdk.CfnParameter(s, "Idle", type="Number").value_as_number)
    idle = idle_settings(s, d)
    assert idle == {"IdleTimeoutInMinutes": {"Ref": "Idle"}, "LifecycleManagement": "ENABLED"}


def test_idle_minutes_the_target_cannot_take_are_refused(tmp_path: Path) -> None:
    def with_idle(**idle: Any) -> tuple[cdk.Stack, sagemaker.CfnDomain, StudioLifecycleConfig]:
        s = stack()
        return s, domain(s, user=sagemaker.CfnDomain.UserSettingsProperty(
            execution_role=ROLE, jupyter_lab_app_settings=sagemaker.CfnDomain.JupyterLabAppSettingsProperty(
                app_lifecycle_management=sagemaker.CfnDomain.AppLifecycleManagementProperty(
                    idle_settings=sagemaker.CfnDomain.IdleSettingsProperty(**idle))))), config(s, tmp_path)

    s, d, lcc = with_idle(max_idle_timeout_in_minutes=100)
    with pytest.raises(ValidationError,
                       match="idle_minutes 120 is outside the range .*max_idle_timeout_in_minutes 100"):
        lcc.attach(d, idle_minutes=120)
    s, d, lcc = with_idle(lifecycle_management="DISABLED")
    with pytest.raises(ValidationError, match="lifecycle_management is 'DISABLED'"):
        lcc.attach(d, idle_minutes=120)
    s, d, lcc = with_idle(idle_timeout_in_minutes=60)
    with pytest.raises(ValidationError,
                       match="idle_timeout_in_minutes: one JupyterLab idle timeout per target"):
        lcc.attach(d, idle_minutes=120)
    lcc.attach(d, idle_minutes=60)  # the same timeout is fine
    other = config(s, tmp_path, id="Other")
    with pytest.raises(ValidationError, match="idle_timeout_in_minutes: one JupyterLab idle timeout"):
        other.attach(d, idle_minutes=90)


def test_the_scripts_idle_minutes_are_set_unless_given(tmp_path: Path) -> None:
    # An autostop step becomes idle shutdown on Studio (RenderedScript.idle_minutes) once the
    # recipe says so; attach sets exactly what the configuration reports.
    s = stack()
    folder = write_folder(tmp_path / "s", FILES)
    lcc = StudioLifecycleConfig(s, "Lcc", app=JL, on_start=[folder, recipes.autostop(idle_minutes=90)])
    assert lcc.idle_minutes == lcc.rendered.idle_minutes
    d = domain(s)
    lcc.attach(d)
    jl = props(s, d)["DefaultUserSettings"]["JupyterLabAppSettings"]
    if lcc.idle_minutes is None:
        assert "AppLifecycleManagement" not in jl
    else:
        assert jl["AppLifecycleManagement"]["IdleSettings"]["IdleTimeoutInMinutes"] == lcc.idle_minutes
    s2 = stack()
    given = StudioLifecycleConfig(s2, "Lcc", app=JL, on_start=folder)
    d2 = domain(s2)
    given.attach(d2, idle_minutes=300)
    assert props(s2, d2)["DefaultUserSettings"]["JupyterLabAppSettings"]["AppLifecycleManagement"][
        "IdleSettings"]["IdleTimeoutInMinutes"] == 300


def idle_step(tmp_path: Path, minutes: int) -> Scripts:
    """A step that becomes Studio's idle shutdown, as a recipe declares it (OnPlatform)."""
    folder = write_folder(tmp_path / f"idle{minutes}", {"idle.sh": "#!/bin/bash\necho checking\n"})
    scripts = Scripts.from_folder(folder)
    return dataclasses.replace(scripts, on_platform={"idle": OnPlatform(
        "studio", "Studio's idle shutdown does this", idle_minutes=minutes)})


def test_a_step_that_became_idle_shutdown_is_set_by_attach(tmp_path: Path) -> None:
    s = stack()
    lcc = StudioLifecycleConfig(s, "Lcc", app=JL, on_start=[write_folder(tmp_path / "s", FILES),
                                                             idle_step(tmp_path, 90)])
    assert lcc.idle_minutes == 90 and [st.name for st in lcc.rendered.steps] == ["10-a", "20-b"]
    d = domain(s)
    space = sagemaker.CfnSpace(s, "Space", domain_id="d-1", space_name="sp")
    lcc.attach(d)
    lcc.attach(space, default=True)
    assert idle_settings(s, d) == {"LifecycleManagement": "ENABLED", "IdleTimeoutInMinutes": 90}
    assert props(s, space)["SpaceSettings"]["JupyterLabAppSettings"]["AppLifecycleManagement"] == {
        "IdleSettings": {"IdleTimeoutInMinutes": 90}}
    s2 = stack()
    given = StudioLifecycleConfig(s2, "Lcc", app=JL, on_start=[write_folder(tmp_path / "s", FILES),
                                                                idle_step(tmp_path, 90)])
    d2 = domain(s2)
    given.attach(d2, idle_minutes=240)  # what attach is given wins
    assert idle_settings(s2, d2)["IdleTimeoutInMinutes"] == 240


def test_a_user_profile_gets_it_in_its_user_settings(tmp_path: Path) -> None:
    s = stack()
    lcc = config(s, tmp_path, app=CE)
    profile = sagemaker.CfnUserProfile(s, "Profile", domain_id="d-1", user_profile_name="u")
    lcc.attach(profile, default=True, idle_minutes=60)
    assert props(s, profile)["UserSettings"] == {"CodeEditorAppSettings": {
        "LifecycleConfigArns": [arn(s, lcc)], "DefaultResourceSpec": {"LifecycleConfigArn": arn(s, lcc)},
        "AppLifecycleManagement": {"IdleSettings": {"IdleTimeoutInMinutes": 60,
                                                    "LifecycleManagement": "ENABLED"}}}}


def test_a_space_selects_it_with_its_idle_timeout(tmp_path: Path) -> None:
    s = stack()
    lcc = config(s, tmp_path)
    space = sagemaker.CfnSpace(s, "Space", domain_id="d-1", space_name="sp",
                               space_settings=sagemaker.CfnSpace.SpaceSettingsProperty(app_type="JupyterLab"))
    lcc.attach(space, default=True, idle_minutes=90)
    assert props(s, space)["SpaceSettings"] == {"AppType": "JupyterLab", "JupyterLabAppSettings": {
        "DefaultResourceSpec": {"LifecycleConfigArn": arn(s, lcc)},
        "AppLifecycleManagement": {"IdleSettings": {"IdleTimeoutInMinutes": 90}}}}


def test_what_a_space_cannot_hold_is_refused(tmp_path: Path) -> None:
    s = stack()
    lcc = config(s, tmp_path)
    space = sagemaker.CfnSpace(s, "Space", domain_id="d-1", space_name="sp")
    with pytest.raises(ValidationError, match="default: a Space lists no configurations"):
        lcc.attach(space)
    with pytest.raises(ValidationError, match="built_in: a Space has no built-in configuration"):
        lcc.attach(space, built_in=True)
    editor = sagemaker.CfnSpace(s, "Editor", domain_id="d-1", space_name="ed",
                                space_settings=sagemaker.CfnSpace.SpaceSettingsProperty(app_type="CodeEditor"))
    with pytest.raises(ValidationError,
                       match="space_settings.app_type is 'CodeEditor': a JupyterLab configuration"):
        lcc.attach(editor, default=True)


@pytest.mark.parametrize("target", ["domain", "notebook", None])
def test_a_target_of_another_type_is_refused(tmp_path: Path, target: str | None) -> None:
    s = stack()
    lcc = config(s, tmp_path)
    wrong: Any = {"domain": "d-123", "notebook": sagemaker.CfnNotebookInstance(
        s, "Nb", instance_type="ml.t3.medium", role_arn=ROLE), None: None}[target]
    with pytest.raises(ValidationError,
                       match="target must be an L1 sagemaker.CfnDomain, CfnUserProfile or CfnSpace"):
        lcc.attach(wrong)
    with pytest.raises(ValidationError, match="default must be True or False, got 'yes'"):
        lcc.attach(domain(s), default="yes")  # type: ignore[arg-type]


def test_an_existing_configuration_by_arn(tmp_path: Path) -> None:
    s = stack()
    existing = StudioLifecycleConfig.from_studio_lifecycle_config_arn(s, "Existing", OTHER)
    assert isinstance(existing, IStudioLifecycleConfig)
    assert existing.studio_lifecycle_config_name == "team-own" and existing.app is None
    assert existing.idle_minutes is None
    d = domain(s)
    with pytest.raises(ValidationError, match=r"attach needs the app.*app=StudioApp"):
        existing.attach(d)
    typed = StudioLifecycleConfig.from_studio_lifecycle_config_arn(s, "Typed", OTHER, app=CE)
    typed.attach(d, built_in=True)
    assert props(s, d)["DefaultUserSettings"]["CodeEditorAppSettings"] == {"BuiltInLifecycleConfigArn": OTHER}
    assert not typed.grant_read_payload(iam.Role(s, "R", assumed_by=iam.AccountRootPrincipal())).success
    token = StudioLifecycleConfig.from_studio_lifecycle_config_arn(
        s, "Token", cdk.CfnParameter(s, "Arn", type="String").value_as_string, app=JL)
    assert "Fn::Select" in json.dumps(s.resolve(token.studio_lifecycle_config_name))
    for bad in ("team-own", "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance-lifecycle-config/x",
                "arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/bad_name"):
        with pytest.raises(ValidationError, match="studio_lifecycle_config_arn"):
            StudioLifecycleConfig.from_studio_lifecycle_config_arn(s, f"Bad{len(bad)}", bad)


def test_the_template_validation_is_answered_for_idle_settings_on_profiles_and_spaces(tmp_path: Path) -> None:
    # aws-cdk-lib's template validation has an older schema of these two resources (no
    # AppLifecycleManagement): attach acknowledges that finding where it writes idle settings.
    s = stack()
    lcc = config(s, tmp_path)
    profile = sagemaker.CfnUserProfile(s, "Profile", domain_id="d-1", user_profile_name="u")
    lcc.attach(profile, idle_minutes=60)
    plain = sagemaker.CfnUserProfile(s, "Plain", domain_id="d-1", user_profile_name="p")
    lcc.attach(plain)
    Template.from_stack(s)
    acknowledged = {c.node.path for c in s.node.find_all()
                    if any("F3002" in json.dumps(m.data, default=str) for m in c.node.metadata)}
    assert acknowledged == {"Test/Profile"}


def test_a_scripts_object_and_recipes_mix(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    lcc = StudioLifecycleConfig(stack(), "Lcc", app=CE, on_start=[
        Scripts.from_folder(folder), recipes.git_config(user_name="A", user_email="a@example.com")])
    assert [st.name for st in lcc.rendered.steps] == ["10-a", "20-b", "git-config"]
