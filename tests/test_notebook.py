"""NotebookInstance, the autostop policy and grant, the AttachLifecycleConfig aspect, and cdk-nag
on the example's secure notebook stack (aws_cdk.assertions)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker

from lcc_constructs import (
    AttachLifecycleConfig,
    AutostopPolicy,
    ILifecycleConfig,
    INotebookInstance,
    LifecycleConfig,
    NotebookInstance,
)
from lcc_constructs.errors import BundleError
from lcc_constructs.recipes.autostop import autostop

from .conftest import ROOT
from .helpers import of_type, write_folder

ACTIONS = ["sagemaker:DescribeNotebookInstance", "sagemaker:StopNotebookInstance"]


@pytest.fixture
def stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "S", env=cdk.Environment(account="123456789012", region="eu-west-1"))


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "scripts", {"hello.sh": "echo hello\n"})


def with_autostop(stack: cdk.Stack, scripts: Path) -> LifecycleConfig:
    from lcc_constructs import Scripts

    return LifecycleConfig(stack, "L", on_start=[Scripts.from_folder(scripts), autostop()])


def template(stack: cdk.Stack) -> dict[str, Any]:
    return dict(assertions.Template.from_stack(stack).to_json())


def references(value: Any) -> set[str]:
    """Logical ids a property value refers to (Ref, Fn::GetAtt)."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str) and not value["Ref"].startswith("AWS::"):
            found.add(value["Ref"])
        if "Fn::GetAtt" in value:
            found.add(value["Fn::GetAtt"][0])
        for v in value.values():
            found |= references(v)
    elif isinstance(value, list):
        for v in value:
            found |= references(v)
    return found


def assert_acyclic(t: dict[str, Any]) -> None:
    resources = t["Resources"]
    deps = {k: (references(r.get("Properties", {})) | set(r.get("DependsOn", []))) & set(resources)
            for k, r in resources.items()}
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, f"dependency cycle: {' -> '.join((*path, node))}"
        if node in done:
            return
        for d in deps[node]:
            visit(d, (*path, node))
        done.add(node)

    for node in deps:
        visit(node, ())


def iam_statements(t: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for kind in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::IAM::Role"):
        for r in of_type(t, kind).values():
            props = r["Properties"]
            docs = [props.get("PolicyDocument")] + [p["PolicyDocument"] for p in props.get("Policies", [])]
            for doc in filter(None, docs):
                out += doc["Statement"]
    return out


# -- the grant -----------------------------------------------------------------------------

def test_notebook_with_autostop_grants_exactly_describe_and_stop_on_itself(
        stack: cdk.Stack, scripts: Path) -> None:
    nb = NotebookInstance(stack, "Nb", lifecycle_config=with_autostop(stack, scripts))
    t = template(stack)
    notebook_id = stack.get_logical_id(nb.resource)
    policies = of_type(t, "AWS::IAM::ManagedPolicy")
    assert len(policies) == 1
    props = next(iter(policies.values()))["Properties"]
    assert props["PolicyDocument"]["Statement"] == [
        {"Action": ACTIONS, "Effect": "Allow", "Resource": {"Ref": notebook_id}}]
    # Attached by the policy naming the role: the role does not name the policy.
    role_id = stack.get_logical_id(nb.role.node.default_child)
    assert props["Roles"] == [{"Ref": role_id}]
    role = t["Resources"][role_id]["Properties"]
    assert "ManagedPolicyArns" not in role and "Policies" not in role
    assert of_type(t, "AWS::IAM::Policy") == {}
    assert_acyclic(t)


def test_without_autostop_there_is_no_grant(stack: cdk.Stack, scripts: Path) -> None:
    NotebookInstance(stack, "Nb", lifecycle_config=LifecycleConfig(stack, "L", on_start=scripts))
    assert of_type(template(stack), "AWS::IAM::ManagedPolicy") == {}


def test_grant_returns_a_successful_grant(stack: cdk.Stack) -> None:
    nb = NotebookInstance(stack, "Nb")
    other = iam.Role(stack, "Other", assumed_by=iam.AccountRootPrincipal())
    grant = nb.grant(other, *ACTIONS)
    assert grant.success
    assert grant.principal_statement is not None
    rendered = stack.resolve(grant.principal_statement.to_statement_json())
    assert rendered == {"Action": ACTIONS, "Effect": "Allow",
                        "Resource": {"Ref": stack.get_logical_id(nb.resource)}}
    user = iam.User(stack, "U")
    nb.grant(user, *reversed(ACTIONS))
    policy = next(iter(of_type(template(stack), "AWS::IAM::ManagedPolicy").values()))["Properties"]
    assert policy["Roles"] == [{"Ref": stack.get_logical_id(other.node.default_child)}]
    assert policy["Users"] == [{"Ref": stack.get_logical_id(user.node.default_child)}]
    assert len(policy["PolicyDocument"]["Statement"]) == 1


def test_grant_to_a_principal_that_takes_no_managed_policy_is_refused(stack: cdk.Stack) -> None:
    nb = NotebookInstance(stack, "Nb")
    with pytest.raises(BundleError, match="a customer-managed policy attaches to a role, a user or a group"):
        nb.grant(iam.ServicePrincipal("lambda.amazonaws.com"), *ACTIONS)


def test_an_arn_from_a_mixed_case_name_is_lowercased(stack: cdk.Stack) -> None:
    role = iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    AutostopPolicy(stack, "A", notebook_instance_name="Team-Notebook-A").grant(role)
    statement = next(iter(of_type(template(stack), "AWS::IAM::ManagedPolicy").values()))[
        "Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Action"] == ACTIONS
    assert stack.resolve(statement["Resource"]) == {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"},
        ":sagemaker:eu-west-1:123456789012:notebook-instance/team-notebook-a"]]}


