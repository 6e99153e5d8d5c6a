"""Notebook instances: the ``NotebookInstance`` construct (secure by default), the autostop IAM
policy and grant, and an Aspect that gives every notebook instance of a scope a lifecycle
configuration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import jsii
from aws_cdk import IAspect, Stack, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct, IConstruct

from .autostop import carries_autostop
from .checks import check_config_name
from .errors import BundleError
from .lifecycle_config import LifecycleConfig
from .limits import DEFAULT_PLATFORM_IDENTIFIER, MAX_VOLUME_SIZE_GB, MIN_VOLUME_SIZE_GB

#: Exactly what the autostop checker calls, and nothing else.
AUTOSTOP_ACTIONS = ("sagemaker:DescribeNotebookInstance", "sagemaker:StopNotebookInstance")


def notebook_instance_arn_from_name(scope: Construct, notebook_instance_name: str) -> str:
    """The ARN of a notebook instance from its name. SageMaker lowercases names inside ARNs,
    so this does too; a name only known at deploy time (a token) cannot be lowercased by
    CloudFormation, hence refused."""
    if Token.is_unresolved(notebook_instance_name):
        raise BundleError(
            f"notebook_instance_name={notebook_instance_name!r} is a token: SageMaker lowercases "
            "names in ARNs and CloudFormation cannot. Fix: pass a literal name, or the instance "
            "itself (NotebookInstance / CfnNotebookInstance) to use its ARN attribute."
        )
    return cast(str, Stack.of(scope).format_arn(
        service="sagemaker", resource="notebook-instance",
        resource_name=notebook_instance_name.lower(),
    ))


@jsii.implements(iam.IPrincipal)
class _IntoManagedPolicy:
    """A principal whose policy is a given customer-managed policy, so that
    ``iam.Grant.add_to_principal`` records the grant there (with the policy as dependable)."""

    def __init__(self, policy: iam.ManagedPolicy, principal: iam.IPrincipal) -> None:
        self._policy = policy
        self._principal = principal

    @property
    def grant_principal(self) -> iam.IPrincipal:
        return cast(iam.IPrincipal, self)

    @property
    def assume_role_action(self) -> str:
        return cast(str, self._principal.assume_role_action)

    @property
    def policy_fragment(self) -> iam.PrincipalPolicyFragment:
        return self._principal.policy_fragment

    @property
    def principal_account(self) -> str | None:
        return cast("str | None", self._principal.principal_account)

    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        self._policy.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=self._policy)


class AutostopPolicy(Construct):
    """A customer-managed policy allowing exactly ``sagemaker:DescribeNotebookInstance`` and
    ``sagemaker:StopNotebookInstance`` on one notebook instance, attached to the principals
    given to :meth:`grant`.

    The policy names the roles it is attached to (not the other way round), so it depends on
    the role and on the instance while the instance depends only on the role: no cycle.

    :param notebook_instance_arn: the instance's ARN (for a construct: its ``ref``).
    :param notebook_instance_name: or its name, for an instance made elsewhere; lowercased in
        the ARN as SageMaker does.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        notebook_instance_arn: str | None = None,
        notebook_instance_name: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        if (notebook_instance_arn is None) == (notebook_instance_name is None):
            raise BundleError(
                f"AutostopPolicy {self.node.path!r}: give exactly one of notebook_instance_arn "
                f"and notebook_instance_name (got {notebook_instance_arn!r}, {notebook_instance_name!r})"
            )
        self.notebook_instance_arn = notebook_instance_arn or notebook_instance_arn_from_name(
            self, cast(str, notebook_instance_name))
        self.policy = iam.ManagedPolicy(
            self, "Resource",
            description="lcc-constructs autostop: describe and stop this notebook instance",
        )

    def grant(self, grantee: iam.IGrantable) -> iam.Grant:
        """Attach the policy to ``grantee`` (a role, user or group) and return the grant."""
        principal = grantee.grant_principal
        if hasattr(principal, "role_name"):
            self.policy.attach_to_role(cast(iam.IRole, principal))
        elif hasattr(principal, "user_name"):
            self.policy.attach_to_user(cast(iam.IUser, principal))
        elif hasattr(principal, "group_name"):
            self.policy.attach_to_group(cast(iam.IGroup, principal))
        else:
            raise BundleError(
                f"AutostopPolicy {self.node.path!r}: cannot grant to {principal}: a customer-managed "
                "policy attaches to a role, a user or a group. Fix: pass the notebook's role."
            )
        return iam.Grant.add_to_principal(
            grantee=_IntoManagedPolicy(self.policy, principal),
            actions=list(AUTOSTOP_ACTIONS),
            resource_arns=[self.notebook_instance_arn],
        )


