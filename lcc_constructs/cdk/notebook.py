"""``NotebookInstance``: a SageMaker notebook instance whose role gets what its lifecycle
configuration's scripts need; ``from_notebook_instance_name`` imports one made elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import jsii
from aws_cdk import RemovalPolicy, Resource, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from ..bundle.checks import check_config_name
from ..errors import raise_if
from ..limits import AUTOSTOP_ACTIONS, DEFAULT_PLATFORM_IDENTIFIER, MAX_VOLUME_SIZE_GB, MIN_VOLUME_SIZE_GB
from .deprecation import AUTOSTOP_ARGS, deprecated
from .interfaces import INotebookInstance
from .lifecycle_config import ILifecycleConfig
from .policy import NotebookPolicy, action_problems, notebook_instance_arn_from_name


class _NotebookInstanceBase(Resource):  # type: ignore[misc]
    """What a notebook of this app and an imported one share: :meth:`grant`."""

    def __init__(self, scope: Construct, id: str, *, physical_name: str | None = None,
                 removal_policy: RemovalPolicy | None = None) -> None:
        super().__init__(scope, id, physical_name=physical_name)
        self._policies: dict[tuple[str, ...], NotebookPolicy] = {}
        self._removal_policy = removal_policy

    @property
    def notebook_instance_arn(self) -> str:
        raise NotImplementedError

    def grant(self, grantee: iam.IGrantable, *actions: str) -> iam.Grant:
        """Let ``grantee`` (a role, user or group) call ``actions`` (``sagemaker:...``, no
        wildcard) on this instance, and nothing else: a customer-managed policy on this
        instance's ARN (one per set of actions), attached to the grantee."""
        raise_if(action_problems(actions) or ([] if actions else ["actions: give at least one"]),
                 path=self.node.path, construct="NotebookInstance")
        key = tuple(sorted(set(actions)))
        if key not in self._policies:
            policy = NotebookPolicy(self, f"Policy{len(self._policies) or ''}",
                                    actions=key, notebook_instance_arn=self.notebook_instance_arn)
            if self._removal_policy is not None:
                policy.policy.apply_removal_policy(self._removal_policy)
            self._policies[key] = policy
        return self._policies[key].grant(grantee)


@jsii.implements(INotebookInstance, iam.IGrantable, ec2.IConnectable)
class _ImportedNotebookInstance(_NotebookInstanceBase):
    def __init__(self, scope: Construct, id: str, *, name: str, arn: str,
                 role: iam.IRole | None = None) -> None:
        super().__init__(scope, id)
        self._name, self._arn = name, arn
        # As aws-cdk-lib does for an imported resource without a role: a grant to it is
        # reported (a warning at synth), not silently lost.
        self._principal: iam.IPrincipal = (role.grant_principal if role
                                           else iam.UnknownPrincipal(resource=self))
        self._connections = ec2.Connections()

    @property
    def notebook_instance_name(self) -> str:
        return self._name

    @property
    def notebook_instance_arn(self) -> str:
        return self._arn

    @property
    def grant_principal(self) -> iam.IPrincipal:
        return self._principal

    @property
    def connections(self) -> ec2.Connections:
        return self._connections


def notebook_of(node: sagemaker.CfnNotebookInstance, scope: Construct, id: str) -> INotebookInstance:
    """An L1 notebook instance as an :class:`INotebookInstance`, its role found from its
    ``RoleArn`` (mutable: a grant adds a policy attached to the role by name)."""
    role = iam.Role.from_role_arn(scope, f"{id}Role", node.role_arn)
    return cast(INotebookInstance, _ImportedNotebookInstance(
        scope, id, name=node.attr_notebook_instance_name, arn=node.ref, role=role))