def test_a_token_name_is_refused_and_one_of_name_or_arn_is_required(stack: cdk.Stack) -> None:
    param = cdk.CfnParameter(stack, "Name")
    with pytest.raises(BundleError, match="is a token: SageMaker lowercases names"):
        AutostopPolicy(stack, "A", notebook_instance_name=param.value_as_string)
    with pytest.raises(BundleError, match="give exactly one of notebook_instance_arn"):
        AutostopPolicy(stack, "B")


def test_a_mixed_case_notebook_uses_its_arn_attribute(stack: cdk.Stack, scripts: Path) -> None:
    nb = NotebookInstance(stack, "Nb", notebook_instance_name="Team-Notebook-A",
                          lifecycle_config=with_autostop(stack, scripts))
    statement = next(iter(of_type(template(stack), "AWS::IAM::ManagedPolicy").values()))[
        "Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Resource"] == {"Ref": stack.get_logical_id(nb.resource)}


# -- the construct -------------------------------------------------------------------------

def test_secure_defaults(stack: cdk.Stack) -> None:
    nb = NotebookInstance(stack, "Nb")
    props = template(stack)["Resources"][stack.get_logical_id(nb.resource)]["Properties"]
    assert props["PlatformIdentifier"] == "notebook-al2023-v1"
    assert props["RootAccess"] == "Disabled"
    assert props["InstanceMetadataServiceConfiguration"] == {"MinimumInstanceMetadataServiceVersion": "2"}
    assert props["DirectInternetAccess"] == "Enabled"  # SageMaker requires it without a VPC
    assert props["InstanceType"] == "ml.t3.medium" and props["VolumeSizeInGB"] == 5
    role = of_type(template(stack), "AWS::IAM::Role")
    assert len(role) == 1
    role_props = next(iter(role.values()))["Properties"]
    assert role_props["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "sagemaker.amazonaws.com"}
    assert "ManagedPolicyArns" not in role_props


def test_in_a_vpc_there_is_no_direct_internet_access(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="p", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    nb = NotebookInstance(stack, "Nb", vpc=vpc)
    t = template(stack)
    props = t["Resources"][stack.get_logical_id(nb.resource)]["Properties"]
    assert props["DirectInternetAccess"] == "Disabled"
    assert props["SubnetId"] == {"Ref": stack.get_logical_id(vpc.isolated_subnets[0].node.default_child)}
    (sg_id, sg), = of_type(t, "AWS::EC2::SecurityGroup").items()
    assert props["SecurityGroupIds"] == [{"Fn::GetAtt": [sg_id, "GroupId"]}]
    assert "SecurityGroupIngress" not in sg["Properties"]


def test_a_given_role_is_used_and_granted(stack: cdk.Stack, scripts: Path) -> None:
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    NotebookInstance(stack, "Nb", role=role, lifecycle_config=with_autostop(stack, scripts))
    t = template(stack)
    assert len(of_type(t, "AWS::IAM::Role")) == 1
    policy = next(iter(of_type(t, "AWS::IAM::ManagedPolicy").values()))["Properties"]
    assert policy["Roles"] == [{"Ref": stack.get_logical_id(role.node.default_child)}]


@pytest.mark.parametrize(("props", "message"), [
    ({"instance_type": "t3.medium"}, "instance_type='t3.medium' is not a SageMaker instance type"),
    ({"volume_size_in_gb": 2}, "volume_size_in_gb=2 must be a whole number from 5 to 16384"),
    ({"platform_identifier": "al2023"}, "platform_identifier='al2023' is not a notebook platform"),
    ({"notebook_instance_name": "bad_name"}, "notebook_instance_name"),
    ({"direct_internet_access": False}, "need a vpc"),
])
def test_bad_props_fail_at_construction(stack: cdk.Stack, props: dict[str, Any], message: str) -> None:
    with pytest.raises(BundleError, match=message):
        NotebookInstance(stack, "Nb", **props)


# -- the aspect ----------------------------------------------------------------------------

def test_the_aspect_gives_autostop_to_every_notebook_without_lifecycle_config(
        stack: cdk.Stack, scripts: Path) -> None:
    lcc = with_autostop(stack, scripts)
    other = LifecycleConfig(stack, "Other", on_start=scripts)
    role = iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    sagemaker.CfnNotebookInstance(stack, "Bare", instance_type="ml.t3.medium", role_arn=role.role_arn)
    sagemaker.CfnNotebookInstance(stack, "Own", instance_type="ml.t3.medium", role_arn=role.role_arn,
                                  lifecycle_config_name=other.lifecycle_config_name)
    cdk.Aspects.of(stack).add(AttachLifecycleConfig(lcc))
    t = template(stack)
    lcc_id, other_id = stack.get_logical_id(lcc.resource), stack.get_logical_id(other.resource)
    assert t["Resources"]["Bare"]["Properties"]["LifecycleConfigName"] == {
        "Fn::GetAtt": [lcc_id, "NotebookInstanceLifecycleConfigName"]}
    assert t["Resources"]["Own"]["Properties"]["LifecycleConfigName"] == {
        "Fn::GetAtt": [other_id, "NotebookInstanceLifecycleConfigName"]}
    policies = of_type(t, "AWS::IAM::ManagedPolicy")
    assert len(policies) == 1
    props = next(iter(policies.values()))["Properties"]
    assert props["PolicyDocument"]["Statement"][0]["Resource"] == {"Ref": "Bare"}
    assert references(props["Roles"]) == {stack.get_logical_id(role.node.default_child)}
    assert_acyclic(t)


def s3_statements(t: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in iam_statements(t) if "s3:GetObject" in json.dumps(s["Action"])]


def test_a_notebook_may_read_its_s3_payload_and_nothing_else(stack: cdk.Stack, scripts: Path) -> None:
    lcc = LifecycleConfig(stack, "L", on_start=scripts, payload="s3")
    nb = NotebookInstance(stack, "Nb", lifecycle_config=lcc)
    t = template(stack)
    (statement,) = s3_statements(t)
    assert statement["Action"] == "s3:GetObject" and statement["Effect"] == "Allow"
    resource = json.dumps(statement["Resource"])
    assert "*" not in resource
    key = resource.rsplit("/", 1)[1].split('"')[0]  # the one object the on-start downloads
    assert key.endswith(".lcc")
    assert lcc.on_start_script is not None and key in lcc.on_start_script.text
    policy = next(r for r in of_type(t, "AWS::IAM::Policy").values()
                  if statement in r["Properties"]["PolicyDocument"]["Statement"])
    assert references(policy["Properties"]["Roles"]) == {stack.get_logical_id(nb.role.node.default_child)}
    assert_acyclic(t)


def test_an_inline_payload_grants_no_s3_read(stack: cdk.Stack, scripts: Path) -> None:
    NotebookInstance(stack, "Nb", lifecycle_config=LifecycleConfig(stack, "L", on_start=scripts))
    assert s3_statements(template(stack)) == []


def test_the_aspect_grants_the_s3_payload_to_each_notebook_role(stack: cdk.Stack, scripts: Path) -> None:
    lcc = LifecycleConfig(stack, "L", on_start=scripts, payload="s3")
    role = iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    sagemaker.CfnNotebookInstance(stack, "Bare", instance_type="ml.t3.medium", role_arn=role.role_arn)
    cdk.Aspects.of(stack).add(AttachLifecycleConfig(lcc))
    t = template(stack)
    (statement,) = s3_statements(t)
    policy = next(r for r in of_type(t, "AWS::IAM::Policy").values()
                  if statement in r["Properties"]["PolicyDocument"]["Statement"])
    assert references(policy["Properties"]["Roles"]) == {stack.get_logical_id(role.node.default_child)}
    assert_acyclic(t)


# -- the example's secure stack --------------------------------------------------------------

def example_stack(monkeypatch: pytest.MonkeyPatch) -> cdk.Stack:
    # As when run as a script: its folder comes first on the module path (for network.py).
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    spec = importlib.util.spec_from_file_location("example_app", ROOT / "examples" / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stack: cdk.Stack = module.NotebookStack(cdk.App(), "LccExample")
    return stack


def test_the_example_has_no_wildcard_in_any_iam_policy_and_no_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    t = template(example_stack(monkeypatch))
    statements = iam_statements(t)
    assert statements
    for s in statements:
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        assert not any("*" in a for a in actions), s
        resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
        assert not any(isinstance(r, str) and "*" in r for r in resources), s
    assert_acyclic(t)


def test_cdk_nag_aws_solutions_finds_nothing_in_the_example(monkeypatch: pytest.MonkeyPatch) -> None:
    # cdk-nag 3 runs its packs as CDK policy-validation plugins; validate_scope checks a stack.
    from cdk_nag import AwsSolutionsChecks

    stack = example_stack(monkeypatch)
    report = AwsSolutionsChecks().validate_scope(stack)
    found = [(v.rule_name, [r.construct_path for r in v.violating_resources], v.description)
             for v in report.violations]
    assert report.success and found == [], found
    # Nothing acknowledged either, least of all IAM5 (wildcard permissions).
    assert "AwsSolutions-" not in json.dumps(template(stack))


def test_cdk_nag_would_see_a_wildcard(monkeypatch: pytest.MonkeyPatch) -> None:
    # The check above can fail: the same pack flags a wildcard added to the notebook's role.
    from cdk_nag import AwsSolutionsChecks

    stack = example_stack(monkeypatch)
    stack.notebook.role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:*"], resources=["*"]))
    rules = {v.rule_name for v in AwsSolutionsChecks().validate_scope(stack).violations}
    assert "AwsSolutions-IAM5[Resource::*]" in rules


# -- CDK conventions ---------------------------------------------------------------------------

def test_an_existing_configuration_by_name_with_notebook_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    # A configuration deployed by hand or by `lcc deploy`: the app cannot read what it runs, so
    # the notebook is told it needs autostop's permissions. cdk-nag finds nothing here either.
    from cdk_nag import AwsSolutionsChecks

    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    from network import private_network, volume_key

    stack = cdk.Stack(cdk.App(), "Existing", env=cdk.Environment(account="123456789012", region="us-east-1"))
    vpc, sg = private_network(stack)
    existing = LifecycleConfig.from_lifecycle_config_name(stack, "Existing", "team-notebooks")
    assert isinstance(existing, ILifecycleConfig) and existing.notebook_actions == ()
    assert stack.resolve(existing.lifecycle_config_arn) == {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"},
        ":sagemaker:us-east-1:123456789012:notebook-instance-lifecycle-config/team-notebooks"]]}
    nb = NotebookInstance(stack, "Nb", lifecycle_config=existing, notebook_actions=ACTIONS, vpc=vpc,
                          security_groups=[sg], kms_key=volume_key(stack))
    t = template(stack)
    props = t["Resources"][stack.get_logical_id(nb.resource)]["Properties"]
    assert props["LifecycleConfigName"] == "team-notebooks"
    (policy,) = of_type(t, "AWS::IAM::ManagedPolicy").values()
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {"Action": ACTIONS, "Effect": "Allow", "Resource": {"Ref": stack.get_logical_id(nb.resource)}}]
    report = AwsSolutionsChecks().validate_scope(stack)
    assert report.success and [v.rule_name for v in report.violations] == []


