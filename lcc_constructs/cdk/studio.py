"""``StudioLifecycleConfig``: one ``AWS::SageMaker::StudioLifecycleConfig`` for the JupyterLab or
the Code Editor app of SageMaker Studio spaces, built from the same folders, ``Scripts`` and
recipes as a notebook instance's; and ``IStudioLifecycleConfig``, ours or an existing one.

Studio's configurations are immutable (every property replaces the resource), so the name is
derived from the content: a change makes a new name, and CloudFormation creates the new
configuration, repoints the settings that list it and deletes the old one."""

from __future__ import annotations

import hashlib
import re
from enum import Enum
from typing import cast

from aws_cdk import Arn, ArnFormat, Duration, Fn, IResource, Resource, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct
from typing_extensions import Protocol, runtime_checkable

from ..bundle import BuildOptions, Payload, Platform, RenderedScript, SizeReport, build
from ..bundle.checks import check_config_name
from ..bundle.codecs import Codec
from ..errors import ValidationError, got, raise_if
from ..limits import CONFIG_NAME_MAX_CHARS
from .content import PayloadStore, ScriptsSource, budget_seconds, to_scripts, warn_near_limit
from .studio_attach import StudioTarget, attach_to

__all__ = ["IStudioLifecycleConfig", "StudioApp", "StudioLifecycleConfig", "derived_name"]


class StudioApp(Enum):
    """The Studio app a configuration runs in (``StudioLifecycleConfigAppType``)."""

    JUPYTER_LAB = "JupyterLab"
    CODE_EDITOR = "CodeEditor"


#: The app's short form in a derived name.
_SHORT = {StudioApp.JUPYTER_LAB: "jl", StudioApp.CODE_EDITOR: "ce"}
#: Hex digits of the content's hash in a derived name (48 bits: no two contents of one app
#: meet by chance).
_HASH_CHARS = 12


