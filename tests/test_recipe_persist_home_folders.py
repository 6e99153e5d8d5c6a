"""Recipe persist-home-folders, run in the sandbox: restarts are successive simulations on one
persistent volume (each with a fresh home, as on the instance)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from lcc_constructs import RunAs, Scripts, build, recipes
from lcc_constructs.errors import ValidationError

from .helpers import HOME
from .recipe_helpers import STUDIO, assert_all_ok, probe, run, sandbox_ids, snapshot_probe, snapshots

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]

KEPT = "SageMaker/.persistent-home"


def home_setup(tmp_path: Path, body: str) -> Scripts:
    """What ec2-user's home holds before the recipe runs, written by ec2-user on a first run only
    (on a second run of the same boot the home already is as the recipe left it)."""
    return probe(tmp_path, "setup", f"[ -e ~/.ssh ] || [ -L ~/.ssh ] || {{\n{body}\n}}\n",
                 run_as=RunAs.NOTEBOOK_USER)


FIRST_BOOT = """
mkdir -p ~/.ssh ~/.config/tool
printf 'PRIVATE KEY A\\n' > ~/.ssh/id_ed25519 && chmod 644 ~/.ssh/id_ed25519
printf 'ssh-ed25519 AAAA a@b\\n' > ~/.ssh/id_ed25519.pub
printf 'Host *\\n  User me\\n' > ~/.ssh/config
printf 'theme = dark\\n' > ~/.config/tool/settings
ln -s settings ~/.config/tool/current
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_first_start_moves_the_folders_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    scripts = (home_setup(tmp_path, FIRST_BOOT) + recipes.persist_home_folders()
               + snapshot_probe(HOME))
    result = run(tmp_path, scripts, runs=2)
    assert_all_ok(result)
    first, second = (r.step("persist-home-folders").log for r in result.runs)
    assert f"{HOME}/.ssh: moved to {HOME}/{KEPT}/.ssh" in first
    assert f"{HOME}/.config: moved to {HOME}/{KEPT}/.config" in first
    assert f"{HOME}/.ssh: already linked to {HOME}/{KEPT}/.ssh" in second
    one, two = snapshots(result)
    assert one == two

    keep, kept = tmp_path / "keep", result.volume / ".persistent-home"
    for name in (".ssh", ".config"):
        assert os.readlink(keep / f"home/ec2-user/{name}") == f"{HOME}/{KEPT}/{name}"
    assert (kept / ".ssh/id_ed25519").read_text() == "PRIVATE KEY A\n"
    assert (kept / ".config/tool/settings").read_text() == "theme = dark\n"
    assert os.readlink(kept / ".config/tool/current") == "settings"
    assert (mode(kept / ".ssh"), mode(kept / ".ssh/id_ed25519"), mode(kept / ".ssh/config"),
            mode(kept / ".ssh/id_ed25519.pub")) == (0o700, 0o600, 0o600, 0o644)
    uid, gid = sandbox_ids(keep)
    for path in [kept, *kept.rglob("*")]:
        assert (path.lstat().st_uid, path.lstat().st_gid) == (uid, gid), path
    assert not [p for p in kept.iterdir() if ".partial-" in p.name or ".saved-" in p.name]