def test_a_bad_existing_name_is_refused(stack: cdk.Stack) -> None:
    with pytest.raises(BundleError, match="lifecycle_config_name 'bad_name' is not valid"):
        LifecycleConfig.from_lifecycle_config_name(stack, "X", "bad_name")


def test_explicit_notebook_actions_are_granted_on_the_instance(stack: cdk.Stack) -> None:
    nb = NotebookInstance(stack, "Nb", notebook_actions=["sagemaker:DescribeNotebookInstance"])
    assert iam_statements(template(stack)) == [{
        "Action": "sagemaker:DescribeNotebookInstance", "Effect": "Allow",
        "Resource": {"Ref": stack.get_logical_id(nb.resource)}}]
    with pytest.raises(BundleError, match=r"notebook_actions: 'sagemaker:\*' is not one SageMaker action"):
        NotebookInstance(stack, "Nb2", notebook_actions=["sagemaker:*"])


def test_constructs_are_resources_with_a_removal_policy(stack: cdk.Stack, scripts: Path) -> None:
    lcc = LifecycleConfig(stack, "Lcc", on_start=scripts)
    nb = NotebookInstance(stack, "Nb", lifecycle_config=lcc)
    lcc.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    nb.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    resources = template(stack)["Resources"]
    for construct in (lcc, nb):
        assert resources[stack.get_logical_id(construct.resource)]["DeletionPolicy"] == "Retain"
    assert isinstance(lcc, cdk.Resource) and isinstance(nb, cdk.Resource)
    assert lcc.stack is stack and nb.env.region == stack.region


