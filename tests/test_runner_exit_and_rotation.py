"""The runner, run for real in the sandbox: the script's exit status for required and optional
steps (docs/on-the-instance.md, "Failures": 0, or 1 when a required step failed, timed out or
was skipped) and which runs the notebook user's copy deletes (the last keep_runs of each kind
are kept: rotating one kind's runs leaves the other kind's alone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lcc_constructs import BuildOptions, Scripts, Step, build
from lcc_constructs.sandbox import simulate

from .helpers import write_folder, write_script
from .test_runner import run

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]


def test_an_optional_step_failing_beside_a_required_one_fails_no_start(tmp_path: Path) -> None:
    files = {"a.sh": "echo required and fine\n", "b.sh": "exit 3\n"}
    r = run(tmp_path, files, [Step(name="a", script="a.sh", required=True),
                              Step(name="b", script="b.sh")]).last
    assert [(s.name, s.status, s.exit_code) for s in r.steps] == [("a", "ok", 0), ("b", "failed", 3)]
    assert r.exit_code == 0 and not r.would_fail
    assert r.status is not None and r.status["exit_code"] == 0


def test_a_required_step_failing_with_any_code_makes_the_script_exit_1(tmp_path: Path) -> None:
    files = {"a.sh": "exit 7\n", "b.sh": "exit 0\n"}
    r = run(tmp_path, files, [Step(name="a", script="a.sh", required=True),
                              Step(name="b", script="b.sh")]).last
    assert (r.step("a").status, r.step("a").exit_code) == ("failed", 7)
    assert r.exit_code == 1 and r.would_fail
    assert r.status is not None and r.status["exit_code"] == 1


def test_rotation_deletes_only_the_older_runs_of_its_own_kind(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "scripts", {"a.sh": "echo $LCC_KIND\n"})
    volume = tmp_path / "volume"
    names = {}
    for kind, runs in (("on-create", 1), ("on-start", 3)):
        rendered = build(Scripts.from_folder(folder), BuildOptions(kind=kind, keep_runs=1))  # type: ignore[arg-type]
        result = simulate(write_script(tmp_path / f"{kind}.sh", rendered), volume=volume, runs=runs,
                          records=tmp_path / f"records-{kind}")
        assert not result.would_fail
        names[kind] = [r.run_dir.name for r in result.runs if r.run_dir is not None]
    logs = volume / ".lifecycle" / "logs"
    assert sorted(p.name for p in logs.iterdir() if not p.is_symlink()) == sorted(
        [names["on-create"][-1], names["on-start"][-1]])
    assert (logs / "latest-on-create" / "status.json").is_file()
