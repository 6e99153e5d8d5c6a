"""Read back what a rendered script or a synthesized template carries.

``lcc inspect`` uses this to report on exactly what will be deployed: it takes a script, a
CloudFormation template or a whole ``cdk.out`` folder, decodes each lifecycle script it finds,
checks its sha256, and rebuilds its files, its steps, its options and its size report from the
payload itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..bundle import BuildOptions, Kind, SizeReport, Step
from ..bundle.archive import read_shar
from ..bundle.codecs import S3_OBJECT, Codec, candidates
from ..bundle.plan import RUNNER_PATH, SCRIPTS_PREFIX, USER_STEPS_PATH, read_plan
from ..bundle.render import render_loader
from ..bundle.report import file_sizes
from ..errors import ValidationError, raise_if
from ..limits import CONTENT_LIMIT_CHARS, READBACK_MAX_BYTES

LCC_RESOURCE_TYPE = "AWS::SageMaker::NotebookInstanceLifecycleConfig"
#: A Studio lifecycle configuration: one script, in this property.
STUDIO_RESOURCE_TYPE = "AWS::SageMaker::StudioLifecycleConfig"
STUDIO_CONTENT = "StudioLifecycleConfigContent"
#: Where each script is in a lifecycle configuration: the property of the template's resource
#: and of the SageMaker API (the log stream of its runs is ``<instance>/LifecycleConfig<hook>``).
HOOKS: dict[Kind, str] = {"on-start": "OnStart", "on-create": "OnCreate"}


@dataclass(frozen=True)
class InspectedScript:
    #: Where it was found: a file, or ``template:LogicalId.OnStart``.
    source: str
    report: SizeReport
    #: Files of the bundle under scripts/, by path: (mode, data).
    files: dict[str, tuple[int, bytes]]
    steps: tuple[Step, ...]
    options: BuildOptions

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.steps)


_SHA256 = re.compile(r'hexdigest\(\)=="([0-9a-f]{64})"')


def parse_loader(text: str) -> tuple[Codec, str, str, int]:
    """The codec, payload text, sha256 and failure exit status of a rendered script, found by
    rendering each codec's loader around a marker and matching it to the text."""
    found = _SHA256.search(text)
    if not found:
        raise ValidationError("not an lcc-constructs script: no sha256 check in its loader")
    for codec in (*candidates("inline"), *candidates("s3")):
        for fail in (0, 1):
            head, tail = render_loader(codec, sha256=found[1], fail_code=fail, payload_text="\0").split("\0")
            if text.startswith(head) and text.endswith(tail) and len(text) >= len(head) + len(tail):
                return codec, text[len(head):len(text) - len(tail)], found[1], fail
    raise ValidationError("not an lcc-constructs script of this version: its loader is not one of ours")


#: An S3 payload's key as lcc-constructs' assets name it (the asset's hash and suffix).
_ASSET_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


def _s3_payload(location: str, assets: Path | None) -> bytes:
    """payload="s3": the object, from the CDK assets of a cloud assembly: staged beside the
    template, or, for a stage of a CDK Pipelines app (a nested assembly), in a folder above it."""
    bucket, _, key = location.partition(" ")
    for folder in [assets, *assets.parents] if assets and _ASSET_KEY.fullmatch(key) else []:
        path = folder / f"asset.{key}"
        if path.is_file():
            return read_at_most(path, READBACK_MAX_BYTES, f"the asset {path}")
        if (folder / "cdk.out").is_dir() or folder.name == "cdk.out":
            break
    raise ValidationError(f"the payload is the S3 object s3://{bucket}/{key}; inspect the cdk.out folder "
                          "that holds it as an asset to read it")


def read_at_most(path: Path, limit: int, what: str) -> bytes:
    """The bytes of the file ``path``, refused when it is larger than ``limit`` (checked before
    reading, and again while reading)."""
    with path.open("rb") as f:
        if os.fstat(f.fileno()).st_size > limit or len(data := f.read(limit + 1)) > limit:
            raise ValidationError(f"{what} is larger than {limit} bytes, the most lcc reads back "
                                  "(limits.READBACK_MAX_BYTES)")
    return data


def _bundle(program: bytes) -> tuple[dict[str, tuple[int, bytes]], str, str]:
    """The files under scripts/ (path: (mode, data)), the runner and the notebook user's step
    entries of an unpacking program."""
    files: dict[str, tuple[int, bytes]] = {}
    texts = {RUNNER_PATH: "", USER_STEPS_PATH: ""}
    for entry in read_shar(program):
        if entry.path.startswith(SCRIPTS_PREFIX):
            files[entry.path[len(SCRIPTS_PREFIX):]] = (entry.mode, entry.data)
        elif entry.path in texts:
            try:
                texts[entry.path] = entry.data.decode()
            except UnicodeDecodeError:
                raise ValidationError(f"{entry.path} is not UTF-8 text") from None
    return files, texts[RUNNER_PATH], texts[USER_STEPS_PATH]