def test_a_later_start_links_again_and_a_differing_home_copy_is_saved_aside(tmp_path: Path) -> None:
    volume = tmp_path / "volume"
    boot1 = run(tmp_path / "boot1", home_setup(tmp_path / "boot1", FIRST_BOOT)
                + recipes.persist_home_folders(), volume=volume)
    assert_all_ok(boot1)
    # Next boot: the home is new again, and something (say, a tool run before the recipe) put
    # a differing key in ~/.ssh and the very same settings in ~/.config.
    next_boot = """
mkdir -p ~/.ssh ~/.config/tool
printf 'PRIVATE KEY B\\n' > ~/.ssh/id_ed25519
printf 'theme = dark\\n' > ~/.config/tool/settings
"""
    boot2 = run(tmp_path / "boot2", home_setup(tmp_path / "boot2", next_boot)
                + recipes.persist_home_folders(folders=[".config", ".ssh", ".local/share/jupyter"]),
                volume=volume)
    assert_all_ok(boot2)
    log = boot2.last.step("persist-home-folders").log
    kept = volume / ".persistent-home"
    saved = [p for p in kept.iterdir() if p.name.startswith(".ssh.saved-")]
    assert len(saved) == 1, list(kept.iterdir())
    assert f"{HOME}/.ssh: saved aside as {HOME}/{KEPT}/{saved[0].name}" in log
    assert (saved[0] / "id_ed25519").read_text() == "PRIVATE KEY B\n"  # nothing lost
    assert (kept / ".ssh/id_ed25519").read_text() == "PRIVATE KEY A\n"  # the persistent copy wins
    assert (mode(saved[0]), mode(saved[0] / "id_ed25519")) == (0o700, 0o600)  # keys stay private
    assert not [p for p in kept.iterdir() if p.name.startswith(".config.saved-")]
    assert f"{HOME}/.config: linked to {HOME}/{KEPT}/.config again" in log
    keep = tmp_path / "boot2" / "keep" / "home/ec2-user"
    assert os.readlink(keep / ".ssh") == f"{HOME}/{KEPT}/.ssh"
    assert os.readlink(keep / ".config") == f"{HOME}/{KEPT}/.config"
    # A folder that exists nowhere yet is created, with the parents of its link.
    assert f"{HOME}/.local/share/jupyter: created {HOME}/{KEPT}/.local/share/jupyter" in log
    assert os.readlink(keep / ".local/share/jupyter") == f"{HOME}/{KEPT}/.local/share/jupyter"
    assert (kept / ".local/share/jupyter").is_dir()


def test_what_is_not_a_folder_is_left_alone_or_saved_aside(tmp_path: Path) -> None:
    # The persistent side holds a file where a folder belongs: left alone, home untouched. The
    # home holds a file where a folder belongs: saved aside on the volume, then linked.
    (tmp_path / "volume/.persistent-home").mkdir(parents=True)
    (tmp_path / "volume/.persistent-home/.config").write_text("not a folder\n")
    setup = probe(tmp_path, "setup", "chown -R ec2-user: ~ec2-user/SageMaker/.persistent-home\n"
                  "printf 'a file\\n' > ~ec2-user/.ssh && chown ec2-user: ~ec2-user/.ssh\n")
    result = run(tmp_path, setup + recipes.persist_home_folders())
    assert_all_ok(result)
    log = result.last.step("persist-home-folders").log
    kept = tmp_path / "volume/.persistent-home"
    assert f"{HOME}/.config: left alone, {HOME}/{KEPT}/.config is not a folder" in log
    assert (kept / ".config").read_text() == "not a folder\n"
    assert not (tmp_path / "keep/home/ec2-user/.config").is_symlink()
    saved = [p for p in kept.iterdir() if p.name.startswith(".ssh.saved-")]
    assert [p.read_text() for p in saved] == ["a file\n"]
    assert (kept / ".ssh").is_dir() and mode(kept / ".ssh") == 0o700


# --- Studio -----------------------------------------------------------------------------------

def test_a_studio_build_refuses_it_the_whole_home_persists_there(tmp_path: Path) -> None:
    scripts = recipes.persist_home_folders(folders=[".ssh"]) + probe(tmp_path, "mine", "echo\n")
    with pytest.raises(ValidationError) as e:
        build(scripts, STUDIO)
    assert list(e.value.problems) == [
        "step 'persist-home-folders' cannot run on Studio: the whole home (/home/sagemaker-user) persists "
        "on Studio: its folders need no keeping. Fix: leave persist-home-folders out of the Studio build"]
    assert build(scripts).report.fits