@runtime_checkable
class IStudioLifecycleConfig(IResource, Protocol):  # type: ignore[misc]
    """A Studio lifecycle configuration: one of this app (:class:`StudioLifecycleConfig`) or an
    existing one (:meth:`StudioLifecycleConfig.from_studio_lifecycle_config_arn`)."""

    @property
    def studio_lifecycle_config_arn(self) -> str:
        """Its ARN (a token for one of this app)."""

    @property
    def studio_lifecycle_config_name(self) -> str:
        """Its name."""

    @property
    def app(self) -> StudioApp | None:
        """The app it is for; None for an existing one whose app was not given."""

    @property
    def idle_minutes(self) -> int | None:
        """The idle shutdown its steps asked for (autostop on Studio), set by :meth:`attach`
        unless told otherwise; None: none (and for an existing configuration)."""

    def grant_read_payload(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` (the execution role) download its S3 payload, if it has one."""

    def attach(self, target: StudioTarget, *, default: bool = False, built_in: bool = False,
               idle_minutes: int | float | str | None = None) -> None:
        """Offer it (and select it, enforce it, set idle shutdown) on a Domain, UserProfile or
        Space; see :meth:`StudioLifecycleConfig.attach`."""


def derived_name(path: str, app: StudioApp, fingerprint: str) -> str:
    """The name of a configuration whose name was not given: the construct's path (its last
    characters that fit), the app (``jl``, ``ce``) and a hash of the path, the app and the
    script, at most 63 characters of the service's pattern. A new script makes a new name."""
    digest = hashlib.sha256(f"{path}\0{app.value}\0{fingerprint}".encode()).hexdigest()[:_HASH_CHARS]
    tail = f"-{_SHORT[app]}-{digest}"
    readable = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")
    readable = readable[len(readable) - (CONFIG_NAME_MAX_CHARS - len(tail)):].lstrip("-") if \
        len(readable) > CONFIG_NAME_MAX_CHARS - len(tail) else readable
    return f"{readable or 'lcc'}{tail}"


def name_problems(name: object, prop: str = "name") -> list[str]:
    """A configuration name as the service accepts it (a token is not checked)."""
    if isinstance(name, str) and Token.is_unresolved(name):
        return []
    return check_config_name(name, prop, "have one derived from the content")


def app_of(app: object, problems: list[str], prop: str = "app") -> StudioApp | None:
    """``app`` as a StudioApp (its value, ``"JupyterLab"``, is taken too)."""
    try:
        return StudioApp(app.value if isinstance(app, StudioApp) else app)
    except ValueError:
        problems.append(f"{prop} must be StudioApp.JUPYTER_LAB or StudioApp.CODE_EDITOR "
                        f"('JupyterLab' or 'CodeEditor'), {got(app)}")
        return None


class _StudioLifecycleConfigBase(Resource):  # type: ignore[misc]
    """What ours and an existing configuration share: attaching."""

    @property
    def studio_lifecycle_config_arn(self) -> str:
        raise NotImplementedError

    @property
    def app(self) -> StudioApp | None:
        raise NotImplementedError

    @property
    def idle_minutes(self) -> int | None:
        raise NotImplementedError

    def attach(self, target: StudioTarget, *, default: bool = False, built_in: bool = False,
               idle_minutes: int | float | str | None = None) -> None:
        """Offer this configuration to the users of ``target``, an L1 ``sagemaker.CfnDomain``
        (its default user settings and, for JupyterLab, its default space settings when it has
        them), ``CfnUserProfile`` (its user settings) or ``CfnSpace`` (its space settings): its
        ARN joins the app's ``lifecycle_config_arns``, after those already there (set before or
        after this call: they are merged at synth, never replaced, never listed twice).

        :param default: also select it by default (``default_resource_spec.lifecycle_config_arn``,
            the rest of the resource spec kept). A Space has no list, only this: attaching to a
            Space needs ``default=True``, and the Domain or UserProfile must list it too.
        :param built_in: make it the app's built-in configuration
            (``built_in_lifecycle_config_arn``), which the service runs first at every start
            and users cannot turn off. It is not listed as well (a user selecting it would run
            it twice). Not on a Space.
        :param idle_minutes: shut the app down after this many idle minutes
            (``app_lifecycle_management.idle_settings``: ``lifecycle_management`` ``ENABLED``
            and ``idle_timeout_in_minutes``), 60 to 525600, or a token (not checked). Default:
            :attr:`idle_minutes`, what an autostop step of the scripts became on Studio; None
            sets nothing. On a Space only ``idle_timeout_in_minutes`` exists (the Domain or
            UserProfile enables idle shutdown and sets the range). On a UserProfile or Space
            the finding ``CloudFormation-Validate::F3002`` of aws-cdk-lib's template validation
            is acknowledged: its schema of those resources predates their idle settings.
        :raises ValidationError: naming the prop, for what the service would refuse: a target
            of another type, minutes out of range, a second different default, built-in or
            idle timeout for the same app on one target, ``built_in`` with ``default``, a Space
            of another app. What is set on the target after this
            call is checked at synth (the error then reaches you through jsii, as a
            ``RuntimeError`` with the same message).
        """
        path = f"{self.node.path}.attach"
        problems: list[str] = []
        if self.app is None:
            problems.append("attach needs the app: this existing configuration was made without one. Fix: "
                            "StudioLifecycleConfig.from_studio_lifecycle_config_arn(..., app=StudioApp....)")
        raise_if(problems, path=path, construct="StudioLifecycleConfig")
        attach_to(target, arn=self.studio_lifecycle_config_arn, app=cast(StudioApp, self.app).value,
                  default=default, built_in=built_in, idle_minutes=idle_minutes,
                  scripts_idle_minutes=self.idle_minutes, source=path)


class _ExistingStudioLifecycleConfig(_StudioLifecycleConfigBase):
    def __init__(self, scope: Construct, id: str, arn: str, app: StudioApp | None) -> None:
        super().__init__(scope, id)
        self._arn = arn
        self._app = app

    @property
    def studio_lifecycle_config_arn(self) -> str:
        return self._arn

    @property
    def studio_lifecycle_config_name(self) -> str:
        if Token.is_unresolved(self._arn):
            return cast(str, Fn.select(1, Fn.split("/", Fn.select(5, Fn.split(":", self._arn)))))
        return cast(str, Arn.split(self._arn, ArnFormat.SLASH_RESOURCE_NAME).resource_name)

    @property
    def app(self) -> StudioApp | None:
        return self._app

    @property
    def idle_minutes(self) -> int | None:
        return None

    def grant_read_payload(self, grantee: iam.IGrantable) -> iam.Grant:
        return iam.Grant.drop(grantee,
                              "an existing Studio lifecycle configuration: its payload is not known here")


class StudioLifecycleConfig(_StudioLifecycleConfigBase):
    """A lifecycle configuration of SageMaker Studio's JupyterLab or Code Editor app, built from
    folders of scripts (docs/studio.md: what runs, as whom, where the logs go).

    The scripts are packed into one script that runs at every start of the app, as
    sagemaker-user; each step runs as its user (``root`` through ``sudo -n``), with its
    timeout, logged to the app's CloudWatch stream and to ``/home/sagemaker-user/.lifecycle``.
    Everything is checked here, as for :class:`~lcc_constructs.LifecycleConfig`: a bad script or
    one over the 16384-character limit raises :class:`~lcc_constructs.errors.ValidationError`
    at construction. One folder for both apps is two configurations, one per app.

    :param app: :attr:`StudioApp.JUPYTER_LAB` or :attr:`StudioApp.CODE_EDITOR`.
    :param on_start: the scripts: a folder (its ``lifecycle.toml``, ``on-start.sh`` or top-level
        ``*.sh``/``*.py``), a :class:`Scripts`, or a list mixing both (combined in order).
        Studio has no on-create script: mark a step ``once`` to run it at the first start only.
    :param name: the configuration's name (at most 63 letters, digits and hyphens). Default:
        derived from the construct's path, the app and a hash of the script
        (:func:`derived_name`), so that a new script is a new configuration. A name you give
        must change whenever the scripts do: the service cannot replace a configuration with
        one of the same name.
    :param budget: total time the foreground steps may take. Default: 4 minutes (the service
        fails the start after 5).
    :param unpack_dir: the folder the bundle is unpacked into, a new folder in ``/tmp``.
        Default ``/tmp/lcc``.
    :param state_dir: where each run's logs and status are kept, a new folder in
        ``/home/sagemaker-user``. Default ``/home/sagemaker-user/.lifecycle``.
    :param keep_runs: run folders kept. Default 10.
    :param minify: drop comments, blank lines and indentation before packing (the ``minify``
        extra). Default: off.
    :param codec: force one codec. Default: the one giving the fewest characters.
    :param payload: ``Payload.INLINE`` (default), or ``Payload.S3``: the bundle is a CDK asset
        that the script downloads with the execution role, which then needs
        :meth:`grant_read_payload`.

    The build options left out are taken from the folder's ``lifecycle.toml`` ``[options]``,
    else they have the defaults above: the folder builds the same script as ``lcc build
    --platform studio``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        app: StudioApp | str,
        on_start: ScriptsSource,
        name: str | None = None,
        budget: Duration | None = None,
        unpack_dir: str | None = None,
        state_dir: str | None = None,
        keep_runs: int | None = None,
        minify: bool | None = None,
        codec: str | Codec | None = None,
        payload: Payload | str = Payload.INLINE,
    ) -> None:
        super().__init__(scope, id, physical_name=name if isinstance(name, str) else None)
        where = self.node.path
        problems: list[str] = []
        studio_app = app_of(app, problems)
        if on_start is None:
            problems.append("on_start is required: a folder of scripts, a Scripts, or a list of them")
        if name is not None:
            problems += name_problems(name)
        seconds = budget_seconds(budget, problems)
        raise_if(problems, path=where, construct="StudioLifecycleConfig")
        assert studio_app is not None

        options = BuildOptions(kind="on-start", budget_seconds=seconds, unpack_dir=unpack_dir,
                               state_dir=state_dir, keep_runs=keep_runs, minify=minify, codec=codec,
                               payload=payload, platform=Platform.STUDIO)
        self._payloads = PayloadStore(self, "StudioLifecycleConfig")
        try:
            built = build(to_scripts(on_start), options)
            self._rendered, content = self._payloads.content("OnStart", built)
        except ValidationError as e:
            raise ValidationError([f"on_start: {p}" for p in e.problems], path=where,
                                  construct="StudioLifecycleConfig") from None
        self._app = studio_app
        # The unlocated text holds the payload's sha256: the name changes with the files, not
        # with the asset bucket's name.
        self._name = name if name is not None else derived_name(where, studio_app, built.text)
        self.resource = sagemaker.CfnStudioLifecycleConfig(
            self, "Resource",
            studio_lifecycle_config_app_type=studio_app.value,
            studio_lifecycle_config_content=content,
            studio_lifecycle_config_name=self._name,
        )
        warn_near_limit(self, self._rendered)

    @staticmethod
    def from_studio_lifecycle_config_arn(scope: Construct, id: str, studio_lifecycle_config_arn: str, *,
                                         app: StudioApp | str | None = None) -> IStudioLifecycleConfig:
        """An existing Studio lifecycle configuration (made by hand or by another app), by ARN
        (``arn:<partition>:sagemaker:<region>:<account>:studio-lifecycle-config/<name>``; its
        name is read from it). The ARN does not say which app it is for: give ``app`` to
        :meth:`attach` it. Its scripts are not known here: ``idle_minutes`` is None and
        :meth:`grant_read_payload` grants nothing."""
        problems: list[str] = []
        studio_app = None if app is None else app_of(app, problems)
        arn = studio_lifecycle_config_arn
        if not isinstance(arn, str):
            problems.append(f"studio_lifecycle_config_arn must be a string, {got(arn)}")
        elif not Token.is_unresolved(arn):
            parts = arn.split(":", 5)
            resource = parts[5] if len(parts) == 6 else ""
            if parts[0] != "arn" or parts[2:3] != ["sagemaker"] or \
                    not resource.startswith("studio-lifecycle-config/"):
                problems.append(f"studio_lifecycle_config_arn {arn!r} is not the ARN of a Studio lifecycle "
                                "configuration (arn:<partition>:sagemaker:<region>:<account>:"
                                "studio-lifecycle-config/<name>)")
            else:
                problems += name_problems(resource.split("/", 1)[1], "studio_lifecycle_config_arn's name")
        raise_if(problems, path=f"{scope.node.path}/{id}",
                 construct="StudioLifecycleConfig.from_studio_lifecycle_config_arn")
        return cast(IStudioLifecycleConfig, _ExistingStudioLifecycleConfig(scope, id, arn, studio_app))

    def grant_read_payload(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` (the execution role of the Domain, UserProfile or Space) download the
        payload: ``s3:GetObject`` on the payload object only. With an inline payload there is
        nothing to grant. A customer-managed KMS key on the asset bucket also needs
        ``kms:Decrypt``."""
        return self._payloads.grant_read(grantee)

    @property
    def rendered(self) -> RenderedScript:
        """The rendered script (text, Content, sha256, size report ``rendered.report``)."""
        return self._rendered

    @property
    def on_start_script(self) -> RenderedScript:
        """The same as :attr:`rendered` (the name ``LifecycleConfig`` uses)."""
        return self._rendered

    @property
    def report(self) -> SizeReport:
        """The script's size report (``report.format()`` prints it as ``lcc report`` does)."""
        return self._rendered.report

    @property
    def app(self) -> StudioApp:
        """The app it is for."""
        return self._app

    @property
    def idle_minutes(self) -> int | None:
        """The idle shutdown a step of the scripts became on Studio (autostop's idle minutes),
        which :meth:`attach` sets unless told otherwise; None: none."""
        return self._rendered.idle_minutes

    @property
    def studio_lifecycle_config_name(self) -> str:
        """The configuration's name: the one given, or the derived one (a plain string)."""
        return self._name

    @property
    def studio_lifecycle_config_arn(self) -> str:
        """The configuration's ARN (a token)."""
        return cast(str, self.resource.attr_studio_lifecycle_config_arn)
