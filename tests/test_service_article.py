"""What the reader of the hand-made method (lcc_constructs/readback/_handmade.py) takes from a
wrapper, and what makes it say the wrapper is not that method (lcc pull then keeps the script as
it is). End to end through lcc pull: test_service_pull.py."""

from __future__ import annotations

import base64
import gzip
import io
import tarfile
from typing import Any

import pytest

from lcc_constructs.bundle import RunAs
from lcc_constructs.limits import READBACK_MAX_BYTES
from lcc_constructs.readback._handmade import NotArticle, read_article

FILES = {"setup.sh": b"#!/bin/bash\necho setup\n", "tool.py": b"print('tool')\n",
         "my script.sh": b"echo spaces\n"}


def archive(files: dict[str, bytes] = FILES, mode: str = "w:gz", link: str | None = None) -> str:
    """base64 of a tar archive of ``files`` (and a symlink ``link`` -> setup.sh)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:  # type: ignore[call-overload]
        for name, data in files.items():
            info = tarfile.TarInfo(f"./{name}")
            info.size, info.mode = len(data), 0o755 if name.endswith(".sh") else 0o644
            tar.addfile(info, io.BytesIO(data))
        if link:
            info = tarfile.TarInfo(link)
            info.type, info.linkname = tarfile.SYMTYPE, "setup.sh"
            tar.addfile(info)
    return base64.b64encode(buffer.getvalue()).decode()


def wrapper(*calls: str, head: str = "", payload: str | None = None) -> str:
    unpack = f"echo '{payload or archive()}' | base64 -d | tar xzf - -C /startup"
    return "\n".join(["#!/bin/bash", head, unpack, *calls]) + "\n"


def test_files_and_modes() -> None:
    found = read_article(wrapper("bash /startup/setup.sh"))
    assert found.files == {"setup.sh": (0o755, FILES["setup.sh"]), "tool.py": (0o644, FILES["tool.py"]),
                           "my script.sh": (0o755, FILES["my script.sh"])}
    assert found.archive == "tar.gz of 3 file(s), unpacked into /startup"


@pytest.mark.parametrize(("head", "call", "required"), [
    ("set -e", "bash /startup/setup.sh", True),
    ("set -o errexit", "bash /startup/setup.sh", True),
    ("set -euxo pipefail", "bash /startup/setup.sh || true", False),
    ("set -e", "bash /startup/setup.sh || echo 'setup failed'", False),
    ("", "bash /startup/setup.sh", False),
    ("", "bash /startup/setup.sh || exit 1", True),
    ("set -e\nset +e", "bash /startup/setup.sh", False),
])
def test_required_follows_errexit_and_or_lists(head: str, call: str, required: bool) -> None:
    assert read_article(wrapper(call, head=head)).steps[0].required is required


@pytest.mark.parametrize("call", [
    "sudo -u ec2-user -i bash /startup/setup.sh",
    "sudo -iu ec2-user /startup/setup.sh",
    "sudo -n -u ec2-user -- bash /startup/setup.sh",
    "sudo --user=ec2-user --login bash /startup/setup.sh",
    "su - ec2-user -c 'bash /startup/setup.sh'",
    "su -l ec2-user -s /bin/bash -c \"sh /startup/setup.sh\"",
])
def test_calls_as_the_notebook_user(call: str) -> None:
    step = read_article(wrapper(call)).steps[0]
    assert (step.script, step.run_as) == ("setup.sh", RunAs.NOTEBOOK_USER)


def test_background_timeout_env_and_names() -> None:
    steps = read_article(wrapper(
        "cd /startup", "nohup sudo -u ec2-user -i python3 /startup/tool.py >/dev/null 2>&1 &",
        "su ec2-user -c 'bash /startup/setup.sh &'", "timeout 2m env MODE=fast bash './my script.sh'",
        "source setup.sh")).steps
    assert [(s.name, s.background, s.timeout_seconds, dict(s.env)) for s in steps] == [
        ("tool", True, None, {}), ("setup", True, None, {}), ("my-script", False, 120.0, {"MODE": "fast"}),
        ("setup-2", False, None, {})]


@pytest.mark.parametrize(("script", "reason"), [
    (wrapper("python3 /startup/setup.sh"),
     "setup.sh is called with python3, but lcc's runner would start it as shell"),
    (wrapper("bash /startup/tool.sh", payload=archive({"tool.sh": b"#!/usr/bin/perl\nprint 1;\n"})),
     "tool.sh is called with bash, but lcc's runner would start it with the program of its #! line"),
    (wrapper("bash /startup/setup.sh --fast"), "passes arguments or options"),
    (wrapper("bash /startup/missing.sh"), "'/startup/missing.sh' is not a file of the archive"),
    (wrapper("sudo -u jovyan bash /startup/setup.sh"), "a step runs as 'jovyan'"),
    (wrapper("bash $DIR/setup.sh"), "the variable DIR is not set by the script itself"),
    (wrapper("bash $(ls /startup)/setup.sh"), "runs 'ls /startup', whose output is not known"),
    (wrapper("(bash /startup/setup.sh)"), "subshells and functions are not read"),
    (wrapper("bash `pwd`/setup.sh"), "command substitution"),
    (wrapper("yum install -y htop"), "line 4: 'yum install -y htop' is a command of its own"),
    (wrapper("htop"), "line 4: 'htop' is not a file of the archive"),
    (wrapper("if true; then bash /startup/setup.sh; fi"), "'if' (the shell's control flow) is not read"),
    (wrapper("bash /startup/setup.sh", payload=archive(link="./link.sh")),
     "the archive holds './link.sh', a symbolic link"),
    (wrapper("bash /startup/setup.sh", "echo 'x' | base64 -d | tar xzf - -C /opt"),
     "the payload is not"),
    (wrapper("bash /startup/setup.sh") * 2, "more than one archive is unpacked"),
    ("#!/bin/bash\nbash /startup/setup.sh\n", "is called before any archive is unpacked"),
    ("#!/bin/bash\necho hello\n", "no base64 archive is unpacked"),
    (wrapper(), "no script of the archive is called"),
    (wrapper("bash /startup/setup.sh").replace("tar xzf - -C", "tar xzf - setup.sh -C"),
     "only whole archives"),
    (wrapper("echo 'unclosed"), "a quote is never closed"),
])
def test_what_is_not_the_hand_made_method(script: str, reason: str) -> None:
    with pytest.raises(NotArticle) as raised:
        read_article(script)
    assert reason in str(raised.value)


@pytest.mark.parametrize("mode", ["w", "w:bz2", "w:xz"])
def test_other_compressions(mode: str) -> None:
    payload = archive(mode=mode)
    kind, flag = {"w": ("tar", ""), "w:bz2": ("tar.bz2", "j"), "w:xz": ("tar.xz", "J")}[mode]
    found = read_article(f"#!/bin/bash\nbase64 -d <<EOF | tar -x{flag} -f - --directory=/opt/x\n{payload}\n"
                         "EOF\n/opt/x/setup.sh\n")
    assert found.archive.startswith(f"{kind} of 3 file(s)")
    assert [s.script for s in found.steps] == ["setup.sh"]


@pytest.mark.parametrize("unpack", [
    "cat <<'B64' | base64 -d | tar xz -C /startup\n{payload}\nB64",
    "printf '%s' '{payload}' | base64 --decode | gunzip | tar -x -C /startup",
    "base64 -di <<< '{payload}' | tar --extract --gzip --directory /startup",
])
def test_payload_sources(unpack: str) -> None:
    script = "#!/bin/bash\n" + unpack.format(payload=archive()) + "\nsetsid . /startup/setup.sh &\n"
    step = read_article(script).steps[0]
    assert (step.script, step.background) == ("setup.sh", True)


# --- the article's own wrapper (issue 17) ---------------------------------------------------

ARTICLE = {"one.sh": b"#!/bin/bash\necho one\n", "two.sh": b"#!/bin/bash\necho two\n"}


def article_wrapper(payload: str, *, enc: str = "enc=$(cat <<EOF\n{b64}\nEOF\n)",
                    root_call: str = "/startup/one.sh || :",
                    user_call: str = "sudo -H -i -u ec2-user /startup/two.sh || :", head: str = "") -> str:
    """The wrapper the article writes, line for line; parts of it can be swapped for a variant."""
    wrapped = "\n".join(payload[i:i + 76] for i in range(0, len(payload), 76))
    return "\n".join(["#!/bin/bash", head, enc.format(b64=wrapped), "mkdir -p /startup",
                      'echo "$enc" | base64 -d | tar xzf - -C /startup', "sudo chown -R root: /startup",
                      root_call, user_call]) + "\n"


def test_the_articles_wrapper_is_read() -> None:
    found = read_article(article_wrapper(archive(ARTICLE)))
    assert found.files == {name: (0o755, data) for name, data in ARTICLE.items()}
    assert [(s.name, s.script, s.run_as, s.required) for s in found.steps] == [
        ("one", "one.sh", RunAs.ROOT, False), ("two", "two.sh", RunAs.NOTEBOOK_USER, False)]


@pytest.mark.parametrize("variant", [
    {"enc": "enc=\"$(cat <<'EOF'\n{b64}\nEOF\n)\""},
    {"enc": "enc=$(cat <<-EOF\n\t{b64}\n\tEOF\n)".replace("\t{b64}", "{b64}")},
    {"enc": "enc=$(echo '{b64}')"},
    {"enc": "export enc=\"$(printf '%s\\n' '{b64}')\""},
    {"head": "sudo mkdir -p /var/log/team && sudo chmod 755 /startup"},
    {"root_call": "/startup/one.sh 2>&1 | tee -a /var/log/startup.log || :"},
    {"root_call": "sudo /startup/one.sh >> /var/log/startup.log 2>&1 || :"},
    {"user_call": "sudo -H -i -u ec2-user /startup/two.sh 2>&1 | tee -a /tmp/two.log || :"},
    {"user_call": "sudo -u ec2-user -i <<'EOF'\n/startup/two.sh || :\nEOF"},
])
def test_the_articles_wrapper_as_people_vary_it(variant: dict[str, str]) -> None:
    found = read_article(article_wrapper(archive(ARTICLE), **variant))
    assert [(s.script, s.run_as, s.required) for s in found.steps] == [
        ("one.sh", RunAs.ROOT, False), ("two.sh", RunAs.NOTEBOOK_USER, False)]


@pytest.mark.parametrize(("head", "required"), [("set -e", False), ("set -eo pipefail", True), ("", False)])
def test_a_call_piped_into_tee_is_required_only_with_pipefail(head: str, required: bool) -> None:
    found = read_article(article_wrapper(archive(ARTICLE), head=head, user_call="",
                                         root_call="/startup/one.sh | tee -a x.log"))
    assert found.steps[0].required is required


LOOPED = {"b.sh": b"echo b\n", "a.sh": b"echo a\n", "B.sh": b"echo B\n", "_x.sh": b"echo _\n",
          ".hidden.sh": b"echo hidden\n", "lib/c.sh": b"echo c\n", "notes.txt": b"not a script\n"}


@pytest.mark.parametrize("loop", [
    'for f in /startup/*.sh; do\n  echo "running $f"\n  "$f" || :\ndone',
    'cd /startup\nfor f in *.sh; do bash "$f" 2>&1 | tee -a /var/log/startup.log; done',
    'for f in /startup/*.sh\ndo\n  sudo -u ec2-user -i "$f" >/dev/null || true\ndone',
])
def test_a_loop_over_the_archives_scripts_calls_them_in_glob_order(loop: str) -> None:
    found = read_article(wrapper(loop, payload=archive(LOOPED)))
    assert [s.script for s in found.steps] == ["B.sh", "_x.sh", "a.sh", "b.sh"]  # C locale: by bytes


def test_a_loop_over_words_and_chmod_followed() -> None:
    files = {"one.sh": b"echo one\n", "two.sh": b"echo two\n"}  # archive() gives .sh files 755
    payload = archive(files)
    script = wrapper("chmod 644 /startup/*.sh", "chmod u+x,o+rx /startup/two.sh",
                     "for s in one two; do bash /startup/$s.sh; done", "/startup/two.sh",
                     "sudo -u ec2-user /startup/two.sh", payload=payload)
    root, user = RunAs.ROOT, RunAs.NOTEBOOK_USER
    assert [(s.script, s.run_as) for s in read_article(script).steps] == [
        ("one.sh", root), ("two.sh", root), ("two.sh", root), ("two.sh", user)]


# --- calls that could not run on the instance -------------------------------------------------

NOT_RUNNABLE = {"plain.sh": b"echo no execute bit\n", "tool.py": b"print('no #! line')\n",
                "owner.sh": b"#!/bin/bash\necho owner only\n"}


def not_runnable() -> str:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in NOT_RUNNABLE.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), {"plain.sh": 0o644, "tool.py": 0o755, "owner.sh": 0o750}[name]
            tar.addfile(info, io.BytesIO(data))
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize(("calls", "reason"), [
    (["/startup/plain.sh"],
     "plain.sh is called by its path, but it is not executable (mode 644): bash would say "
     "'Permission denied'"),
    (["sudo -u ec2-user -i /startup/owner.sh"],
     "owner.sh is called by its path, but it is not executable for ec2-user (the others' bit) (mode 750)"),
    (["cd /startup", "./tool.py"],
     "tool.py is called with its path (bash runs a file without #! as shell), but lcc's runner would "
     "start it as python"),
    (["chmod -x /startup/owner.sh", "/startup/owner.sh"],
     "owner.sh is called by its path, but it is not executable (mode 640)"),
    (["rm -rf /startup", "bash /startup/plain.sh"],
     "'/startup/plain.sh' was removed (rm) before it is called"),
    (["exit 0", "bash /startup/plain.sh"], "line 5: it comes after 'exit', which ends the script there"),
    (["for f in /startup/*.sh; do \"$f\"; done"], "in the loop with f='/startup/plain.sh', line 4: plain.sh "
                                                   "is called by its path"),
    (["for f in /opt/*.sh; do \"$f\"; done"], "'/opt/*.sh' is not a file of the archive"),
    (["/startup/owner.sh > /startup/plain.sh"], "the call writes to '/startup/plain.sh', which is not a log"),
    (["sudo -u ec2-user chmod +x /startup/plain.sh"], "chmod of the archive's files as ec2-user is not read"),
])
def test_a_call_that_could_not_run_is_reported(calls: list[str], reason: str) -> None:
    with pytest.raises(NotArticle) as raised:
        read_article(wrapper(*calls, payload=not_runnable()))
    assert reason in str(raised.value)


@pytest.mark.parametrize(("flags", "mode"), [("xf", "w:gz"), ("xzf", "w:xz"), ("xJf", "w:gz"), ("xjf", "w")])
def test_tar_given_the_wrong_compression_is_reported(flags: str, mode: str) -> None:
    script = wrapper("bash /startup/setup.sh", payload=archive(mode=mode)).replace("tar xzf", f"tar {flags}")
    with pytest.raises(NotArticle, match="it would not unpack it"):
        read_article(script)


# --- the archive's members --------------------------------------------------------------------

def members(*entries: tuple[str, bytes | str | None], mode: str = "w:gz") -> str:
    """base64 of a tar of entries (name, data): bytes a file, str a symbolic link to it, None a folder."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode, format=tarfile.GNU_FORMAT) as tar:  # type: ignore[call-overload]
        for name, data in entries:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
            elif isinstance(data, str):
                info.type, info.linkname = tarfile.SYMTYPE, data
            else:
                info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data) if isinstance(data, bytes) else None)
    return base64.b64encode(buffer.getvalue()).decode()


