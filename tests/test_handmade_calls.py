"""Where and as whom the hand-made method's calls run, as the reader of the wrapper takes them
(docs/service-commands.md, "The hand-made method"): a login shell (sudo -i, su -) starts in the
notebook user's home, a plain one where the wrapper was; cd alone goes to the shell's user's
home; root steps get the wrapper's exported variables, the notebook user's do not; root runs a
file with any execute bit; the archive holds only files and folders (no hard link)."""

from __future__ import annotations

import base64
import io
import tarfile

import pytest

from lcc_constructs.bundle import RunAs
from lcc_constructs.readback._handmade import NotArticle, read_article

from .test_service_article import archive, wrapper

ROOT, USER = RunAs.ROOT, RunAs.NOTEBOOK_USER


def steps(*calls: str, payload: str | None = None) -> list[tuple[str, RunAs, dict[str, str]]]:
    return [(s.script, s.run_as, dict(s.env)) for s in read_article(wrapper(*calls, payload=payload)).steps]


@pytest.mark.parametrize(("call", "user"), [
    ("sudo -u ec2-user bash setup.sh", USER),
    ("su ec2-user -c 'bash setup.sh'", USER),
    ("bash setup.sh", ROOT),
    ("su ec2-user -c 'bash \"$(pwd)/setup.sh\"'", USER),
])
def test_a_plain_shell_calls_a_relative_path_in_the_wrappers_folder(call: str, user: RunAs) -> None:
    assert steps("cd /startup", call) == [("setup.sh", user, {})]


@pytest.mark.parametrize("call", [
    "sudo -u ec2-user -i bash setup.sh",
    "sudo -iu ec2-user bash setup.sh",
    "su - ec2-user -c 'bash setup.sh'",
    "su -l ec2-user -c 'bash ./setup.sh'",
    "su - ec2-user -c 'bash \"$(pwd)/setup.sh\"'",  # its $(pwd) is the home
])
def test_a_login_shell_calls_a_relative_path_in_the_users_home(call: str) -> None:
    # /home/ec2-user/setup.sh is no file of the archive unpacked into /startup.
    with pytest.raises(NotArticle, match="is not a file of the archive unpacked into '/startup'"):
        read_article(wrapper("cd /startup", call))


def test_a_login_shell_finds_the_archive_unpacked_into_the_users_home() -> None:
    payload = archive()
    text = wrapper("sudo -u ec2-user -i bash lcc/setup.sh", payload=payload).replace(
        "-C /startup", "-C /home/ec2-user/lcc")
    assert [(s.script, s.run_as) for s in read_article(text).steps] == [("setup.sh", USER)]


def test_cd_alone_goes_to_the_home_of_the_shells_user() -> None:
    # Root's home is /root: a relative path after `cd` is read there.
    text = wrapper("cd", "bash lcc/setup.sh").replace("-C /startup", "-C /root/lcc")
    assert [(s.script, s.run_as) for s in read_article(text).steps] == [("setup.sh", ROOT)]
    elsewhere = wrapper("cd", "bash lcc/setup.sh").replace("-C /startup", "-C /home/ec2-user/lcc")
    with pytest.raises(NotArticle, match="'lcc/setup.sh' is not a file of the archive"):
        read_article(elsewhere)


def test_exported_variables_reach_root_steps_only() -> None:
    found = steps("export REGION=eu-west-1", "bash /startup/setup.sh",
                  "sudo -u ec2-user -i bash /startup/setup.sh", "sudo -u ec2-user bash /startup/setup.sh",
                  "su - ec2-user -c 'bash /startup/setup.sh'")
    assert found == [("setup.sh", ROOT, {"REGION": "eu-west-1"}), ("setup.sh", USER, {}),
                     ("setup.sh", USER, {}), ("setup.sh", USER, {})]


def modes_archive(modes: dict[str, int]) -> str:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, mode in modes.items():
            data = b"#!/bin/bash\necho " + name.encode() + b"\n"
            info = tarfile.TarInfo(f"./{name}")
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))
    return base64.b64encode(buffer.getvalue()).decode()


def test_root_runs_a_file_with_any_execute_bit_the_user_needs_the_others_one() -> None:
    payload = modes_archive({"others.sh": 0o641, "group.sh": 0o650, "owner.sh": 0o744})
    calls = ("/startup/others.sh", "/startup/group.sh", "/startup/owner.sh",
             "sudo -u ec2-user -i /startup/others.sh")
    assert [s.script for s in read_article(wrapper(*calls, payload=payload)).steps] == [
        "others.sh", "group.sh", "owner.sh", "others.sh"]
    with pytest.raises(NotArticle, match=r"group.sh is called by its path, but it is not executable for "
                                         r"ec2-user"):
        read_article(wrapper("sudo -u ec2-user -i /startup/group.sh", payload=payload))


def test_a_hard_link_in_the_archive_is_refused() -> None:
    buffer = io.BytesIO()
    data = b"#!/bin/bash\necho setup\n"
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("./setup.sh")
        info.size, info.mode = len(data), 0o755
        tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("./again.sh")
        link.type, link.linkname, link.mode = tarfile.LNKTYPE, "./setup.sh", 0o755
        tar.addfile(link)
    payload = base64.b64encode(buffer.getvalue()).decode()
    with pytest.raises(NotArticle, match="the archive holds './again.sh', a hard link"):
        read_article(wrapper("bash /startup/setup.sh", payload=payload))


@pytest.mark.parametrize(("unpack", "folder"), [
    ("tar xzf - -C team", "/opt/team"),
    ("tar -xz --directory=./team/", "/opt/team"),
    ("tar xzf -", "/opt"),
])
def test_tar_unpacks_into_a_folder_relative_to_the_wrappers_own(unpack: str, folder: str) -> None:
    text = f"#!/bin/bash\ncd /opt\necho '{archive()}' | base64 -d | {unpack}\nbash {folder}/setup.sh\n"
    found = read_article(text)
    assert found.archive == f"tar.gz of 3 file(s), unpacked into {folder}"
    assert [s.script for s in found.steps] == ["setup.sh"]
