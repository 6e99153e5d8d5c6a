"""The mutation check's data and tool (tools/mutations.toml, tools/mutate.py): every mutation can
be planted into today's tree and names tests that exist, the required areas are all covered, and
the tool plants, judges and refuses as it says. The check itself (`./dev mutate`) is too slow for
the suite: docs/mutation-check.md."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import ROOT


def mutate_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutate", ROOT / "tools" / "mutate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


mutate = mutate_tool()
MUTATIONS = mutate.load()

#: Issue 12's four bugs no test caught and its three weak spots: each must stay in the list (but
#: bug 4, a decoder fallback decoding wrongly: runtime v3 has no fallbacks, python3 decodes all).
ISSUE_12 = {
    "runner-required-timed-out-counts-as-ok", "runner-required-skipped-counts-as-ok",
    "runner-status-only-at-start-and-end", "autostop-describe-failure-ignored",
    "autostop-idle-minutes-as-seconds",
    "runner-notebook-user-steps-as-root", "runner-notebook-user-steps-as-root-recipes",
    "limit-one-base64-group-more", "limit-at-the-limit-refused",
}


def planted_into(prefix: str) -> list[str]:
    return [m.id for m in MUTATIONS if m.file.startswith(prefix)]


def test_every_mutation_can_be_planted_and_names_tests_that_exist() -> None:
    assert mutate.problems(MUTATIONS) == []


def test_at_least_187_with_the_issues_bugs_and_weak_spots() -> None:
    assert len(MUTATIONS) >= 187
    assert {m.id for m in MUTATIONS} >= ISSUE_12


@pytest.mark.parametrize("area", [
    "assets/runtime/runner.sh", "assets/runtime/background.sh", "assets/runtime/required.sh",
    "assets/runtime/timeout.sh", "assets/runtime/user.sh", "assets/runtime/copy.sh",
    "assets/loader.sh", "assets/runtime/unpack.sh", "lcc_constructs/bundle/codecs.py",
    "lcc_constructs/bundle/render.py", "lcc_constructs/bundle/checks.py", "lcc_constructs/cdk/",
    "assets/recipes/autostop/autostop.py",
    # issue 20's areas: the service commands, the way back (the hand-made reader, lcc logs,
    # inspect), option precedence and minification
    "lcc_constructs/service/", "lcc_constructs/readback/_handmade.py", "lcc_constructs/readback/_runlog.py",
    "lcc_constructs/readback/_folder.py", "lcc_constructs/readback/_script.py", "lcc_constructs/cli.py",
    "lcc_constructs/bundle/_minify.py", "lcc_constructs/bundle/report.py", "lcc_constructs/bundle/archive.py",
])
def test_each_part_of_the_runtime_and_the_constructs_is_mutated(area: str) -> None:
    assert planted_into(area), f"no mutation in {area}"


def test_each_codec_piece_of_the_loader_is_mutated() -> None:
    # The loader's python3 pieces: two decoders (base85, base94), three decompressors.
    pieces = sorted((ROOT / "assets/codecs").rglob("*.py"))
    assert len(pieces) == 5
    assert [p.name for p in pieces if not planted_into(p.relative_to(ROOT).as_posix())] == []


def test_each_recipe_is_mutated_in_its_assets_and_its_module() -> None:
    assets = [p for p in sorted((ROOT / "assets/recipes").iterdir()) if p.is_dir() and p.name != "lib"]
    modules = [p for p in sorted((ROOT / "lcc_constructs/recipes").glob("*.py"))
               if not p.name.startswith("_")]
    assert len(assets) == len(modules) == 11
    assert [p.name for p in assets + modules if not planted_into(p.relative_to(ROOT).as_posix())] == []


# --- the tool itself --------------------------------------------------------------------------

def test_what_cannot_be_planted_is_refused(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/test_a.py").write_text("def test_one():\n    pass\n")
    (tmp_path / "code.sh").write_text("twice twice once\n")
    data = tmp_path / "m.toml"
    data.write_text("""
[[mutation]]
id = "a"
file = "code.sh"
old = "twice"
new = "x"
tests = ["tests/test_a.py::test_two", "tests/test_b.py"]
why = "."

[[mutation]]
id = "a"
file = "assets/packed/loader.sh"
old = "once"
new = "once"
tests = ["tests/test_a.py::test_one"]
why = "."
""")
    assert mutate.problems(mutate.load(data), tmp_path) == [
        "id 'a' is used 2 times",
        "a: the old text occurs 2 times in code.sh, not once",
        "a: no test tests/test_a.py::test_two",
        "a: no test tests/test_b.py",
        "a: assets/packed/loader.sh is packed: plant into its source in assets/ instead",
        "a: old and new are the same",
    ]
    data.write_text('[[mutation]]\nid = "b"\nfile = "code.sh"\nold = "once"\n')
    with pytest.raises(mutate.DataError, match="missing"):
        mutate.load(data)


def test_a_mutation_goes_into_a_copy_with_its_asset_packed_again(tmp_path: Path) -> None:
    source, packed = ROOT / "assets/runtime/unpack.sh", ROOT / "assets/packed/runtime/unpack.sh"
    before = source.read_bytes(), packed.read_bytes()
    tree = mutate.copy_tree(tmp_path / "tree")
    comment = mutate.Mutation("c", "assets/runtime/unpack.sh", "# The service's PATH holds", "# A PATH holds",
                             ("t",), ".")
    assert "changes nothing in assets/packed/runtime/unpack.sh" in mutate.plant(comment, tree)
    bug = mutate.Mutation("u", "assets/runtime/unpack.sh", "umask 022", "umask 002", ("t",), ".")
    assert mutate.plant(bug, tree) is None
    assert b"umask 002" in (tree / "assets/packed/runtime/unpack.sh").read_bytes()
    assert (source.read_bytes(), packed.read_bytes()) == before  # the working tree is untouched


@pytest.mark.parametrize(("code", "output", "status"), [
    (1, "F\nFAILED tests/test_a.py::test_one - AssertionError\n1 failed in 1s", "killed"),
    (None, "..", "killed"),
    (0, "..\n2 passed in 1s", "survived"),
    (0, "s.\nSKIPPED [1] tests/test_a.py:3: no sandbox\n1 passed, 1 skipped in 1s", "error"),
    (1, "1 failed", "error"),
    (5, "no tests ran in 0.01s", "error"),
])
def test_a_failure_kills_and_a_skip_judges_nothing(code: int | None, output: str, status: str) -> None:
    assert mutate.judge(code, output, 60)[0] == status


def test_the_table_names_what_caught_each_mutation() -> None:
    m = MUTATIONS[0]
    killed = mutate.Outcome(m, "killed", 3.2, "FAILED tests/test_a.py::test_one[x] - AssertionError: 0 == 1")
    survived = mutate.Outcome(m, "survived", 1.0, "2 passed in 1s")
    text = mutate.table([killed, survived], markdown=True)
    assert f"| `{m.id}` | killed | 3 | `test_a.py::test_one[x]` |" in text
    assert f"| `{m.id}` | survived | 1 |  |" in text and f"{m.id} survived: 2 passed in 1s" in text
    assert mutate.score([killed, survived]) == "1/2 killed (50%), 1 survived, 0 error(s)"
