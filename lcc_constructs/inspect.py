"""Read back what a rendered script or a synthesized template carries.

``lcc inspect`` uses this to report on exactly what will be deployed: it takes a script, a
CloudFormation template or a whole ``cdk.out`` folder, decodes each lifecycle script it finds
and rebuilds its size report from the payload itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .bundle import RUNTIME_PREFIX, SCRIPTS_PREFIX, bootstrap_of, payload_text_of
from .codecs import S3_OBJECT, codec_named
from .errors import BundleError
from .limits import CONTENT_LIMIT_CHARS
from .report import SizeReport, file_sizes

LCC_RESOURCE_TYPE = "AWS::SageMaker::NotebookInstanceLifecycleConfig"


@dataclass(frozen=True)
class InspectedScript:
    #: Where it was found: a file, or ``template:LogicalId.OnStart``.
    source: str
    report: SizeReport
    #: Files of the bundle under scripts/, by path: (mode, data).
    files: dict[str, tuple[int, bytes]]
    step_names: tuple[str, ...]


def _variable(text: str, name: str) -> str:
    prefix = f"{name}='"
    for line in text.splitlines():
        if line.startswith(prefix) and line.endswith("'"):
            return line[len(prefix):-1]
    raise BundleError(f"not an lcc-constructs script: no {name}= line")


def _s3_payload(location: str, source: str, assets: Path | None) -> bytes:
    """payload="s3": the object, from the CDK assets of a cdk.out folder."""
    bucket, _, key = location.partition(" ")
    path = assets / f"asset.{key}" if assets else None
    if path is None or not path.is_file():
        raise BundleError(f"{source}: the payload is the S3 object s3://{bucket}/{key}; inspect the "
                          "cdk.out folder that holds it as an asset to read it")
    return path.read_bytes()


def inspect_script(text: str, source: str = "<script>", assets: Path | None = None) -> InspectedScript:
    """What a rendered script carries. ``assets``: a cdk.out folder holding the payload objects
    of scripts built with payload="s3"."""
    bootstrap = bootstrap_of(text)
    codec = codec_named(_variable(bootstrap, "c"))
    try:
        if codec.encoding is S3_OBJECT:
            blob = _s3_payload(payload_text_of(text), source, assets)
        else:
            blob = codec.encoding.decode(payload_text_of(text))
    except ValueError as e:
        raise BundleError(f"{source}: payload cannot be decoded ({e})") from None
    if hashlib.sha256(blob).hexdigest() != _variable(bootstrap, "h"):
        raise BundleError(f"{source}: payload sha256 does not match the one in the script")
    archive = codec.compressor.decompress(blob)
    files: dict[str, tuple[int, bytes]] = {}
    runtime = 0
    plan = ""
    for entry in codec.archiver.unpack(archive):
        if entry.path.startswith(SCRIPTS_PREFIX):
            files[entry.path[len(SCRIPTS_PREFIX):]] = (entry.mode, entry.data)
        else:
            runtime += len(entry.data)
            if entry.path == RUNTIME_PREFIX + "plan.sh":
                plan = entry.data.decode()
    steps: tuple[str, ...] = ()
    for line in plan.splitlines():
        if line.startswith("LCC_STEP_NAME=("):
            steps = tuple(shlex.split(line[len("LCC_STEP_NAME=("):-1]))
    raw = sum(len(d) for _, d in files.values())
    content_chars = len(base64.b64encode(text.encode()))
    report = SizeReport(
        kind=_variable(bootstrap, "k"),
        codec=codec.name,
        raw_bytes=raw,
        runtime_bytes=runtime,
        archive_bytes=len(archive),
        compressed_bytes=len(blob),
        script_bytes=len(text.encode()),
        encoded_chars=content_chars,
        limit=CONTENT_LIMIT_CHARS,
        files=file_sizes({p: len(d) for p, (_, d) in files.items()}),
        steps=len(steps),
    )
    return InspectedScript(source, report, files, steps)


def _content_text(content: Any, where: str) -> str:
    """The script of a Content value: literal base64, or Fn::Base64 of an Fn::Join whose tokens
    (the asset bucket of an environment-agnostic stack) are shown as <token>."""
    if isinstance(content, str):
        return base64.b64decode(content).decode()
    joined = content.get("Fn::Base64", {}).get("Fn::Join") if isinstance(content, dict) else None
    if not (isinstance(joined, list) and len(joined) == 2 and joined[0] == ""):
        raise BundleError(f"{where}: Content is neither literal base64 nor lcc-constructs' Fn::Base64")
    return "".join(p if isinstance(p, str) else "<token>" for p in joined[1])


def _from_template(path: Path) -> list[InspectedScript]:
    template: dict[str, Any] = json.loads(path.read_text())
    found = []
    for logical_id, resource in sorted(template.get("Resources", {}).items()):
        if resource.get("Type") != LCC_RESOURCE_TYPE:
            continue
        for hook in ("OnStart", "OnCreate"):
            for entry in resource.get("Properties", {}).get(hook, []) or []:
                where = f"{path.name}:{logical_id}.{hook}"
                text = _content_text(entry.get("Content"), where)
                found.append(inspect_script(text, where, path.parent))
    return found


def inspect_path(path: str | Path) -> list[InspectedScript]:
    """Every lifecycle script in a rendered script file, a template, or a cdk.out folder."""
    p = Path(path)
    if p.is_dir():
        return [s for t in sorted(p.glob("*.template.json")) for s in _from_template(t)]
    if p.suffix == ".json":
        return _from_template(p)
    return [inspect_script(p.read_text(), str(p))]
