"""The stand-ins the sandbox tests put in place of instance programs the host lacks behave like
the real ones for what lifecycle scripts do with them."""

from __future__ import annotations

from pathlib import Path

import pytest

from lcc_constructs.sandbox import simulate

from . import systemd_env
from .conftest import STANDINS
from .helpers import standins

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]


def run(tmp_path: Path, body: str, files: dict[str, Path]) -> str:
    script = tmp_path / "s.sh"
    script.write_text("#!/bin/bash\n" + body)
    return simulate(script, files=files).last.output


def test_systemctl_standin(tmp_path: Path) -> None:
    unit = tmp_path / "unit"
    unit.write_text("[Service]\nExecStart=/bin/true\n")
    out = run(tmp_path, """
systemctl is-active amazon-ssm-agent; echo "rc=$?"
systemctl enable --now amazon-ssm-agent; systemctl is-active --quiet amazon-ssm-agent && echo up
systemctl is-enabled amazon-ssm-agent
systemctl stop amazon-ssm-agent; systemctl is-active amazon-ssm-agent
systemctl disable amazon-ssm-agent; systemctl is-enabled amazon-ssm-agent; echo "rc=$?"
systemctl start no-such-unit; echo "rc=$?"
systemctl --no-block restart amazon-ssm-agent && systemctl show -p ActiveState amazon-ssm-agent
cat /run/lcc-standin-systemd/calls.log | wc -l
""", {**standins(tmp_path, "systemctl"), "/etc/systemd/system/amazon-ssm-agent.service": unit})
    assert out.splitlines() == [
        "inactive", "rc=3", "up", "enabled", "inactive", "disabled", "rc=1",
        "Failed to start no-such-unit.service: Unit no-such-unit.service not found.", "rc=5",
        "ActiveState=active", "11",
    ]


def test_systemctl_standin_without_systemd(tmp_path: Path) -> None:
    out = run(tmp_path, "systemctl is-active x; echo rc=$?\n",
              {"/usr/bin/systemctl": STANDINS / "systemctl"})
    assert "System has not been booted with systemd" in out and "rc=1" in out


def test_imds_standin_behaves_like_imdsv2() -> None:
    import json
    import urllib.error
    import urllib.request

    from .standins import imds

    server = imds.serve("role-a", {"AccessKeyId": "AK", "SecretAccessKey": "SK", "Token": "T"}, "eu-west-1")
    try:
        def call(path: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, str]:
            request = urllib.request.Request(server.url + path, method=method, headers=headers or {})
            try:
                with urllib.request.urlopen(request, timeout=5) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, ""

        base = "/latest/meta-data/"
        assert call(base + "placement/region")[0] == 401  # IMDSv2: no token, no answer
        assert call("/latest/api/token", "PUT")[0] == 400  # the TTL header is required
        status, token = call("/latest/api/token", "PUT", {"X-aws-ec2-metadata-token-ttl-seconds": "60"})
        assert status == 200 and token
        auth = {"X-aws-ec2-metadata-token": token}
        assert call(base + "placement/region", headers=auth) == (200, "eu-west-1")
        assert call(base + "iam/security-credentials/", headers=auth) == (200, "role-a")
        status, body = call(base + "iam/security-credentials/role-a", headers=auth)
        assert status == 200 and json.loads(body)["Token"] == "T" and json.loads(body)["AccessKeyId"] == "AK"
        assert call(base + "nothing", headers=auth)[0] == 404
        assert len(server.requests) == 7
    finally:
        server.stop()


def test_systemctl_standin_load_state_and_version(tmp_path: Path) -> None:
    unit, version = tmp_path / "unit", tmp_path / "version"
    unit.write_text("[Service]\nExecStart=/bin/true\n")
    version.write_text("219\n")
    out = run(tmp_path, """
systemctl show -p LoadState present; echo "rc=$?"
systemctl show -p LoadState absent; echo "rc=$?"
systemctl mask present; systemctl show -p LoadState present
systemctl status absent; echo "rc=$?"
systemctl --version | head -n 1
""", {**standins(tmp_path, "systemctl"), "/etc/systemd/system/present.service": unit,
      "/run/lcc-standin-systemd/version": version})
    assert out.splitlines() == [
        "LoadState=loaded", "rc=0", "LoadState=not-found", "rc=0", "LoadState=masked",
        "Unit absent.service could not be found.", "rc=4", "systemd 219 (lcc-constructs stand-in)",
    ]


