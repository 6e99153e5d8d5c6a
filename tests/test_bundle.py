"""The bundler: deterministic output, literal base64 Content, the size report, the limit, and
the script's own loader and unpacking program run by bash."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lcc_constructs import BuildOptions, BundleError, RunAs, Scripts, Step, build
from lcc_constructs.bundle import render
from lcc_constructs.bundle.archive import read_shar
from lcc_constructs.bundle.plan import read_plan
from lcc_constructs.readback._script import parse_loader

from .helpers import build_folder, run_loader, tree, unpack_with_script, write_folder

FILES = {
    "10-root.sh": "#!/bin/bash\nset -euo pipefail\necho root step\n",
    "20-user.sh": "#!/bin/bash\necho user step\n",
    "lib/helper.py": "import sys\nprint('helper', sys.argv[1:])\n",
    "config/settings.json": '{"answer": 42}\n',
}


def shell(cmd: str, stdin: bytes) -> bytes:
    return subprocess.run(["bash", "-c", cmd], input=stdin, check=True, capture_output=True).stdout


def test_two_builds_are_identical(tmp_path: Path) -> None:
    a = build_folder(tmp_path / "a", FILES)
    b = build(Scripts.from_folder(tmp_path / "a"))
    assert a.text == b.text
    assert a.content == b.content


def test_build_does_not_depend_on_times_owners_location_or_locale(tmp_path: Path) -> None:
    first = build_folder(tmp_path / "a", FILES)
    other = tmp_path / "elsewhere" / "b"
    shutil.copytree(tmp_path / "a", other)
    for path in other.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
        if os.geteuid() == 0:
            os.chown(path, 4321, 4321)
    code = (
        "import sys; from lcc_constructs import build, Scripts; "
        f"sys.stdout.write(build(Scripts.from_folder({str(other)!r})).content)"
    )
    env = {**os.environ, "TZ": "Asia/Tokyo", "LC_ALL": "C", "LANG": "C"}
    second = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                            capture_output=True, text=True, preexec_fn=lambda: os.umask(0o077))
    assert second.stdout == first.content


def test_content_is_the_literal_base64_of_the_script(tmp_path: Path) -> None:
    rendered = build_folder(tmp_path / "s", FILES)
    assert shell("base64 -d", rendered.content.encode()).decode() == rendered.text
    assert "\n" not in rendered.content
    encoded_by_coreutils = shell("base64 -w0", rendered.text.encode())
    assert rendered.report.encoded_chars == len(encoded_by_coreutils) == len(rendered.content)


def test_the_script_unpacks_to_the_same_files_with_its_own_shell_code(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES, {"config/settings.json": 0o600, "20-user.sh": 0o750})
    rendered = build(Scripts.from_folder(folder))
    bundle = unpack_with_script(rendered.text, tmp_path / "startup")
    assert tree(bundle / "scripts") == tree(folder)
    # The runner and its plan (root's alone), and the notebook user's copy of the logs.
    assert sorted(p.name for p in (bundle / "lcc").iterdir()) == ["c", "runner.sh"]
    assert (bundle / "lcc" / "runner.sh").stat().st_mode & 0o777 == 0o600


def test_the_manifest_is_read_at_build_and_not_packed(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {**FILES, "lifecycle.toml": '[[step]]\nscript = "10-root.sh"\n'})
    rendered = build(Scripts.from_folder(folder))
    assert [s.name for s in rendered.steps] == ["10-root"]
    assert "lifecycle.toml" not in {f.path for f in rendered.report.files}


def test_report_matches_what_was_measured(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    report = build(Scripts.from_folder(folder)).report
    sizes = {p.relative_to(folder).as_posix(): p.stat().st_size for p in folder.rglob("*") if p.is_file()}
    assert report.raw_bytes == sum(sizes.values())
    assert {f.path: f.raw_bytes for f in report.files} == sizes
    assert sum(f.share for f in report.files) == pytest.approx(1.0)
    assert report.limit == 16384
    assert report.fits and report.headroom_chars == 16384 - report.encoded_chars
    d = report.to_dict()
    assert {"raw_bytes", "compressed_bytes", "encoded_chars", "limit", "fits", "files"} <= d.keys()


def test_compressed_bytes_is_the_decoded_payload_size(tmp_path: Path) -> None:
    rendered = build_folder(tmp_path / "s", FILES, codec="deflate+base85")
    _, payload, _, _ = parse_loader(rendered.text)
    # Decoded by the instance's decoder (python3's base85), not by ours.
    code = "import base64,sys;sys.stdout.buffer.write(base64.b85decode(input()))"
    decoded = subprocess.run(["python3", "-c", code], input=payload.encode() + b"\n",
                             capture_output=True, check=True).stdout
    assert len(decoded) == rendered.report.compressed_bytes


def test_the_loader_checks_the_sha256_before_anything_runs(tmp_path: Path) -> None:
    rendered = build_folder(tmp_path / "s", FILES)
    proc, program = run_loader(rendered.text, tmp_path / "run")
    assert proc.returncode == 0 and program.is_file()
    program.unlink()
    bad = rendered.text.replace(rendered.payload_sha256, "0" * 64)
    proc, program = run_loader(bad, tmp_path / "run")
    assert proc.returncode == 0  # no required step: the instance still starts
    assert "the payload cannot be used, no step ran" in proc.stdout
    assert not program.exists()


def test_an_unusable_payload_fails_the_start_when_a_step_is_required(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    rendered = build(Scripts.from_folder(folder, steps=[Step(name="r", script="10-root.sh", required=True)]))
    proc, program = run_loader(rendered.text.replace(rendered.payload_sha256, "f" * 64), tmp_path / "run")
    assert proc.returncode == 1
    assert "no step ran" in proc.stdout and not program.exists()


def test_over_the_limit_names_the_largest_files_and_the_numbers(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n", "blob.bin": os.urandom(13000),
                                           "small.txt": "x\n"})
    with pytest.raises(BundleError) as e:
        build(Scripts.from_folder(folder))
    message = str(e.value)
    assert "over the service's limit of 16384" in message
    assert "13000 bytes  blob.bin" in message
    assert "Content (base64)" in message  # the size report comes with it
    assert isinstance(e.value, ValueError)


def test_just_under_the_limit_builds(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n", "blob.bin": os.urandom(3000)})
    assert build(Scripts.from_folder(folder)).report.fits


def scripts_of_size(folder: Path, chars: int) -> tuple[Scripts, BuildOptions]:
    """A step and random bytes whose script is exactly ``chars`` characters of Content, and the
    codec that gets it there.

    Random bytes stored (not compressed) and base64: each byte packed adds about 16/9
    characters. Not every multiple of 4 can be reached with one codec (the script grows by 4
    bytes for 3 compressed ones, and its base64 by 4 characters for 3 bytes: which sizes are
    skipped depends on the loader's length, which differs by codec), so two are tried.
    """
    blob = random.Random(0).randbytes(chars)

    def scripts(n: int, pad: int) -> Scripts:
        files = {"a.py": "print(1)" + "#" * pad + "\n", "blob": blob[:n]}
        return Scripts.from_folder(write_folder(folder, files))

    def size(n: int, pad: int = 0) -> int:
        return render(scripts(n, pad), options).report.encoded_chars

    for options in (BuildOptions(codec="deflate+base85"), BuildOptions(codec="bzip2+base85")):
        low, high = 0, chars  # the fewest bytes reaching the size, then the sizes around it
        while low < high:
            mid = (low + high) // 2
            low, high = (low, mid) if size(mid) >= chars else (mid + 1, high)
        for pad in range(4):  # the sizes go up by 4 or 8: another padding may fill a gap
            for n in range(max(low - 16, 0), low + 16):
                if size(n, pad) == chars:
                    return scripts(n, pad), options
    raise AssertionError(f"no folder gives a script of {chars} characters")


def test_the_limit_is_the_services_16384_characters(tmp_path: Path) -> None:
    # Content is base64, a multiple of 4 characters: 16384 is the largest the service takes.
    at = build(*scripts_of_size(tmp_path / "at", 16384))
    assert at.report.fits and len(at.content) == at.report.encoded_chars == 16384
    with pytest.raises(BundleError, match="is 16388 characters after base64, over the service's limit "
                                          "of 16384 by 4"):
        build(*scripts_of_size(tmp_path / "over", 16388))


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\r\n", "b.py": "def (:\n"})
    with pytest.raises(BundleError) as e:
        build(Scripts.from_folder(folder), BuildOptions(budget_seconds=999))
    assert len(e.value.problems) == 3
    assert "budget of 999 seconds" in str(e.value)


def test_env_values_survive_quoting(tmp_path: Path) -> None:
    value = "sp ace 'single' \"double\" $HOME `tick` \\back\nnew line ünï * ?"
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n"})
    steps = [Step(name="a", script="a.sh", env={"V": value, "C": "c"})]
    rendered = build(Scripts.from_folder(folder, steps=steps))
    runner = (unpack_with_script(rendered.text, tmp_path / "startup") / "lcc" / "runner.sh").read_text()
    printer = tmp_path / "printer.sh"
    printer.write_text('printf %s "$V|$C"\n')
    plan = runner[:runner.index("\nclock()")].replace("/startup/on-start/scripts/a.sh", str(printer))
    # The step's variables as the runner exports them before it runs the step's script.
    out = subprocess.run(["bash", "-c", plan + "\ne 0"], capture_output=True, check=True).stdout
    assert out.decode() == value + "|c"


def test_bundle_and_cli_do_not_import_aws_cdk() -> None:
    code = ("import sys, lcc_constructs, lcc_constructs.cli, lcc_constructs.sandbox, "
            "lcc_constructs.readback; "
            "print(sorted(m for m in sys.modules if m.startswith(('aws_cdk', 'jsii'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_loader_text_is_compact(tmp_path: Path) -> None:
    rendered = build_folder(tmp_path / "s", FILES)
    lines = rendered.text.splitlines()
    assert lines[0] == "#!/bin/bash"
    # No comments, no trailing blanks (the Python's indentation is its syntax).
    assert not [line for line in lines[1:] if line.lstrip().startswith("#") or line != line.rstrip()]


def test_the_plan_reads_back_as_the_steps_and_options_it_was_written_from(tmp_path: Path) -> None:
    # The contract between the plan's writer and reader (bundle/plan.py): every field of every
    # step, and the build options the plan carries, survive the round trip, odd values included.
    files = {"a.sh": "echo a\n", "sub dir/b.py": "print(1)\n", "c.sh": "echo c\n"}
    folder = write_folder(tmp_path / "s", files)
    steps = [
        Step(name="a", script="a.sh", run_as=RunAs.ROOT, timeout_seconds=12.5, required=True,
             stop_on_failure=True,
             env={"QUOTED": "it's \"here\" $HOME `x`", "NEWLINE": "one\ntwo", "EMPTY": "",
                  "LIKE_PLAN": "x\nB=(1)\n0)export A=1;exec x;;\nesac;}\n"}),
        # A value whose lines look like the plan's own (an array, an entry, the end of e).
        Step(name="b.py-1", script="sub dir/b.py", run_as=RunAs.NOTEBOOK_USER, background=True,
             env={"LIKE_PLAN": "x\nB=(1)\n0)export A=1;exec x;;\nesac;}\n"}),
        Step(name="c", script="c.sh", run_as=RunAs.NOTEBOOK_USER, timeout_seconds=86400),
    ]
    options = BuildOptions(kind="on-create", budget_seconds=123.45, unpack_dir="/opt/lcc-x",
                           state_dir="/var/log/lcc-test", keep_runs=3)
    rendered = build(Scripts.from_folder(folder, steps=steps), options)
    codec, payload, _, _ = parse_loader(rendered.text)
    entries = {e.path: e.data for e in read_shar(codec.compressor.decompress(codec.encoding.decode(payload)))}
    read_options, read_steps = read_plan(entries["lcc/runner.sh"].decode(),
                                         entries.get("lcc/u", b"").decode())
    assert read_steps == tuple(steps)
    assert (read_options.kind, read_options.budget_seconds, read_options.unpack_dir, read_options.state_dir,
            read_options.keep_runs) == ("on-create", 123.45, "/opt/lcc-x", "/var/log/lcc-test", 3)


SETTINGS = "k=on-start h=/s/on-start r=/v s= n=1 b=1\n"


@pytest.mark.parametrize("runner", [
    "", "k=x\n", "k='on-start\nN=(a)\n", SETTINGS + "N=(a)\nX=1\n",
    SETTINGS.replace("b=1", "b=x")
    + "N=(a)\ne(){ case $1 in\n0)export LCC_STEP=a;exec bash /s/on-start/scripts/a;;\nesac;}\n",
    SETTINGS + "N=(a b)\nU=(root)\ne(){ case $1 in\nesac;}\n",
    SETTINGS + "N=(a)\ne(){ case $1 in\n;;\n0)export 'A\n",
])
def test_a_plan_that_is_not_ours_is_refused_without_a_traceback(runner: str) -> None:
    # Read back from a deployed configuration: anyone allowed to update it wrote it.
    with pytest.raises(BundleError, match="not an lcc-constructs plan"):
        read_plan(runner)
