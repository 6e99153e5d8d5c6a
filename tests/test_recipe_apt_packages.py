"""Recipe apt-packages, run in the Studio sandbox: the machine's real apt-get and dpkg, through
sudo, install a real .deb (built here with dpkg-deb) from an apt repository served on
127.0.0.1; a start is a fresh sandbox (the system is the image's again), the home is kept."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
from pathlib import Path

import pytest

from lcc_constructs import BuildOptions, RunAs, Scripts, build, recipes
from lcc_constructs.errors import ValidationError
from lcc_constructs.sandbox import SimulationResult, simulate

from .helpers import write_script
from .recipe_helpers import Server, http_server, probe

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]

STUDIO = BuildOptions(platform="studio")
PACKAGE = "lcc-probe-tool"
#: The machine's own apt sources (Debian's mirrors, out of reach): hidden, ours alone remain.
HOST_SOURCES = ["/etc/apt/sources.list", "/etc/apt/sources.list.d"]


def repository(root: Path, version: str = "1.0") -> Path:
    """A flat apt repository holding one package, a shell program /usr/bin/lcc-probe-tool."""
    pkg = root / "build"
    (pkg / "DEBIAN").mkdir(parents=True)
    (pkg / "DEBIAN/control").write_text(
        f"Package: {PACKAGE}\nVersion: {version}\nArchitecture: all\n"
        "Maintainer: lcc tests <tests@example.com>\nDescription: a probe package\n")
    tool = pkg / "usr/bin" / PACKAGE
    tool.parent.mkdir(parents=True)
    tool.write_text(f"#!/bin/sh\necho 'probe tool {version}'\n")
    tool.chmod(0o755)
    repo = root / "repo"
    repo.mkdir()
    deb = repo / f"{PACKAGE}_{version}_all.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-b", str(pkg), str(deb)], check=True,
                   capture_output=True)
    data = deb.read_bytes()
    control = (pkg / "DEBIAN/control").read_text()
    entry = (f"{control}Filename: ./{deb.name}\nSize: {len(data)}\n"
             f"SHA256: {hashlib.sha256(data).hexdigest()}\n\n")
    (repo / "Packages").write_text(entry)
    (repo / "Packages.gz").write_bytes(gzip.compress(entry.encode(), mtime=0))
    return repo


def sources(tmp_path: Path, server: Server) -> dict[str, Path]:
    """``files=``: our repository as the sandbox's only apt source."""
    listing = tmp_path / "lcc-test.list"
    listing.write_text(f"deb [trusted=yes] {server.url}/ ./\n")
    return {"/etc/apt/sources.list.d/lcc-test.list": listing}


def start(tmp_path: Path, scripts: Scripts, *, runs: int = 1, files: dict[str, Path] | None = None,
          hide: list[str] | None = None, wait_background_seconds: float = 10) -> SimulationResult:
    """One start of a Studio space (a fresh container) with the home ``tmp_path/home``."""
    script = write_script(tmp_path / "on-start.sh", build(scripts, STUDIO))
    return simulate(script, platform="studio", volume=tmp_path / "home", runs=runs, files=files or {},
                    hide=HOST_SOURCES if hide is None else hide,
                    wait_background_seconds=wait_background_seconds)


def use_tool(tmp_path: Path) -> Scripts:
    """A step of the user's after the recipe: the installed program, and how many packages dpkg
    lists by that name."""
    return probe(tmp_path, "use", f"{PACKAGE}\ndpkg-query -W -f='${{Package}} ${{Status}}\\n' {PACKAGE}\n",
                 run_as=RunAs.STUDIO_USER)


def test_packages_are_installed_at_every_start_and_once(tmp_path: Path) -> None:
    with http_server(repository(tmp_path / "apt")) as server:
        scripts = recipes.apt_packages(packages=[PACKAGE]) + use_tool(tmp_path)
        files = sources(tmp_path, server)
        first = start(tmp_path, scripts, runs=2, files=files)  # twice in one container
        fetched = list(server.requests)
        again = start(tmp_path, scripts, files=files)  # the next start: the system is the image's
    for result in (first, again):
        for run in result.runs:
            assert not run.would_fail, result.format() + run.output
            assert [(s.name, s.user, s.status) for s in run.steps] == [
                ("apt-packages", "root", "ok"), ("use", "sagemaker-user", "ok")], result.format()
            use = run.step("use").log
            assert "probe tool 1.0" in use
            assert use.count(f"{PACKAGE} install ok installed") == 1
            assert f"installed: {PACKAGE}" in run.step("apt-packages").log
    # The second run in the same container found it installed: nothing added twice.
    assert "is already the newest version" in first.runs[1].step("apt-packages").log
    assert "is already the newest version" not in again.runs[0].step("apt-packages").log
    assert sum(p.endswith(".deb") for p in fetched) == 1
    assert any(p.rsplit("/", 1)[-1].startswith("Packages") for p in fetched), fetched
    # Nothing of it in the home, which alone persists, but the runs' logs.
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == [".lifecycle"]


