"""Attaching Studio lifecycle configurations to the L1 ``CfnDomain``, ``CfnUserProfile`` and
``CfnSpace``: listing, selecting by default, enforcing (built-in) and idle shutdown, merged
with what the user set on the same resource.

Why an aspect: the user may set the settings before or after attaching, as a struct, a dict or
with tokens inside. At synth, when everything is set, the aspect reads the resource's current
properties (``_cfn_properties``: jsii gives every form as plain camelCase dicts; a token is
resolved to what it stands for), checks the result as the service would, and writes only the
leaves it adds as property overrides. CloudFormation's rendering merges overrides into the
rendered properties key by key, so everything else the user set stays as it was."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, cast

import jsii
from aws_cdk import Aspects, IAspect, Stack, Token

try:  # aws-cdk-lib 2.262 and later
    from aws_cdk import Acknowledgment, Validations
except ImportError:  # pragma: no cover - older aws-cdk-lib: no template validation to answer
    Acknowledgment = Validations = None
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct, IConstruct

from ..errors import got, raise_if
from ..limits import STUDIO_IDLE_MINUTES

__all__ = ["StudioTarget", "attach_to"]

#: What a configuration can be attached to.
StudioTarget: TypeAlias = "sagemaker.CfnDomain | sagemaker.CfnUserProfile | sagemaker.CfnSpace"

#: Each app's settings: (the prop, CloudFormation's name).
_APP_SETTINGS = {
    "JupyterLab": ("jupyter_lab_app_settings", "JupyterLabAppSettings"),
    "CodeEditor": ("code_editor_app_settings", "CodeEditorAppSettings"),
}
#: The child construct holding a target's attachments (and the aspect that applies them).
_REGISTRY_ID = "LccStudioLifecycleConfigs"


@dataclass(frozen=True)
class Attachment:
    """One ``attach`` call."""

    arn: str
    app: str
    default: bool
    built_in: bool
    idle_minutes: int | float | str | None
    source: str


@dataclass(frozen=True)
class _Place:
    """Where one app's settings are on a target: the settings prop (Python and CloudFormation
    names) and whether they are a Space's (only a default and an idle timeout there)."""

    prop: str
    cfn: str
    space: bool = False


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(w.title() for w in rest)


