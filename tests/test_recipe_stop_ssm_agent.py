"""Recipe stop-ssm-agent, run in the sandbox with the systemctl, rpm and dnf stand-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from lcc_constructs import build, recipes
from lcc_constructs.errors import ValidationError

from .helpers import standins
from .recipe_helpers import STUDIO, assert_all_ok, probe, run

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]

UNIT = "/usr/lib/systemd/system/amazon-ssm-agent.service"
STATE = "/run/lcc-standin-systemd"
AGENT = "/usr/bin/amazon-ssm-agent"
RPM_DB = "/var/lib/lcc-standin-rpm"


def agent(tmp_path: Path, *, active: bool = True, enabled: bool = True, masked: bool = False,
          package: bool = False) -> dict[str, Path]:
    """Files that make the sandbox an instance whose SSM agent is installed (and running)."""
    d = tmp_path / "agent"
    d.mkdir(parents=True)
    (d / "unit").write_text(f"[Service]\nExecStart={AGENT}\n[Install]\nWantedBy=multi-user.target\n")
    (d / "agent").write_text("#!/bin/sh\nsleep infinity\n")
    (d / "flag").write_text("")
    (d / "rpm").write_text(f"amazon-ssm-agent-3.3.1142.0-1.amzn2023.x86_64\n{AGENT}\n{UNIT}\n")
    files = {UNIT: d / "unit", AGENT: d / "agent"}
    for wanted, suffix in ((active, "active"), (enabled, "enabled"), (masked, "masked")):
        if wanted:
            files[f"{STATE}/amazon-ssm-agent.service.{suffix}"] = d / "flag"
    if package:
        files[f"{RPM_DB}/amazon-ssm-agent"] = d / "rpm"
    return files


STATE_PROBE = ("systemctl is-active amazon-ssm-agent || true\n"
               "systemctl is-enabled amazon-ssm-agent || true\n")


def test_a_running_agent_is_stopped_and_disabled_once(tmp_path: Path) -> None:
    files = {**standins(tmp_path, "systemctl"), **agent(tmp_path)}
    result = run(tmp_path, recipes.stop_ssm_agent() + probe(tmp_path, "state", STATE_PROBE),
                 files=files, runs=2)
    assert_all_ok(result)
    first, second = (r.step("stop-ssm-agent").log for r in result.runs)
    assert "amazon-ssm-agent is stopped and disabled" in first
    assert "amazon-ssm-agent is stopped and disabled" in second  # nothing left to do: the same
    assert result.last.step("state").log.split() == ["inactive", "disabled"]


def test_no_agent_is_a_clean_log_line(tmp_path: Path) -> None:
    result = run(tmp_path, recipes.stop_ssm_agent(), files=standins(tmp_path, "systemctl"))
    assert_all_ok(result)
    assert "amazon-ssm-agent left as it is" in result.last.step("stop-ssm-agent").log


def test_a_masked_agent_is_left_alone(tmp_path: Path) -> None:
    files = {**standins(tmp_path, "systemctl"), **agent(tmp_path, active=False, enabled=False,
                                                        masked=True)}
    result = run(tmp_path, recipes.stop_ssm_agent(), files=files)
    assert_all_ok(result)
    log = result.last.step("stop-ssm-agent").log
    assert "amazon-ssm-agent" in log  # a masked unit cannot run: whatever systemctl made of it


def test_without_systemd_nothing_is_done(tmp_path: Path) -> None:
    # The host's own systemctl is there, but no systemd runs in the sandbox (as in a container).
    result = run(tmp_path, recipes.stop_ssm_agent(uninstall=True), wait_background_seconds=15)
    assert_all_ok(result)
    assert "amazon-ssm-agent left as it is" in result.last.step("stop-ssm-agent").log
    assert "amazon-ssm-agent is not installed" in result.last.step("stop-ssm-agent-uninstall").log


def test_uninstall_removes_the_package_in_the_background(tmp_path: Path) -> None:
    manager = "dnf"
    files = {**standins(tmp_path, "systemctl", "rpm", manager), **agent(tmp_path, package=True)}
    result = run(tmp_path, recipes.stop_ssm_agent(uninstall=True), files=files,
                 wait_background_seconds=30)
    assert_all_ok(result)
    bg = result.last.step("stop-ssm-agent-uninstall")
    assert bg.status == "started" and bg.background_result is not None
    assert bg.background_result["exit_code"] == 0, bg.log
    assert "removed amazon-ssm-agent" in bg.log
    keep = tmp_path / "keep"
    assert not (keep / AGENT.lstrip("/")).exists() and not (keep / UNIT.lstrip("/")).exists()
    calls = (keep / RPM_DB.lstrip("/") / "calls.log").read_text()
    assert f"{manager} -y -q remove amazon-ssm-agent" in calls


def test_uninstall_of_a_removed_package_and_without_a_package_manager(tmp_path: Path) -> None:
    # First: rpm knows no such package. Second: the package is there but no dnf.
    files = {**standins(tmp_path, "systemctl", "rpm", "dnf"), **agent(tmp_path / "a")}
    result = run(tmp_path / "a", recipes.stop_ssm_agent(uninstall=True), files=files,
                 wait_background_seconds=30)
    assert_all_ok(result)
    log = result.last.step("stop-ssm-agent-uninstall").log
    assert "amazon-ssm-agent is not installed (or dnf failed)" in log
    files = {**standins(tmp_path, "systemctl", "rpm"), **agent(tmp_path / "b", package=True)}
    result = run(tmp_path / "b", recipes.stop_ssm_agent(uninstall=True), files=files,
                 wait_background_seconds=30)
    assert_all_ok(result)
    log = result.last.step("stop-ssm-agent-uninstall").log
    assert "amazon-ssm-agent is not installed (or dnf failed)" in log


# --- Studio -----------------------------------------------------------------------------------

@pytest.mark.parametrize("uninstall", [False, True])
def test_a_studio_build_refuses_it_saying_why_and_the_fix(tmp_path: Path, uninstall: bool) -> None:
    scripts = recipes.stop_ssm_agent(uninstall=uninstall) + probe(tmp_path, "mine", "echo\n")
    with pytest.raises(ValidationError) as e:
        build(scripts, STUDIO)
    names = ["stop-ssm-agent", "stop-ssm-agent-uninstall"][:1 + uninstall]
    assert list(e.value.problems) == [
        f"step {n!r} cannot run on Studio: a Studio space runs no SSM agent of its own (a container "
        "without systemd or dnf): there is nothing to stop. Fix: leave stop-ssm-agent out of the Studio build"
        for n in names]
    assert build(scripts).report.fits  # a notebook instance's build takes it
