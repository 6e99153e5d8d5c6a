"""Recipes over login shells within login shells and over two starts (docs/recipes): the
persistent bin folder is on ec2-user's PATH once however often its profile script is read (a
login shell started from another), and the environment variables' profile script holds its one
line after two starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from lcc_constructs import RunAs, recipes

from .helpers import HOME, without_who
from .recipe_helpers import assert_all_ok, probe, run

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]

BIN = f"{HOME}/SageMaker/.bin"


def test_the_bin_folder_is_on_path_once_in_nested_login_shells_after_two_starts(tmp_path: Path) -> None:
    # The step's login shell read profile.d; reading it again is what a login shell started from
    # another does on Amazon Linux 2023 (its /etc/profile keeps PATH; the sandbox's may reset it).
    nested = probe(tmp_path, "nested", ". /etc/profile.d/lcc-persistent-bin.sh; bash -l -c "
                   "'. /etc/profile.d/lcc-persistent-bin.sh; echo \"$PATH\"'\n", run_as=RunAs.NOTEBOOK_USER)
    profile = probe(tmp_path, "profile", "cat /etc/profile.d/lcc-persistent-bin.sh "
                    "/etc/profile.d/lcc-environment-variables.sh\n")
    scripts = (recipes.persistent_bin() + recipes.environment_variables(variables={"A": "1"}, jupyter=False)
               + nested + profile)
    result = run(tmp_path, scripts, runs=2)
    assert_all_ok(result)
    for r in result.runs:
        path = without_who(r.step("nested").log).strip().split(":")
        assert path[0] == BIN and path.count(BIN) == 1, path
        lines = r.step("profile").log.splitlines()
        assert len(lines) == 2, lines
        assert lines[1] == "set -a;. /etc/lcc-constructs/environment-variables.env;set +a"