def test_conda_standin_config_as_conda_does_it(tmp_path: Path) -> None:
    rc = tmp_path / "condarc"
    rc.write_text("auto_activate_base: false\nenvs_dirs:\n- /a\n")
    out = run(tmp_path, """
c=/opt/conda/bin/conda; f=/root/rc
$c config --file $f --get envs_dirs
$c config --file $f --prepend envs_dirs /b; $c config --file $f --prepend envs_dirs /a
$c config --file $f --get envs_dirs
$c config --file $f --prepend channels x 2>&1
$c config --file $f --get channels
$c config --file $f --append channels x 2>&1
$c config --file $f --get channels
$c config --file $f --get auto_activate_base
$c config --file $f --remove channels nope >/dev/null 2>&1; echo "rc=$?"
$c install numpy >/dev/null 2>&1; echo "rc=$?"
""", {"/opt/conda/bin/conda": STANDINS / "conda", "/root/rc": rc})
    assert out.splitlines() == [
        "--add envs_dirs '/a'",
        "Warning: '/a' already in 'envs_dirs' list, moving to the top",
        "--add envs_dirs '/b'", "--add envs_dirs '/a'",
        # conda starts a missing channels list with defaults
        "--add channels 'defaults'  # lowest priority", "--add channels 'x'  # highest priority",
        "Warning: 'x' already in 'channels' list, moving to the bottom",
        "--add channels 'x'  # lowest priority", "--add channels 'defaults'  # highest priority",
        "--set auto_activate_base False",
        "rc=1", "rc=2",
    ]


def test_rpm_and_dnf_standins(tmp_path: Path) -> None:
    db = tmp_path / "pkg"
    db.write_text("tool-1.0-1.amzn2023.x86_64\n/usr/bin/lcc-tool\n")
    tool = tmp_path / "tool"
    tool.write_text("#!/bin/sh\n")
    out = run(tmp_path, """
rpm -q tool; echo "rc=$?"; rpm -q --quiet nope; echo "rc=$?"; rpm -q nope tool; echo "rc=$?"
dnf remove tool; echo "rc=$?"
dnf -y remove nope; echo "rc=$?"
dnf -y -q remove tool; echo "rc=$?"; rpm -q tool; ls /usr/bin/lcc-tool 2>&1 | wc -l
""", {"/usr/bin/rpm": STANDINS / "rpm", "/usr/bin/dnf": STANDINS / "dnf",
      "/var/lib/lcc-standin-rpm/tool": db,
      "/usr/bin/lcc-tool": tool})
    assert out.splitlines() == [
        "tool-1.0-1.amzn2023.x86_64", "rc=0", "rc=1",
        "package nope is not installed", "tool-1.0-1.amzn2023.x86_64", "rc=1",
        "Is this ok [y/N]: Operation aborted.", "rc=1",
        "No match for argument: nope", "No packages marked for removal.", "rc=0",
        "rc=0", "package tool is not installed", "1",
    ]


@pytest.mark.parametrize(("text", "expected"), [
    ("A=plain\n", {"A": "plain"}),
    ("  A = spaced value  \n", {"A": "spaced value"}),
    ("# comment\n; comment\n\nnot an assignment\nA=1\n", {"A": "1"}),
    ("A='single $x \\\\ \"q\"\nline'\n", {"A": "single $x \\\\ \"q\"\nline"}),
    ('A="d \\" \\\\ \\$ \\` \\n x"\n', {"A": 'd " \\ $ ` \\n x'}),
    ('A="joined \\\nline"\n', {"A": "joined line"}),
    ("A=un\\ quoted \\\ncontinued\n", {"A": "un quoted continued"}),
    ('A="x"y\n', {"A": "xy"}),
    ("A=\nB=last", {"A": "", "B": "last"}),
])
def test_the_systemd_environment_file_model(text: str, expected: dict[str, str]) -> None:
    # systemd.exec(5): quoting and escapes of EnvironmentFile=, which the recipes write.
    assert systemd_env.parse(text) == expected