class _Reader:
    """Reads a target's current settings whatever their form: the camelCase dicts jsii gives,
    or the CloudFormation JSON a token resolves to."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def concrete(self, value: Any) -> Any:
        return self.stack.resolve(value) if value is not None and Token.is_unresolved(value) else value

    def get(self, value: Any, *path: str) -> Any:
        for snake in path:
            value = self.concrete(value)
            if not isinstance(value, dict):
                return None
            pascal = _camel(snake)[0].upper() + _camel(snake)[1:]
            value = next((value[k] for k in (_camel(snake), pascal, snake) if k in value), None)
        return value

    def key(self, value: Any) -> str:
        """What ``value`` is in the template: two ARNs are the same when their keys are."""
        return json.dumps(self.stack.resolve(value), sort_keys=True)


def _places(target: StudioTarget, app: str) -> list[_Place]:
    if isinstance(target, sagemaker.CfnDomain):
        places = [_Place("default_user_settings", "DefaultUserSettings")]
        # CloudFormation's DefaultSpaceSettings has JupyterLab settings only, and needs an
        # execution role of its own: used only when the user made it.
        if app == "JupyterLab" and target._cfn_properties.get("defaultSpaceSettings") is not None:
            places.append(_Place("default_space_settings", "DefaultSpaceSettings"))
        return places
    if isinstance(target, sagemaker.CfnUserProfile):
        return [_Place("user_settings", "UserSettings")]
    return [_Place("space_settings", "SpaceSettings", space=True)]


class _Merge:
    """The overrides that add attachments to what a target holds now, and what the service
    would refuse in the result."""

    def __init__(self, target: StudioTarget) -> None:
        self.reader = _Reader(Stack.of(target))
        self.overrides: dict[str, Any] = {}
        self.problems: list[str] = []
        #: Whether idle settings are among the overrides' (see _Registry.visit).
        self.idle_written = False

    def single(self, app: str, at: Any, field: str, where: str, wanted: Sequence[Any], what: str,
               fix: str) -> None:
        """Set the single value ``field`` of ``at`` (the settings at ``where``: the prop's
        Python and CloudFormation paths) to the one value ``wanted`` holds, unless ``at``
        already holds another."""
        values = {self.reader.key(v): v for v in wanted}
        there = self.reader.get(at, field)
        if there is not None:
            values.setdefault(self.reader.key(there), there)
        prop, cfn = where.split(" ")
        if len(values) > 1:
            self.problems.append(f"{prop}.{field}: one {app} {what} per target, and this one would get "
                                 f"{len(values)} ({', '.join(values)}). Fix: {fix}, or leave "
                                 f"{prop}.{field} unset")
        elif wanted and there is None:
            self.overrides[f"{cfn}.{_camel(field)[0].upper()}{_camel(field)[1:]}"] = wanted[0]

    def add(self, target: StudioTarget, attachments: Sequence[Attachment]) -> _Merge:
        reader = self.reader
        props = target._cfn_properties
        for app in dict.fromkeys(a.app for a in attachments):
            mine = [a for a in attachments if a.app == app]
            app_prop, app_cfn = _APP_SETTINGS[app]
            for place in _places(target, app):
                settings = props.get(_camel(place.prop))
                if place.space:
                    kind = reader.concrete(reader.get(settings, "app_type"))
                    if isinstance(kind, str) and kind != app:
                        self.problems.append(
                            f"space_settings.app_type is {kind!r}: a {app} configuration ({mine[0].source}) "
                            f"cannot be this space's. Fix: attach a {kind} configuration, or make the "
                            f"space's app_type {app!r}")
                current = reader.get(settings, app_prop)
                prop, cfn = f"{place.prop}.{app_prop}", f"{place.cfn}.{app_cfn}"
                if not place.space:
                    self._list(current, prop, cfn, [a.arn for a in mine if not a.built_in])
                    self.single(app, current, "built_in_lifecycle_config_arn", f"{prop} {cfn}",
                                [a.arn for a in mine if a.built_in], "built-in configuration",
                                "attach only one configuration of the app with built_in=True")
                self.single(app, reader.get(current, "default_resource_spec"), "lifecycle_config_arn",
                            f"{prop}.default_resource_spec {cfn}.DefaultResourceSpec",
                            [a.arn for a in mine if a.default], "default configuration",
                            "attach only one configuration of the app with default=True")
                minutes = [a.idle_minutes for a in mine if a.idle_minutes is not None]
                if minutes:
                    self._idle(app, reader.get(current, "app_lifecycle_management", "idle_settings"),
                               f"{prop}.app_lifecycle_management.idle_settings",
                               f"{cfn}.AppLifecycleManagement.IdleSettings", minutes, mine[0].source,
                               space=place.space)
        return self

    def _list(self, current: Any, prop: str, cfn: str, arns: Sequence[str]) -> None:
        """``lifecycle_config_arns``: what is there, then the ARNs not there yet."""
        listed = self.reader.concrete(self.reader.get(current, "lifecycle_config_arns"))
        if listed is not None and not isinstance(listed, list):
            self.problems.append(f"{prop}.lifecycle_config_arns is a token that is not a list "
                                 f"({self.reader.key(listed)}): lcc-constructs cannot add to it. Fix: give "
                                 "a list (its items may be tokens)")
            return
        merged = list(listed or [])
        keys = {self.reader.key(v) for v in merged}
        for arn in arns:
            if self.reader.key(arn) not in keys:
                merged.append(arn)
                keys.add(self.reader.key(arn))
        if len(merged) != len(listed or []):
            self.overrides[f"{cfn}.LifecycleConfigArns"] = merged

    def _idle(self, app: str, idle: Any, prop: str, cfn: str, minutes: Sequence[Any], source: str, *,
              space: bool) -> None:
        """``idle_settings``: the timeout; on a Domain or UserProfile also enabled, and within
        the range the settings let users choose (a Space's settings hold the timeout only)."""
        self.single(app, idle, "idle_timeout_in_minutes", f"{prop} {cfn}", minutes, "idle timeout",
                    "give the same idle_minutes to every attach of the app")
        self.idle_written = True
        if space:
            return
        state = self.reader.concrete(self.reader.get(idle, "lifecycle_management"))
        if state == "DISABLED":
            self.problems.append(f"{prop}.lifecycle_management is 'DISABLED', and {source} asks for idle "
                                 f"shutdown after {minutes[0]} minutes. Fix: leave lifecycle_management "
                                 "unset, or do not ask for idle_minutes")
        elif state is None:
            self.overrides[f"{cfn}.LifecycleManagement"] = "ENABLED"
        low = self.reader.concrete(self.reader.get(idle, "min_idle_timeout_in_minutes"))
        high = self.reader.concrete(self.reader.get(idle, "max_idle_timeout_in_minutes"))
        value = self.reader.concrete(minutes[0])
        number = (int, float)
        if isinstance(value, number) and ((isinstance(low, number) and value < low)
                                          or (isinstance(high, number) and value > high)):
            self.problems.append(f"{prop}: idle_minutes {value} is outside the range the target lets users "
                                 f"choose (min_idle_timeout_in_minutes {low}, max_idle_timeout_in_minutes "
                                 f"{high}). Fix: choose minutes in it")


@jsii.implements(IAspect)
class _Registry(Construct):
    """A target's attachments: a child of the target, and the aspect that applies them."""

    def __init__(self, target: StudioTarget) -> None:
        super().__init__(target, _REGISTRY_ID)
        self.target = target
        self.attachments: list[Attachment] = []
        Aspects.of(target).add(self)

    def visit(self, node: IConstruct) -> None:
        if node.node.path != self.target.node.path:
            return
        merged = _Merge(self.target).add(self.target, self.attachments)
        raise_if(merged.problems, path=self.target.node.path, construct="StudioLifecycleConfig.attach")
        for path, value in merged.overrides.items():
            self.target.add_property_override(path, value)
        acknowledge = getattr(Validations, "acknowledge", None)
        if merged.idle_written and acknowledge and not isinstance(self.target, sagemaker.CfnDomain):
            # aws-cdk-lib's template validation (2.262 and later) has an older schema of these
            # two resources than CloudFormation's, without AppLifecycleManagement: it would
            # warn about (or, with @aws-cdk/core:validateAgainstDefaultRules, refuse) the idle
            # settings CloudFormation documents for a UserProfile's and a Space's app settings.
            Validations.of(self.target).acknowledge(Acknowledgment(
                id="CloudFormation-Validate::F3002",
                reason="AppLifecycleManagement (idle shutdown) is in CloudFormation's schema of "
                       f"{self.target.cfn_resource_type}; the template validation's copy predates it"))


def idle_minutes_problems(minutes: object) -> list[str]:
    """``idle_minutes``: a whole number of minutes in Studio's range, or a token (not checked)."""
    if minutes is None or (isinstance(minutes, (int, float, str)) and not isinstance(minutes, bool)
                           and Token.is_unresolved(minutes)):
        return []
    low, high = STUDIO_IDLE_MINUTES
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or minutes != int(minutes) \
            or not low <= minutes <= high:
        return [f"idle_minutes must be a whole number of minutes from {low} to {high} (Studio's idle "
                f"shutdown, limits.STUDIO_IDLE_MINUTES) or a token, {got(minutes)}"]
    return []


def attach_to(target: object, *, arn: str, app: str, default: bool, built_in: bool,
              idle_minutes: int | float | str | None, scripts_idle_minutes: int | None, source: str) -> None:
    """Record one attachment on ``target``, checked now against what the target holds and again
    at synth (``StudioLifecycleConfig.attach`` documents it). ``idle_minutes``: the ones asked
    for, else ``scripts_idle_minutes`` (what an autostop step became)."""
    problems: list[str] = []
    if not isinstance(target, (sagemaker.CfnDomain, sagemaker.CfnUserProfile, sagemaker.CfnSpace)):
        problems.append("target must be an L1 sagemaker.CfnDomain, CfnUserProfile or CfnSpace, "
                        f"{got(target)}")
    for prop, value in (("default", default), ("built_in", built_in)):
        if not isinstance(value, bool):
            problems.append(f"{prop} must be True or False, {got(value)}")
    problems += idle_minutes_problems(idle_minutes)
    if default is True and built_in is True:
        problems.append("default and built_in: a built-in configuration runs first at every start "
                        "anyway; selecting it by default as well would run it twice. Fix: pass one of them")
    if isinstance(target, sagemaker.CfnSpace):
        if built_in:
            problems.append("built_in: a Space has no built-in configuration (its settings hold a default "
                            "only). Fix: attach it with built_in=True to the Domain or the UserProfile")
        elif not default:
            problems.append("default: a Space lists no configurations, it only selects one. Fix: "
                            "attach(space, default=True), and attach it to the Domain or the "
                            "UserProfile too (a Space may only select a listed one)")
    if idle_minutes is None:
        idle_minutes = scripts_idle_minutes
    raise_if(problems, path=source, construct="StudioLifecycleConfig")
    target = cast(StudioTarget, target)
    registry = target.node.try_find_child(_REGISTRY_ID)
    registry = registry if isinstance(registry, _Registry) else _Registry(target)
    attachment = Attachment(arn, app, default, built_in, idle_minutes, source)
    # Checked now, for what is set already: the error points at this call.
    raise_if(_Merge(target).add(target, [*registry.attachments, attachment]).problems, path=source,
             construct="StudioLifecycleConfig")
    registry.attachments.append(attachment)
