"""Recipe jupyter-extensions, run in the sandboxes: the machine's real pip, in a real virtual
environment standing for the server's (/opt/conda on Studio, made at each start as the image
would have it), installs a real prebuilt JupyterLab extension (a wheel made here, whose data
files land in share/jupyter/labextensions) from a package index served on 127.0.0.1, which the
package-index recipe gives pip. A Studio start is a fresh sandbox, the home is kept."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from lcc_constructs import BuildOptions, RunAs, Scripts, build, recipes
from lcc_constructs.errors import ValidationError
from lcc_constructs.sandbox import SimulationResult, simulate

from .helpers import write_script
from .recipe_helpers import assert_all_ok, http_server, probe
from .recipe_helpers import run as run_on_notebook

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]

STUDIO = BuildOptions(platform="studio")
PROJECT, MODULE = "lcc-probe-labext", "lcc_probe_labext"
LABEXT = "share/jupyter/labextensions/lcc-probe-labext/package.json"
NOTEBOOK_ENV = "/home/ec2-user/anaconda3/envs/JupyterSystemEnv"


def extension_index(root: Path) -> Path:
    """A PEP 503 index holding one prebuilt JupyterLab extension: a wheel whose data files go to
    <prefix>/share/jupyter/labextensions/, as real extensions ship theirs."""
    wheel = root / "files" / f"{MODULE}-1.0-py3-none-any.whl"
    wheel.parent.mkdir(parents=True)
    dist, data = f"{MODULE}-1.0.dist-info", f"{MODULE}-1.0.data/data"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(f"{MODULE}/__init__.py", "")
        z.writestr(f"{data}/{LABEXT}", '{"name": "lcc-probe-labext", "version": "1.0.0"}\n')
        z.writestr(f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: {PROJECT}\nVersion: 1.0\n")
        z.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                                    "Tag: py3-none-any\n")
        z.writestr(f"{dist}/RECORD", f"{MODULE}/__init__.py,,\n{data}/{LABEXT},,\n{dist}/METADATA,,\n"
                                     f"{dist}/WHEEL,,\n{dist}/RECORD,,\n")
    page = root / "simple" / PROJECT / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(f'<html><body><a href="../../files/{wheel.name}">{wheel.name}</a></body></html>\n')
    return root


def server_env(tmp_path: Path, prefix: str = "/opt/conda", owner: str = "1000:100") -> Scripts:
    """A root step making the server's environment as the image has it: a virtual environment of
    the machine's python3 (its pip through the system's site-packages), the user's."""
    return probe(tmp_path, "image", f"[ -d {prefix} ] || /usr/bin/python3 -m venv --without-pip "
                 f"--system-site-packages {prefix}\nchown -R {owner} {prefix}\n")


def show(tmp_path: Path, prefix: str = "/opt/conda", run_as: RunAs = RunAs.STUDIO_USER) -> Scripts:
    return probe(tmp_path, "show", f"cat {prefix}/{LABEXT}\n{prefix}/bin/python -c 'import {MODULE}'\n",
                 run_as=run_as)


def start(tmp_path: Path, scripts: Scripts, *, runs: int = 1, hide: list[str] | None = None,
          wait_background_seconds: float = 10) -> SimulationResult:
    """One start of a Studio space (a fresh container) with the home ``tmp_path/home``."""
    script = write_script(tmp_path / "on-start.sh", build(scripts, STUDIO))
    return simulate(script, platform="studio", volume=tmp_path / "home", runs=runs, hide=hide or [],
                    wait_background_seconds=wait_background_seconds)


def test_extensions_are_installed_at_every_start_and_once(tmp_path: Path) -> None:
    with http_server(extension_index(tmp_path / "index")) as server:
        scripts = (server_env(tmp_path) + recipes.package_index(index_url=f"{server.url}/simple")
                   + recipes.jupyter_extensions(packages=[PROJECT]) + show(tmp_path))
        first = start(tmp_path, scripts, runs=2)
        again = start(tmp_path, scripts)  # /opt/conda is the image's again
        asked = list(server.requests)
    for result in (first, again):
        for run in result.runs:
            assert not run.would_fail, result.format() + run.output
            assert [(s.name, s.user, s.status) for s in run.steps] == [
                ("image", "root", "ok"), ("package-index", "sagemaker-user", "ok"),
                ("jupyter-extensions", "sagemaker-user", "ok"), ("show", "sagemaker-user", "ok")], \
                result.format() + run.output
            assert '"name": "lcc-probe-labext"' in run.step("show").log
            assert f"installed in /opt/conda: {PROJECT}" in run.step("jupyter-extensions").log
    logs = [first.runs[0], first.runs[1], again.runs[0]]
    installs = [r.step("jupyter-extensions").log for r in logs]
    assert "Successfully installed lcc-probe-labext-1.0" in installs[0]
    # Twice in one container: already there, nothing installed again.
    assert "Requirement already satisfied" in installs[1] and "Successfully installed" not in installs[1]
    assert "Successfully installed lcc-probe-labext-1.0" in installs[2]
    assert f"/simple/{PROJECT}/" in asked


