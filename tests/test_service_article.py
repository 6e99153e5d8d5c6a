"""What the reader of the hand-made method (lcc_constructs/service/_article.py) takes from a
wrapper, and what makes it say the wrapper is not that method (lcc pull then keeps the script as
it is). End to end through lcc pull: test_service_pull.py."""

from __future__ import annotations

import base64
import io
import tarfile

import pytest

from lcc_constructs.bundle import RunAs
from lcc_constructs.service._article import NotArticle, read_article

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
