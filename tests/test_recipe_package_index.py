"""Recipe package-index, run in the sandbox: the real pip of the machine, as ec2-user, downloads
a package from a real private index served on 127.0.0.1; conda is a stand-in."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest
import yaml

from lcc_constructs import RunAs, Scripts, recipes

from .conftest import STANDINS
from .helpers import HOME, standins
from .recipe_helpers import (
    STUDIO_HOME,
    assert_all_ok,
    assert_studio_ok,
    http_server,
    probe,
    run,
    sandbox_ids,
    snapshot_probe,
    snapshots,
    studio_snapshot_probe,
    studio_starts,
)

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]

PIP_CONF = "home/ec2-user/.config/pip/pip.conf"
# A pip.conf the user had (kept on the volume by persist-home-folders, say).
USER_PIP_CONF = """\
# my settings
[global]
timeout = 30
index_url = https://old.example.com/simple
extra-index-url =
    https://old-extra.example.com/simple
    https://older.example.com/simple

; keep this comment
[install]
no-warn-script-location = true
"""


def private_index(root: Path) -> Path:
    """A PEP 503 index holding one tiny, valid wheel."""
    name, version = "lcc_probe_pkg", "1.0"
    wheel = root / "files" / f"{name}-{version}-py3-none-any.whl"
    wheel.parent.mkdir(parents=True)
    dist = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(f"{name}.py", "VALUE = 1\n")
        z.writestr(f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: lcc-probe-pkg\nVersion: {version}\n")
        z.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                                    "Tag: py3-none-any\n")
        z.writestr(f"{dist}/RECORD", f"{name}.py,,\n{dist}/METADATA,,\n{dist}/WHEEL,,\n{dist}/RECORD,,\n")
    page = root / "simple/lcc-probe-pkg/index.html"
    page.parent.mkdir(parents=True)
    page.write_text(f'<html><body><a href="../../files/{wheel.name}">{wheel.name}</a></body></html>\n')
    return root


def write_user_conf(tmp_path: Path, text: str) -> Scripts:
    return probe(tmp_path, "user-conf", 'mkdir -p ~/.config/pip\n[ -e ~/.config/pip/pip.conf ] || '
                 'cp "$LCC_SCRIPTS_DIR/probe-user-conf/pip.conf" ~/.config/pip/pip.conf\n',
                 run_as=RunAs.NOTEBOOK_USER, files={"pip.conf": text})


def test_pip_uses_the_private_index_and_the_rest_of_pip_conf_stays(tmp_path: Path) -> None:
    with http_server(private_index(tmp_path / "index")) as server:
        index = f"{server.url}/simple"
        download = probe(tmp_path, "download", "python3 -m pip download --no-deps --no-cache-dir "
                         "--disable-pip-version-check -q -d /tmp/dl lcc-probe-pkg && ls /tmp/dl\n",
                         run_as=RunAs.NOTEBOOK_USER)
        scripts = (write_user_conf(tmp_path, USER_PIP_CONF)
                   + recipes.package_index(index_url=index, extra_index_urls=[f"{server.url}/extra"],
                                           trusted_hosts=["127.0.0.1"])
                   + download + snapshot_probe(f"{HOME}/.config"))
        result = run(tmp_path, scripts, runs=2)
    assert_all_ok(result)
    for r in result.runs:
        assert "lcc_probe_pkg-1.0-py3-none-any.whl" in r.step("download").log
    assert "/simple/lcc-probe-pkg/" in server.requests
    one, two = snapshots(result)
    assert one == two
    conf = tmp_path / "keep" / PIP_CONF
    assert conf.read_text() == f"""\
# my settings
[global]
index-url = {index}
extra-index-url = {server.url}/extra
trusted-host = 127.0.0.1
timeout = 30

