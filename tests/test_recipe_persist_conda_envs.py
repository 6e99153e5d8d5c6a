"""Recipe persist-conda-envs, run in the sandbox. The environments are real: a Python virtual
environment with the real ipykernel from PyPI (built once, then hard-linked into each test's
volume) stands for a conda environment; only the `conda` command is a stand-in."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from lcc_constructs import RunAs, Scripts, recipes

from .conftest import STANDINS, require
from .helpers import HOME, standins, without_who
from .recipe_helpers import (
    STUDIO_HOME,
    assert_all_ok,
    assert_studio_ok,
    calls_probe,
    probe,
    restarts,
    run,
    sandbox_ids,
    snapshot_probe,
    snapshots,
    studio_snapshot_probe,
    studio_starts,
)

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]

#: The interpreter the environments are made from: it must be one ec2-user can run in the
#: sandbox (the test runner's own may live under /root).
SYSTEM_PYTHON = "/usr/bin/python3"
IPYKERNEL = "ipykernel>=6,<8"
ENVS = f"{HOME}/SageMaker/.conda/envs"
KERNELS = "home/ec2-user/.local/share/jupyter/kernels"
# What SageMaker keeps in ~/.condarc (the recipe must keep it).
SAGEMAKER_CONDARC = "channels:\n- defaults\nauto_activate_base: false\nenvs_dirs:\n" \
                    f"- {HOME}/anaconda3/envs\n"


@pytest.fixture(scope="module")
def kernel_env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with ipykernel, cached across test sessions (in pytest's cache;
    without it, under ``-p no:cacheprovider``, made for this session)."""
    require(Path(SYSTEM_PYTHON).exists() and subprocess.run(
        [SYSTEM_PYTHON, "-c", "import venv, ensurepip"], capture_output=True).returncode == 0,
        f"{SYSTEM_PYTHON} with venv and ensurepip (Debian: python3-venv)")
    pytest_cache = getattr(request.config, "cache", None)  # no attribute without the cacheprovider
    cache = (Path(pytest_cache.mkdir("lcc-kernel-env")) if pytest_cache is not None
             else tmp_path_factory.mktemp("lcc-kernel-env"))
    env, stamp = cache / "env", cache / "stamp"
    want = f"{IPYKERNEL} {os.path.realpath(SYSTEM_PYTHON)}"
    with (cache / "lock").open("w") as lock:  # concurrent test sessions build it once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (stamp.exists() and stamp.read_text() == want):
            shutil.rmtree(env, ignore_errors=True)
            subprocess.run([SYSTEM_PYTHON, "-m", "venv", str(env)], check=True)
            subprocess.run([str(env / "bin/python"), "-m", "pip", "install", "--quiet",
                            "--disable-pip-version-check", IPYKERNEL], check=True)
            stamp.write_text(want)
    return env


def add_env(volume: Path, name: str, source: Path | None) -> Path:
    """An environment in the volume's envs folder: hard links to ``source``, or, without it, a
    bare virtual environment (no ipykernel)."""
    target = volume / ".conda/envs" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if source is None:
        subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--without-pip", str(target)], check=True)
    else:
        try:
            shutil.copytree(source, target, symlinks=True, copy_function=os.link)
        except OSError:  # another file system: copy
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, symlinks=True)
    return target


def conda_setup(tmp_path: Path) -> dict[str, Path]:
    rc = tmp_path / "condarc"
    rc.write_text(SAGEMAKER_CONDARC)
    unit = tmp_path / "jupyter-server.service"
    unit.write_text("[Service]\nExecStart=/usr/bin/jupyter-server\n")
    return {**standins(tmp_path, "systemctl", "conda"), f"{HOME}/.condarc": rc,
            "/etc/systemd/system/jupyter-server.service": unit}


def fix_condarc_owner(tmp_path: Path) -> Scripts:
    # files= are placed by root; on the instance ~/.condarc belongs to ec2-user.
    return probe(tmp_path, "owner", "chown ec2-user: ~ec2-user/.condarc\n")