def test_a_notebook_is_grantable(stack: cdk.Stack) -> None:
    from aws_cdk import aws_s3 as s3

    nb = NotebookInstance(stack, "Nb")
    bucket = s3.Bucket(stack, "Data")
    grant = bucket.grant_read(nb)
    assert grant.success and nb.grant_principal is nb.role.grant_principal
    policies = of_type(template(stack), "AWS::IAM::Policy")
    assert [references(p["Properties"]["Roles"]) for p in policies.values()] == [
        {stack.get_logical_id(nb.role.node.default_child)}]


def test_a_notebook_in_a_vpc_is_connectable(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="p", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    nb = NotebookInstance(stack, "Nb", vpc=vpc)
    database = ec2.SecurityGroup(stack, "Db", vpc=vpc)
    database.connections.allow_from(nb, ec2.Port.tcp(5432), "notebook to database")
    ingress = of_type(template(stack), "AWS::EC2::SecurityGroupIngress")
    (rule,) = ingress.values()
    assert rule["Properties"]["FromPort"] == 5432
    assert rule["Properties"]["SourceSecurityGroupId"]["Fn::GetAtt"][0] == stack.get_logical_id(
        nb.node.find_child("SecurityGroup").node.default_child)
    outside = NotebookInstance(stack, "NoVpc")
    with pytest.raises(BundleError, match="connections need the instance in a vpc"):
        _ = outside.connections


def test_a_volume_size_parameter_is_passed_on(stack: cdk.Stack) -> None:
    size = cdk.CfnParameter(stack, "Size", type="Number", default=20)
    nb = NotebookInstance(stack, "Nb", volume_size_in_gb=size.value_as_number)
    props = template(stack)["Resources"][stack.get_logical_id(nb.resource)]["Properties"]
    assert props["VolumeSizeInGB"] == {"Ref": "Size"}


def test_code_repositories(stack: cdk.Stack) -> None:
    nb = NotebookInstance(stack, "Nb", default_code_repository="https://github.com/example/a.git",
                          additional_code_repositories=["https://github.com/example/b.git"])
    props = template(stack)["Resources"][stack.get_logical_id(nb.resource)]["Properties"]
    assert props["DefaultCodeRepository"] == "https://github.com/example/a.git"
    assert props["AdditionalCodeRepositories"] == ["https://github.com/example/b.git"]
    with pytest.raises(BundleError, match="SageMaker takes at most 3"):
        NotebookInstance(stack, "Nb2", additional_code_repositories=["a", "b", "c", "d"])


def test_every_bad_prop_is_named_at_once(stack: cdk.Stack) -> None:
    with pytest.raises(BundleError) as e:
        NotebookInstance(stack, "Nb", instance_type="t3.medium", volume_size_in_gb=1,
                         notebook_instance_name="bad_name")
    assert len(e.value.problems) == 3
    assert str(e.value).startswith("NotebookInstance 'S/Nb': 3 problems:")
    assert e.value.path == "S/Nb"


# -- the notebook as a CDK resource --------------------------------------------------------------

def managed_policies(t: dict[str, Any]) -> list[dict[str, Any]]:
    return [r["Properties"] for r in of_type(t, "AWS::IAM::ManagedPolicy").values()]


def test_a_notebook_and_an_imported_one_are_notebook_instances(stack: cdk.Stack) -> None:
    nb = NotebookInstance(stack, "Nb")
    imported = NotebookInstance.from_notebook_instance_name(stack, "Imported", "Team-Notebook")
    for notebook in (nb, imported):
        assert isinstance(notebook, INotebookInstance) and isinstance(notebook, cdk.Resource)
    assert not isinstance(LifecycleConfig.from_lifecycle_config_name(stack, "L", "x"), INotebookInstance)
    assert imported.notebook_instance_name == "Team-Notebook"
    assert stack.resolve(imported.notebook_instance_arn) == {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"},
        ":sagemaker:eu-west-1:123456789012:notebook-instance/team-notebook"]]}
    assert imported.stack is stack