def test_update_false_uses_the_lists_the_image_has(tmp_path: Path) -> None:
    # Without update, apt-get knows only the lists already there: none for our repository.
    with http_server(repository(tmp_path / "apt")) as server:
        result = start(tmp_path, recipes.apt_packages(packages=[PACKAGE], update=False) + use_tool(tmp_path),
                       files=sources(tmp_path, server))
        assert server.requests == []
    run = result.last
    assert not run.would_fail  # a recipe never fails the start
    assert [(s.name, s.status) for s in run.steps] == [("apt-packages", "failed"), ("use", "failed")]
    assert f"Unable to locate package {PACKAGE}" in run.step("apt-packages").log


def test_an_unreachable_repository_fails_the_step_not_the_start(tmp_path: Path) -> None:
    with http_server(repository(tmp_path / "apt")) as server:
        files = sources(tmp_path, server)
    result = start(tmp_path, recipes.apt_packages(packages=[PACKAGE]), files=files)  # server gone
    step = result.last.step("apt-packages")
    assert not result.would_fail
    assert step.status == "failed" and "installed:" not in step.log
    assert "127.0.0.1" in step.log  # apt's own message names the source it could not reach


def test_in_the_background(tmp_path: Path) -> None:
    with http_server(repository(tmp_path / "apt")) as server:
        result = start(tmp_path, recipes.apt_packages(packages=[PACKAGE], background=True),
                       files=sources(tmp_path, server), wait_background_seconds=120)
    step = result.last.step("apt-packages")
    assert step.status == "started", result.format()
    assert step.background_result is not None and step.background_result["status"] == "ok", step.log
    assert f"installed: {PACKAGE}" in step.log


def test_without_apt_get(tmp_path: Path) -> None:
    result = start(tmp_path, recipes.apt_packages(packages=[PACKAGE]),
                   hide=[*HOST_SOURCES, "/usr/bin/apt-get"])
    step = result.last.step("apt-packages")
    assert not result.would_fail and step.status == "failed"
    assert "failed: no apt-get on this image" in step.log


def test_a_notebook_instance_refuses_it() -> None:
    scripts = recipes.apt_packages(packages=["jq"])
    with pytest.raises(ValidationError, match="cannot run on a notebook instance: apt-packages installs "
                                              "with apt-get.*sudo dnf install"):
        build(scripts)
    assert build(scripts, STUDIO).report.fits


def test_the_step_and_its_options() -> None:
    step = recipes.apt_packages(packages=["jq", "libc6:amd64", "git=1:2.39.5-0+deb12u1"], update=False,
                                background=True, timeout_seconds=90).steps[0]
    assert (step.run_as, step.background, step.timeout_seconds) == (RunAs.ROOT, True, 90)
    assert dict(step.env) == {"OPT_PACKAGES": "jq libc6:amd64 git=1:2.39.5-0+deb12u1", "OPT_UPDATE": "0"}


@pytest.mark.parametrize(("options", "message"), [
    ({"packages": []}, "packages=\\[\\] is empty"),
    ({"packages": "jq"}, "not a single string"),
    ({"packages": ["-o=APT::Get::Trivial-Only=1"]}, "which is not a Debian package name"),
    ({"packages": ["jq*"]}, "'jq\\*', which is not"),
    ({"packages": ["Graphviz"]}, "'Graphviz', which is not"),
    ({"packages": ["a b"]}, "'a b', which is not"),
    ({"packages": ["jq"], "update": "yes"}, "update='yes' must be True or False"),
    ({"packages": ["jq"], "background": 1}, "background=1 must be True or False"),
    ({"packages": ["jq"], "timeout_seconds": 0}, "timeout_seconds=0 must be a number of seconds"),
    ({"packages": ["jq"], "name": "../x"}, "step name '../x' is not valid"),
])
def test_bad_options_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        recipes.apt_packages(**options)  # type: ignore[arg-type]