def sparse(declared: int) -> str:
    """base64 of a tar.gz holding setup.sh and a GNU sparse member that declares ``declared``
    bytes, all of them a hole (nothing stored)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        info = tarfile.TarInfo("setup.sh")
        info.size, info.mode = len(FILES["setup.sh"]), 0o755
        tar.addfile(info, io.BytesIO(FILES["setup.sh"]))
        tar.addfile(tarfile.TarInfo("holes.bin"))
    raw = bytearray(buffer.getvalue())
    header = 1024  # after setup.sh's header and its one block of data
    raw[header + 156:header + 157] = tarfile.GNUTYPE_SPARSE
    raw[header + 483:header + 495] = f"{declared:011o}\0".encode()  # the real size
    raw[header + 148:header + 156] = b" " * 8
    raw[header + 148:header + 156] = f"{sum(raw[header:header + 512]):06o}\0 ".encode()
    return base64.b64encode(gzip.compress(bytes(raw))).decode()


class Zeros(io.RawIOBase):
    """``size`` zero bytes, read without holding them."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def bomb(mode: str) -> str:
    """base64 of a tar (compressed with ``mode``) of setup.sh and READBACK_MAX_BYTES + 1 zeros."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:  # type: ignore[call-overload]
        info = tarfile.TarInfo("setup.sh")
        info.size, info.mode = len(FILES["setup.sh"]), 0o755
        tar.addfile(info, io.BytesIO(FILES["setup.sh"]))
        info = tarfile.TarInfo("zeros.bin")
        info.size = READBACK_MAX_BYTES + 1
        tar.addfile(info, Zeros(info.size))
    return base64.b64encode(buffer.getvalue()).decode()


#: Archives whose members pull must refuse (each made lcc pull fail, or read, before issue 17),
#: and the reason given; all are tar.gz but the bomb, a tar.bz2 (unpacked with tar xjf).
HOSTILE = {
    "dot-dot": (lambda: members(("setup.sh", FILES["setup.sh"]), ("..", b"x\n")),
                "the archive holds '..', a path with '..'"),
    "file-and-inside-it": (lambda: members(("setup.sh", FILES["setup.sh"]), ("a", b"x\n"), ("a/b", b"y\n")),
                           "the archive holds 'a' as a file and 'a/b' inside it"),
    "manifest-folder": (lambda: members(("setup.sh", FILES["setup.sh"]), ("lifecycle.toml/x", b"x\n")),
                        "the archive holds a lifecycle.toml of its own"),
    "absolute": (lambda: members(("setup.sh", FILES["setup.sh"]), ("/etc/cron.d/x", b"x\n")),
                 "the archive holds '/etc/cron.d/x', an absolute path"),
    "symlink": (lambda: members(("setup.sh", FILES["setup.sh"]), ("link.sh", "/etc/shadow")),
                "the archive holds 'link.sh', a symbolic link"),
    "sparse": (lambda: sparse(4 << 30), "the archive holds 'holes.bin', a sparse file"),
    "bz2-bomb": (lambda: bomb("w:bz2"), f"the archive unpacks to more than {READBACK_MAX_BYTES} bytes"),
}


def hostile_wrapper(shape: str, payload: str) -> str:
    script = wrapper("bash /startup/setup.sh", payload=payload)
    return script.replace("tar xzf", "tar xjf") if shape == "bz2-bomb" else script


SETUP = ("setup.sh", FILES["setup.sh"])


@pytest.mark.parametrize(("entries", "reason"), [
    ((SETUP, ("./setup.sh", FILES["setup.sh"])), "the archive holds 'setup.sh' twice"),
    ((SETUP, ("a//b", b"x\n")), "'a//b', a path that is not normalized"),
    ((SETUP, ("././a", b"x\n")), "'././a', a path that is not normalized"),
    ((SETUP, ("a/../../b", b"x\n")), "a path with '..'"),
    ((SETUP, ("a", b"x\n"), ("a/", None)), "the archive holds 'a' twice"),
    ((SETUP, ("bad\nname", b"x\n")), "'bad\\nname', a name with a control character"),
])
def test_members_that_are_not_plain_files_are_refused(entries: tuple[tuple[str, bytes | None], ...],
                                                      reason: str) -> None:
    with pytest.raises(NotArticle) as raised:
        read_article(wrapper("bash /startup/setup.sh", payload=members(*entries)))
    assert reason in str(raised.value)


@pytest.mark.parametrize("shape", [s for s in HOSTILE if s != "manifest-folder"])
def test_hostile_archives_are_refused_before_they_are_read(shape: str) -> None:
    make, reason = HOSTILE[shape]
    with pytest.raises(NotArticle) as raised:
        read_article(hostile_wrapper(shape, make()))
    assert reason in str(raised.value)


def test_a_gzip_bomb_stops_at_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    read = []
    real = gzip.GzipFile.read
    monkeypatch.setattr(gzip.GzipFile, "read", lambda self, size=-1: read.append(size) or real(self, size))
    with pytest.raises(NotArticle, match=f"the archive unpacks to more than {READBACK_MAX_BYTES} bytes"):
        read_article(wrapper("bash /startup/setup.sh", payload=bomb("w:gz")))
    assert read and all(0 < size <= 1 << 20 for size in read)  # in bounded chunks, never all at once


@pytest.mark.parametrize("unpack_into", ["/opt", "/"])
def test_a_glob_over_a_system_folder_is_not_read(unpack_into: str) -> None:
    script = wrapper(f'for f in {unpack_into.rstrip("/")}/*.sh; do bash "$f"; done',
                     payload=archive()).replace("-C /startup", f"-C {unpack_into}")
    with pytest.raises(NotArticle, match="may match files outside the archive"):
        read_article(script)