def test_grant_gives_the_actions_on_the_instance_arn_only(stack: cdk.Stack) -> None:
    nb = NotebookInstance(stack, "Nb")
    imported = NotebookInstance.from_notebook_instance_name(stack, "Imported", "team-notebook")
    scheduler = iam.Role(stack, "Scheduler", assumed_by=iam.AccountRootPrincipal())
    assert nb.grant(scheduler, "sagemaker:StartNotebookInstance").success
    assert imported.grant(scheduler, "sagemaker:StopNotebookInstance").success
    policies = managed_policies(template(stack))
    assert [p["PolicyDocument"]["Statement"] for p in policies] == [
        [{"Action": "sagemaker:StartNotebookInstance", "Effect": "Allow",
          "Resource": {"Ref": stack.get_logical_id(nb.resource)}}],
        [{"Action": "sagemaker:StopNotebookInstance", "Effect": "Allow",
          "Resource": stack.resolve(imported.notebook_instance_arn)}]]
    scheduler_ref = {"Ref": stack.get_logical_id(scheduler.node.default_child)}
    assert [p["Roles"] for p in policies] == [[scheduler_ref], [scheduler_ref]]


@pytest.mark.parametrize(("actions", "message"), [
    ((), "actions: give at least one"),
    (("s3:GetObject",), "actions: 's3:GetObject' is not one SageMaker action"),
    (("sagemaker:*",), r"actions: 'sagemaker:\*' is not one SageMaker action"),
    (("sagemaker:Stop?otebookInstance",), "is not one SageMaker action"),
])
def test_grant_refuses_what_is_not_one_sagemaker_action(
        stack: cdk.Stack, actions: tuple[str, ...], message: str) -> None:
    role = iam.Role(stack, "R", assumed_by=iam.AccountRootPrincipal())
    for n, notebook in enumerate((NotebookInstance(stack, "Nb"),
                                  NotebookInstance.from_notebook_instance_name(stack, "I", "nb"))):
        with pytest.raises(BundleError, match=message) as e:
            notebook.grant(role, *actions)
        assert e.value.path == ("S/Nb", "S/I")[n]


