"""Each check of the bundle: one passing and one failing case."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from lcc_constructs import BundleError, build, recipes
from lcc_constructs.bundle import checks
from lcc_constructs.bundle.steps import BundleFile, Scripts, Step

from .conftest import ROOT, require


def scripts(files: dict[str, bytes], steps: list[Step] | None = None) -> Scripts:
    return Scripts(
        files=tuple(BundleFile(p, d, 0o755, f"/src/{p}") for p, d in files.items()),
        steps=tuple(steps if steps is not None
                    else [Step(name=p.rsplit(".", 1)[0], script=p) for p in files]),
    )


GOOD = scripts({"a.sh": b"#!/bin/bash\necho ok\n", "b.py": b"print('ok')\n"})

CASES: list[tuple[Callable[[Scripts], list[str]], Scripts, str]] = [
    (checks.check_has_steps, scripts({"a.sh": b"echo\n"}, []), "no step to run"),
    (checks.check_step_names, scripts({"a.sh": b"echo\n"}, [Step(name="bad name!", script="a.sh")]),
     "step name 'bad name!' is not allowed"),
    # A folder's runner.sh is step "runner": its output went into the runner's own runner.log.
    (checks.check_runner_file_names, scripts({"runner.sh": b"echo\n"}),
     r"step name 'runner' is not allowed: the step's file runner.log would be the runner's own"),
    (checks.check_duplicate_step_names,
     scripts({"a.sh": b"echo\n"}, [Step(name="x", script="a.sh"), Step(name="x", script="a.sh")]),
     "step name 'x' is used 2 times"),
    (checks.check_recipes_used_once,
     recipes.autostop(name="stop-a") + recipes.autostop(name="stop-b", idle_minutes=30),
     r"recipe 'autostop' is used 2 times \(steps 'stop-a', 'stop-b'\)"),
    (checks.check_duplicate_paths,
     Scripts(files=(BundleFile("a.sh", b"", 0o644, "/one/a.sh"),
                    BundleFile("a.sh", b"x", 0o644, "/two/a.sh")),
             steps=(Step(name="a", script="a.sh"),)),
     "file 'a.sh' comes from more than one source"),
    (checks.check_step_scripts_exist, scripts({"a.sh": b"echo\n"}, [Step(name="m", script="missing.sh")]),
     "step 'm': script 'missing.sh' is not in the bundle"),
    (checks.check_step_options,
     scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", timeout_seconds=0)]),
     "timeout_seconds=0 must be a number of seconds from 1 to 86400"),
    # Once wrapped around the runner's 64-bit arithmetic into no limit at all.
    (checks.check_step_options,
     scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", timeout_seconds=184467440737095517)]),
     "timeout_seconds=184467440737095517 must be a number of seconds from 1 to 86400"),
    (checks.check_step_options,
     scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", timeout_seconds=float("inf"))]),
     "timeout_seconds=inf must be"),
    (checks.check_step_options,
     scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", timeout_seconds=float("nan"))]),
     "timeout_seconds=nan must be"),
    (checks.check_step_options,
     scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", background=True, required=True)]),
     "a background step cannot be required"),
    (checks.check_root_step_env, scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", env={
        "LD_PRELOAD": "/home/./ec2-user/SageMaker/x.so"})]), "LD_PRELOAD=.*root would load or run"),
    (checks.check_step_env, scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", env={"1BAD": "x"})]),
     "environment variable name '1BAD' is not valid"),
    (checks.check_step_env, scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", env={"OK": "a\0b"})]),
     "without NUL"),
    # Over Linux's 128 KiB per environment string the step failed with "Argument list too long".
    (checks.check_step_env,
     scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", env={"BIG": "x" * (1 << 17)})]),
     r"step 'a': BIG=\.\.\. is 131077 bytes .* at most 131072 bytes \(128 KiB\)"),
    (checks.check_step_env,
     scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", env={"OK": "\udc80"})]),
     "must be valid Unicode"),
    # The runner's own variables (LCC_SCRIPTS_DIR=/tmp once made a step run ./a.sh from /tmp).
    (checks.check_step_env,
     scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", env={"LCC_SCRIPTS_DIR": "/tmp"})]),
     r"LCC_SCRIPTS_DIR are reserved: names starting with LCC_ are the runner's.*\bUID\b"),
    (checks.check_step_env, scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", env={"UID": "0"})]),
     r"UID are reserved.*bash sets these itself: BASH, BASHOPTS"),
    (checks.check_byte_order_mark, scripts({"a.sh": b"\xef\xbb\xbf#!/bin/bash\necho\n"}),
     "byte order mark"),
    (checks.check_line_endings, scripts({"a.sh": b"#!/bin/bash\r\necho hi\r\n"}),
     r"/src/a.sh: Windows \(CRLF\) line endings, first at line 1"),
    # A lone CR ran wrongly: "echo one\recho two" printed "oneecho two".
    (checks.check_line_endings, scripts({"a.sh": b"#!/bin/bash\necho one\recho two\n"}),
     r"/src/a.sh: old Mac \(CR\) line endings, first at line 2"),
    (checks.check_shell_syntax, scripts({"a.sh": b"#!/bin/bash\nif true; then\necho\n"}),
     r"/src/a.sh: bash -n fails: a.sh: line \d+: syntax error"),
    (checks.check_python_syntax, scripts({"b.py": b"def f(:\n    pass\n"}),
     "/src/b.py: Python syntax error at line 1"),
    # The instance's python3 is 3.9: a match statement compiled here (3.10+) and failed there.
    (checks.check_python_syntax,
     scripts({"b.py": b"import sys\nmatch sys.argv:\n    case _:\n        pass\n"}),
     r"/src/b.py: line 2: Pattern matching is only supported in Python 3.10 and greater: the instance "
     r"runs this file with its python3, Python 3.9"),
    (checks.check_python_syntax,
     scripts({"b": b"#!/usr/bin/env python3\ntry:\n    pass\nexcept* OSError:\n    pass\n"}),
     "/src/b: line 2: Exception groups .* Python 3.9"),
]


@pytest.mark.parametrize(("check", "bad", "message"), CASES,
                         ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(CASES)])
def test_check_fails_on_bad_input(check: Callable[[Scripts], list[str]], bad: Scripts, message: str) -> None:
    problems = check(bad)
    assert len(problems) == 1
    assert re.search(message, problems[0]), problems[0]


@pytest.mark.parametrize("check", sorted({c for c, _, _ in CASES}, key=lambda c: c.__name__))
def test_check_passes_on_good_input(check: Callable[[Scripts], list[str]]) -> None:
    assert check(GOOD) == []


def test_duplicate_names_say_how_many_steps_to_rename_and_which() -> None:
    # Six steps named on-start were told to "set name= on one of them": five need it.
    named = [Step(name="on-start", script=p) for p in ["a.sh", "b.sh"] * 3]
    six = scripts({"a.sh": b"echo\n", "b.sh": b"echo\n"}, [*named, Step(name="x", script="a.sh")])
    assert checks.check_duplicate_step_names(six) == [
        "step name 'on-start' is used 6 times, by steps #1 (a.sh), #2 (b.sh), #3 (a.sh), #4 (b.sh), "
        "#5 (a.sh), #6 (b.sh): each step needs its own name (it names the step's log file). Fix: give 5 of "
        "them names of their own (name= of Step, name = \"...\" in lifecycle.toml), for example steps #2, "
        "#3, #4, #5, #6."]
    two = scripts({"a.sh": b"echo\n"}, [Step(name="y", script="a.sh"), Step(name="x", script="a.sh"),
                                        Step(name="x", script="a.sh")])
    assert "used 2 times, by steps #2 (a.sh), #3 (a.sh)" in checks.check_duplicate_step_names(two)[0]
    assert "give one of them a name of its own" in checks.check_duplicate_step_names(two)[0]
    assert checks.check_duplicate_step_names(two)[0].endswith("for example steps #3.")


def test_recipes_that_may_be_used_twice_can_be() -> None:
    twice = recipes.git_config(name="git-a", user_name="a") + recipes.git_config(name="git-b", user_name="b")
    assert checks.check_recipes_used_once(twice + recipes.autostop()) == []


def test_crlf_in_a_data_file_is_fine() -> None:
    # Only files read by an interpreter are checked: a CSV may well use CRLF.
    s = scripts({"a.sh": b"echo\n", "data.csv": b"a,b\r\n1,2\r\n"}, [Step(name="a", script="a.sh")])
    assert checks.check_line_endings(s) == []


def test_shell_detected_by_shebang_without_suffix() -> None:
    s = scripts({"setup": b"#!/usr/bin/env bash\nfi\n"}, [Step(name="setup", script="setup")])
    assert checks.check_shell_syntax(s)


def test_python_detected_by_shebang_without_suffix() -> None:
    s = scripts({"tool": b"#!/usr/bin/python3\nprint(\n"}, [Step(name="tool", script="tool")])
    assert checks.check_python_syntax(s)


def test_run_checks_reports_every_problem() -> None:
    bad = scripts({"a.sh": b"echo\r\n", "b.py": b"(\n"}, [Step(name="a", script="a.sh"),
                                                          Step(name="a", script="missing")])
    problems = checks.run_checks(bad)
    assert len(problems) == 4  # duplicate name, missing file, CRLF, Python syntax


@pytest.mark.parametrize(
    ("name", "ok"),
    [("team-lcc", True), ("A1", True), ("a" * 63, True), ("a" * 64, False), ("-lead", False),
     ("trail-", False), ("under_score", False), ("two--hyphens", True), ("", False)],
)
def test_config_name(name: str, ok: bool) -> None:
    assert (checks.check_config_name(name) == []) is ok


@pytest.mark.parametrize(("budget", "ok"), [(240, True), (1, True), (280, True), (281, False),
                                            (0, False), (True, False), (float("inf"), False),
                                            (float("nan"), False), (280.5, False)])
def test_budget(budget: float, ok: bool) -> None:
    problems = checks.check_budget(budget)
    assert (problems == []) is ok
    assert ok or re.search(r"must be (a number of seconds )?from 1 to 280", problems[0])


@pytest.mark.parametrize(
    ("path", "ok"),
    [("/startup", True), ("/opt/lifecycle", True), ("/lcc", True),
     # Never where the notebook user writes, nor a system folder, nor deeper than one level.
     ("/home/ec2-user/SageMaker/x", False), ("/tmp/x", False), ("/root", False), ("/var/lock", False),
     ("/opt/ml", False), ("/opt", False), ("/usr/local/x", False), ("/home/ec2-user", False),
     ("relative", False), ("/", False), ("/opt/../tmp", False), ("/opt/with space", False),
     ("/opt/a/b", False), (None, False), (5, False), ("/opt/x/../lifecycle", False)],
)
def test_unpack_dir(path: str, ok: bool) -> None:
    problems = checks.check_unpack_dir(path)
    assert (problems == []) is ok
    assert ok or re.search(r"must be a new folder directly inside / or /opt|unpack_dir must be a string \(an "
                           r"absolute folder such as /startup or /opt/lifecycle\), got", problems[0])


@pytest.mark.parametrize(("check", "path", "plain"), [
    # /startup/ built a script lcc pull could not build again.
    (checks.check_unpack_dir, "/startup/", "'/startup'"),
    (checks.check_unpack_dir, "//startup", "'/startup'"),
    (checks.check_unpack_dir, "/opt//lifecycle", "'/opt/lifecycle'"),
    (checks.check_unpack_dir, "/opt/./lifecycle", "'/opt/lifecycle'"),
    (checks.check_unpack_dir, "/startup/.", "'/startup'"),
    (checks.check_state_dir, "/home/ec2-user/SageMaker/.lifecycle/", "'/home/ec2-user/SageMaker/.lifecycle'"),
    (checks.check_state_dir, "/var/log//lcc-x", "'/var/log/lcc-x'"),
])
def test_folders_written_two_ways_are_refused_with_the_plain_way(
        check: Callable[[str], list[str]], path: str, plain: str) -> None:
    problems = check(path)
    assert len(problems) == 1 and f"{path!r} is not written plainly" in problems[0], problems
    assert problems[0].endswith(f"Fix: write it as {plain}.")


@pytest.mark.parametrize(("keep", "ok"), [(1, True), (10, True), (1000, True), (0, False),
                                          (2.5, False), (1001, False), (2**64, False), (True, False)])
def test_keep_runs(keep: int, ok: bool) -> None:
    problems = checks.check_keep_runs(keep)
    assert (problems == []) is ok
    assert ok or "from 1 to 1000" in problems[0]


@pytest.mark.parametrize(("path", "ok"), [
    ("/home/ec2-user/SageMaker/.lifecycle", True), ("/home/ec2-user/SageMaker/logs", True),
    ("/var/log/lcc-lifecycle", True),
    ("/home/ec2-user/SageMaker", False), ("/home/ec2-user", False), ("/var/log/audit", False),
    ("/home/ec2-user/SageMaker/a/b", False), ("/logs", False), ("rel/x", False), ("/root", False),
])
def test_state_dir(path: str, ok: bool) -> None:
    assert (checks.check_state_dir(path) == []) is ok


def test_a_manifest_with_crlf_line_endings_is_read(tmp_path: Path) -> None:
    # TOML allows CRLF; the manifest is read at build and not packed.
    (tmp_path / "a.sh").write_bytes(b"echo a\n")
    (tmp_path / "lifecycle.toml").write_bytes(b'[[step]]\r\nscript = "a.sh"\r\ntimeout = 30\r\n')
    rendered = build(Scripts.from_folder(tmp_path))
    assert [(s.name, s.timeout_seconds) for s in rendered.steps] == [("a", 30)]
    assert [f.path for f in rendered.report.files] == ["a.sh"]


@pytest.mark.parametrize("value", ["inf", "nan", "184467440737095517", "-1"])
def test_manifest_timeouts_out_of_range_are_errors_not_tracebacks(tmp_path: Path, value: str) -> None:
    (tmp_path / "a.sh").write_bytes(b"echo a\n")
    (tmp_path / "lifecycle.toml").write_text(f'[[step]]\nscript = "a.sh"\ntimeout = {value}\n')
    with pytest.raises(BundleError, match=r"timeout_seconds=.* must be a number of seconds from 1 to 86400"):
        build(Scripts.from_folder(tmp_path))


@pytest.mark.parametrize("value", [
    "/home/ec2-user/SageMaker/bin", "/usr/bin://home/ec2-user/bin", "/home/./ec2-user",
    "/home/ec2-user/../ec2-user", "/opt/../home/ec2-user/x", "/home/ec2-user/SageMaker/link/../../../etc",
    "-I/home/ec2-user/lib", "~ec2-user/bin",
    "--require /tmp/x.js", "/var/tmp/lib:/usr/lib",
])
def test_a_root_step_may_not_point_a_dangerous_variable_at_the_users_files(value: str) -> None:
    bad = scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", env={"PYTHONPATH": value})])
    assert checks.check_root_step_env(bad), value


@pytest.mark.parametrize("key", ["HISTFILE", "PROMPT_COMMAND", "AWS_CONFIG_FILE", "GIT_SSH_COMMAND",
                                 "PAGER", "TMPDIR"])
def test_variables_that_write_or_run_what_they_name_count_too(key: str) -> None:
    # Root's history written through a link of the notebook user's, a credential_process or an
    # ssh command of that user's run by root: the same as a planted library.
    bad = scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", env={key: "/home/ec2-user/x"})])
    assert checks.check_root_step_env(bad)


def test_every_variable_refused_is_named_in_the_docs() -> None:
    steps_md = (ROOT / "docs" / "steps.md").read_text()
    assert [k for k in sorted(checks.DANGEROUS_VARIABLES) if f"`{k}`" not in steps_md] == []


def test_dangerous_variables_are_fine_for_root_elsewhere_and_for_the_notebook_user() -> None:
    from lcc_constructs.bundle.steps import RunAs

    ok = scripts({"a.sh": b"echo\n"}, [
        Step(name="a", script="a.sh", env={"PATH": "/opt/tools/bin:/usr/bin",
                                           "LD_LIBRARY_PATH": "/home/ec2-user2", "NOTE": "/home/ec2-user"}),
        Step(name="b", script="a.sh", run_as=RunAs.NOTEBOOK_USER,
             env={"PATH": "/home/ec2-user/SageMaker/bin"})])
    assert checks.check_root_step_env(ok) == []


# --- a final newline passes no check (a $ anchor matched before it: issue 18) ---------------------

def _problems(make: Callable[[], object]) -> list[str]:
    """The problems a call reports: the list it returns, or those of the ValidationError it raises."""
    try:
        result = make()
    except BundleError as e:
        return list(e.problems)
    return list(result) if isinstance(result, list) else []


def _s3_script() -> object:
    from lcc_constructs import BuildOptions

    rendered = build(scripts({"a.sh": b"echo\n"}), BuildOptions(payload="s3"))
    return rendered.with_location("bucket\n", "key")


NEWLINE_CASES: dict[str, Callable[[], object]] = {
    "step name": lambda: checks.check_step_names(
        scripts({"a.sh": b"echo\n"}, [Step(name="a\n", script="a.sh")])),
    "env name": lambda: checks.check_step_env(
        scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", env={"A\n": "x"})])),
    "unpack_dir": lambda: checks.check_unpack_dir("/startup\n"),
    "state_dir": lambda: checks.check_state_dir("/home/ec2-user/SageMaker/.lc\n"),
    "config name": lambda: checks.check_config_name("name\n"),
    "s3 bucket": _s3_script,
    "git key": lambda: recipes.git_config(settings={"user.name\n": "x"}),
    "persistent-bin name": lambda: recipes.persistent_bin(binaries={"tool\n": "https://example.com/tool"}),
    "persistent-bin url": lambda: recipes.persistent_bin(binaries={"tool": "https://example.com/tool\n"}),
    "persistent-bin sha256": lambda: recipes.persistent_bin(binaries={"tool": "https://example.com/tool"},
                                                            sha256={"tool": "0" * 64 + "\n"}),
    "persistent-bin folder": lambda: recipes.persistent_bin(folder="/home/ec2-user/SageMaker/.bin\n"),
    "environment-variables name": lambda: recipes.environment_variables(variables={"A\n": "x"}),
    "package-index url": lambda: recipes.package_index(index_url="https://pypi.example.com/simple\n"),
    "package-index host": lambda: recipes.package_index(trusted_hosts=["pypi.example.com\n"]),
    "package-index channel": lambda: recipes.package_index(conda_channels=["conda-forge\n"]),
    "autostop url": lambda: recipes.autostop(jupyter_url="https://localhost:8443\n"),
    "autostop log_file": lambda: recipes.autostop(log_file="/home/ec2-user/SageMaker/a.log\n"),
    "recipe step name": lambda: recipes.stop_ssm_agent(name="stop\n"),
}


@pytest.mark.parametrize("case", sorted(NEWLINE_CASES))
def test_a_final_newline_passes_no_check(case: str) -> None:
    problems = _problems(NEWLINE_CASES[case])
    assert problems, f"{case}: a value ending in a newline was accepted"
    # The value is shown escaped, never with the raw newline inside.
    assert "\\n" in problems[0] and "\n" not in problems[0], problems[0]


def test_the_same_values_without_the_newline_pass() -> None:
    from lcc_constructs import BuildOptions

    assert checks.check_step_names(scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh")])) == []
    assert checks.check_unpack_dir("/startup") == checks.check_state_dir("/home/ec2-user/SageMaker/.lc") == []
    assert checks.check_config_name("name") == []
    build(scripts({"a.sh": b"echo\n"}), BuildOptions(payload="s3")).with_location("bucket", "key")
    recipes.git_config(settings={"user.name": "x"})
    recipes.persistent_bin(binaries={"tool": "https://example.com/tool"}, sha256={"tool": "0" * 64})
    recipes.environment_variables(variables={"A": "x"})
    recipes.package_index(index_url="https://pypi.example.com/simple", trusted_hosts=["pypi.example.com"],
                          conda_channels=["conda-forge"])
    recipes.autostop(jupyter_url="https://localhost:8443", log_file="/home/ec2-user/SageMaker/a.log")


def test_a_manifest_env_name_with_a_newline_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.sh").write_bytes(b"echo a\n")
    (tmp_path / "lifecycle.toml").write_text('[[step]]\nscript = "a.sh"\n[step.env]\n"A\\n" = "x"\n')
    with pytest.raises(BundleError, match=r"environment variable name 'A\\n' is not valid"):
        build(Scripts.from_folder(tmp_path))


def test_the_runner_writes_no_other_file_in_a_run_folder() -> None:
    # Every file name the runtime writes (root's record, the notebook user's copy) is either one
    # of limits.RUNNER_FILES or a step's own (<name>.log, <name>.result.json).
    from lcc_constructs.limits import RUNNER_FILES, STEP_FILE_SUFFIXES

    written = set()
    for path in sorted((ROOT / "assets" / "runtime").glob("*.sh")):
        for name in re.findall(r'[^\s"<>|/]*\.(?:log|json|txt)\b', path.read_text()):
            written.add(re.sub(r"^(\$\{N\[[^]]*\]\}|L=\$\{N\[[^]]*\]\})", "<name>", name))
    assert written == {*RUNNER_FILES, *(f"<name>{s}" for s in STEP_FILE_SUFFIXES), ".result.json"}


@pytest.mark.parametrize("name", ["runner.x", "status", "runners", "not-copied", "run"])
def test_names_near_the_runners_files_are_fine(name: str) -> None:
    ok = scripts({"a.sh": b"echo\n"}, [Step(name=name, script="a.sh")])
    assert checks.check_runner_file_names(ok) == []


def test_an_environment_string_may_take_128_kib_and_not_a_byte_more() -> None:
    from lcc_constructs.limits import ENV_STRING_MAX_BYTES

    def env(size: int) -> Scripts:  # "A=" + value + NUL: size bytes, "é" taking two
        n = size - 3
        value = "é" * (n // 2) + "x" * (n % 2)
        return scripts({"a.sh": b"echo\n"}, [Step(name="a", script="a.sh", env={"A": value})])

    assert checks.check_step_env(env(ENV_STRING_MAX_BYTES - 1)) == []
    assert checks.check_step_env(env(ENV_STRING_MAX_BYTES)) == []
    assert checks.check_step_env(env(ENV_STRING_MAX_BYTES + 1))


def test_the_environment_string_limit_is_linuxs() -> None:
    # The largest string exec accepts here is the limit; one byte more is "Argument list too long".
    import subprocess

    from lcc_constructs.limits import ENV_STRING_MAX_BYTES

    subprocess.run(["/bin/true"], env={"A": "x" * (ENV_STRING_MAX_BYTES - 3)}, check=True)
    with pytest.raises(OSError, match="Argument list too long"):
        subprocess.run(["/bin/true"], env={"A": "x" * (ENV_STRING_MAX_BYTES - 2)}, check=True)


def test_the_environment_variables_recipe_counts_its_variables_together() -> None:
    recipes.environment_variables(variables={"A": "x" * 60000, "B": "y" * 60000})
    with pytest.raises(BundleError, match=r"variables take 14\d{4} bytes together, .* at most 131072"):
        recipes.environment_variables(variables={"A": "x" * 70000, "B": "y" * 70000})


@pytest.mark.parametrize(("state_dir", "recipe", "says"), [
    ("/home/ec2-user/SageMaker/.bin", lambda: recipes.persistent_bin(),
     "is the folder '/home/ec2-user/SageMaker/.bin'"),
    ("/home/ec2-user/SageMaker/tools",
     lambda: recipes.persistent_bin(folder="/home/ec2-user/SageMaker/tools/bin"),
     "holds the folder '/home/ec2-user/SageMaker/tools/bin' of recipe 'persistent-bin'"),
    ("/home/ec2-user/SageMaker/.conda", lambda: recipes.persist_conda_envs(), "holds the folder"),
    ("/home/ec2-user/SageMaker/.persistent-home", lambda: recipes.persist_home_folders(),
     "of recipe 'persist-home-folders' \\(step 'persist-home-folders'\\)"),
    ("/home/ec2-user/SageMaker/.bin", None, None),
    ("/home/ec2-user/SageMaker/.lifecycle", lambda: recipes.persistent_bin(), None),
    ("/home/ec2-user/SageMaker/.bin2", lambda: recipes.persistent_bin(), None),
    ("/var/log/lcc-lifecycle", lambda: recipes.persistent_bin(folder="/home/ec2-user/SageMaker/.x"), None),
])
def test_the_state_folder_stays_apart_from_the_recipes_folders(
        state_dir: str, recipe: Callable[[], Scripts] | None, says: str | None) -> None:
    from lcc_constructs import BuildOptions

    s = GOOD + recipe() if recipe else GOOD
    problems = checks.check_state_dir_apart(s, state_dir)
    assert (problems == []) is (says is None), problems
    if says is not None:
        assert re.search(says, problems[0]), problems[0]
        assert f"state_dir {state_dir!r}" in problems[0]
        with pytest.raises(BundleError, match="state_dir"):
            build(s, BuildOptions(state_dir=state_dir))
    else:
        build(s, BuildOptions(state_dir=state_dir))


# --- Python steps are checked against the instance's Python 3.9 ---------------------------------

#: Python that newer Pythons compile, some of which Python 3.9 does not: the check must refuse
#: exactly what 3.9 refuses, whichever Python runs the build.
PYTHON39_SAMPLES = {
    "match": "match x:\n    case 1:\n        pass\n",
    "except-star": "try:\n    pass\nexcept* ValueError:\n    pass\n",
    "type-parameters": "def f[T](x: T) -> T:\n    return x\n",
    "type-statement": "type X = int\n",
    "generic-class": "class A[T]:\n    pass\n",
    "star-in-index": "a = b[*c]\n",
    "star-in-index-tuple": "a = b[1, *c]\n",
    "starred-args-annotation": "def f(*args: *Ts):\n    pass\n",
    "walrus-in-index": "a[b := 1]\n",
    "walrus-in-index-tuple": "a[x := 1, 2]\n",
    "async-comprehension-in-comprehension": "async def f():\n    return [[x async for x in y] for z in w]\n",
    "await-in-comprehension-in-comprehension":
        "async def f():\n    return [[await x for x in y] for z in w]\n",
    "async-comprehension-in-generator": "async def f():\n    return ({x async for x in y} for z in w)\n",
    "fstring-same-quotes": "x = {'a': 1}\nprint(f\"{x[\"a\"]}\")\n",
    "fstring-nested-same-quotes": "print(f'{f'{1}'}')\n",
    "fstring-backslash": "print(f\"{'\\n'.join(['a'])}\")\n",
    "fstring-comment": "x = f'''{1 # one\n}'''\n",
    "fstring-lines-in-single-quotes": "x = f'{1 +\n2}'\n",
    # Accepted by 3.9.
    "fstring-nested-format-hash": "print(f\"{f'{1:#x}'}\")\n",
    "fstring-hash-in-string": "print(f\"{'#'}\")\n",
    "parenthesized-with": "with (open('a') as a,\n      open('b') as b):\n    pass\n",
    "walrus": "if (n := 1):\n    pass\n",
    "walrus-in-parentheses-in-index": "a[(b := 1)]\na[(x := 1):2]\n",
    "await-in-comprehension": "async def f():\n    return [await x for x in y]\n",
    "async-comprehension-first-iterable": "async def f():\n    return [z for z in [x async for x in y]]\n",
    "async-generator-in-comprehension": "async def f():\n    return [(x async for x in y) for z in w]\n",
    "async-in-async-comprehension": "async def f():\n    return [[x async for x in y] async for z in w]\n",
    "fstring-format-hash": "print(f'{1:#x} {2!r:>{3}}')\n",
    "fstring-other-quotes": "x = {'a': 1}\nprint(f\"{x['a']} {f'{1}'}\")\n",
    "fstring-backslash-in-text": "print(f'a\\tb {1}\\n')\n",
    "fstring-lines-in-triple-quotes": "x = f'''{1 +\n2}'''\n",
    "fstring-backslash-in-format-spec": "print(f'{1:\\x3e5}')\n",
    "fstring-escaped-braces": "print(f'{{a}} {1}' f\"{2}\" rf'\\d{3}')\n",
    "fstring-raw-backslash-in-field": "print(rf'{\"\\d\"}')\n",
    "match-as-a-name": "match = 1\nprint(match)\n",
    "union-annotation": "def f(x: 'int | None') -> None:\n    pass\n",
    "coding-line": "# -*- coding: latin-1 -*-\nprint('caf\\xe9')\n",
}

# Whether each sample is refused: by the compiler running it, then (given the checker's file)
# by the check of Python 3.9's grammar, loaded alone (Python 3.10 lacks the package's tomli).
_VERDICTS = """
import importlib.util, json, sys
p39 = None
if sys.argv[1]:
    spec = importlib.util.spec_from_file_location("p39", sys.argv[1])
    p39 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(p39)
