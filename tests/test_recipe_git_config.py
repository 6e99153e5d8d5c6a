"""Recipe git-config, run in the sandbox with the machine's real git."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from lcc_constructs import RunAs, recipes

from .helpers import HOME, assert_ran_as_planned, without_who
from .recipe_helpers import (
    STUDIO_HOME,
    assert_all_ok,
    assert_studio_ok,
    probe,
    run,
    sandbox_ids,
    snapshot_probe,
    snapshots,
    studio_snapshot_probe,
    studio_starts,
)

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]

NAME = "Ada \"the\" O'Neil \\ $HOME"


def test_identity_and_settings_as_given_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    # A key the user set twice by hand ends up with the one value given.
    setup = probe(tmp_path, "setup", "[ -e ~/.gitconfig ] || { git config --global --add "
                  "url.git@host:.insteadOf a; git config --global --add url.git@host:.insteadOf b; }\n",
                  run_as=RunAs.NOTEBOOK_USER)
    check = probe(tmp_path, "check", 'printf "%s|" "$(git config --global --get-all user.name)" '
                  '"$(git config --global --get-all url.git@host:.insteadOf)" '
                  '"$(git config --global --get init.defaultBranch)"\n', run_as=RunAs.NOTEBOOK_USER)
    recipe = recipes.git_config(user_name=NAME, user_email="ada@example.com",
                                settings={"init.defaultBranch": "main",
                                          "url.git@host:.insteadOf": "https://host/"})
    result = run(tmp_path, setup + recipe + check + snapshot_probe(f"{HOME}/.gitconfig"), runs=2)
    assert_all_ok(result)
    for r in result.runs:
        assert without_who(r.step("check").log).rstrip("\n") == f"{NAME}|https://host/|main|"
    one, two = snapshots(result)
    assert one == two
    gitconfig = tmp_path / "keep/home/ec2-user/.gitconfig"
    st = gitconfig.stat()
    assert (st.st_uid, st.st_gid) == sandbox_ids(tmp_path / "keep")
    assert not stat.S_IMODE(st.st_mode) & 0o022
    assert "set user.email" in result.last.step("git-config").log


def test_without_git_it_says_so(tmp_path: Path) -> None:
    # git is part of the notebook instance; without it the step fails (the start does not).
    no_git = probe(tmp_path, "no-git", "rm -f /usr/bin/git\n")  # in the sandbox's overlay only
    result = run(tmp_path, no_git + recipes.git_config(user_name="x"))
    run_ = result.last
    assert not run_.would_fail
    assert run_.step("git-config").status == "failed"
    assert "git: command not found" in run_.step("git-config").log
    assert_ran_as_planned(run_)


# --- Studio -----------------------------------------------------------------------------------

def test_on_studio_the_space_user_gets_them_and_a_second_start_changes_nothing(tmp_path: Path) -> None:
    # ~/.gitconfig is in the home, which persists on Studio: the second start finds it and sets
    # the same values again (a key the user set twice by hand still ends up with one value).
    setup = probe(tmp_path, "setup", "[ -e ~/.gitconfig ] || { git config --global --add "
                  "url.git@host:.insteadOf a; git config --global --add url.git@host:.insteadOf b; }\n",
                  run_as=RunAs.NOTEBOOK_USER)
    check = probe(tmp_path, "check", 'printf "%s|%s|" "$(id -un)" '
                  '"$(git config --global --get-all user.name)"; '
                  'git config --global --get-all url.git@host:.insteadOf\n', run_as=RunAs.NOTEBOOK_USER)
    recipe = recipes.git_config(user_name=NAME, settings={"url.git@host:.insteadOf": "https://host/"})
    starts = studio_starts(tmp_path, setup + recipe + check
                           + studio_snapshot_probe(tmp_path, f"{STUDIO_HOME}/.gitconfig"))
    assert_studio_ok(starts)
    for start in starts:
        assert start.last.step("check").log == f"sagemaker-user|{NAME}|https://host/\n"
        assert start.last.step("git-config").user == "sagemaker-user"
    one, two = (s.last.step("snapshot").log for s in starts)
    assert one == two and "/home/sagemaker-user/.gitconfig regular file 644 sagemaker-user users" in one