def test_an_imported_notebook_has_an_unknown_principal_and_no_security_group(stack: cdk.Stack) -> None:
    imported = NotebookInstance.from_notebook_instance_name(stack, "Imported", "team-notebook")
    assert isinstance(imported.grant_principal, iam.UnknownPrincipal)
    assert imported.connections.security_groups == []
    from aws_cdk import aws_s3 as s3

    # As aws-cdk-lib does for an imported resource without a role: reported at synth, not lost.
    iam.Grant.add_to_principal(grantee=imported, actions=["s3:GetObject"],
                               resource_arns=[s3.Bucket(stack, "B").arn_for_objects("k")])
    warnings = assertions.Annotations.from_stack(stack).find_warning(
        "/S/Imported", assertions.Match.any_value())
    assert any("Add statement to this resource's role" in str(w.entry.data) for w in warnings)


def test_an_imported_notebook_name_is_checked(stack: cdk.Stack) -> None:
    with pytest.raises(BundleError, match="notebook_instance_name: .*'bad_name'") as e:
        NotebookInstance.from_notebook_instance_name(stack, "Bad", "bad_name")
    assert e.value.path == "S/Bad"
    param = cdk.CfnParameter(stack, "Name")
    with pytest.raises(BundleError, match="is a token: SageMaker lowercases names"):
        NotebookInstance.from_notebook_instance_name(stack, "Token", param.value_as_string)


# -- bind: one way of giving a notebook what its configuration needs ------------------------------

