"""Every codec the bundler can choose, decoded by the rendered script itself in the sandbox (as
on the instance) and by its own loader here (with lcc inspect agreeing), the choice itself, the
decoders on the instance's Python (3.9), and a payload that cannot be decoded."""

from __future__ import annotations

import gzip
import os
import subprocess
from pathlib import Path

import pytest

from lcc_constructs import BuildOptions, BundleError, Scripts, Step, build
from lcc_constructs.bundle import render
from lcc_constructs.bundle.archive import ArchiveEntry, build_shar, read_shar
from lcc_constructs.bundle.codecs import b94decode, b94encode, candidates, codec_named
from lcc_constructs.readback._script import inspect_script
from lcc_constructs.sandbox import simulate

from .conftest import python39
from .helpers import tree, unpack_with_script, write_folder, write_script

CODECS = [c.name for c in candidates()]
FILES: dict[str, str | bytes] = {
    "10-setup.sh": "#!/bin/bash\nset -euo pipefail\necho setup\n" * 20,
    "20-tool.py": "import sys\nprint('tool', sys.argv)\n" * 10,
    "lib/common.sh": "log() { echo \"$*\"; }\n",
    "bin/blob": os.urandom(700),
    "odd name 'quoted' \"twice\".txt": "odd\n",
    "empty": b"",
}
MODES = {"bin/blob": 0o750, "empty": 0o600}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_folder(tmp_path_factory.mktemp("codecs") / "scripts", FILES, MODES)


@pytest.mark.parametrize("name", CODECS)
def test_every_codec_unpacks_with_the_scripts_own_bash(folder: Path, tmp_path: Path, name: str) -> None:
    rendered = build(Scripts.from_folder(folder), BuildOptions(codec=name))
    assert rendered.report.codec == name
    bundle = unpack_with_script(rendered.text, tmp_path / "startup")
    assert tree(bundle / "scripts") == tree(folder)
    found = inspect_script(rendered.text)
    assert found.report.codec == name
    assert {p: d for p, (_, d) in found.files.items()} == {p: d for p, (_, d) in tree(folder).items()}


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
@pytest.mark.parametrize("name", CODECS)
def test_every_codec_on_the_instance(folder: Path, tmp_path: Path, name: str) -> None:
    steps = [Step(name="setup", script="10-setup.sh")]
    rendered = build(Scripts.from_folder(folder, steps=steps), BuildOptions(codec=name))
    result = simulate(write_script(tmp_path / "on-start.sh", rendered), keep=tmp_path / "keep",
                      volume=tmp_path / "volume")
    assert not result.would_fail, result.last.output
    assert result.last.step("setup").status == "ok"
    assert tree(tmp_path / "keep" / "startup" / "on-start" / "scripts") == tree(folder)


def test_the_choice_is_the_smallest_of_all(folder: Path) -> None:
    scripts = Scripts.from_folder(folder)
    sizes = {n: build(scripts, BuildOptions(codec=n)).report.encoded_chars for n in CODECS}
    chosen = build(scripts).report
    assert chosen.encoded_chars == min(sizes.values())
    assert sizes[chosen.codec] == chosen.encoded_chars


