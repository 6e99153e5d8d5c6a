"""`lcc diff` against moto's server: exit 0 when the deployed configuration is what a folder, a
rendered script or a cdk.out would deploy, 1 with the differences (per step, per file, unified
diffs of text files) when it is not."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from .servers import Moto
from .service_helpers import LCC, create_config, folder, lcc, unique


@pytest.fixture
def deployed_folder(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> tuple[str, Path]:
    name, scripts = unique("diff"), folder(tmp_path / "s")
    assert lcc(lcc_env, "deploy", name, str(scripts)).returncode == 0
    return name, scripts


def test_same_folder_exits_0(lcc_env: dict[str, str], deployed_folder: tuple[str, Path]) -> None:
    name, scripts = deployed_folder
    proc = lcc(lcc_env, "diff", name, str(scripts))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "on-start: same\non-create: none on either side\n"


def test_changed_files_and_steps_exit_1_with_unified_diffs(lcc_env: dict[str, str],
                                                          deployed_folder: tuple[str, Path]) -> None:
    name, scripts = deployed_folder
    (scripts / "10-hello.sh").write_text("#!/bin/bash\nset -euo pipefail\necho \"hi $GREETING\"\n")
    (scripts / "lib/common.sh").chmod(0o755)
    (scripts / "20-report.py").unlink()
    (scripts / "30-more.sh").write_text("echo more\n")
    manifest = (scripts / "lifecycle.toml").read_text()
    manifest = manifest.replace("timeout = 30", 'timeout = 45\nrun_as = "ec2-user"').replace(
        'script = "20-report.py"\nrun_as = "ec2-user"\nbackground = true', 'script = "30-more.sh"')
    (scripts / "lifecycle.toml").write_text(manifest.replace("budget = 200", "budget = 100"))
    proc = lcc(lcc_env, "diff", name, str(scripts))
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines() == [
        "on-start: differs",
        "  + step 30-more: 30-more.sh, as root",
        "  - step 20-report: 20-report.py, as ec2-user, background",
        "  ~ step hello: user root -> ec2-user; timeout 30s -> 45s",
        "  + file 30-more.sh (mode 644, 10 bytes)",
        "  - file 20-report.py (mode 755, 54 bytes)",
        "  ~ file 10-hello.sh: content",
        "  ~ file lib/common.sh: mode 644 -> 755",
        "  ~ option budget: 200s -> 100s",
        f"--- deployed {name}: 10-hello.sh",
        f"+++ {scripts}: 10-hello.sh",
        "@@ -1,3 +1,3 @@",
        " #!/bin/bash",
        " set -euo pipefail",
        "-echo \"hello $GREETING\"",
        "+echo \"hi $GREETING\"",
        "on-create: none on either side",
    ]


def test_env_and_order_changes(lcc_env: dict[str, str], moto: Moto, tmp_path: Path) -> None:
    name = unique("order")
    one = folder(tmp_path / "one", {
        "a.sh": "echo a\n", "b.sh": "echo b\n",
        "lifecycle.toml": '[[step]]\nscript = "a.sh"\n[step.env]\nX = "1"\nY = "2"\n'
                          '[[step]]\nscript = "b.sh"\nrequired = true\n'}, {})
    assert lcc(lcc_env, "deploy", name, str(one)).returncode == 0
    two = folder(tmp_path / "two", {
        "a.sh": "echo a\n", "b.sh": "echo b\n",
        "lifecycle.toml": '[[step]]\nscript = "b.sh"\n'
                          '[[step]]\nscript = "a.sh"\n[step.env]\nX = "one"\nZ = "3"\n'},
        {})
    proc = lcc(lcc_env, "diff", name, str(two))
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[1:4] == [
        "  ~ step b: required True -> False",
        "  ~ step a: env X: '1' -> 'one'; env +Z='3'; env -Y",
        "  ~ step order: a, b -> b, a",
    ]


def test_a_rendered_script(lcc_env: dict[str, str], deployed_folder: tuple[str, Path],
                           tmp_path: Path) -> None:
    name, scripts = deployed_folder
    script = tmp_path / "on-start.sh"
    assert lcc(lcc_env, "build", str(scripts), "-o", str(script)).returncode == 0
    assert lcc(lcc_env, "diff", name, str(script)).returncode == 0
    assert lcc(lcc_env, "build", str(scripts), "-o", str(script), "--budget", "60").returncode == 0
    proc = lcc(lcc_env, "diff", name, str(script))
    assert proc.returncode == 1 and "  ~ option budget: 200s -> 60s" in proc.stdout


def test_a_hand_written_script_against_a_deployed_one(lcc_env: dict[str, str], moto: Moto,
                                                      tmp_path: Path) -> None:
    name = unique("plain")
    create_config(moto, name, on_start="#!/bin/bash\necho one\n")
    script = tmp_path / "on-start.sh"
    script.write_text("#!/bin/bash\necho two\n")
    proc = lcc(lcc_env, "diff", name, str(script))
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "on-start: differs",
        "  ~ on-start script: a script not built by lcc-constructs (2 lines) -> a script not built by "
        "lcc-constructs (2 lines)",
        f"--- deployed {name}", f"+++ {script}", "@@ -1,2 +1,2 @@", " #!/bin/bash", "-echo one", "+echo two",
        "on-create: none on either side",
    ]
    script.write_text("#!/bin/bash\necho one\n")
    assert lcc(lcc_env, "diff", name, str(script)).returncode == 0


def test_on_create_differences(lcc_env: dict[str, str], deployed_folder: tuple[str, Path],
                               tmp_path: Path) -> None:
    name, scripts = deployed_folder
    once = folder(tmp_path / "once", {"setup.sh": "echo once\n"}, {})
    proc = lcc(lcc_env, "diff", name, str(scripts), "--on-create", str(once))
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == ["on-start: same", "on-create: differs",
                                        "  + on-create script: 1 step(s) (setup), 1 file(s), "
                                        + proc.stdout.split("1 file(s), ")[1].splitlines()[0]]


# --- cdk.out --------------------------------------------------------------------------------

def synth(tmp_path: Path, folders: dict[str, Path], out: str = "cdk.out") -> Path:
    """A cloud assembly with a LifecycleConfig for each name (the real construct, synthesized)."""
    import aws_cdk as cdk

    from lcc_constructs import LifecycleConfig

    app = cdk.App(outdir=str(tmp_path / out))
    stack = cdk.Stack(app, "Notebooks")
    for i, (name, scripts) in enumerate(folders.items()):
        LifecycleConfig(stack, f"Lcc{i}", on_start=scripts, lifecycle_config_name=name)
    app.synth()
    return tmp_path / out


def test_a_cdk_out(lcc_env: dict[str, str], moto: Moto, tmp_path: Path) -> None:
    name = unique("cdk")
    scripts = folder(tmp_path / "s", {"a.sh": "echo a\n", "lib/b.txt": "b\n"}, {})
    other = folder(tmp_path / "o", {"other.sh": "echo other\n"}, {})
    assembly = synth(tmp_path, {name: scripts, "another-config": other})
    assert lcc(lcc_env, "deploy", name, str(scripts)).returncode == 0
    same = lcc(lcc_env, "diff", name, str(assembly))
    assert same.returncode == 0, same.stdout + same.stderr
    (scripts / "a.sh").write_text("echo A\n")
    changed = lcc(lcc_env, "diff", name, str(synth(tmp_path, {name: scripts}, "cdk.out.2")))
    assert changed.returncode == 1
    assert "  ~ file a.sh: content" in changed.stdout and "-echo a" in changed.stdout
    unknown = lcc(lcc_env, "diff", unique("none"), str(assembly))
    assert unknown.returncode == 2
    assert "no lifecycle configuration named" in unknown.stderr
    found = r"\(found: Notebooks.template.json:Lcc0\w+, Notebooks.template.json:Lcc1\w+\)"
    assert re.search(found, unknown.stderr)


def test_build_options_apply_to_a_folder_only(lcc_env: dict[str, str], deployed_folder: tuple[str, Path],
                                             tmp_path: Path) -> None:
    name, scripts = deployed_folder
    script = tmp_path / "on-start.sh"
    script.write_text("echo x\n")
    proc = lcc(lcc_env, "diff", name, str(script), "--budget", "10")
    assert proc.returncode == 2 and "--budget: only with a scripts folder" in proc.stderr
    assert lcc(lcc_env, "diff", name, str(tmp_path / "missing")).returncode == 2


def test_an_unknown_configuration(lcc_env: dict[str, str], tmp_path: Path) -> None:
    proc = lcc(lcc_env, "diff", "no-such-config", str(folder(tmp_path / "s")))
    assert proc.returncode == 1
    assert "there is no lifecycle configuration named 'no-such-config'" in proc.stderr


# --- either kind alone ---------------------------------------------------------------------

def test_a_configuration_with_only_an_on_create_script(lcc_env: dict[str, str], tmp_path: Path) -> None:
    name = unique("oncreate")
    once = folder(tmp_path / "once", {"setup.sh": "echo once\n"}, {})
    assert lcc(lcc_env, "deploy", name, "--on-create", str(once)).returncode == 0
    same = lcc(lcc_env, "diff", name, "--on-create", str(once))
    assert same.returncode == 0, same.stderr
    assert same.stdout == "on-start: none on either side\non-create: same\n"
    script = tmp_path / "on-create.sh"
    assert lcc(lcc_env, "build", str(once), "--kind", "on-create", "-o", str(script)).returncode == 0
    assert lcc(lcc_env, "diff", name, "--on-create", str(script)).returncode == 0
    (once / "setup.sh").write_text("echo twice\n")
    changed = lcc(lcc_env, "diff", name, "--on-create", str(once))
    assert changed.returncode == 1
    assert changed.stdout.splitlines()[:3] == ["on-start: none on either side", "on-create: differs",
                                               "  ~ file setup.sh: content"]
    # Compared with an on-start script alone, the deployed on-create script is a difference.
    start = folder(tmp_path / "start", {"a.sh": "echo a\n"}, {})
    other = lcc(lcc_env, "diff", name, str(start))
    assert other.returncode == 1
    assert other.stdout.splitlines()[0] == "on-start: differs"
    assert other.stdout.splitlines()[2] == "on-create: differs"
    assert other.stdout.splitlines()[3].startswith("  - on-create script: 1 step(s) (setup)")


def test_recipes_alone(lcc_env: dict[str, str]) -> None:
    name = unique("recipe")
    assert lcc(lcc_env, "deploy", name, "--recipe", "stop-ssm-agent").returncode == 0
    proc = lcc(lcc_env, "diff", name, "--recipe", "stop-ssm-agent")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "on-start: same\non-create: none on either side\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--on-create", "missing"], "missing does not exist: give a scripts folder, a script file or a cdk.out"),
    (["--on-create", "script.sh", "--budget", "10"], "--budget: only with a scripts folder"),
    (["script.sh", "--recipe", "stop-ssm-agent"], "--recipe: only with a scripts folder"),
    (["script.sh", "--recipe", "stop-ssm-agent", "--on-create", "."], "--recipe: only with a scripts folder"),
])
def test_what_cannot_be_compared_is_a_usage_error(lcc_env: dict[str, str], tmp_path: Path, args: list[str],
                                                  message: str) -> None:
    (tmp_path / "script.sh").write_text("echo x\n")
    proc = subprocess.run([LCC, "diff", "any-name", *args], cwd=tmp_path, env=lcc_env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr


# --- what a deployed script holds is anyone's: printed escaped ------------------------------

#: A folder whose file names and lines would drive a terminal.
HOSTILE = {
    "10-a.sh": "#!/bin/bash\necho \"\x1b]0;owned\x07 title\"\necho \"\x1b]52;c;cm0gLXJmIH4=\x07\"\n",
    "lib/t\x1b[2J.txt": "x\n",
    "lib/two\nlines.txt": "y\n",
    "lib/cr.txt": "before\rafter\n",
}


def test_differences_are_printed_escaped(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name = unique("hostile")
    scripts = folder(tmp_path / "s", HOSTILE, {})
    assert lcc(lcc_env, "deploy", name, str(scripts)).returncode == 0
    (scripts / "10-a.sh").write_text("#!/bin/bash\necho \"\x1b[2J cleared\"\n")
    (scripts / "lib/t\x1b[2J.txt").unlink()
    (scripts / "lib/two\nlines.txt").unlink()
    (scripts / "lib/cr.txt").write_text("before\rchanged\n")
    proc = lcc(lcc_env, "diff", name, str(scripts))
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.isascii() and "\x1b" not in proc.stdout and "\r" not in proc.stdout
    assert proc.stdout.splitlines() == [
        "on-start: differs",
        "  - file lib/t\\x1b[2J.txt (mode 644, 2 bytes)",
        "  - file lib/two\\nlines.txt (mode 644, 2 bytes)",
        "  ~ file 10-a.sh: content",
        "  ~ file lib/cr.txt: content",
        f"--- deployed {name}: 10-a.sh",
        f"+++ {scripts}: 10-a.sh",
        "@@ -1,3 +1,2 @@",
        " #!/bin/bash",
        "-echo \"\\x1b]0;owned\\x07 title\"",
        "-echo \"\\x1b]52;c;cm0gLXJmIH4=\\x07\"",
        "+echo \"\\x1b[2J cleared\"",
        f"--- deployed {name}: lib/cr.txt",
        f"+++ {scripts}: lib/cr.txt",
        "@@ -1 +1 @@",
        "-before\\rafter",
        "+before\\rchanged",
        "on-create: none on either side",
    ]


# --- --json ----------------------------------------------------------------------------------

def test_json(lcc_env: dict[str, str], deployed_folder: tuple[str, Path]) -> None:
    name, scripts = deployed_folder
    same = lcc(lcc_env, "diff", name, str(scripts), "--json")
    assert same.returncode == 0, same.stderr
    assert json.loads(same.stdout) == {"name": name, "same": True, "scripts": [
        {"kind": "on-start", "same": True, "deployed": True, "wanted": True, "changes": [], "diff": []},
        {"kind": "on-create", "same": True, "deployed": False, "wanted": False, "changes": [], "diff": []}]}
    (scripts / "data/banner.txt").write_text("Welcome\x1b[2J\n")
    changed = lcc(lcc_env, "diff", name, str(scripts), "--json")
    assert changed.returncode == 1, changed.stderr
    document = json.loads(changed.stdout)
    assert document["same"] is False
    assert document["scripts"][0] == {
        "kind": "on-start", "same": False, "deployed": True, "wanted": True,
        "changes": ["~ file data/banner.txt: content"],
        "diff": [f"--- deployed {name}: data/banner.txt", f"+++ {scripts}: data/banner.txt", "@@ -1 +1 @@",
                 "-Welcome", "+Welcome\\x1b[2J"]}


def test_json_of_an_error_is_nothing_on_standard_output(lcc_env: dict[str, str], tmp_path: Path) -> None:
    proc = lcc(lcc_env, "diff", "no-such-config", str(folder(tmp_path / "s")), "--json")
    assert (proc.returncode, proc.stdout) == (1, "")
    assert "there is no lifecycle configuration named 'no-such-config'" in proc.stderr