def test_bind_grants_the_declared_actions_on_that_notebook(stack: cdk.Stack, scripts: Path) -> None:
    nb = NotebookInstance(stack, "Nb")
    with_autostop(stack, scripts).bind(nb)
    LifecycleConfig(stack, "Plain", on_start=scripts).bind(nb)  # declares nothing: nothing
    LifecycleConfig.from_lifecycle_config_name(stack, "Existing", "team").bind(nb)  # not known: nothing
    (policy,) = managed_policies(template(stack))
    assert policy["PolicyDocument"]["Statement"] == [
        {"Action": ACTIONS, "Effect": "Allow", "Resource": {"Ref": stack.get_logical_id(nb.resource)}}]
    assert policy["Roles"] == [{"Ref": stack.get_logical_id(nb.role.node.default_child)}]
    assert s3_statements(template(stack)) == []


def test_bind_grants_the_s3_payload(stack: cdk.Stack, scripts: Path) -> None:
    nb = NotebookInstance(stack, "Nb")
    LifecycleConfig(stack, "L", on_start=scripts, payload="s3").bind(nb)
    (statement,) = s3_statements(template(stack))
    assert statement["Action"] == "s3:GetObject"


class RecordingConfig(LifecycleConfig):
    """A configuration that records the notebooks it is bound to."""

    bound: list[str]

    def bind(self, notebook: INotebookInstance) -> None:
        self.bound.append(notebook.node.path)
        super().bind(notebook)


def test_the_notebook_and_the_aspect_both_bind(stack: cdk.Stack, scripts: Path) -> None:
    from lcc_constructs import Scripts

    lcc = RecordingConfig(stack, "L", on_start=[Scripts.from_folder(scripts), autostop()])
    lcc.bound = []
    role = iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    NotebookInstance(stack, "Nb", lifecycle_config=lcc)
    sagemaker.CfnNotebookInstance(stack, "Bare", instance_type="ml.t3.medium", role_arn=role.role_arn)
    cdk.Aspects.of(stack).add(AttachLifecycleConfig(lcc))
    t = template(stack)
    assert lcc.bound == ["S/Nb", "S/BareLifecycle"]
    resources = sorted(json.dumps(p["PolicyDocument"]["Statement"][0]["Resource"])
                       for p in managed_policies(t))
    assert resources == [json.dumps({"Ref": "Bare"}), json.dumps({"Ref": stack.get_logical_id(
        stack.node.find_child("Nb").node.default_child)})]


def test_the_aspect_refuses_bad_notebook_actions(stack: cdk.Stack) -> None:
    existing = LifecycleConfig.from_lifecycle_config_name(stack, "E", "team")
    with pytest.raises(BundleError, match="AttachLifecycleConfig: notebook_actions: 'sagemaker:\\*'"):
        AttachLifecycleConfig(existing, notebook_actions=["sagemaker:*"])


def test_the_aspect_grants_notebook_actions_for_an_existing_configuration(stack: cdk.Stack) -> None:
    existing = LifecycleConfig.from_lifecycle_config_name(stack, "E", "team")
    role = iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    sagemaker.CfnNotebookInstance(stack, "Bare", instance_type="ml.t3.medium", role_arn=role.role_arn)
    cdk.Aspects.of(stack).add(AttachLifecycleConfig(existing, notebook_actions=ACTIONS))
    t = template(stack)
    assert t["Resources"]["Bare"]["Properties"]["LifecycleConfigName"] == "team"
    (policy,) = managed_policies(t)
    assert policy["PolicyDocument"]["Statement"] == [{"Action": ACTIONS, "Effect": "Allow",
                                                      "Resource": {"Ref": "Bare"}}]
    assert references(policy["Roles"]) == {stack.get_logical_id(role.node.default_child)}


# -- removal policy -------------------------------------------------------------------------------

def policies_of(t: dict[str, Any], ids: list[str]) -> set[tuple[str | None, str | None]]:
    return {(t["Resources"][i].get("DeletionPolicy"), t["Resources"][i].get("UpdateReplacePolicy"))
            for i in ids}


def created_ids(stack: cdk.Stack, nb: NotebookInstance) -> list[str]:
    """The instance and what it made: role, security group, policy."""
    children = [nb.resource, nb.role.node.default_child,
                nb.node.find_child("SecurityGroup").node.default_child,
                nb.node.find_child("Policy").node.find_child("Resource").node.default_child]
    return [stack.get_logical_id(c) for c in children]