def test_first_start_makes_the_envs_folder_and_conda_looks_there_first(tmp_path: Path) -> None:
    scripts = (fix_condarc_owner(tmp_path) + recipes.persist_conda_envs()
               + snapshot_probe(HOME, "/etc/systemd") + calls_probe(tmp_path))
    result = run(tmp_path, scripts, files=conda_setup(tmp_path), runs=2)
    assert_all_ok(result)
    first, second = (r.step("persist-conda-envs").log for r in result.runs)
    assert all(f"conda creates environments in {ENVS}" in log for log in (first, second))
    one, two = snapshots(result)
    assert one == two
    keep = tmp_path / "keep"
    rc = yaml.safe_load((keep / "home/ec2-user/.condarc").read_text())
    assert rc == {"channels": ["defaults"], "auto_activate_base": False,
                  "envs_dirs": [ENVS, f"{HOME}/anaconda3/envs"]}
    envs = result.volume / ".conda/envs"
    uid, gid = sandbox_ids(keep)
    for path in (envs.parent, envs):
        assert (path.stat().st_uid, path.stat().st_gid) == (uid, gid)
    assert "kernels unchanged: Jupyter not restarted" in first
    assert restarts(result.last.step("calls").log) == 0


def test_envs_with_ipykernel_become_kernels_and_jupyter_restarts_once(
        tmp_path: Path, kernel_env: Path) -> None:
    volume = tmp_path / "volume"
    ml = add_env(volume, "ml", kernel_env)
    add_env(volume, "My.Env", kernel_env)
    add_env(volume, "bare", None)
    (volume / ".conda/envs/broken").mkdir()
    (volume / ".conda/envs/notes.txt").write_text("not an environment\n")
    discover = probe(tmp_path, "discover",
                     f"{ENVS}/ml/bin/python -c 'import json; from jupyter_client.kernelspec import "
                     "KernelSpecManager as M; print(json.dumps(sorted(M().find_kernel_specs())))'\n",
                     run_as=RunAs.NOTEBOOK_USER)
    scripts = (fix_condarc_owner(tmp_path) + recipes.persist_conda_envs() + discover
               + snapshot_probe(f"{HOME}/.local", f"{HOME}/.condarc") + calls_probe(tmp_path))
    result = run(tmp_path, scripts, files=conda_setup(tmp_path), runs=2)
    assert_all_ok(result)
    first = result.runs[0].step("persist-conda-envs").log
    assert "ml: kernel conda-env-ml" in first
    assert "My.Env: kernel conda-env-my.env" in first
    assert "bare: no kernel (" in first and "No module named ipykernel" in first
    assert "broken: no kernel (" in first and "bin/python" in first
    assert "notes.txt" not in first
    assert "restarting Jupyter" in first
    assert "kernels unchanged" in result.runs[1].step("persist-conda-envs").log
    assert restarts(result.last.step("calls").log) == 1
    one, two = snapshots(result)
    assert one == two

    # Jupyter's own discovery, run by ec2-user, finds them.
    found = json.loads(without_who(result.last.step("discover").log))
    assert {"conda-env-ml", "conda-env-my.env"} <= set(found)
    assert not [k for k in found if "bare" in k or "broken" in k]
    keep = tmp_path / "keep"
    spec_dir = keep / KERNELS / "conda-env-ml"
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["argv"][0] == f"{ENVS}/ml/bin/python" and spec["display_name"] == "ml (persistent)"
    uid, _ = sandbox_ids(keep)
    assert spec_dir.stat().st_uid == uid and (spec_dir / "kernel.json").stat().st_uid == uid
    assert stat.S_IMODE((spec_dir / "kernel.json").stat().st_mode) & 0o022 == 0
    assert ml.is_dir()  # the environments themselves are left as they were


