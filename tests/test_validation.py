"""One validation style: every check collects its problems, each with a failing and a passing
case here; ValidationError carries them all (and the construct's path); Step is immutable."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import pytest

from lcc_constructs import BuildOptions, BundleError, Payload, Scripts, Step, ValidationError, recipes
from lcc_constructs.bundle import checks
from lcc_constructs.bundle.codecs import codec_named
from lcc_constructs.bundle.steps import BundleFile
from lcc_constructs.errors import raise_if
from lcc_constructs.recipes._common import URL, Options


def test_bundle_error_is_the_same_exception() -> None:
    assert BundleError is ValidationError and issubclass(ValidationError, ValueError)


def test_every_problem_is_raised_at_once_with_where() -> None:
    with pytest.raises(ValidationError) as e:
        raise_if(["one", "two"], path="App/Stack/Lcc", construct="LifecycleConfig")
    assert e.value.problems == ("one", "two") and e.value.path == "App/Stack/Lcc"
    assert str(e.value) == "LifecycleConfig 'App/Stack/Lcc': 2 problems:\n- one\n- two"
    raise_if([])  # nothing to raise


# Each Options check: (method, its arguments after the value, a good value, a bad value, what
# the problem says).
OPTION_CHECKS: list[tuple[str, tuple[Any, ...], Any, Any, str]] = [
    ("seconds", (), 30, 0, "must be a number of seconds from 1 to 86400"),
    ("seconds", (), 30, float("nan"), "must be a number of seconds"),
    ("seconds", (), 30, True, "must be a number of seconds"),
    ("flag", (), True, "yes", "must be True or False"),
    ("text", (), "any text", "a\0b", "without NUL characters"),
    ("text", (), "any text", "\udc80", "valid Unicode"),
    ("matching", (URL, "a URL"), "https://x.example", "ftp://x", "must be a URL"),
    ("strings", (None, "folders"), [".ssh"], ".ssh", "must be a list of folders, not a single string"),
    ("strings", (URL, "a URL"), ["https://a"], ["https://a", "x"], "holds 'x', which is not a URL"),
    ("table", (), {"a": "b"}, ["a"], "must be a table of names to strings"),
    ("table", (), {"a": "b"}, {1: "b"}, "has the key 1, which is not a string"),
    ("persistent_path", (), "/home/ec2-user/SageMaker/.bin", "/home/ec2-user/SageMaker",
     "must be a folder inside the persistent volume"),
    ("persistent_path", (), "/home/ec2-user/SageMaker/.bin", "/home/ec2-user/SageMaker/../x",
     "must be a folder inside the persistent volume"),
]


@pytest.mark.parametrize(("method", "args", "good", "bad", "says"), OPTION_CHECKS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(OPTION_CHECKS)])
def test_each_option_check_fails_and_passes(method: str, args: tuple[Any, ...], good: Any, bad: Any,
                                            says: str) -> None:
    ok = Options("r")
    getattr(ok, method)("opt", good, *args)
    ok.done()
    wrong = Options("r")
    getattr(wrong, method)("opt", bad, *args)
    assert len(wrong.problems) == 1 and says in wrong.problems[0], wrong.problems
    assert wrong.problems[0].startswith(f"recipe 'r': opt={bad!r} ")
    with pytest.raises(ValidationError):
        wrong.done()


def test_a_recipe_reports_every_bad_option_at_once() -> None:
    from lcc_constructs import recipes

    with pytest.raises(ValidationError) as e:
        recipes.persistent_bin(folder="/tmp/x", binaries={"a b": "ftp://x"}, timeout_seconds=0)
    assert len(e.value.problems) == 4, e.value.problems


def step(**changes: Any) -> Step:
    return Step(**{"name": "a", "script": "a.sh", "env": {"K": "v"}, **changes})


def test_a_step_is_keyword_only_immutable_and_hashable() -> None:
    with pytest.raises(TypeError):
        Step("a", "a.sh")  # type: ignore[misc]
    s = step()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.name = "b"  # type: ignore[misc]
    with pytest.raises(TypeError):
        s.env["K"] = "changed"  # type: ignore[index]
    assert hash(s) == hash(step()) and s == step() and s != step(env={"K": "w"})
    assert {s, step()} == {s}
    assert dataclasses.replace(s, name="b").name == "b"


def test_a_step_with_env_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(ValidationError, match="env=.* must map names to values"):
        step(env=[("K", "v")])


# Build options: typed values, or the names manifests and the command line give.
TYPED: list[tuple[Callable[[], BuildOptions], str | None]] = [
    (lambda: BuildOptions(payload=Payload.S3), None),
    (lambda: BuildOptions(payload="s3"), None),
    (lambda: BuildOptions(codec=codec_named("deflate+base85")), None),
    (lambda: BuildOptions(codec="deflate+base85"), None),
    (lambda: BuildOptions(payload="ftp"), "payload='ftp' must be one of"),
    (lambda: BuildOptions(codec="deflate+s3"), "does not go with payload='inline'"),
]


@pytest.mark.parametrize(("options", "says"), TYPED)
def test_payload_and_codec_are_typed_or_named(options: Callable[[], BuildOptions], says: str | None) -> None:
    problems = options().problems()
    assert (problems == []) is (says is None)
    assert says is None or re.search(says, problems[0])


# --- every wrong type is a ValidationError naming the type expected (issue 18) ---

WRONG_TYPES: list[tuple[Callable[[], object], str]] = [
    # Step(name=None) was a TypeError from the regular expression.
    (lambda: Step(name=None, script="a.sh"), r"^step of script 'a.sh': name must be a string, got None$"),
    (lambda: Step(name="a", script=None), r"step 'a': script must be a string .*, got None"),
    (lambda: step(background="yes"), r"step 'a': background must be True or False, got 'yes' \(str\)"),
    (lambda: step(required=1), r"required must be True or False, got 1 \(int\)"),
    (lambda: step(timeout_seconds="30"),
     r"timeout_seconds must be a number of seconds or None, got '30' \(str\)"),
    (lambda: step(timeout_seconds=True), r"timeout_seconds must be a number of seconds or None, got True"),
    (lambda: step(env={1: "x"}), r"env must map strings to strings, got 1 \(int\) as a name"),
    (lambda: step(env={"A": 1}), r"env\['A'\] must be a string, got 1 \(int\)"),
    (lambda: step(recipe="autostop"),
     r"recipe must be None \(recipes set it to a RecipeCall\), got 'autostop'"),
    (lambda: step(run_as=5), r"run_as=5 is not a known user; use RunAs.ROOT, RunAs.NOTEBOOK_USER"),
    (lambda: Scripts(files="a.sh", steps=()),
     r"Scripts: files must be a list or tuple of BundleFiles, got 'a.sh' \(str\)"),
    (lambda: Scripts(files=(), steps=["a"]), r"Scripts: steps\[0\] must be a Step, got 'a' \(str\)"),
    (lambda: Scripts(files=(), steps=(), notebook_actions=[1]),
     r"Scripts: notebook_actions\[0\] must be a string, got 1 \(int\)"),
    (lambda: BundleFile("a.sh", "echo", 0o644, "/a.sh"),
     r"file 'a.sh': data must be bytes, got 'echo' \(str\)"),
    (lambda: Scripts.from_folder(None), r"Scripts.from_folder: folder must be a path .*, got None"),
    (lambda: Scripts.from_folder(".", prefix=5), r"prefix must be a string .*, got 5 \(int\)"),
    (lambda: Scripts.from_folder(".", kind="on-stop"),
     r"kind must be one of 'on-start', 'on-create', got 'on-stop'"),
    (lambda: Scripts.from_folder(".", kind=["on-start"]),
     r"kind must be one of .*, got \['on-start'\] \(list\)"),
    (lambda: Scripts.from_folder(".", exclude="*.txt"),
     r"exclude must be a list or tuple of glob patterns, got"),
    (lambda: Scripts.from_folder(".", steps="a.sh"), r"steps must be a list or tuple of Steps, got 'a.sh'"),
    (lambda: BuildOptions(minify="yes"), r"minify must be True or False, got 'yes' \(str\)"),
    (lambda: BuildOptions(codec=5), r"codec must be a codec's name .* or a Codec, got 5 \(int\)"),
    (lambda: BuildOptions(budget_seconds="240"),
     r"budget must be a number of seconds from 1 to 280, got '240'"),
    (lambda: BuildOptions(unpack_dir=3), r"unpack_dir must be a string .*, got 3"),
    (lambda: BuildOptions(state_dir=5), r"state_dir must be a string .*, got 5 \(int\)"),
    (lambda: BuildOptions(keep_runs="10"),
     r"keep_runs must be a whole number from 1 to 1000, got '10' \(str\)"),
    (lambda: checks.check_config_name(None), r"lifecycle_config_name must be a string, got None"),
    (lambda: recipes.autostop(name=5),
     r"recipe 'autostop': name must be a string \(the step's name\), got 5"),
    (lambda: recipes.autostop(jupyter_url=8443),
     r"jupyter_url=8443 must be a string: this instance's Jupyter"),
    (lambda: recipes.persistent_bin(folder=5), r"folder=5 must be a string naming a folder inside"),
    (lambda: recipes.persist_home_folders(folders=5),
     r"folders=5 must be a list of folders, not a value of type int"),
    (lambda: recipes.autostop(dry_run=object()), r"dry_run=<object object at .*> must be True or False"),
]


def _problems_of(make: Callable[[], object]) -> list[str]:
    try:
        made = make()
    except ValidationError as e:
        return list(e.problems)
    if isinstance(made, BuildOptions):
        return made.problems()
    return made if isinstance(made, list) else []


@pytest.mark.parametrize(("make", "says"), WRONG_TYPES,
                         ids=[f"wrong-type-{i}" for i in range(len(WRONG_TYPES))])
def test_a_wrong_type_names_the_type_expected(make: Callable[[], object], says: str) -> None:
    problems = _problems_of(make)
    assert problems and any(re.search(says, p) for p in problems), problems


def test_every_wrong_field_of_a_step_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as e:
        Step(name=None, script=None, background="x", env={1: 2})  # type: ignore[arg-type, dict-item]
    assert len(e.value.problems) == 4, e.value.problems


#: Values of every type a caller may pass by mistake.
ODD_VALUES = [None, 5, 1.5, True, "x", b"x", [], ["x"], {}, {"a": 1}, {1: "a"}, object(), ("a",)]
FILES = (BundleFile("a.sh", b"echo\n", 0o755, "/a.sh"),)


def _only_validation_errors(make: Callable[[], object]) -> None:
    """Whatever ``make`` does with a wrong value, it is no exception but a ValidationError."""
    try:
        made = make()
    except ValidationError:
        return
    if isinstance(made, BuildOptions):
        made.problems()


@pytest.mark.parametrize("field", ["name", "script", "run_as", "background", "timeout_seconds", "env",
                                   "required", "recipe"])
def test_no_value_of_a_step_field_is_a_traceback(field: str) -> None:
    from lcc_constructs import build

    for value in ODD_VALUES:
        _only_validation_errors(lambda v=value: build(Scripts(FILES, (step(**{"env": {}, field: v}),))))


@pytest.mark.parametrize("field", ["kind", "budget_seconds", "unpack_dir", "state_dir", "keep_runs", "codec",
                                   "minify", "payload"])
def test_no_value_of_a_build_option_is_a_traceback(field: str) -> None:
    from lcc_constructs import build

    for value in ODD_VALUES:
        _only_validation_errors(lambda v=value: build(Scripts(FILES, (step(env={}),)),
                                                      BuildOptions(**{field: v})))


def _recipe_options() -> list[tuple[str, str]]:
    import inspect

    return [(name, option) for name, fn in sorted(recipes.RECIPES.items())
            for option in inspect.signature(fn).parameters]


@pytest.mark.parametrize(("recipe", "option"), _recipe_options())
def test_no_value_of_a_recipe_option_is_a_traceback(recipe: str, option: str) -> None:
    from lcc_constructs import build

    fn = recipes.RECIPES[recipe]
    required = {"environment-variables": {"variables": {"A": "b"}}, "apt-packages": {"packages": ["jq"]},
                "jupyter-extensions": {"packages": ["jupyterlab-git"]}}.get(recipe, {})
    for value in ODD_VALUES:
        _only_validation_errors(lambda v=value: build(fn(**{**required, option: v})))
