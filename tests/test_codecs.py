"""Every codec the bundler can choose, decoded by the rendered script itself in the sandbox (as
on the instance) and by its own bash here (with lcc inspect agreeing), the choice itself, and the
fallbacks an instance without python3, xz or bzip2 takes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from lcc_constructs import BuildOptions, BundleError, Scripts, Step, build
from lcc_constructs.bundle import render
from lcc_constructs.bundle._archive import ArchiveEntry, build_shar, read_shar
from lcc_constructs.bundle.codecs import b94decode, b94encode, candidates, codec_named
from lcc_constructs.bundle.readback import inspect_script
from lcc_constructs.sandbox import simulate

from .conftest import require
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
    result = simulate(write_script(tmp_path / "on-start.sh", rendered), keep=tmp_path / "keep")
    assert not result.would_fail, result.last.output
    assert result.last.step("setup").status == "ok"
    assert tree(tmp_path / "keep" / "startup" / "on-start" / "scripts") == tree(folder)


def test_the_choice_is_the_smallest_of_all(folder: Path) -> None:
    scripts = Scripts.from_folder(folder)
    sizes = {n: build(scripts, BuildOptions(codec=n)).report.encoded_chars for n in CODECS}
    chosen = build(scripts).report
    assert chosen.encoded_chars == min(sizes.values())
    assert sizes[chosen.codec] == chosen.encoded_chars


def test_the_choice_beats_the_classic_codec_on_real_scripts() -> None:
    # A corpus of real lifecycle scripts, larger than one script can hold (render: no limit).
    corpus = Path(__file__).resolve().parent.parent / "benchmarks" / "corpus"
    scripts = Scripts.from_folder(corpus)
    classic = render(scripts, BuildOptions(codec="gzip+base64")).report.encoded_chars
    chosen = render(scripts).report
    assert chosen.encoded_chars < classic and chosen.codec != "gzip+base64"


def test_an_unknown_codec_names_the_choices(folder: Path) -> None:
    with pytest.raises(BundleError, match=r"codec 'zip\+base64' is not known.*lzma-raw"):
        build(Scripts.from_folder(folder), BuildOptions(codec="zip+base64"))
    with pytest.raises(BundleError):
        codec_named("nothing")


@pytest.mark.parametrize("size", [0, 1, 8, 9, 10, 17, 18, 1000])
def test_base94_round_trip(size: int) -> None:
    data = os.urandom(size)
    text = b94encode(data)
    assert all(33 <= ord(c) <= 126 for c in text)
    assert len(text) == 1 + 11 * -(-size // 9)
    assert b94decode(text) == data


def test_base94_known_values() -> None:
    assert b94encode(b"\0" * 9) == "0" + "!" * 11  # zero is all '!' digits
    # 256**9 - 1 = 87 * 94**10 + ...: its leading digit is chr(33 + 87) = 'x'
    assert b94encode(b"\xff" * 9)[:2] == "0x"
    assert b94decode('0!!!!!!!!!!"') == b"\0" * 8 + b"\1"  # the last digit counts ones
    assert b94decode('8!!!!!!!!!!"') == b"\0"  # 8 bytes of padding dropped from the end


def test_base94_rejects_bad_text() -> None:
    for bad in ("", "x!!!!!!!!!!!", "0!!!!", "0!!!!!!!!!! "[:-1] + "\x7f"):
        with pytest.raises(ValueError):
            b94decode(bad)


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


# --- on an instance lacking programs: the sandbox with them hidden ---

#: The program each part of a codec needs that an instance may lack (unverified on the image:
#: NOTEBOOK-INSTANCE.md), and what the loader then says it does instead: python3 decompresses
#: for bzip2 and xz, bash decodes base94 for python3.
MAY_BE_MISSING = {"bzip2": "/usr/bin/bzip2", "xz": "/usr/bin/xz", "lzma": "/usr/bin/xz",
                  "lzma-raw": "/usr/bin/xz", "base94": "/usr/bin/python3"}
#: Parts that need only what every instance has (coreutils, gzip).
ALWAYS_THERE = {"gzip", "base64"}
SAYS = {"/usr/bin/bzip2": "bzip2 not found: decompressing with python3",
        "/usr/bin/xz": "xz not found: decompressing with python3",
        "/usr/bin/python3": "python3 not found: decoding the payload with bash (slower)"}
#: Every codec with each program it needs hidden in turn.
FALLBACKS = [(c.name, MAY_BE_MISSING[part]) for c in candidates()
             for part in (c.compressor.name, c.encoding.name) if part in MAY_BE_MISSING]


def test_every_part_of_every_codec_is_known_to_need_a_program_or_not() -> None:
    parts = {c.compressor.name for c in candidates()} | {c.encoding.name for c in candidates()}
    assert parts == MAY_BE_MISSING.keys() | ALWAYS_THERE


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
@pytest.mark.parametrize(("codec", "hide"), FALLBACKS, ids=[f"{c}-without-{Path(h).name}" for c, h in
                                                             FALLBACKS])
def test_fallbacks_decode_the_same_files(tmp_path: Path, codec: str, hide: str) -> None:
    folder = write_folder(tmp_path / "s", {**FILES, "10-setup.sh": "echo ran\n"}, MODES)
    rendered = build(Scripts.from_folder(folder), BuildOptions(codec=codec))
    script = write_script(tmp_path / "on-start.sh", rendered)
    result = simulate(script, hide=[hide], keep=tmp_path / "keep")
    assert not result.would_fail, result.last.output
    assert SAYS[hide] in result.last.output
    assert result.last.step("10-setup").log.endswith("ran\n")
    assert tree(tmp_path / "keep" / "startup" / "on-start" / "scripts") == tree(folder)


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
@pytest.mark.parametrize("required", [False, True])
def test_without_xz_and_python3_the_script_says_so(tmp_path: Path, required: bool) -> None:
    require(os.path.exists("/usr/bin/xz"), "xz is not installed here")
    folder = write_folder(tmp_path / "s", {"a.sh": "echo ran\n"})
    scripts = Scripts.from_folder(folder, steps=[Step(name="a", script="a.sh", required=required)])
    rendered = build(scripts, BuildOptions(codec="xz+base64"))
    script = write_script(tmp_path / "on-start.sh", rendered)
    run = simulate(script, hide=["/usr/bin/xz", "/usr/bin/python3"]).last
    # Nothing required: the instance still starts; else the start fails, saying why.
    assert run.exit_code == int(required) and not run.steps
    assert "xz not found: decompressing with python3" in run.output
    assert "the payload cannot be used, no step ran" in run.output