def test_no_conda_and_no_systemd_still_registers_and_logs_what_it_skipped(
        tmp_path: Path, kernel_env: Path) -> None:
    add_env(tmp_path / "volume", "ml", kernel_env)
    result = run(tmp_path, recipes.persist_conda_envs())
    assert_all_ok(result)
    log = result.last.step("persist-conda-envs").log
    assert "conda not configured: " in log and "anaconda3/bin/conda" in log
    assert "ml: kernel conda-env-ml" in log
    # No systemd runs here (the sandbox is a chroot): systemctl's own word is in the log.
    assert "ignoring command 'restart'" in log
    assert not (tmp_path / "keep/home/ec2-user/.condarc").exists()
    assert (tmp_path / "keep" / KERNELS / "conda-env-ml/kernel.json").exists()


@pytest.mark.parametrize("switch", ["register_kernels", "restart_jupyter"])
def test_each_switch_turns_its_part_off(tmp_path: Path, kernel_env: Path, switch: str) -> None:
    # An environment with ipykernel: registered (and Jupyter restarted) unless switched off.
    add_env(tmp_path / "volume", "ml", kernel_env)
    scripts = (fix_condarc_owner(tmp_path) + recipes.persist_conda_envs(**{switch: False})
               + calls_probe(tmp_path))
    result = run(tmp_path, scripts, files=conda_setup(tmp_path))
    assert_all_ok(result)
    log = result.last.step("persist-conda-envs").log
    registered = (tmp_path / "keep" / KERNELS / "conda-env-ml/kernel.json").exists()
    assert registered == (switch == "restart_jupyter"), log
    assert restarts(result.last.step("calls").log) == 0
    if switch == "restart_jupyter":
        assert "kernels changed: Jupyter not restarted (restart_jupyter is off)" in log


# --- attacks: ec2-user plants the programs root has it run ------------------------------------

#: What ec2-user can plant as an environment's python (or as its conda): each also tries, in
#: case it runs as root, to write where only root can.
PLANTED = {
    "sleeps": "trap '' TERM\nsleep 1000\n",
    "floods": "yes 'a line of output that goes on and on'\n",
    "forks": "setsid sleep 1000 &\nsleep 1000 &\necho left a child holding stdout open\n",
}
PWN = "touch /etc/lcc-pwned /home/ec2-user/SageMaker/root-was-here 2>/dev/null\n"


ROOT_OWNED = (f"find {HOME} /etc -path {HOME}/SageMaker/.lifecycle -prune -o -path /etc/systemd -prune "
              "-o -user root -print | sort > /run/lcc-test-root-owned.$1\n")


def root_owned_probes(tmp_path: Path) -> tuple[Scripts, Scripts]:
    """Steps before and after the recipe: the second, which runs only if the start went on,
    prints what root owns in the home, on the volume and in /etc (the runner's state folder
    aside) that it did not own before."""
    before = probe(tmp_path, "before", ROOT_OWNED.replace("$1", "before"))
    after = probe(tmp_path, "after", ROOT_OWNED.replace("$1", "after")
                  + "comm -13 /run/lcc-test-root-owned.before /run/lcc-test-root-owned.after\n")
    return before, after


