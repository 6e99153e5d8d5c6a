"""The same input gives the same bytes on every supported Python (3.10+): a developer on one
interpreter and a pipeline's build image on another see no template diff. Each interpreter found
on this machine builds the example and a recipe-heavy folder, plain and minified, from this
checkout; the bytes must match the virtualenv's own build."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, require

#: Run by each interpreter: the Content of each build, by name, as JSON on stdout.
BUILDS = r"""
import json, sys
from pathlib import Path
from lcc_constructs import Scripts, build, recipes
from lcc_constructs.bundle import BuildOptions

root = Path(sys.argv[1])
example = Scripts.from_folder(root / "examples" / "scripts") + recipes.autostop(idle_minutes=60)
heavy = (
    recipes.persist_conda_envs(register_kernels=False)
    + recipes.persist_home_folders(folders=[".ssh", ".config/git"])
    + recipes.persistent_bin()
    + recipes.environment_variables(variables={"TEAM": "data", "HTTP_PROXY": "http://proxy:3128"})
    + recipes.package_index(index_url="https://pypi.example.com/simple")
    + recipes.git_config(user_name="Data Team", user_email="data@example.com")
    + recipes.stop_ssm_agent()
    + recipes.autostop(idle_minutes=90, count_connections=True)
)
out = {}
for name, scripts in (("example", example), ("heavy", heavy)):
    for minify in (False, True):
        out[f"{name}{'-minified' if minify else ''}"] = build(scripts, BuildOptions(minify=minify)).content
print(json.dumps(out))
"""


def interpreters() -> dict[str, str]:
    """One interpreter per Python version 3.10 and newer found here: on PATH, under pyenv, and
    the one running the tests; by version."""
    candidates = [sys.executable]
    candidates += [p for minor in range(10, 20) if (p := shutil.which(f"python3.{minor}"))]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/3.*/bin/python3"))
    found: dict[str, str] = {}
    for path in candidates:
        proc = subprocess.run([path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True)
        version = proc.stdout.strip()
        if proc.returncode == 0 and tuple(map(int, version.split("."))) >= (3, 10):
            found.setdefault(version, path)
    return found


@pytest.fixture(scope="module")
def dependencies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package's one build-time dependency outside the standard library: tomli, which
    Python 3.10 needs to read lifecycle.toml (pure Python; copied from this virtualenv)."""
    import tomli

    folder = tmp_path_factory.mktemp("deps")
    shutil.copytree(Path(tomli.__file__).parent, folder / "tomli")
    return folder


def build_with(python: str, dependencies: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{dependencies}",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run([python, "-c", BUILDS, str(ROOT)], capture_output=True, text=True, env=env,
                          cwd="/")
    assert proc.returncode == 0, f"{python}: {proc.stderr}"
    return dict(json.loads(proc.stdout))


def test_every_python_builds_the_same_bytes(dependencies: Path) -> None:
    found = interpreters()
    require(len(found) >= 2, f"need two Python versions 3.10+ to compare, found {sorted(found)}")
    builds = {version: build_with(python, dependencies) for version, python in sorted(found.items())}
    reference = builds.pop(f"{sys.version_info[0]}.{sys.version_info[1]}")
    for version, contents in builds.items():
        differing = sorted(name for name in reference if contents[name] != reference[name])
        assert not differing, f"Python {version} builds {differing} differently"
    # The builds are real ones: a minified build differs from the plain one.
    assert reference["example"] != reference["example-minified"]
    digests = {name: hashlib.sha256(c.encode()).hexdigest()[:12] for name, c in reference.items()}
    print(f"identical on {sorted([*builds, 'this'])}: {digests}")
