"""``INotebookInstance``: what the other constructs need of a notebook instance, one of this app
(``NotebookInstance``) or an existing one (``NotebookInstance.from_notebook_instance_name``).

Its own module so that ``lifecycle_config`` (whose ``bind`` takes a notebook) and ``notebook``
(whose instance takes a configuration) need not import each other."""

from __future__ import annotations

from aws_cdk import IResource
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam

# The jsii interfaces are typing_extensions protocols: a protocol extending them must be one too
# for isinstance() to work (jsii depends on typing_extensions, so it is always installed).
from typing_extensions import Protocol, runtime_checkable


@runtime_checkable
class INotebookInstance(IResource, iam.IGrantable, ec2.IConnectable, Protocol):  # type: ignore[misc]
    """A SageMaker notebook instance: a CDK resource that can be granted permissions
    (``grant_principal``: its role) and, in a VPC, connected to (``connections``)."""

    @property
    def notebook_instance_name(self) -> str:
        """Its name."""
        ...

    @property
    def notebook_instance_arn(self) -> str:
        """Its ARN, the name lowercased as SageMaker writes it."""
        ...

    def grant(self, grantee: iam.IGrantable, *actions: str) -> iam.Grant:
        """Let ``grantee`` call ``actions`` (``sagemaker:...``) on this instance and nothing else."""
        ...