; keep this comment
[install]
no-warn-script-location = true
"""
    uid, gid = sandbox_ids(tmp_path / "keep")
    st = conf.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (uid, gid, 0o600)


def test_a_new_pip_conf_and_conda_channels_first(tmp_path: Path) -> None:
    rc = tmp_path / "condarc"
    rc.write_text("channels:\n- defaults\nssl_verify: true\n")
    files = {**standins(tmp_path, "conda", systemd=False), f"{HOME}/.condarc": rc}
    owner = probe(tmp_path, "owner", "chown ec2-user: ~ec2-user/.condarc\n")
    scripts = owner + recipes.package_index(
        extra_index_urls=["https://pypi.example.com/simple"],
        conda_channels=["https://conda.example.com/main", "conda-forge"])
    result = run(tmp_path, scripts + snapshot_probe(f"{HOME}/.config", f"{HOME}/.condarc"),
                 files=files, runs=2)
    assert_all_ok(result)
    one, two = snapshots(result)
    assert one == two
    keep = tmp_path / "keep"
    assert (keep / PIP_CONF).read_text() == \
        "[global]\nextra-index-url = https://pypi.example.com/simple\n"
    assert yaml.safe_load((keep / "home/ec2-user/.condarc").read_text()) == {
        "channels": ["https://conda.example.com/main", "conda-forge", "defaults"], "ssl_verify": True}


def test_without_conda_pip_is_still_configured(tmp_path: Path) -> None:
    result = run(tmp_path, recipes.package_index(index_url="https://pypi.example.com/simple",
                                                 conda_channels=["conda-forge"]))
    assert_all_ok(result)
    assert "skipped: no conda, no conda channel set" in \
        result.last.step("package-index").log
    assert (tmp_path / "keep" / PIP_CONF).read_text() == \
        "[global]\nindex-url = https://pypi.example.com/simple\n"


# --- Studio -----------------------------------------------------------------------------------

def test_on_studio_pip_and_conda_of_the_space_user_over_two_starts(tmp_path: Path) -> None:
    # sagemaker-user's pip uses the private index; conda is Studio's, on PATH (/opt/conda/bin),
    # not ~/anaconda3. The home persists: the second start finds the settings made and keeps them.
    home = tmp_path / "home"
    home.mkdir()
    (home / ".condarc").write_text("channels:\n- defaults\nssl_verify: true\n")
    os.chown(home / ".condarc", 1000, 100)
    files = {"/opt/conda/bin/conda": STANDINS / "conda"}
    with http_server(private_index(tmp_path / "index")) as server:
        index = f"{server.url}/simple"
        download = probe(tmp_path, "download", "python3 -m pip download --no-deps --no-cache-dir "
                         "--disable-pip-version-check -q -d /tmp/dl lcc-probe-pkg && ls /tmp/dl\n",
                         run_as=RunAs.NOTEBOOK_USER)
        scripts = (recipes.package_index(index_url=index, trusted_hosts=["127.0.0.1"],
                                         conda_channels=["https://conda.example.com/main", "conda-forge"])
                   + download
                   + studio_snapshot_probe(tmp_path, f"{STUDIO_HOME}/.config", f"{STUDIO_HOME}/.condarc"))
        starts = studio_starts(tmp_path, scripts, files=files)
    assert_studio_ok(starts)
    for start in starts:
        r = start.last
        assert "lcc_probe_pkg-1.0-py3-none-any.whl" in r.step("download").log
        assert r.step("package-index").user == "sagemaker-user"
        assert "conda: channels https://conda.example.com/main conda-forge first in ~/.condarc" in \
            r.step("package-index").log
    one, two = (s.last.step("snapshot").log for s in starts)
    assert one == two and "sagemaker-user users" in one
    assert (home / ".config/pip/pip.conf").read_text() == \
        f"[global]\nindex-url = {index}\ntrusted-host = 127.0.0.1\n"
    st = (home / ".config/pip/pip.conf").stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (1000, 100, 0o600)
    assert yaml.safe_load((home / ".condarc").read_text()) == {
        "channels": ["https://conda.example.com/main", "conda-forge", "defaults"], "ssl_verify": True}


def test_on_studio_without_conda_pip_is_still_configured(tmp_path: Path) -> None:
    starts = studio_starts(tmp_path, recipes.package_index(index_url="https://pypi.example.com/simple",
                                                           conda_channels=["conda-forge"]), starts=1)
    assert_studio_ok(starts)
    assert "skipped: no conda, no conda channel set" in starts[0].last.step("package-index").log
    assert (tmp_path / "home/.config/pip/pip.conf").read_text() == \
        "[global]\nindex-url = https://pypi.example.com/simple\n"