def test_in_the_background(tmp_path: Path) -> None:
    with http_server(extension_index(tmp_path / "index")) as server:
        scripts = (server_env(tmp_path) + recipes.package_index(index_url=f"{server.url}/simple")
                   + recipes.jupyter_extensions(packages=[PROJECT], background=True))
        result = start(tmp_path, scripts, wait_background_seconds=120)
    step = result.last.step("jupyter-extensions")
    assert step.status == "started", result.format()
    assert step.background_result is not None and step.background_result["status"] == "ok", step.log
    assert "Successfully installed lcc-probe-labext-1.0" in step.log


def test_without_an_environment(tmp_path: Path) -> None:
    result = start(tmp_path, recipes.jupyter_extensions(packages=[PROJECT]))
    step = result.last.step("jupyter-extensions")
    assert not result.would_fail and step.status == "failed"
    assert "failed: no JupyterLab environment (no bin/python in /opt/conda or JupyterSystemEnv)" in step.log
    step = start(tmp_path, recipes.jupyter_extensions(packages=[PROJECT], server_prefix="/srv/jl")
                 ).last.step("jupyter-extensions")
    assert step.status == "failed" and "no bin/python in /srv/jl" in step.log


def test_an_unreachable_index_fails_the_step_not_the_start(tmp_path: Path) -> None:
    with http_server(extension_index(tmp_path / "index")) as server:
        index = f"{server.url}/simple"
    scripts = (server_env(tmp_path) + recipes.package_index(index_url=index)
               + recipes.jupyter_extensions(packages=[PROJECT], timeout_seconds=60))
    result = start(tmp_path, scripts)
    step = result.last.step("jupyter-extensions")
    assert not result.would_fail and step.status == "failed", result.format()
    assert f"No matching distribution found for {PROJECT}" in step.log


def test_a_server_prefix_of_ones_own(tmp_path: Path) -> None:
    with http_server(extension_index(tmp_path / "index")) as server:
        scripts = (server_env(tmp_path, "/srv/jl") + recipes.package_index(index_url=f"{server.url}/simple")
                   + recipes.jupyter_extensions(packages=[f"{PROJECT}==1.0"], server_prefix="/srv/jl")
                   + show(tmp_path, "/srv/jl"))
        result = start(tmp_path, scripts)
    assert all(s.status == "ok" for s in result.last.steps), result.format() + result.last.output
    assert f"installed in /srv/jl: {PROJECT}==1.0" in result.last.step("jupyter-extensions").log


def test_on_a_notebook_instance_into_jupyter_system_env(tmp_path: Path) -> None:
    with http_server(extension_index(tmp_path / "index")) as server:
        scripts = (server_env(tmp_path, NOTEBOOK_ENV, "ec2-user:")
                   + recipes.package_index(index_url=f"{server.url}/simple")
                   + recipes.jupyter_extensions(packages=[PROJECT])
                   + show(tmp_path, NOTEBOOK_ENV, RunAs.NOTEBOOK_USER))
        result = run_on_notebook(tmp_path, scripts, runs=2)
    assert_all_ok(result)
    assert result.runs[0].step("jupyter-extensions").user == "ec2-user"
    assert "Successfully installed lcc-probe-labext-1.0" in result.runs[0].step("jupyter-extensions").log
    assert "Requirement already satisfied" in result.runs[1].step("jupyter-extensions").log


def test_the_step_and_its_options() -> None:
    scripts = recipes.jupyter_extensions(packages=["jupyterlab-git", "jupyterlab-lsp==5.1.0", "a[b,c]>=1,<2"],
                                         background=True, timeout_seconds=300)
    step = scripts.steps[0]
    assert (step.run_as, step.background, step.timeout_seconds) == (RunAs.NOTEBOOK_USER, True, 300)
    assert dict(step.env) == {"OPT_PACKAGES": "jupyterlab-git jupyterlab-lsp==5.1.0 a[b,c]>=1,<2",
                              "OPT_PREFIX": ""}
    assert build(scripts).report.fits and build(scripts, STUDIO).report.fits


@pytest.mark.parametrize(("options", "message"), [
    ({"packages": []}, "packages=\\[\\] is empty"),
    ({"packages": "jupyterlab-git"}, "not a single string"),
    ({"packages": ["--index-url=http://evil/"]}, "which is not a package name"),
    ({"packages": ["-e."]}, "which is not a package name"),
    ({"packages": ["git+https://x/y.git"]}, "which is not a package name"),
    ({"packages": ["./local.whl"]}, "which is not a package name"),
    ({"packages": ["a b"]}, "which is not a package name"),
    ({"packages": ["a >=1"]}, "which is not a package name"),
    ({"packages": ["x"], "server_prefix": "conda"}, "server_prefix='conda' must be an absolute"),
    ({"packages": ["x"], "server_prefix": "/opt/../root"}, "server_prefix="),
    ({"packages": ["x"], "background": "no"}, "background='no' must be True or False"),
    ({"packages": ["x"], "timeout_seconds": 90000}, "timeout_seconds=90000 must be"),
])
def test_bad_options_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        recipes.jupyter_extensions(**options)  # type: ignore[arg-type]