def test_the_choice_beats_the_hand_made_methods_codec_on_real_scripts() -> None:
    # A corpus of real lifecycle scripts, larger than one script can hold (render: no limit):
    # gzip's deflate in base64 is what the hand-made method uses (tar | gzip | base64).
    corpus = Path(__file__).resolve().parent.parent / "benchmarks" / "corpus"
    program = render(Scripts.from_folder(corpus)).report
    hand_made = 4 * -(-len(gzip.compress(_program_of(corpus), 9)) // 3)
    assert program.compressed_bytes * 1.25 < hand_made


def _program_of(folder: Path) -> bytes:
    from lcc_constructs.bundle.render import bundle_entries, unpack_program

    scripts = Scripts.from_folder(folder)
    return unpack_program(bundle_entries(scripts, BuildOptions()), BuildOptions(), 0)


def test_an_unknown_codec_names_the_choices(folder: Path) -> None:
    with pytest.raises(BundleError, match=r"codec 'zip\+base64' is not known.*deflate, lzma, bzip2"):
        build(Scripts.from_folder(folder), BuildOptions(codec="zip+base64"))
    with pytest.raises(BundleError):
        codec_named("nothing")


@pytest.mark.parametrize("size", [0, 1, 8, 9, 10, 17, 18, 1000])
def test_base94_round_trip(size: int) -> None:
    data = os.urandom(size)
    text = b94encode(data)
    assert all(33 <= ord(c) <= 126 for c in text)
    assert len(text) == 11 * -(-size // 9)
    # The last group's padding stays: the decompressors ignore what follows their stream.
    assert b94decode(text) == data + b"\0" * (-size % 9)


def test_base94_known_values() -> None:
    assert b94encode(b"\0" * 9) == "!" * 11  # zero is all '!' digits
    # 256**9 - 1 = 87 * 94**10 + ...: its leading digit is chr(33 + 87) = 'x'
    assert b94encode(b"\xff" * 9)[:1] == "x"
    assert b94decode('!!!!!!!!!!"') == b"\0" * 8 + b"\1"  # the last digit counts ones
    assert b94encode(b"\1") == b94encode(b"\1" + b"\0" * 8)


def test_base94_rejects_bad_text() -> None:
    for bad in ("x!!!!!!!!!!!", "!!!!", "!!!!!!!!!! "[:-1] + "\x7f", "~" * 11):
        with pytest.raises(ValueError):
            b94decode(bad)


@pytest.mark.parametrize("name", CODECS)
def test_the_instance_decoders_on_python_3_9_agree_with_ours(tmp_path: Path, name: str) -> None:
    # The loader's pieces (assets/codecs) run by Amazon Linux 2023's Python, on bytes followed
    # by the zero bytes base94 pads with.
    codec = codec_named(name)
    data = os.urandom(300) + b"text " * 200
    blob = codec.compressor.compress(data)
    text = codec.encoding.encode(blob)
    decode, decompress = codec.encoding.piece(), codec.compressor.piece()
    program = "\n".join([f"import sys,{','.join(sorted(decode.modules | decompress.modules))}",
                         *decode.defs, f"d={decode.expression}", f"d={decompress.expression}",
                         "sys.stdout.buffer.write(d)"])
    out = subprocess.run([python39(), "-I", "-c", program], input=text.encode() + b"\n",
                         capture_output=True, check=True).stdout
    assert out == data


def test_shar_round_trip_with_odd_names() -> None:
    entries = [ArchiveEntry("a/b/c d", b"one\n", 0o755), ArchiveEntry("new\nline", b"", 0o600),
               ArchiveEntry("quo'te\"s $x `y`", b"\0\xff binary", 0o644), ArchiveEntry("-dash", b"-", 0o400)]
    assert read_shar(build_shar(entries)) == sorted(entries, key=lambda e: e.path)


def test_shar_unpacks_with_bash_and_head(tmp_path: Path) -> None:
    entries = [ArchiveEntry("x/new\nline", b"no newline at end", 0o700), ArchiveEntry("-n", b"\0" * 3, 0o644)]
    archive = tmp_path / "a"
    archive.write_bytes(build_shar(entries))
    (tmp_path / "out").mkdir()
    subprocess.run(["bash", "-e"], stdin=archive.open("rb"), cwd=tmp_path / "out", check=True)
    assert tree(tmp_path / "out") == {"-n": (0o644, b"\0" * 3), "x/new\nline": (0o700, b"no newline at end")}


# --- a payload that cannot be used ---


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
@pytest.mark.parametrize("required", [False, True])
def test_an_undecodable_payload_runs_nothing_and_says_so(tmp_path: Path, required: bool) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo ran\n"})
    scripts = Scripts.from_folder(folder, steps=[Step(name="a", script="a.sh", required=required)])
    rendered = build(scripts, BuildOptions(codec="lzma+base85"))
    # A character base85 does not have, in the middle of the payload.
    payload = rendered.text.split("\n")[-3]
    broken = rendered.text.replace(payload, payload[:40] + "\\" + payload[41:])
    script = tmp_path / "on-start.sh"
    script.write_text(broken)
    run = simulate(script).last
    # Nothing required: the instance still starts; else the start fails, saying why.
    assert run.exit_code == int(required) and not run.steps
    assert "the payload cannot be used, no step ran" in run.output
    assert "Traceback" not in run.output


def test_an_older_versions_codec_says_what_took_its_place() -> None:
    with pytest.raises(BundleError, match=r"tar is now gone .*, gzip is now deflate, base64 is now base85 or "
                                          r"base94 \(docs/upgrading.md\)"):
        codec_named("tar+gzip+base64")
    with pytest.raises(BundleError, match=r"xz is now lzma"):
        codec_named("xz+base85")
