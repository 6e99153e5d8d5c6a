"""``LifecycleConfig``: one ``AWS::SageMaker::NotebookInstanceLifecycleConfig`` whose ``Content``
is computed here as a literal base64 string, so its size is known and checked at synth; and
``ILifecycleConfig``, what a notebook needs of one (ours, or an existing one by name)."""

from __future__ import annotations

from typing import cast

from aws_cdk import Duration, IResource, Resource, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct
from typing_extensions import Protocol, runtime_checkable

from ..bundle import BuildOptions, Kind, Payload, RenderedScript, build
from ..bundle.checks import check_config_name
from ..bundle.codecs import Codec
from ..errors import ValidationError, raise_if
from .content import (
    NEAR_LIMIT_SHARE,
    PayloadStore,
    ScriptsPart,
    ScriptsSource,
    budget_seconds,
    to_scripts,
    warn_near_limit,
)
from .interfaces import INotebookInstance

__all__ = [
    "NEAR_LIMIT_SHARE", "ILifecycleConfig", "LifecycleConfig", "ScriptsPart", "ScriptsSource", "to_scripts",
]


@runtime_checkable
class ILifecycleConfig(IResource, Protocol):  # type: ignore[misc]
    """A notebook instance lifecycle configuration: one of this app
    (:class:`LifecycleConfig`) or an existing one (:meth:`LifecycleConfig.from_lifecycle_config_name`)."""

    @property
    def lifecycle_config_name(self) -> str:
        """Its name (a token for one of this app)."""

    @property
    def lifecycle_config_arn(self) -> str:
        """Its ARN."""

    @property
    def notebook_actions(self) -> tuple[str, ...]:
        """IAM actions its scripts need on the notebook instance that runs them (an existing
        configuration's are unknown: empty)."""

    def grant_read_payload(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` download its S3 payload, if it has one."""

    def bind(self, notebook: INotebookInstance) -> None:
        """Give ``notebook`` (its role) what the scripts need to run on it: the IAM actions
        their recipes declare, on that instance only, and reading the S3 payload."""


class _LifecycleConfigBase(Resource):  # type: ignore[misc]
    """What both kinds of configuration share: binding to a notebook."""

    @property
    def notebook_actions(self) -> tuple[str, ...]:
        raise NotImplementedError

    def grant_read_payload(self, grantee: iam.IGrantable) -> iam.Grant:
        raise NotImplementedError

    def bind(self, notebook: INotebookInstance) -> None:
        """Give ``notebook`` (its role, ``grant_principal``) what the scripts need to run on it:
        the IAM actions their recipes declare (:attr:`notebook_actions`), on that instance's ARN
        only, and ``s3:GetObject`` on the S3 payload. ``NotebookInstance`` and
        ``AttachLifecycleConfig`` call it; an existing configuration's needs are not known, so
        it grants nothing."""
        self.grant_read_payload(notebook)  # nothing when the payload is inline
        if self.notebook_actions:
            notebook.grant(notebook, *self.notebook_actions)


class _ExistingLifecycleConfig(_LifecycleConfigBase):
    def __init__(self, scope: Construct, id: str, name: str) -> None:
        super().__init__(scope, id, physical_name=name)
        self._name = name

    @property
    def lifecycle_config_name(self) -> str:
        return self._name

    @property
    def lifecycle_config_arn(self) -> str:
        return cast(str, Stack.of(self).format_arn(
            service="sagemaker", resource="notebook-instance-lifecycle-config", resource_name=self._name))

    @property
    def notebook_actions(self) -> tuple[str, ...]:
        return ()

    def grant_read_payload(self, grantee: iam.IGrantable) -> iam.Grant:
        return iam.Grant.drop(grantee, "an existing lifecycle configuration: its payload is not known here")


class LifecycleConfig(_LifecycleConfigBase):
    """A notebook instance lifecycle configuration built from folders of scripts.

    Each of ``on_start`` and ``on_create`` is packed (every file, compressed) into one
    script that unpacks into a root-owned folder and runs the steps in order: each as its user,
    with its timeout, logged to stdout and to ``/home/ec2-user/SageMaker/.lifecycle/logs``.
    Everything is checked here: a bad script, a missing file or a script over the service's
    16384-character limit raises :class:`~lcc_constructs.errors.ValidationError` at
    construction, not at deploy.

    :param on_start: scripts run at every start (creation included): a folder (its
        ``lifecycle.toml``, its ``on-start.sh``, or its top-level ``*.sh``/``*.py`` files), a
        :class:`Scripts`, or a list mixing both (combined in order).
    :param on_create: scripts run once, when the instance is created (a folder's
        ``on-create.sh`` when it has one).
    :param lifecycle_config_name: the configuration's name (at most 63 letters, digits and
        hyphens). Default: generated by CloudFormation. Changing it replaces the resource.
    :param budget: total time the foreground steps of each script may take. Default: 4 minutes
        (the service fails the start after 5).

    The build options (``budget`` to ``codec``) left out are taken from the folder's
    ``lifecycle.toml`` ``[options]``, else they have the defaults below: the folder builds the
    same script here as with ``lcc build``.
    :param unpack_dir: root-owned folder the bundles are unpacked into. Default ``/startup``.
    :param state_dir: where the logs and status files of each run are kept: a folder on the
        persistent volume, where the notebook user copies root's record
        (``/var/log/lcc-constructs``), or a ``/var/log/lcc*`` folder, then root's record
        itself. Default ``/home/ec2-user/SageMaker/.lifecycle``.
    :param keep_runs: log folders kept per script kind in the copy on the volume. Default 10.
    :param minify: drop comments, blank lines and indentation from your shell and Python files
        before packing (a file is packed as it was unless its minified form is provably the
        same program). Needs the ``minify`` extra. Default: off. Line numbers in step logs then
        refer to the minified files.
    :param codec: force one codec (a :class:`~lcc_constructs.bundle.codecs.Codec`, or its name
        ``compressor+encoding``, e.g. ``"deflate+base85"``). Default: the one giving the fewest
        characters.
    :param payload: ``Payload.INLINE`` (default): the bundle travels inside each script, within
        the service's 16384 characters. ``Payload.S3``: the bundle is a CDK asset in S3, of up
        to 256 MiB of files; the script downloads it with the instance role and checks its sha256 before use.
        The role needs :meth:`grant_read_payload` (``NotebookInstance`` calls it).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        on_start: ScriptsSource | None = None,
        on_create: ScriptsSource | None = None,
        lifecycle_config_name: str | None = None,
        budget: Duration | None = None,
        unpack_dir: str | None = None,
        state_dir: str | None = None,
        keep_runs: int | None = None,
        minify: bool | None = None,
        codec: str | Codec | None = None,
        payload: Payload | str = Payload.INLINE,
    ) -> None:
        super().__init__(scope, id, physical_name=lifecycle_config_name)
        where = self.node.path
        problems = []
        if on_start is None and on_create is None:
            problems.append("give on_start, on_create or both (a folder of scripts)")
        if lifecycle_config_name is not None and not Token.is_unresolved(lifecycle_config_name):
            problems += check_config_name(lifecycle_config_name)
        seconds = budget_seconds(budget, problems)
        raise_if(problems, path=where, construct="LifecycleConfig")

        self._payloads = PayloadStore(self, "LifecycleConfig")
        rendered: dict[Kind, RenderedScript] = {}
        contents: dict[Kind, str] = {}  # each script's Content: a token for an S3 location of tokens
        problems = []
        sources: tuple[tuple[Kind, ScriptsSource | None], ...] = (
            ("on-start", on_start), ("on-create", on_create))
        for kind, source in sources:
            if source is None:
                continue
            options = BuildOptions(kind=kind, budget_seconds=seconds, unpack_dir=unpack_dir,
                                   state_dir=state_dir, keep_runs=keep_runs, minify=minify, codec=codec,
                                   payload=payload)
            prop = kind.replace("-", "_")
            try:
                script = build(to_scripts(source, kind), options)
                rendered[kind], contents[kind] = self._payloads.content(kind.title().replace("-", ""), script)
            except ValidationError as e:
                problems += [f"{prop}: {p}" for p in e.problems]
        raise_if(problems, path=where, construct="LifecycleConfig")
        self._on_start = rendered.get("on-start")
        self._on_create = rendered.get("on-create")

        def hook(kind: Kind) -> list[dict[str, str]] | None:
            return [{"content": contents[kind]}] if kind in contents else None

        self.resource = sagemaker.CfnNotebookInstanceLifecycleConfig(
            self, "Resource",
            notebook_instance_lifecycle_config_name=lifecycle_config_name,
            on_start=hook("on-start"),
            on_create=hook("on-create"),
        )
        for script in rendered.values():
            warn_near_limit(self, script)

    @staticmethod
    def from_lifecycle_config_name(scope: Construct, id: str, lifecycle_config_name: str) -> ILifecycleConfig:
        """An existing lifecycle configuration (made by hand, by another app, or by ``lcc
        deploy``), by name. What its scripts need is not known here, so :meth:`bind` grants
        nothing: give a notebook the permissions they need yourself
        (``NotebookInstance(notebook_actions=[...])``)."""
        if not Token.is_unresolved(lifecycle_config_name):
            raise_if(check_config_name(lifecycle_config_name), path=f"{scope.node.path}/{id}",
                     construct="LifecycleConfig.from_lifecycle_config_name")
        return cast(ILifecycleConfig, _ExistingLifecycleConfig(scope, id, lifecycle_config_name))

    def grant_read_payload(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` (the notebook instance's role) download the payload: ``s3:GetObject``
        on the payload objects only. With an inline payload there is nothing to grant.

        The CDK bootstrap's asset bucket is encrypted with an S3-managed or AWS-managed key,
        which needs nothing more; a bucket with a customer-managed KMS key also needs
        ``kms:Decrypt`` on that key.
        """
        return self._payloads.grant_read(grantee)

    @property
    def on_start_script(self) -> RenderedScript | None:
        """The rendered on-start script (text, Content, sha256, size report), if any."""
        return self._on_start

    @property
    def on_create_script(self) -> RenderedScript | None:
        """The rendered on-create script, if any."""
        return self._on_create

    @property
    def notebook_actions(self) -> tuple[str, ...]:
        """IAM actions the scripts need on the notebook instance that runs them (declared by
        their recipes: autostop's two, for example)."""
        found = {a for s in (self._on_start, self._on_create) if s for a in s.notebook_actions}
        return tuple(sorted(found))

    @property
    def lifecycle_config_name(self) -> str:
        """The configuration's name (a token: CloudFormation's, or the one given)."""
        return cast(str, self.resource.attr_notebook_instance_lifecycle_config_name)

    @property
    def lifecycle_config_arn(self) -> str:
        """The configuration's ARN (a token)."""
        return cast(str, self.resource.attr_notebook_instance_lifecycle_config_arn)