def inspect_script(text: str, source: str = "<script>", assets: Path | None = None, *,
                   fetch: Callable[[str], bytes] | None = None) -> InspectedScript:
    """What a rendered script carries. ``assets``: a cdk.out folder holding the payload objects
    of scripts built with payload="s3"; ``fetch``: gets such an object by its location
    (``bucket key``) instead (``lcc pull`` downloads it)."""
    codec, payload_text, sha256, _ = parse_loader(text)
    try:
        if codec.encoding is S3_OBJECT:
            blob = fetch(payload_text) if fetch else _s3_payload(payload_text, assets)
        else:
            try:
                blob = codec.encoding.decode(payload_text)
            except ValueError as e:
                raise ValidationError(f"payload cannot be decoded ({e})") from None
        if hashlib.sha256(blob).hexdigest() != sha256:
            raise ValidationError("payload sha256 does not match the one in the script")
        program = codec.compressor.decompress(blob)
        files, runner, user_steps = _bundle(program)
        settings, steps = read_plan(runner, user_steps)
        options = BuildOptions(kind=settings.kind,  # type: ignore[arg-type]
                               budget_seconds=settings.budget_seconds, unpack_dir=settings.unpack_dir,
                               state_dir=settings.state_dir, keep_runs=settings.keep_runs,
                               platform=settings.platform)
    except ValidationError as e:
        raise ValidationError([f"{source}: {p}" for p in e.problems]) from None
    raw = sum(len(d) for _, d in files.values())
    report = SizeReport(
        kind=options.kind,
        codec=codec.name,
        raw_bytes=raw,
        runtime_bytes=len(program) - raw,
        archive_bytes=len(program),
        compressed_bytes=len(blob),
        script_bytes=len(text.encode()),
        encoded_chars=len(base64.b64encode(text.encode())),
        limit=CONTENT_LIMIT_CHARS,
        files=file_sizes({p: len(d) for p, (_, d) in files.items()}),
        steps=len(steps),
    )
    return InspectedScript(source, report, files, steps, options)


def decode_content(content: str, where: str) -> str:
    """The script a base64 Content holds (as a template or the API gives it); bytes that are
    not UTF-8 are kept as surrogates, so the script encodes back to the very same bytes.

    :raises ValidationError: when ``content`` is not base64.
    """
    try:
        return base64.b64decode(content, validate=True).decode("utf-8", "surrogateescape")
    except (binascii.Error, ValueError):
        raise ValidationError(f"{where}: Content is not base64") from None


def content_text(content: Any, where: str) -> str:
    """The script of a Content value: literal base64, or Fn::Base64 of an Fn::Join whose tokens
    (the asset bucket of an environment-agnostic stack) are shown as <token>."""
    if isinstance(content, str):
        return decode_content(content, where)
    joined = content.get("Fn::Base64", {}).get("Fn::Join") if isinstance(content, dict) else None
    if not (isinstance(joined, list) and len(joined) == 2 and joined[0] == ""):
        raise ValidationError(f"{where}: Content is neither literal base64 nor lcc-constructs' Fn::Base64")
    return "".join(p if isinstance(p, str) else "<token>" for p in joined[1])


def lifecycle_resources(path: Path,
                        resource_type: str = LCC_RESOURCE_TYPE) -> list[tuple[Path, str, dict[str, Any]]]:
    """The lifecycle configurations (notebook instance ones, unless ``resource_type`` says
    otherwise) of a template, or of every template in a cdk.out folder and its nested
    assemblies: (template, logical id, properties), by template, then logical id."""
    templates = sorted(path.rglob("*.template.json")) if path.is_dir() else [path]
    found = []
    for template in templates:
        resources: dict[str, Any] = json.loads(template.read_text()).get("Resources", {})
        found += [(template, logical_id, resource.get("Properties", {}))
                  for logical_id, resource in sorted(resources.items())
                  if resource.get("Type") == resource_type]
    return found


def _from_templates(path: Path, problems: list[str]) -> list[InspectedScript]:
    """Each script of the notebook instance and Studio lifecycle configurations, by template,
    then logical id."""
    contents: list[tuple[Path, str, str, Any]] = []
    for template, logical_id, properties in lifecycle_resources(path):
        contents += [(template, logical_id, hook, entry.get("Content") if isinstance(entry, dict) else entry)
                     for hook in HOOKS.values() for entry in properties.get(hook, []) or []]
    for template, logical_id, properties in lifecycle_resources(path, STUDIO_RESOURCE_TYPE):
        contents.append((template, logical_id, STUDIO_CONTENT, properties.get(STUDIO_CONTENT)))
    found = []
    for template, logical_id, hook, content in sorted(contents, key=lambda c: (c[0], c[1])):
        where = f"{template}:{logical_id}.{hook}"
        try:
            found.append(inspect_script(content_text(content, where), where, template.parent))
        except ValidationError as e:
            problems += e.problems
    return found


def inspect_all(path: str | Path) -> tuple[list[InspectedScript], list[str]]:
    """Every lifecycle script in a rendered script file, a template, or a cdk.out folder with
    its nested assemblies (the stages of a CDK Pipelines app, ``assembly-*``), and a problem for
    each one that cannot be read (the others are still read)."""
    p = Path(path)
    problems: list[str] = []
    if p.is_dir() or p.suffix == ".json":
        return _from_templates(p, problems), problems
    return [inspect_script(p.read_text(), str(p))], problems


def inspect_path(path: str | Path) -> list[InspectedScript]:
    """Every lifecycle script in a rendered script file, a template, or a cdk.out folder.

    :raises ValidationError: listing each one that cannot be read.
    """
    found, problems = inspect_all(path)
    raise_if(problems)
    return found
