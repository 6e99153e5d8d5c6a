"""IAM on one notebook instance: a customer-managed policy allowing given actions on it (the
actions a lifecycle configuration's recipes declare, autostop's two for example)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import jsii
from aws_cdk import Stack, Token
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..errors import ValidationError, raise_if
from ..limits import AUTOSTOP_ACTIONS
from .deprecation import AUTOSTOP_ARGS, deprecated


def notebook_instance_arn_from_name(scope: Construct, notebook_instance_name: str) -> str:
    """The ARN of a notebook instance from its name. SageMaker lowercases names inside ARNs,
    so this does too; a name only known at deploy time (a token) cannot be lowercased by
    CloudFormation, hence refused."""
    if Token.is_unresolved(notebook_instance_name):
        raise ValidationError(
            f"notebook_instance_name={notebook_instance_name!r} is a token: SageMaker lowercases "
            "names in ARNs and CloudFormation cannot. Fix: pass a literal name, or the instance "
            "itself (NotebookInstance / CfnNotebookInstance) to use its ARN attribute.",
            path=scope.node.path)
    return cast(str, Stack.of(scope).format_arn(
        service="sagemaker", resource="notebook-instance", resource_name=notebook_instance_name.lower()))


def action_problems(actions: Sequence[str], *, prop: str = "actions") -> list[str]:
    """What is wrong with ``actions`` as IAM actions on a notebook instance (``prop``: the name
    the caller knows them by)."""
    problems = [f"{prop}: {a!r} is not one SageMaker action (sagemaker:Action, no wildcard)"
                for a in actions if not isinstance(a, str) or not a.startswith("sagemaker:")
                or "*" in a or "?" in a]
    if isinstance(actions, str):
        problems = [f"{prop}: give a list of actions, not one string ({actions!r})"]
    return problems


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


class NotebookPolicy(Construct):
    """A customer-managed policy allowing exactly ``actions`` on one notebook instance, attached
    to the principals given to :meth:`grant`.

    The policy names the roles it is attached to (not the other way round), so it depends on
    the role and on the instance while the instance depends only on the role: no cycle.

    :param actions: IAM actions on a notebook instance (``sagemaker:...``), no wildcards.
    :param notebook_instance_arn: the instance's ARN (for a construct: its ``ref``).
    :param notebook_instance_name: or its name, for an instance made elsewhere; lowercased in
        the ARN as SageMaker does.
    """

    def __init__(self, scope: Construct, id: str, *, actions: Sequence[str],
                 notebook_instance_arn: str | None = None, notebook_instance_name: str | None = None,
                 description: str = "lcc-constructs: what lifecycle scripts need on this notebook") -> None:
        super().__init__(scope, id)
        problems = []
        if (notebook_instance_arn is None) == (notebook_instance_name is None):
            problems.append(f"give exactly one of notebook_instance_arn and notebook_instance_name "
                            f"(got {notebook_instance_arn!r}, {notebook_instance_name!r})")
        problems += action_problems(actions)
        if not actions:
            problems.append("actions: give at least one")
        raise_if(problems, path=self.node.path, construct="NotebookPolicy")
        self.actions = tuple(sorted(set(actions)))
        self.notebook_instance_arn = notebook_instance_arn or notebook_instance_arn_from_name(
            self, cast(str, notebook_instance_name))
        self.policy = iam.ManagedPolicy(self, "Resource", description=description)

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
            raise ValidationError(
                f"cannot grant to {principal}: a customer-managed policy attaches to a role, a user "
                "or a group. Fix: pass the notebook's role.",
                path=self.node.path, construct="NotebookPolicy")
        return iam.Grant.add_to_principal(
            grantee=_IntoManagedPolicy(self.policy, principal),
            actions=list(self.actions),
            resource_arns=[self.notebook_instance_arn],
        )


class AutostopPolicy(NotebookPolicy):
    """Deprecated: ``NotebookInstance.from_notebook_instance_name(scope, id, name).grant(role,
    "sagemaker:DescribeNotebookInstance", "sagemaker:StopNotebookInstance")``, or
    :class:`NotebookPolicy` with those actions.

    :class:`NotebookPolicy` with autostop's two actions, for an instance whose lifecycle
    configuration carries autostop but which this app did not make."""

    def __init__(self, scope: Construct, id: str, *, notebook_instance_arn: str | None = None,
                 notebook_instance_name: str | None = None) -> None:
        super().__init__(scope, id, actions=AUTOSTOP_ACTIONS, notebook_instance_arn=notebook_instance_arn,
                         notebook_instance_name=notebook_instance_name,
                         description="lcc-constructs autostop: describe and stop this notebook instance")
        deprecated(self, "AutostopPolicy", "use NotebookInstance.from_notebook_instance_name(...).grant("
                   f"role, {AUTOSTOP_ARGS})")