class NotebookInstance(Construct):
    """A SageMaker notebook instance, secure by default.

    Creates a role for the instance unless given one (with no permissions but autostop's), runs
    Amazon Linux 2023 (``notebook-al2023-v1``), disables root access for the notebook user,
    requires IMDSv2, and, given a VPC, places the instance in one of its subnets without direct
    internet access. When the lifecycle configuration carries the autostop recipe, the role is
    granted exactly what autostop needs (see :meth:`grant_autostop`); when its payload is in S3
    (``payload="s3"``), the role may read that object and no other.

    :param instance_type: default ``ml.t3.medium``.
    :param lifecycle_config: the :class:`LifecycleConfig` to run. Default: none.
    :param role: the instance's role. Default: a new role SageMaker can assume, without policies.
    :param platform_identifier: default ``notebook-al2023-v1``.
    :param root_access: let the notebook user become root. Default False (lifecycle scripts
        still run as root).
    :param vpc: the VPC to place the instance in. Default: none (SageMaker's network, with
        direct internet access).
    :param vpc_subnets: which subnet of ``vpc`` (the first selected is used). Default: the VPC's
        private subnets.
    :param security_groups: default (with a VPC): a new security group allowing no inbound
        traffic and all outbound traffic.
    :param direct_internet_access: default False in a VPC (traffic goes through the VPC), True
        without one (SageMaker requires it then).
    :param kms_key: key encrypting the ML storage volume. Default: an AWS-owned key.
    :param volume_size_in_gb: the ML storage volume (the only persistent storage). Default 5.
    :param notebook_instance_name: default: generated by CloudFormation.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        instance_type: str = "ml.t3.medium",
        lifecycle_config: LifecycleConfig | None = None,
        role: iam.IRole | None = None,
        platform_identifier: str = DEFAULT_PLATFORM_IDENTIFIER,
        root_access: bool = False,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        direct_internet_access: bool | None = None,
        kms_key: kms.IKey | None = None,
        volume_size_in_gb: int = MIN_VOLUME_SIZE_GB,
        notebook_instance_name: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        where = f"NotebookInstance {self.node.path!r}"
        self._check(where, instance_type=instance_type, platform_identifier=platform_identifier,
                    volume_size_in_gb=volume_size_in_gb, notebook_instance_name=notebook_instance_name)
        if vpc is None and (security_groups or vpc_subnets or direct_internet_access is False):
            raise BundleError(
                f"{where}: security_groups, vpc_subnets and direct_internet_access=False need a "
                "vpc (SageMaker only turns direct internet access off inside a VPC). Fix: pass vpc=."
            )
        self.role: iam.IRole = role or iam.Role(
            self, "Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
            description="Role of a SageMaker notebook instance (lcc-constructs)",
        )
        subnet_id = None
        security_group_ids = None
        if vpc is not None:
            subnets = vpc.select_subnets(**_subnet_selection(vpc_subnets)).subnets
            if not subnets:
                raise BundleError(f"{where}: vpc_subnets={vpc_subnets!r} selects no subnet of the vpc")
            subnet_id = subnets[0].subnet_id
            if not security_groups:
                security_groups = [ec2.SecurityGroup(
                    self, "SecurityGroup", vpc=vpc, allow_all_outbound=True,
                    description="SageMaker notebook instance (no inbound traffic)",
                )]
            security_group_ids = [sg.security_group_id for sg in security_groups]
        internet = direct_internet_access if direct_internet_access is not None else vpc is None
        self.lifecycle_config = lifecycle_config
        self.resource = sagemaker.CfnNotebookInstance(
            self, "Resource",
            instance_type=instance_type,
            role_arn=self.role.role_arn,
            lifecycle_config_name=lifecycle_config.attr_lifecycle_config_name if lifecycle_config else None,
            platform_identifier=platform_identifier,
            root_access="Enabled" if root_access else "Disabled",
            subnet_id=subnet_id,
            security_group_ids=security_group_ids,
            direct_internet_access="Enabled" if internet else "Disabled",
            kms_key_id=kms_key.key_arn if kms_key else None,
            volume_size_in_gb=volume_size_in_gb,
            notebook_instance_name=notebook_instance_name,
            instance_metadata_service_configuration=sagemaker.CfnNotebookInstance.
            InstanceMetadataServiceConfigurationProperty(minimum_instance_metadata_service_version="2"),
        )
        self._autostop_policy: AutostopPolicy | None = None
        if lifecycle_config is not None:
            lifecycle_config.grant_read_payload(self.role)  # nothing when the payload is inline
            if _carries_autostop(lifecycle_config):
                self.grant_autostop(self.role)

    @staticmethod
    def _check(where: str, **props: Any) -> None:
        instance_type = props["instance_type"]
        if not Token.is_unresolved(instance_type) and not str(instance_type).startswith("ml."):
            raise BundleError(f"{where}: instance_type={instance_type!r} is not a SageMaker instance "
                              "type. Fix: use one like 'ml.t3.medium'.")
        platform = props["platform_identifier"]
        if not Token.is_unresolved(platform) and not str(platform).startswith("notebook-"):
            raise BundleError(f"{where}: platform_identifier={platform!r} is not a notebook platform. "
                              f"Fix: use {DEFAULT_PLATFORM_IDENTIFIER!r} (or 'notebook-al2-v3').")
        size = props["volume_size_in_gb"]
        if not MIN_VOLUME_SIZE_GB <= size <= MAX_VOLUME_SIZE_GB:
            raise BundleError(f"{where}: volume_size_in_gb={size!r} must be from {MIN_VOLUME_SIZE_GB} "
                              f"to {MAX_VOLUME_SIZE_GB}")
        name = props["notebook_instance_name"]
        if name is not None and not Token.is_unresolved(name):
            problems = check_config_name(name)
            if problems:
                raise BundleError(f"{where}: notebook_instance_name: {problems[0]}")

    @property
    def notebook_instance_arn(self) -> str:
        """The instance's ARN (``Ref``: SageMaker's own, with the name lowercased)."""
        return cast(str, self.resource.ref)

    @property
    def notebook_instance_name(self) -> str:
        """The instance's name (a GetAtt token)."""
        return cast(str, self.resource.attr_notebook_instance_name)

    def grant_autostop(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` describe and stop this instance, and nothing else: a customer-managed
        policy on this instance's ARN, attached to the grantee's role (or user or group)."""
        if self._autostop_policy is None:
            self._autostop_policy = AutostopPolicy(
                self, "AutostopPolicy", notebook_instance_arn=self.notebook_instance_arn)
        return self._autostop_policy.grant(grantee)


def _subnet_selection(selection: ec2.SubnetSelection | None) -> dict[str, Any]:
    if selection is None:
        return {}
    keys = ("availability_zones", "one_per_az", "subnet_filters", "subnet_group_name",
            "subnets", "subnet_type")
    return {k: getattr(selection, k) for k in keys if getattr(selection, k) is not None}


def _carries_autostop(lifecycle_config: LifecycleConfig) -> bool:
    rendered = lifecycle_config.on_start_script
    return rendered is not None and carries_autostop(rendered.steps)


@jsii.implements(IAspect)
class AttachLifecycleConfig:
    """Attaches ``lifecycle_config`` to every notebook instance in the scope that has none, and
    grants each instance's role what the configuration needs: autostop's permissions on that
    instance when it carries autostop, and the payload object when it is in S3.

    ``Aspects.of(app).add(AttachLifecycleConfig(lcc))`` gives every notebook of an app autostop.
    """

    def __init__(self, lifecycle_config: LifecycleConfig) -> None:
        self.lifecycle_config = lifecycle_config

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, sagemaker.CfnNotebookInstance) or node.lifecycle_config_name:
            return
        node.lifecycle_config_name = self.lifecycle_config.attr_lifecycle_config_name
        scope = cast(Construct, node.node.scope)
        # Mutable: a grant of the S3 payload adds a policy attached to the role by name.
        role = iam.Role.from_role_arn(scope, f"{node.node.id}LifecycleRole", node.role_arn)
        self.lifecycle_config.grant_read_payload(role)
        if _carries_autostop(self.lifecycle_config):
            policy = AutostopPolicy(scope, f"{node.node.id}Autostop", notebook_instance_arn=node.ref)
            policy.grant(role)