@jsii.implements(INotebookInstance, iam.IGrantable, ec2.IConnectable)
class NotebookInstance(_NotebookInstanceBase):
    """A SageMaker notebook instance.

    Creates a role for the instance unless given one (with no permissions but what its
    lifecycle scripts need), runs Amazon Linux 2023 (``notebook-al2023-v1``), disables root
    access for the notebook user, requires IMDSv2, and, given a VPC, places the instance in one
    of its subnets without direct internet access. Without a VPC (the default) it has direct
    internet access, and its volume is encrypted with an AWS-owned key unless given
    ``kms_key``. The lifecycle configuration's :meth:`~ILifecycleConfig.bind` grants the role
    the IAM actions its recipes declare (autostop: describe and stop this instance, and nothing
    else) on this instance only, and, with an S3 payload, reading that object.

    Grantable (``grant_principal`` is the role) and connectable (``connections``, with a VPC).
    Kept when removed from the stack or replaced (``removal_policy``): its volume holds the
    user's work.

    :param instance_type: default ``ml.t3.medium``.
    :param lifecycle_config: the lifecycle configuration to run: a :class:`LifecycleConfig`, or
        an existing one (``LifecycleConfig.from_lifecycle_config_name``). Default: none.
    :param notebook_actions: more IAM actions to grant the role on this instance, for what the
        configuration does not declare (an existing configuration's are not known). Default none.
    :param autostop_permissions: deprecated, use ``notebook_actions`` (autostop's two). Grant
        autostop's actions. Default False.
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
    :param volume_size_in_gb: the ML storage volume (the only persistent storage), 5 to 16384.
        Default 5. A token (a ``CfnParameter``) is passed on unchecked.
    :param notebook_instance_name: default: generated by CloudFormation.
    :param default_code_repository: a git repository URL or SageMaker code repository name
        cloned into the instance. Default: none.
    :param additional_code_repositories: up to 3 more. Default: none.
    :param removal_policy: what becomes of the instance (and of the role, security group and
        policies it creates) when it leaves the stack or a change replaces it. Default
        ``RemovalPolicy.RETAIN``: the ML storage volume, the user's work, is kept.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        instance_type: str = "ml.t3.medium",
        lifecycle_config: ILifecycleConfig | None = None,
        autostop_permissions: bool = False,
        notebook_actions: Sequence[str] = (),
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
        default_code_repository: str | None = None,
        additional_code_repositories: Sequence[str] | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, id, physical_name=notebook_instance_name, removal_policy=removal_policy)
        raise_if(_problems(instance_type=instance_type, platform_identifier=platform_identifier,
                           volume_size_in_gb=volume_size_in_gb, notebook_instance_name=notebook_instance_name,
                           vpc=vpc, security_groups=security_groups, vpc_subnets=vpc_subnets,
                           direct_internet_access=direct_internet_access,
                           additional_code_repositories=additional_code_repositories)
                 + action_problems(notebook_actions, prop="notebook_actions"),
                 path=self.node.path, construct="NotebookInstance")
        self.role: iam.IRole = role or iam.Role(
            self, "Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
            description="Role of a SageMaker notebook instance (lcc-constructs)",
        )
        if role is None:  # a kept instance cannot start without its role
            self.role.apply_removal_policy(removal_policy)
        subnet_id = None
        security_group_ids = None
        self._connections: ec2.Connections | None = None
        if vpc is not None:
            subnets = vpc.select_subnets(**_subnet_selection(vpc_subnets)).subnets
            raise_if([] if subnets else [f"vpc_subnets={vpc_subnets!r} selects no subnet of the vpc"],
                     path=self.node.path, construct="NotebookInstance")
            subnet_id = subnets[0].subnet_id
            if not security_groups:
                security_groups = [ec2.SecurityGroup(
                    self, "SecurityGroup", vpc=vpc, allow_all_outbound=True,
                    description="SageMaker notebook instance (no inbound traffic)",
                )]
                # Cannot be deleted while a kept instance's network interface uses it.
                security_groups[0].apply_removal_policy(removal_policy)
            security_group_ids = [sg.security_group_id for sg in security_groups]
            self._connections = ec2.Connections(security_groups=list(security_groups))
        internet = direct_internet_access if direct_internet_access is not None else vpc is None
        self.lifecycle_config = lifecycle_config
        self.resource = sagemaker.CfnNotebookInstance(
            self, "Resource",
            instance_type=instance_type,
            role_arn=self.role.role_arn,
            lifecycle_config_name=lifecycle_config.lifecycle_config_name if lifecycle_config else None,
            platform_identifier=platform_identifier,
            root_access="Enabled" if root_access else "Disabled",
            subnet_id=subnet_id,
            security_group_ids=security_group_ids,
            direct_internet_access="Enabled" if internet else "Disabled",
            kms_key_id=kms_key.key_arn if kms_key else None,
            volume_size_in_gb=volume_size_in_gb,
            notebook_instance_name=notebook_instance_name,
            default_code_repository=default_code_repository,
            additional_code_repositories=list(additional_code_repositories or []) or None,
            instance_metadata_service_configuration=sagemaker.CfnNotebookInstance.
            InstanceMetadataServiceConfigurationProperty(minimum_instance_metadata_service_version="2"),
        )
        self.resource.apply_removal_policy(removal_policy)
        if lifecycle_config is not None:
            lifecycle_config.bind(self)
        if autostop_permissions:
            deprecated(self, "NotebookInstance#autostop_permissions",
                       f"use notebook_actions=[{AUTOSTOP_ARGS}]")
        extra = [*notebook_actions, *(AUTOSTOP_ACTIONS if autostop_permissions else ())]
        if extra:
            self.grant(self.role, *extra)  # the same policy as bind's when the actions are the same

    @staticmethod
    def from_notebook_instance_name(scope: Construct, id: str,
                                    notebook_instance_name: str) -> INotebookInstance:
        """A notebook instance made elsewhere (another stack, the console), by name.

        ``grant(grantee, *actions)`` works (on its ARN, built with the name lowercased as
        SageMaker writes it, so a name that is a token is refused). Its role and security
        groups are not known: ``grant_principal`` is an ``iam.UnknownPrincipal`` (granting to
        the notebook itself adds nothing and warns at synth) and ``connections`` has no
        security group."""
        path = f"{scope.node.path}/{id}"
        problems = [f"notebook_instance_name: {p}" for p in check_config_name(notebook_instance_name)] \
            if not Token.is_unresolved(notebook_instance_name) else []
        raise_if(problems, path=path, construct="NotebookInstance.from_notebook_instance_name")
        arn = notebook_instance_arn_from_name(scope, notebook_instance_name)  # refuses a token
        return cast(INotebookInstance,
                    _ImportedNotebookInstance(scope, id, name=notebook_instance_name, arn=arn))

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The instance's role: ``bucket.grant_read(notebook)`` grants it."""
        return self.role.grant_principal

    @property
    def connections(self) -> ec2.Connections:
        """Its security groups (with a VPC): ``database.connections.allow_default_port_from(notebook)``."""
        if self._connections is None:
            raise_if(["has no security groups: connections need the instance in a vpc (vpc=...)"],
                     path=self.node.path, construct="NotebookInstance")
        return cast(ec2.Connections, self._connections)

    @property
    def notebook_instance_arn(self) -> str:
        """The instance's ARN (``Ref``: SageMaker's own, with the name lowercased)."""
        return cast(str, self.resource.ref)

    @property
    def notebook_instance_name(self) -> str:
        """The instance's name (a GetAtt token)."""
        return cast(str, self.resource.attr_notebook_instance_name)

    def grant_notebook_actions(self, grantee: iam.IGrantable, actions: Sequence[str]) -> iam.Grant:
        """Deprecated: ``grant(grantee, *actions)``."""
        deprecated(self, "NotebookInstance#grant_notebook_actions", "use grant(grantee, *actions)")
        return self.grant(grantee, *actions)

    def grant_autostop(self, grantee: iam.IGrantable) -> iam.Grant:
        """Deprecated: ``grant(grantee, "sagemaker:DescribeNotebookInstance",
        "sagemaker:StopNotebookInstance")``."""
        deprecated(self, "NotebookInstance#grant_autostop",
                   f"use grant(grantee, {AUTOSTOP_ARGS})")
        return self.grant(grantee, *AUTOSTOP_ACTIONS)


