"""One validation style: every check collects its problems, each with a failing and a passing
case here; ValidationError carries them all (and the construct's path); Step is immutable."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import pytest

from lcc_constructs import BuildOptions, BundleError, Payload, Step, ValidationError
from lcc_constructs.bundle.codecs import codec_named
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
