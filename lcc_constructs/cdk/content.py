"""What every lifecycle configuration construct does with its scripts, whatever the resource
(``LifecycleConfig`` for notebook instances, ``StudioLifecycleConfig`` for Studio): read the
sources (folders, ``Scripts``), check the props they share, store an S3 payload as an asset and
put its location into the script, grant reading it, and warn when a script is near the limit."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Union, cast

from aws_cdk import Annotations, Duration, Fn, Stage, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from ..bundle import Kind, RenderedScript, Scripts, combine
from ..bundle.render import S3_LOCATION, oversize_message
from ..errors import ValidationError
from ..limits import S3_BUCKET_MAX_CHARS

#: One part of ``on_start``/``on_create``: a scripts folder or a :class:`Scripts`.
ScriptsPart = Union[str, "os.PathLike[str]", Scripts]
#: What ``on_start``/``on_create`` accept: one part, or several to combine in order (for
#: example your folder and built-in recipes).
ScriptsSource = ScriptsPart | Sequence[ScriptsPart]

#: Share of the limit above which synth warns that the script is close to it.
NEAR_LIMIT_SHARE = 0.9


def to_scripts(source: ScriptsSource, kind: Kind = "on-start") -> Scripts:
    """One :class:`Scripts` of a folder path, a :class:`Scripts`, or a list mixing both (a
    folder's scripts are read as ``kind``'s)."""
    def one(part: object) -> Scripts | None:
        if isinstance(part, Scripts):
            return part
        if isinstance(part, (str, os.PathLike)):
            return Scripts.from_folder(part, kind=kind)
        return None

    single = one(source)
    if single is not None:
        return single
    parts = list(cast(Iterable[ScriptsPart], source)) if isinstance(source, Iterable) else []
    scripts = [one(p) for p in parts]
    if not scripts or None in scripts:
        bad = next((p for p, s in zip(parts, scripts, strict=True) if s is None), source)
        raise ValidationError(f"expected a folder path, a Scripts, or a non-empty list of them; got {bad!r}")
    return combine([s for s in scripts if s is not None])


def budget_seconds(budget: Duration | None, problems: list[str]) -> float | None:
    """The ``budget`` prop in seconds (None: the folder's or the default); a token is a problem."""
    if budget is None:
        return None
    if Token.is_unresolved(budget):
        problems.append("budget must be a concrete Duration, not a token")
        return None
    return cast(float, budget.to_seconds())


def warn_near_limit(construct: Construct, script: RenderedScript) -> None:
    """A synth warning when ``script`` uses more than NEAR_LIMIT_SHARE of the service's limit."""
    if script.report.encoded_chars > NEAR_LIMIT_SHARE * script.report.limit:
        Annotations.of(construct).add_warning_v2(
            "lcc-constructs:near-limit", f"{script.report.summary()}: little room left for more scripts")


class PayloadStore:
    """payload="s3": the payload objects of one construct, each a CDK asset, and reading them."""

    def __init__(self, owner: Construct, construct_name: str) -> None:
        self._owner = owner
        self._construct_name = construct_name
        self.assets: list[s3_assets.Asset] = []

    def content(self, label: str, rendered: RenderedScript) -> tuple[RenderedScript, str]:
        """The script and its Content: ``rendered`` itself for an inline payload; else the
        payload stored as the asset ``<label>Payload`` and the script pointed at it (when the
        asset's location is made of tokens, the script as checked, with the longest location,
        and a Content that puts the real one in)."""
        if rendered.payload is None:
            return rendered, rendered.content
        # Written into the cloud assembly, from where CDK stages it as an asset: nothing of the
        # synth lands outside the assembly (not in the user's home).
        path = (Path(Stage.of(self._owner).asset_outdir) / "lcc-payloads" / rendered.payload_sha256
                / f"{rendered.kind}.lcc")
        if not path.is_file() or path.read_bytes() != rendered.payload:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(rendered.payload)
            tmp.replace(path)
        asset = s3_assets.Asset(self._owner, f"{label}Payload", path=str(path))
        self.assets.append(asset)
        bucket, key = asset.s3_bucket_name, asset.s3_object_key
        if not Token.is_unresolved(bucket) and not Token.is_unresolved(key):
            located = rendered.with_location(bucket, key)
            return located, located.content
        # An environment-agnostic stack names its asset bucket with tokens: CloudFormation puts
        # them in. The size is checked with the longest bucket name S3 allows.
        located = rendered.with_location("b" * S3_BUCKET_MAX_CHARS,
                                         key if not Token.is_unresolved(key) else "k" * 200)
        if not located.report.fits:
            raise ValidationError(oversize_message(located.report), path=self._owner.node.path,
                                  construct=self._construct_name)
        before, after = rendered.text.split(S3_LOCATION)
        return located, cast(str, Fn.base64(Fn.join("", [before, bucket, " ", key, after])))

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """``s3:GetObject`` on the payload objects only; nothing for an inline payload.

        The CDK bootstrap's asset bucket is encrypted with an S3-managed or AWS-managed key,
        which needs nothing more; a bucket with a customer-managed KMS key also needs
        ``kms:Decrypt`` on that key."""
        if not self.assets:
            return iam.Grant.drop(grantee, "the payload is inline: nothing to read from S3")
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["s3:GetObject"],
            resource_arns=[a.bucket.arn_for_objects(a.s3_object_key) for a in self.assets],
        )