out = {}
for name, source in json.loads(sys.stdin.read()).items():
    data = source.encode("latin-1" if "latin-1" in source else "utf-8")
    try:
        compile(data, name, "exec", dont_inherit=True)
    except SyntaxError:
        out[name] = True
        continue
    out[name] = p39 is not None and p39.python39_problem(data) is not None
print(json.dumps(out))
"""


def _refused(python: str, checker: str) -> dict[str, bool]:
    proc = subprocess.run([python, "-c", _VERDICTS, checker], input=json.dumps(PYTHON39_SAMPLES),
                          capture_output=True, text=True, cwd="/")
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stdout))


def test_the_python39_check_refuses_what_python39_refuses_on_every_python() -> None:
    from .conftest import python39
    from .test_reproducible import interpreters

    truth = _refused(python39(), "")  # 3.9's own compiler, no check
    assert {True, False} == set(truth.values())
    checker = str(ROOT / "lcc_constructs" / "bundle" / "_python39.py")
    found = interpreters()
    require(any(v >= "3.12" for v in found), "no Python 3.12+ here (its f-strings are checked apart)")
    for version, python in sorted(found.items()):
        verdicts = _refused(python, checker)
        wrong = {name: "accepted" if truth[name] else "refused"
                 for name in truth if verdicts[name] != truth[name]}
        assert wrong == {}, f"Python {version} building: {wrong}"


def test_a_python_file_naming_another_python_is_compiled_with_the_builds_only() -> None:
    # A conda environment's Python (3.10+) may well run a match statement.
    source = b"match 1:\n    case 1:\n        pass\n"
    for shebang in (b"#!/home/ec2-user/anaconda3/envs/py311/bin/python\n", b"#!/usr/bin/env python3.11\n"):
        assert checks.check_python_syntax(scripts({"b.py": shebang + source})) == []
    for shebang in (b"", b"#!/usr/bin/python3\n", b"#!/bin/python3.9\n", b"#!/usr/bin/env -S python3 -u\n"):
        assert checks.check_python_syntax(scripts({"b.py": shebang + source})), shebang


def test_a_bundle_over_what_its_payload_carries_is_refused_before_any_other_check() -> None:
    from lcc_constructs import BuildOptions
    from lcc_constructs.limits import INLINE_FILES_MAX_BYTES, S3_FILES_MAX_BYTES

    inline = scripts({"a.sh": b"if then\n", "data.bin": bytes(INLINE_FILES_MAX_BYTES)})
    problems = checks.check_files_size(inline, "inline")
    assert len(problems) == 1 and f"its files hold {INLINE_FILES_MAX_BYTES + 8} bytes" in problems[0]
    assert "Largest: /src/data.bin (67108864 bytes), /src/a.sh (8 bytes)" in problems[0]
    with pytest.raises(BundleError) as e:
        build(inline)
    assert len(e.value.problems) == 1  # bash -n of a.sh never ran
    assert checks.check_files_size(inline, "s3") == []
    assert checks.check_files_size(scripts({"d": bytes(INLINE_FILES_MAX_BYTES)}), "inline") == []
    s3 = scripts({"a.sh": b"echo\n", "data.bin": bytes(S3_FILES_MAX_BYTES)})
    assert checks.check_files_size(s3, "s3")
    with pytest.raises(BundleError, match="more than a script can carry"):
        build(s3, BuildOptions(payload="s3"))
