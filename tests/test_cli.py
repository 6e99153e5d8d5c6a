"""The `lcc` console script, run as a user runs it."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from lcc_constructs.bundle.archive import read_shar
from lcc_constructs.readback._script import parse_loader
from lcc_constructs.sandbox import availability

from .conftest import LCC, require
from .helpers import tree, unpack_with_script, write_folder

FILES = {"a.sh": "#!/bin/bash\necho a\n", "lib/data.txt": "x\n"}


def lcc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LCC, *args], capture_output=True, text=True)


def test_build_writes_the_script(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    out = tmp_path / "on-start.sh"
    proc = lcc("build", str(folder), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "fits" in proc.stderr
    assert out.stat().st_mode & 0o100
    bundle = unpack_with_script(out.read_text(), tmp_path / "startup")
    assert tree(bundle / "scripts") == tree(folder)


def test_build_content_is_base64_of_the_script(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    lcc("build", str(folder), "-o", str(tmp_path / "s.sh"))
    lcc("build", str(folder), "-o", str(tmp_path / "content.txt"), "--content")
    decoded = subprocess.run(["base64", "-d", str(tmp_path / "content.txt")], capture_output=True).stdout
    assert decoded == (tmp_path / "s.sh").read_bytes()
    # The file is the Content and nothing else: its length is what the service measures.
    content = (tmp_path / "content.txt").read_text()
    assert content == base64.b64encode((tmp_path / "s.sh").read_bytes()).decode()


def test_build_error_writes_nothing_and_keeps_the_old_file(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "if then\n"})
    out = tmp_path / "on-start.sh"
    out.write_text("previous good script\n")
    proc = lcc("build", str(folder), "-o", str(out))
    assert proc.returncode == 1
    assert "bash -n fails" in proc.stderr
    assert out.read_text() == "previous good script\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["on-start.sh", "s"]  # no temp file left


def test_build_error_creates_no_file(tmp_path: Path) -> None:
    proc = lcc("build", str(tmp_path / "missing"), "-o", str(tmp_path / "out.sh"))
    assert proc.returncode == 1 and "does not exist" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_build_oversize_is_an_error(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n", "big": os.urandom(20000)})
    proc = lcc("build", str(folder), "-o", str(tmp_path / "out.sh"))
    assert proc.returncode == 1 and "over the service's limit" in proc.stderr
    assert not (tmp_path / "out.sh").exists()


def test_report_json(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    lcc("build", str(folder), "-o", str(tmp_path / "s.sh"))
    proc = lcc("report", str(folder), "--json")
    assert proc.returncode == 0
    report = json.loads(proc.stdout)
    assert {"raw_bytes", "compressed_bytes", "encoded_chars", "limit", "fits", "files"} <= report.keys()
    encoded = subprocess.run(["base64", "-w0", str(tmp_path / "s.sh")], capture_output=True).stdout
    assert report["encoded_chars"] == len(encoded)
    assert report["limit"] == 16384 and report["fits"] is True
    sizes = {f["path"]: f["raw_bytes"] for f in report["files"]}
    assert sizes == {p: len(c.encode()) for p, c in FILES.items()}


def test_report_json_of_a_folder_that_does_not_fit(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n", "big": os.urandom(20000)})
    proc = lcc("report", str(folder), "--json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["fits"] is False and report["encoded_chars"] > report["limit"] == 16384
    assert report["headroom_chars"] == report["limit"] - report["encoded_chars"] < 0
    assert proc.stderr == (f"lcc report: the on-start script does not fit: {report['encoded_chars']} "
                           f"characters, over the service's limit of 16384 by {-report['headroom_chars']} "
                           "(lcc report without --json says what to do)\n")
    text = lcc("report", str(folder))
    assert text.returncode == 1 and text.stdout == "" and "over the service's limit" in text.stderr


def test_report_text(tmp_path: Path) -> None:
    proc = lcc("report", str(write_folder(tmp_path / "s", FILES)))
    assert proc.returncode == 0
    assert "Content (base64)" in proc.stdout and "lib/data.txt" in proc.stdout


def test_report_error(tmp_path: Path) -> None:
    proc = lcc("report", str(write_folder(tmp_path / "s", {"a.py": "print(\n"})))
    assert proc.returncode == 1 and "Python syntax error" in proc.stderr


def test_inspect_a_script(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    lcc("build", str(folder), "-o", str(tmp_path / "s.sh"))
    proc = lcc("inspect", str(tmp_path / "s.sh"), "--json")
    found = json.loads(proc.stdout)
    assert len(found) == 1 and found[0]["step_names"] == ["a"]
    assert found[0]["raw_bytes"] == sum(len(c.encode()) for c in FILES.values())


def test_inspect_a_template_whose_content_is_not_base64(tmp_path: Path) -> None:
    assembly = tmp_path / "cdk.out"
    assembly.mkdir()
    resource = {"Type": "AWS::SageMaker::NotebookInstanceLifecycleConfig",
                "Properties": {"OnStart": [{"Content": "!!notbase64"}]}}
    (assembly / "Stack.template.json").write_text(json.dumps({"Resources": {"Config": resource}}))
    proc = lcc("inspect", str(assembly))
    assert proc.returncode == 1
    assert "Config.OnStart: Content is not base64" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_every_manifest_option_has_its_flag() -> None:
    from lcc_constructs.bundle.manifest import OPTION_KEYS
    from lcc_constructs.cli import BUILD_OPTION_KEYS, parser

    assert sorted(BUILD_OPTION_KEYS) == sorted(OPTION_KEYS)
    build = parser().parse_args(["build", "-o", "-"])
    assert all(hasattr(build, key) for key in BUILD_OPTION_KEYS)


def test_commands_do_not_start_jsii(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    code = ("import sys; from lcc_constructs.cli import main; main(['report', %r]); "
            "assert not [m for m in sys.modules if m.startswith(('aws_cdk', 'jsii'))], 'CDK imported'")
    proc = subprocess.run([sys.executable, "-c", code % str(folder)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.sandbox
def test_simulate(tmp_path: Path) -> None:
    require(availability() is None, f"sandbox unavailable: {availability()}")
    ok = write_folder(tmp_path / "ok", FILES)
    lcc("build", str(ok), "-o", str(tmp_path / "ok.sh"))
    proc = lcc("simulate", str(tmp_path / "ok.sh"), "--volume", str(tmp_path / "vol"))
    assert proc.returncode == 0, proc.stderr
    assert "would succeed" in proc.stdout and "[a] " in proc.stdout

    bad = write_folder(tmp_path / "bad", {"a.sh": "exit 2\n",
                                          "lifecycle.toml": "[[step]]\nscript='a.sh'\nrequired=true\n"})
    lcc("build", str(bad), "-o", str(tmp_path / "bad.sh"))
    proc = lcc("simulate", str(tmp_path / "bad.sh"), "--json")
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert result["would_fail"] and result["runs"][0]["status"]["steps"][0]["exit_code"] == 2


def test_simulate_unavailable_exits_2(tmp_path: Path) -> None:
    script = tmp_path / "s.sh"
    script.write_text("#!/bin/bash\ntrue\n")
    env_path = str(tmp_path / "nobin")
    (tmp_path / "nobin").mkdir()
    # Without unshare, mount and sudo on PATH the sandbox cannot run: a clear message, exit 2.
    proc = subprocess.run([sys.executable, "-m", "lcc_constructs.cli", "simulate", str(script)],
                          capture_output=True, text=True, env={"PATH": env_path})
    assert proc.returncode == 2
    assert "cannot run here" in proc.stderr


def test_usage_error() -> None:
    proc = lcc("build")
    assert proc.returncode == 2


def test_minify_and_codec_options(tmp_path: Path) -> None:
    require(shutil.which("shfmt", path=str(Path(sys.executable).parent)) is not None, "shfmt not installed")
    folder = write_folder(tmp_path / "s", {"a.sh": "#!/bin/bash\n# a long comment that goes\necho a\n"})
    proc = lcc("report", str(folder), "--json", "--minify", "--codec", "deflate+base85")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["codec"] == "deflate+base85" and report["minified_bytes"] == len("#!/bin/bash\necho a\n")
    out = tmp_path / "on-start.sh"
    assert lcc("build", str(folder), "-o", str(out), "--minify").returncode == 0
    bundle = unpack_with_script(out.read_text(), tmp_path / "startup")
    assert (bundle / "scripts" / "a.sh").read_text() == "#!/bin/bash\necho a\n"
    bad = lcc("report", str(folder), "--codec", "zip")
    assert bad.returncode == 2 and "codec 'zip' is not known" in bad.stderr


def test_build_for_an_s3_payload(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    out, payload = tmp_path / "on-start.sh", tmp_path / "bundle.lcc"
    proc = lcc("build", str(folder), "-o", str(out), "--s3-location", "s3://my-bucket/lcc/x.lcc",
               "--payload-file", str(payload))
    assert proc.returncode == 0, proc.stderr
    assert "upload it to s3://my-bucket/lcc/x.lcc" in proc.stderr
    text = out.read_text()
    assert "\nmy-bucket lcc/x.lcc\n" in text
    codec, location, sha256, _ = parse_loader(text)
    assert location == "my-bucket lcc/x.lcc" and hashlib.sha256(payload.read_bytes()).hexdigest() == sha256
    unpacked = {e.path: e.data for e in read_shar(codec.compressor.decompress(payload.read_bytes()))}
    assert {p: unpacked["scripts/" + p] for p in FILES} == {p: c.encode() for p, c in FILES.items()}
    alone = lcc("build", str(folder), "-o", str(out), "--payload-file", str(payload))
    assert alone.returncode == 2 and "go together" in alone.stderr


def test_a_closed_pipe_is_not_an_error(tmp_path: Path) -> None:
    # As with `lcc report | head`: the reader is gone before lcc writes.
    folder = write_folder(tmp_path / "s", FILES)
    proc = subprocess.Popen([LCC, "report", str(folder)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait() == 0 and stderr == ""


@pytest.mark.skipif(os.geteuid() != 0, reason="replacing a device node needs root")
def test_output_never_replaces_a_device(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    for device in ("/dev/full", "/dev/null"):
        before = os.stat(device)
        proc = lcc("build", str(folder), "-o", device)
        assert proc.returncode == 2 and "not a regular file" in proc.stderr and "wrote" not in proc.stderr
        after = os.stat(device)
        assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_output_never_replaces_a_symlink_or_fifo(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    target = tmp_path / "target.sh"
    target.write_text("kept\n")
    link = tmp_path / "link.sh"
    link.symlink_to(target)
    proc = lcc("build", str(folder), "-o", str(link))
    assert proc.returncode == 2 and "is a symlink" in proc.stderr
    assert link.is_symlink() and target.read_text() == "kept\n"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    proc = lcc("build", str(folder), "-o", str(fifo))
    assert proc.returncode == 2 and "not a regular file" in proc.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("value, message", [
    ("", "-o: give a file path"),
    ("/no/such/dir/x.sh", "-o /no/such/dir/x.sh: the folder /no/such/dir does not exist"),
])
def test_output_path_errors_name_what_the_user_gave(tmp_path: Path, value: str, message: str) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    proc = lcc("build", str(folder), "-o", value)
    assert proc.returncode == 2 and message in proc.stderr and ".tmp" not in proc.stderr


def test_output_dash_is_standard_output(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    lcc("build", str(folder), "-o", str(tmp_path / "file.sh"))
    proc = lcc("build", str(folder), "-o", "-")
    assert proc.returncode == 0 and proc.stdout == (tmp_path / "file.sh").read_text()
    assert not (Path.cwd() / "-").exists()


@pytest.mark.parametrize("args", [["--budget", "0"], ["--budget", "nan"], ["--codec", "zip+base85"]])
def test_bad_option_values_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    proc = lcc("report", str(folder), *args)
    assert proc.returncode == 2 and proc.stderr.startswith("lcc report: ") and "Traceback" not in proc.stderr


def test_version() -> None:
    proc = lcc("--version")
    assert proc.returncode == 0
    from importlib.metadata import version
    assert proc.stdout.strip() == f"lcc-constructs {version('lcc-constructs')}"


def test_recipes_json() -> None:
    proc = lcc("recipes", "--json")
    assert proc.returncode == 0, proc.stderr
    recipes = {r["name"]: r for r in json.loads(proc.stdout)}
    assert {"autostop", "persistent-bin", "stop-ssm-agent"} <= set(recipes)
    assert recipes["autostop"]["options"]["idle_minutes"] == 60
    assert recipes["autostop"]["options"]["token_file"] is None


@pytest.mark.parametrize("manifest, message", [
    ("[[step]]\nscript='a.sh'\ntimeout=inf\n", "timeout_seconds=inf must be"),
    ("[[step]]\nscript='a.sh'\ntimeout=nan\n", "timeout_seconds=nan must be"),
])
def test_non_finite_timeouts_are_clear_errors(tmp_path: Path, manifest: str, message: str) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo a\n", "lifecycle.toml": manifest})
    proc = lcc("report", str(folder))
    assert proc.returncode == 1 and message in proc.stderr and "Traceback" not in proc.stderr


def test_a_symlink_loop_is_a_clear_error(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    (folder / "loop").symlink_to(folder)
    (folder / "x").symlink_to("y")
    (folder / "y").symlink_to("x")
    proc = lcc("report", str(folder))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "loop" in proc.stderr and "x" in proc.stderr


def test_minify_keeps_a_float_before_a_keyword(tmp_path: Path) -> None:
    require(shutil.which("shfmt", path=str(Path(sys.executable).parent)) is not None, "shfmt not installed")
    code = "import sys\nt = len(sys.argv) > 1\nprint(1. if t else 2.)\nprint(0x1f or 3)\n"
    folder = write_folder(tmp_path / "s", {"a.py": code})
    out = tmp_path / "on-start.sh"
    assert lcc("build", str(folder), "-o", str(out), "--minify").returncode == 0
    bundle = unpack_with_script(out.read_text(), tmp_path / "startup")
    minified = bundle / "scripts" / "a.py"
    proc = subprocess.run([sys.executable, "-W", "error", str(minified)], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == "2.0\n31\n", proc.stderr


def test_an_incompressible_folder_is_refused_with_the_reason(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "a.sh").write_text("echo a\n")
    (folder / "blob.bin").write_bytes(os.urandom(4 << 20))
    proc = lcc("report", str(folder))
    assert proc.returncode == 1 and "over the service's limit" in proc.stderr


@pytest.mark.sandbox
def test_simulate_streams_output_and_removes_its_volume(tmp_path: Path) -> None:
    require(availability() is None, f"sandbox unavailable: {availability()}")
    wait = "for i in $(seq 600); do [ -e /opt/gate/go ] && break; sleep 0.1; done\n"
    folder = write_folder(tmp_path / "s", {"a.sh": f"echo first-line\n{wait}echo second-line\n"})
    script = tmp_path / "s.sh"
    lcc("build", str(folder), "-o", str(script))
    # A temporary folder of its own: other tests' simulations may make volumes meanwhile.
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    gate = tmp_path / "gate"
    gate.mkdir()
    proc = subprocess.Popen([LCC, "simulate", str(script), "--bind", f"/opt/gate={gate}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(tmp)})
    assert proc.stdout is not None
    seen = ""
    while "first-line" not in seen:
        line = proc.stdout.readline()
        if not line:
            proc.kill()
            pytest.fail(f"simulate ended before the step's first line was shown: {seen}")
        seen += line
    # The step waits for the gate file we have not made yet: its first line arrived while it ran.
    assert proc.poll() is None and "second-line" not in seen
    (gate / "go").touch()
    rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "second-line" in rest and "would succeed" in rest and "persistent volume: removed" in rest
    assert list(tmp.iterdir()) == []


def test_simulate_removes_its_volume_when_the_sandbox_cannot_start(tmp_path: Path) -> None:
    script = tmp_path / "s.sh"
    script.write_text("#!/bin/bash\ntrue\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("mount", "sudo", "bash", "setsid"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    fake = bin_dir / "unshare"
    fake.write_text("#!/bin/sh\necho 'unshare: not allowed here' >&2\nexit 1\n")
    fake.chmod(0o755)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = subprocess.run([sys.executable, "-m", "lcc_constructs.cli", "simulate", str(script)],
                          capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "TMPDIR": str(tmp)})
    assert proc.returncode == 2 and "could not start" in proc.stderr, proc.stderr
    assert list(tmp.iterdir()) == []


def test_build_each_kind_of_a_folder_laid_out_for_the_service(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"on-start.sh": "echo start\n", "on-create.sh": "echo create\n",
                                           "helper.py": "print(1)\n"})
    for kind in ("on-start", "on-create"):
        out = tmp_path / f"{kind}.sh"
        assert lcc("build", str(folder), "--kind", kind, "-o", str(out)).returncode == 0
        (found,) = json.loads(lcc("inspect", str(out), "--json").stdout)
        assert found["kind"] == kind and found["step_names"] == [kind]


@pytest.mark.parametrize("args", [
    ["deploy", "name\n", "{folder}"],
    ["build", "{folder}", "--unpack-dir", "/startup\n", "-o", "-"],
    ["build", "{folder}", "--state-dir", "/home/ec2-user/SageMaker/.lc\n", "-o", "-"],
])
def test_a_name_or_folder_ending_in_a_newline_is_refused_before_anything_is_built(
        tmp_path: Path, args: list[str]) -> None:
    folder = write_folder(tmp_path / "s", FILES)
    proc = lcc(*(a.format(folder=folder) for a in args))
    assert proc.returncode == 2, proc.stderr
    assert "\\n'" in proc.stderr and proc.stdout == ""


def test_a_manifest_linking_out_of_the_folder_is_not_read_for_its_options(tmp_path: Path) -> None:
    # lcc read the [options] of /etc/hostname (say) before it looked at the folder's files.
    outside = tmp_path / "hostname"
    outside.write_text("ip-10-0-0-1.secret.internal\n")
    folder = write_folder(tmp_path / "s", FILES)
    (folder / "lifecycle.toml").symlink_to(outside)
    proc = lcc("build", str(folder), "-o", "-")
    assert proc.returncode == 1, proc.stderr
    assert "symlink points outside the scripts folder" in proc.stderr
    assert "secret" not in proc.stderr.replace(str(tmp_path), "") and proc.stdout == ""
