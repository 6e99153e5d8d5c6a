"""The stand-ins the sandbox tests put in place of instance programs the host lacks behave like
the real ones for what lifecycle scripts do with them."""

from __future__ import annotations

from pathlib import Path

import pytest

from lcc_constructs.sandbox import simulate

from .conftest import STANDINS

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]


def empty_dir(tmp_path: Path) -> Path:
    (tmp_path / "empty").mkdir(exist_ok=True)
    return tmp_path / "empty"


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
""", {"/usr/bin/systemctl": STANDINS / "systemctl",
      "/etc/systemd/system/amazon-ssm-agent.service": unit,
      "/run/systemd/system": empty_dir(tmp_path)})
    assert out.splitlines() == [
        "inactive", "rc=3", "up", "enabled", "inactive", "disabled", "rc=1",
        "Failed to start no-such-unit.service: Unit no-such-unit.service not found.", "rc=5",
        "ActiveState=active", "11",
    ]


def test_systemctl_standin_without_systemd(tmp_path: Path) -> None:
    out = run(tmp_path, "systemctl is-active x; echo rc=$?\n",
              {"/usr/bin/systemctl": STANDINS / "systemctl"})
    assert "System has not been booted with systemd" in out and "rc=1" in out


def test_crontab_standin(tmp_path: Path) -> None:
    out = run(tmp_path, """
crontab -l; echo "rc=$?"
echo '*/5 * * * * /bin/true # a' | crontab -
crontab -l
{ crontab -l; echo '0 * * * * /bin/false # b'; } | crontab -
crontab -l | wc -l
stat -c %a /var/spool/cron/root
crontab -r; crontab -l; echo "rc=$?"
""", {"/usr/bin/crontab": STANDINS / "crontab"})
    assert out.splitlines() == [
        "no crontab for root", "rc=1", "*/5 * * * * /bin/true # a", "2", "600",
        "no crontab for root", "rc=1",
    ]