@pytest.mark.parametrize("attack", sorted(PLANTED))
@pytest.mark.parametrize("program", ["python", "conda"])
def test_a_planted_program_costs_seconds_and_runs_as_ec2_user(
        tmp_path: Path, kernel_env: Path, attack: str, program: str) -> None:
    volume = tmp_path / "volume"
    add_env(volume, "ml", kernel_env)
    planted = tmp_path / "planted"
    planted.write_text("#!/bin/bash\n" + PWN + PLANTED[attack])
    planted.chmod(0o755)
    files = conda_setup(tmp_path)
    if program == "python":
        evil = volume / ".conda/envs/evil/bin"
        evil.mkdir(parents=True)
        shutil.copy(planted, evil / "python")
    else:
        files[f"{HOME}/anaconda3/bin/conda"] = planted
    before, after = root_owned_probes(tmp_path)
    scripts = fix_condarc_owner(tmp_path) + before + recipes.persist_conda_envs() + after
    result = run(tmp_path, scripts, files=files)
    assert_all_ok(result)
    step = result.last.step("persist-conda-envs")
    assert float(step.seconds or 0) < (16 if attack == "sleeps" else 5), step  # 10 s for the planted call
    assert "ml: kernel conda-env-ml" in step.log  # the other environments are still registered
    assert len(step.log) < 4000  # root copied a few hundred bytes of the output, no more
    assert without_who(result.last.step("after").log).split() == []
    assert not (tmp_path / "keep/etc/lcc-pwned").exists()
    assert not (volume / "root-was-here").exists() or (volume / "root-was-here").stat().st_uid != 0


# --- Studio -----------------------------------------------------------------------------------

STUDIO_ENVS = f"{STUDIO_HOME}/.conda/envs"


def test_on_studio_envs_in_the_home_become_kernels_of_the_space_user_over_two_starts(
        tmp_path: Path, kernel_env: Path) -> None:
    # Studio's conda (/opt/conda/bin, a stand-in) keeps environments in ~/.conda/envs; the home
    # persists whole, kernel specs included: the second start finds everything made.
    home = tmp_path / "home"
    add_env(home, "ml", kernel_env)
    add_env(home, "bare", None)
    discover = probe(tmp_path, "discover",
                     f"{STUDIO_ENVS}/ml/bin/python -c 'import json; from jupyter_client.kernelspec import "
                     "KernelSpecManager as M; print(json.dumps(sorted(M().find_kernel_specs())))'\n",
                     run_as=RunAs.NOTEBOOK_USER)
    scripts = (recipes.persist_conda_envs() + discover
               + studio_snapshot_probe(tmp_path, f"{STUDIO_HOME}/.local", f"{STUDIO_HOME}/.condarc"))
    starts = studio_starts(tmp_path, scripts, files={"/opt/conda/bin/conda": STANDINS / "conda"})
    assert_studio_ok(starts)
    first, second = (s.last.step("persist-conda-envs").log for s in starts)
    for log in (first, second):
        assert f"conda creates environments in {STUDIO_ENVS}" in log
        assert "ml: kernel conda-env-ml" in log
        assert "bare: no kernel (" in log and "No module named ipykernel" in log
    # No systemd to restart Jupyter with: said, and the start goes on.
    assert "no systemd on Studio: JupyterLab lists the kernels as it finds them" in first
    assert "Jupyter not restarted" in first
    assert "kernels unchanged: Jupyter not restarted" in second
    one, two = (s.last.step("snapshot").log for s in starts)
    assert one == two
    found = json.loads(starts[-1].last.step("discover").log)
    assert "conda-env-ml" in found and "conda-env-bare" not in found
    spec = home / ".local/share/jupyter/kernels/conda-env-ml/kernel.json"
    assert (spec.stat().st_uid, spec.stat().st_gid) == (1000, 100)
    assert json.loads(spec.read_text())["argv"][0] == f"{STUDIO_ENVS}/ml/bin/python"
    assert yaml.safe_load((home / ".condarc").read_text()) == {"envs_dirs": [STUDIO_ENVS]}  # once
    assert not (home / "SageMaker").exists()


def test_on_studio_without_conda_the_kernels_are_still_registered(tmp_path: Path, kernel_env: Path) -> None:
    add_env(tmp_path / "home", "ml", kernel_env)
    (start,) = studio_starts(tmp_path, recipes.persist_conda_envs(), starts=1)
    assert_studio_ok([start])
    log = start.last.step("persist-conda-envs").log
    assert "conda not configured: " in log and "/opt/conda/bin/conda" in log
    assert "ml: kernel conda-env-ml" in log