def _problems(
    *,
    instance_type: str,
    platform_identifier: str,
    volume_size_in_gb: int,
    notebook_instance_name: str | None,
    vpc: ec2.IVpc | None,
    security_groups: Sequence[ec2.ISecurityGroup] | None,
    vpc_subnets: ec2.SubnetSelection | None,
    direct_internet_access: bool | None,
    additional_code_repositories: Sequence[str] | None,
) -> list[str]:
    """Every problem with NotebookInstance's props (tokens are passed on unchecked)."""
    problems = []
    if not Token.is_unresolved(instance_type) and not str(instance_type).startswith("ml."):
        problems.append(f"instance_type={instance_type!r} is not a SageMaker instance type. Fix: use "
                        "one like 'ml.t3.medium'.")
    if not Token.is_unresolved(platform_identifier) and not str(platform_identifier).startswith("notebook-"):
        problems.append(f"platform_identifier={platform_identifier!r} is not a notebook platform. Fix: use "
                        f"{DEFAULT_PLATFORM_IDENTIFIER!r}.")
    size: object = volume_size_in_gb  # from Python, anything
    if not Token.is_unresolved(size) and (isinstance(size, bool) or not isinstance(size, int)
                                          or not MIN_VOLUME_SIZE_GB <= size <= MAX_VOLUME_SIZE_GB):
        problems.append(f"volume_size_in_gb={size!r} must be a whole number from {MIN_VOLUME_SIZE_GB} "
                        f"to {MAX_VOLUME_SIZE_GB}")
    if notebook_instance_name is not None and not Token.is_unresolved(notebook_instance_name):
        problems += [f"notebook_instance_name: {p}" for p in check_config_name(notebook_instance_name)]
    if vpc is None and (security_groups or vpc_subnets or direct_internet_access is False):
        problems.append("security_groups, vpc_subnets and direct_internet_access=False need a vpc "
                        "(SageMaker only turns direct internet access off inside a VPC). Fix: pass vpc=.")
    if additional_code_repositories is not None and len(additional_code_repositories) > 3:
        problems.append(f"additional_code_repositories: {len(additional_code_repositories)} given, "
                        "SageMaker takes at most 3")
    return problems


def _subnet_selection(selection: ec2.SubnetSelection | None) -> dict[str, Any]:
    if selection is None:
        return {}
    keys = ("availability_zones", "one_per_az", "subnet_filters", "subnet_group_name",
            "subnets", "subnet_type")
    return {k: getattr(selection, k) for k in keys if getattr(selection, k) is not None}