def isolated_vpc(stack: cdk.Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="p", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])


def test_a_notebook_is_kept_by_default(stack: cdk.Stack) -> None:
    nb = NotebookInstance(stack, "Nb", vpc=isolated_vpc(stack), notebook_actions=ACTIONS)
    t = template(stack)
    assert policies_of(t, created_ids(stack, nb)) == {("Retain", "Retain")}


def test_removal_policy_destroy(stack: cdk.Stack) -> None:
    nb = NotebookInstance(stack, "Nb", vpc=isolated_vpc(stack), notebook_actions=ACTIONS,
                          removal_policy=cdk.RemovalPolicy.DESTROY)
    t = template(stack)
    assert policies_of(t, created_ids(stack, nb)) == {("Delete", "Delete")}


def test_a_given_role_keeps_its_own_removal_policy(stack: cdk.Stack) -> None:
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    NotebookInstance(stack, "Nb", role=role)
    assert policies_of(template(stack), [stack.get_logical_id(role.node.default_child)]) == {(None, None)}


# -- the deprecated autostop names, aliases of the general ones ------------------------------------

def deprecations(stack: cdk.Stack) -> list[str]:
    return [str(w.entry.data) for w in assertions.Annotations.from_stack(stack).find_warning(
        "*", assertions.Match.string_like_regexp("is deprecated"))]


def test_autostop_permissions_is_notebook_actions_and_says_it_is_deprecated() -> None:
    def synth(**props: Any) -> tuple[dict[str, Any], list[str]]:
        s = cdk.Stack(cdk.App(), "S", env=cdk.Environment(account="123456789012", region="eu-west-1"))
        NotebookInstance(s, "Nb", **props)
        return template(s), deprecations(s)

    old, old_warnings = synth(autostop_permissions=True)
    new, new_warnings = synth(notebook_actions=ACTIONS)
    assert old == new and new_warnings == []
    (warning,) = old_warnings
    assert ("lcc-constructs.NotebookInstance#autostop_permissions is deprecated: "
            "use notebook_actions=['sagemaker:DescribeNotebookInstance', ") in warning


def test_grant_autostop_and_grant_notebook_actions_are_grant_and_say_they_are_deprecated(
        stack: cdk.Stack) -> None:
    def statement(grant: iam.Grant) -> Any:
        assert grant.principal_statement is not None
        return stack.resolve(grant.principal_statement.to_statement_json())

    nb = NotebookInstance(stack, "Nb")
    new_only = NotebookInstance(cdk.Stack(cdk.App(), "New"), "Nb")
    role = iam.Role(stack, "R", assumed_by=iam.AccountRootPrincipal())
    new = statement(nb.grant(role, *ACTIONS))
    new_only.grant(iam.Role(new_only, "R", assumed_by=iam.AccountRootPrincipal()), *ACTIONS)
    assert deprecations(new_only.stack) == []
    assert statement(nb.grant_autostop(role)) == new
    assert statement(nb.grant_notebook_actions(role, ACTIONS)) == new
    assert len(managed_policies(template(stack))) == 1
    warnings = deprecations(stack)
    assert len(warnings) == 2
    assert "NotebookInstance#grant_autostop is deprecated: use grant(grantee, 'sagemaker:" in warnings[0]
    assert "#grant_notebook_actions is deprecated: use grant(grantee, *actions)" in warnings[1]


def test_autostop_policy_is_a_notebook_policy_and_says_it_is_deprecated(stack: cdk.Stack) -> None:
    from lcc_constructs import NotebookPolicy

    role = iam.Role(stack, "R", assumed_by=iam.AccountRootPrincipal())
    NotebookPolicy(stack, "New", actions=ACTIONS, notebook_instance_name="nb").grant(role)
    AutostopPolicy(stack, "Old", notebook_instance_name="nb").grant(role)
    old, new = (of_type(template(stack), "AWS::IAM::ManagedPolicy")[stack.get_logical_id(
        stack.node.find_child(n).node.find_child("Resource").node.default_child)]["Properties"]
        for n in ("Old", "New"))
    assert old["PolicyDocument"] == new["PolicyDocument"] and old["Roles"] == new["Roles"]
    (warning,) = deprecations(stack)  # NotebookPolicy says nothing
    assert "lcc-constructs.AutostopPolicy is deprecated" in warning
