"""Declaring steps: the Python API, the manifest, the default without one, folder collection."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from lcc_constructs import BundleError, RunAs, Scripts, Step, build
from lcc_constructs.bundle.manifest import load_manifest, load_options
from lcc_constructs.recipes import from_spec

from .helpers import write_folder

MANIFEST = """
[[step]]
script = "a.sh"

[[step]]
name = "user-part"
script = "lib/b.py"
run_as = "ec2-user"
background = true
timeout = 12.5
required = false
[step.env]
GREETING = "hello world"
"""


def test_manifest_and_python_api_say_the_same(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo a\n", "lib/b.py": "print(1)\n",
                                           "lifecycle.toml": MANIFEST})
    from_manifest = Scripts.from_folder(folder).steps
    from_python = (
        Step(name="a", script="a.sh"),
        Step(name="user-part", script="lib/b.py", run_as=RunAs.NOTEBOOK_USER, background=True,
             timeout_seconds=12.5, env={"GREETING": "hello world"}),
    )
    assert from_manifest == from_python


def test_python_steps_override_the_manifest(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo a\n", "lib/b.py": "print(1)\n",
                                           "lifecycle.toml": MANIFEST})
    scripts = Scripts.from_folder(folder, steps=[Step(name="only", script="a.sh")])
    assert [s.name for s in scripts.steps] == ["only"]


def test_run_as_accepts_the_user_name_as_text() -> None:
    assert Step(name="x", script="x.sh", run_as="ec2-user").run_as is RunAs.NOTEBOOK_USER  # type: ignore[arg-type]


def test_run_as_unknown_user_is_rejected() -> None:
    with pytest.raises(BundleError, match="run_as='admin' is not a known user"):
        Step(name="x", script="x.sh", run_as="admin")  # type: ignore[arg-type]


def test_default_steps_without_manifest(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {
        "20-second.sh": "echo 2\n", "10-first.py": "print(1)\n", "README.md": "docs\n",
        "lib/helper.sh": "echo helper\n",
    })
    scripts = Scripts.from_folder(folder)
    assert [(s.name, s.script, s.run_as) for s in scripts.steps] == [
        ("10-first", "10-first.py", None),
        ("20-second", "20-second.sh", None),
    ]
    # every file is packed, steps or not
    assert sorted(f.path for f in scripts.files) == [
        "10-first.py", "20-second.sh", "README.md", "lib/helper.sh",
    ]


def test_a_folder_laid_out_for_the_service_runs_its_kinds_script(tmp_path: Path) -> None:
    # As people have them: on-start.sh and on-create.sh beside a helper they call. Each kind
    # runs exactly its own script, as root; the helper travels but is not a step.
    folder = write_folder(tmp_path / "s", {
        "on-start.sh": "python3 \"$LCC_SCRIPTS_DIR/helper.py\"\n", "on-create.sh": "echo once\n",
        "helper.py": "print('help')\n", "lib/common.sh": "x=1\n",
    })
    for kind in ("on-start", "on-create"):
        scripts = Scripts.from_folder(folder, kind=kind)
        assert [(s.name, s.script, s.run_as) for s in scripts.steps] == [(kind, f"{kind}.sh", None)]
        assert sorted(f.path for f in scripts.files) == [
            "helper.py", "lib/common.sh", "on-create.sh", "on-start.sh"]


def test_a_folder_with_only_the_other_kinds_script_has_nothing_to_run(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"on-create.sh": "echo once\n", "helper.sh": "echo\n"})
    assert Scripts.from_folder(folder, kind="on-start").steps == ()
    # It said "no top-level *.sh or *.py file": the folder has two, and the way to build it.
    with pytest.raises(BundleError, match=r"no step to run: the folder holds on-create\.sh, the on-create "
                                          r"script, and no on-start\.sh, so the on-start script has nothing "
                                          r"to run\. Fix: build the folder as the on-create script "
                                          r"\(LifecycleConfig\(\.\.\., on_create=folder\), "
                                          r"Scripts\.from_folder\(folder, kind='on-create'\), lcc build "
                                          r"--kind on-create, lcc deploy --on-create FOLDER\), or add "
                                          r"on-start\.sh\."):
        build(Scripts.from_folder(folder, kind="on-start"))
    (folder / "on-create.sh").rename(folder / "on-start.sh")
    with pytest.raises(BundleError, match=r"holds on-start\.sh, the on-start script, and no on-create\.sh.* "
                                          r"lcc build --kind on-start\), or add on-create\.sh\."):
        build(Scripts.from_folder(folder, kind="on-create"))


def test_files_keep_their_permission_bits(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n", "key": "k"}, {"a.sh": 0o750, "key": 0o600})
    modes = {f.path: f.mode for f in Scripts.from_folder(folder).files}
    assert modes == {"a.sh": 0o750, "key": 0o600}


def test_caches_are_not_packed(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.py": "print(1)\n", "__pycache__/a.cpython-311.pyc": b"\0",
                                           ".DS_Store": b"x", "b.pyc": b"\0"})
    assert [f.path for f in Scripts.from_folder(folder).files] == ["a.py"]


def test_custom_exclude(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n", "data/big.bin": b"\0" * 10})
    assert [f.path for f in Scripts.from_folder(folder, exclude=["data"]).files] == ["a.sh"]


def test_prefix_moves_files_and_steps(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n"})
    scripts = Scripts.from_folder(folder, prefix="team")
    assert [f.path for f in scripts.files] == ["team/a.sh"]
    assert scripts.steps[0].script == "team/a.sh"


def test_scripts_combine(tmp_path: Path) -> None:
    a = Scripts.from_folder(write_folder(tmp_path / "a", {"a.sh": "echo\n"}))
    b = Scripts.from_folder(write_folder(tmp_path / "b", {"b.sh": "echo\n"}), prefix="b")
    both = a + b
    assert [s.name for s in both.steps] == ["a", "b"]
    assert [f.path for f in both.files] == ["a.sh", "b/b.sh"]


# --- folder errors: each with a passing counterpart above or beside it ---

def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="does not exist"):
        Scripts.from_folder(tmp_path / "nope")


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(BundleError, match="is empty"):
        Scripts.from_folder(tmp_path / "empty")


def test_symlink_inside_the_folder_is_packed_as_a_file(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"real.sh": "echo real\n"})
    (folder / "alias.sh").symlink_to("real.sh")
    files = {f.path: f.data for f in Scripts.from_folder(folder).files}
    assert files["alias.sh"] == b"echo real\n"


def test_symlink_leaving_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("password")
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n"})
    (folder / "leak.txt").symlink_to(outside)
    with pytest.raises(BundleError, match=r"leak\.txt: symlink points outside the scripts folder"):
        Scripts.from_folder(folder)


def test_symlink_to_a_directory_leaving_the_folder(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n"})
    (folder / "etc").symlink_to("/etc")
    with pytest.raises(BundleError, match="points outside"):
        Scripts.from_folder(folder)


def test_dangling_symlink(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n"})
    (folder / "gone.sh").symlink_to("missing.sh")
    with pytest.raises(BundleError, match="dangling symlink"):
        Scripts.from_folder(folder)


def test_special_files_are_rejected(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n"})
    os.mkfifo(folder / "pipe")
    with pytest.raises(BundleError, match="not a regular file"):
        Scripts.from_folder(folder)


def test_socket_is_rejected(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n"})
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(folder / "sock"))
        with pytest.raises(BundleError, match="not a regular file"):
            Scripts.from_folder(folder)


# --- manifest errors ---

@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[step]\n", "not valid TOML"),
        ("name = 'x'\n", "unknown top-level key"),
        ("", "no \\[\\[step\\]\\] table"),
        ("[[step]]\nname = 'x'\n", "'script' is required"),
        ("[[step]]\nscript = 'a.sh'\ntimout = 3\n", r"unknown key\(s\) \['timout'\]"),
        # Each says what the key holds (it said "has the wrong type").
        ("[[step]]\nscript = 'a.sh'\ntimeout = '3'\n",
         r"'timeout' must be a number of seconds, not a string \('3'\)"),
        ("[[step]]\nscript = 'a.sh'\nbackground = 'yes'\n",
         r"'background' must be true or false, not a string \('yes'\)"),
        ("[[step]]\nscript = 'a.sh'\ntimeout = true\n",
         r"'timeout' must be a number of seconds, not a boolean"),
        ("[[step]]\nscript = 'a.sh'\nrequired = 1\n",
         r"'required' must be true or false, not an integer \(1\)"),
        ("[[step]]\nscript = 'a.sh'\nenv = ['A=1']\n",
         r"'env' must be a table \(\[step.env\]\) of names to strings, not an array"),
        ("[[step]]\nscript = 'a.sh'\nname = 2026-01-01\n", r"'name' must be a string, not a date or time"),
        ("[[step]]\nscript = 'a.sh'\nenv = { N = 3 }\n", "env value of 'N' must be a string"),
        ("[[step]]\nscript = 'a.sh'\nrun_as = 'admin'\n", "not a known user"),
    ],
)
def test_manifest_errors_name_the_file_and_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "lifecycle.toml"
    path.write_text(text)
    with pytest.raises(BundleError, match=message) as e:
        load_manifest(path, from_spec)
    assert str(path) in str(e.value)


@pytest.mark.parametrize(("line", "ok"), [("minify = true", True), ("minify = 1", False),
                                           ("budget = 200", True), ("budget = 99.5", True),
                                           ("budget = true", False), ("keep_runs = 2.0", False),
                                           ("codec = 'deflate+base85'", True), ("codec = 3", False)])
def test_manifest_options_of_the_wrong_type_are_refused(tmp_path: Path, line: str, ok: bool) -> None:
    path = tmp_path / "lifecycle.toml"
    path.write_text(f"[options]\n{line}\n")
    if ok:
        assert len(load_options(path)) == 1
    else:
        with pytest.raises(BundleError, match=r"\[options\]: '\w+' must be .*, not (a|an) \w+ \("):
            load_options(path)


def test_the_very_same_file_from_two_sources_is_packed_once(tmp_path: Path) -> None:
    a = Scripts.from_folder(write_folder(tmp_path / "a", {"x.sh": "echo\n", "same.txt": "1\n"}))
    b = Scripts.from_folder(write_folder(tmp_path / "b", {"same.txt": "1\n", "y.sh": "echo\n"}))
    assert [f.path for f in (a + b).files] == ["same.txt", "x.sh", "y.sh"]
    c = Scripts.from_folder(write_folder(tmp_path / "c", {"same.txt": "2\n"}))
    assert [f.path for f in (a + c).files].count("same.txt") == 2  # different: the checks refuse it


# --- the manifest itself: what lifecycle.toml may be ---

def test_a_manifest_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # Windows editors write one; tomllib refuses it ("Invalid statement"): it is dropped.
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n"})
    (folder / "lifecycle.toml").write_bytes(b'\xef\xbb\xbf[[step]]\nscript = "a.sh"\ntimeout = 9\n'
                                            b"[options]\nbudget = 99\n")
    assert [(s.name, s.timeout_seconds) for s in Scripts.from_folder(folder).steps] == [("a", 9)]
    assert load_options(folder / "lifecycle.toml") == {"budget_seconds": 99}


def test_a_folder_named_lifecycle_toml_is_refused(tmp_path: Path) -> None:
    # It was taken for a folder without a manifest, its files packed as lifecycle.toml/...
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n", "lifecycle.toml/steps.toml": "[[step]]\n"})
    with pytest.raises(BundleError, match=r"lifecycle\.toml: is a folder; lifecycle\.toml is the folder's "
                                          r"manifest, a file"):
        Scripts.from_folder(folder)
    with pytest.raises(BundleError, match="is a folder"):
        Scripts.from_folder(folder, steps=[Step(name="a", script="a.sh")])


def test_a_manifest_linking_out_of_the_folder_is_refused_unread(tmp_path: Path) -> None:
    # It was followed: /etc/hostname was read as the manifest, its text in the error.
    outside = tmp_path / "secret"
    outside.write_text("s3cr3t-value\n")
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n"})
    (folder / "lifecycle.toml").symlink_to(outside)
    with pytest.raises(BundleError, match="symlink points outside the scripts folder") as e:
        Scripts.from_folder(folder)
    assert "s3cr3t" not in str(e.value)
    (folder / "lifecycle.toml").unlink()
    (folder / "lifecycle.toml").symlink_to("missing.toml")
    with pytest.raises(BundleError, match="dangling symlink"):
        Scripts.from_folder(folder)


def test_a_manifest_linking_inside_the_folder_is_read_as_the_other_files_are(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n",
                                           "conf/steps.toml": '[[step]]\nscript = "a.sh"\nname = "x"\n'})
    (folder / "lifecycle.toml").symlink_to("conf/steps.toml")
    assert [s.name for s in Scripts.from_folder(folder).steps] == ["x"]


def test_a_fifo_named_lifecycle_toml_is_refused_without_waiting(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n"})
    os.mkfifo(folder / "lifecycle.toml")
    with pytest.raises(BundleError, match=r"lifecycle\.toml: not a regular file"):
        Scripts.from_folder(folder)


# --- sizes are looked at before anything is read ---

def test_a_folder_too_large_for_any_script_is_refused_before_a_file_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A 1 GB sparse file took 74 s and 3.2 GB of memory to be refused.
    from lcc_constructs.limits import S3_FILES_MAX_BYTES

    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n", "data/small.bin": "x"})
    with open(folder / "data" / "big.bin", "wb") as f:
        f.truncate(1 << 30)

    def no_reading(self: Path, *args: object, **kwargs: object) -> object:
        raise AssertionError(f"{self} was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(BundleError, match=rf"its files hold {(1 << 30) + 6} bytes, more than a script "
                                          rf"can carry \({S3_FILES_MAX_BYTES} bytes; at most 64 MiB inline, "
                                          r"256 MiB with payload='s3'\); refused before any of them was "
                                          r"read. Largest: \S+/data/big\.bin \(1073741824 bytes\), \S+/a\.sh "
                                          r"\(5 bytes\)"):
        Scripts.from_folder(folder)


def test_a_file_that_grows_while_the_folder_is_read_is_refused(tmp_path: Path) -> None:
    from lcc_constructs.bundle.steps import read_file

    path = tmp_path / "a.sh"
    path.write_text("echo grown\n")
    with pytest.raises(BundleError, match="grew to more than 4 bytes while the folder was read"):
        read_file(path, "a.sh", path, path.stat(), 4)


def test_a_manifest_too_large_is_refused_unread(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", {"a.sh": "echo\n"})
    with open(folder / "lifecycle.toml", "wb") as f:
        f.truncate(2 << 20)
    with pytest.raises(BundleError, match=r"lifecycle\.toml: 2097152 bytes, more than a manifest may hold"):
        Scripts.from_folder(folder)
