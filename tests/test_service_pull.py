"""`lcc pull` against moto's server: a configuration this library built comes back as its
folder (files, modes, steps, options, recipes) and builds the same bytes; one made by the
article's method (an inlined base64 tar unpacked by a wrapper, made here with the real tar and
base64 as the article makes it) comes back as the archive's files with a step per call; any
other script comes back as it is. Nothing is written unless all of it is."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lcc_constructs.readback._script import inspect_script

from .conftest import require
from .servers import Moto
from .service_helpers import FOLDER, MODES, create_config, deployed, files_of, folder, lcc, unique
from .test_service_article import HOSTILE, hostile_wrapper

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib



def manifest(folder: Path) -> dict[str, Any]:
    return tomllib.loads((folder / "lifecycle.toml").read_text())


def without_manifest(files: dict[str, tuple[int, bytes]]) -> dict[str, tuple[int, bytes]]:
    return {p: v for p, v in files.items() if p != "lifecycle.toml"}


def built(lcc_env: dict[str, str], *args: str) -> str:
    proc = lcc(lcc_env, "build", *args, "-o", "-")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


# --- configurations this library built ---------------------------------------------------

def test_a_deployed_folder_comes_back_and_builds_the_same_bytes(moto: Moto, lcc_env: dict[str, str],
                                                               tmp_path: Path) -> None:
    name, original = unique("ours"), folder(tmp_path / "original")
    recipe = "environment-variables={variables = {TEAM = \"ml\"}, jupyter = false}"
    deploy = lcc(lcc_env, "deploy", name, str(original), "--recipe", recipe, "--recipe", "stop-ssm-agent")
    assert deploy.returncode == 0, deploy.stderr
    pulled = tmp_path / "pulled"
    proc = lcc(lcc_env, "pull", name, str(pulled))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (f"on-start: built by lcc-constructs: 4 step(s), recipes environment-variables, "
                           f"stop-ssm-agent -> {pulled}\n")
    assert without_manifest(files_of(pulled)) == without_manifest(files_of(original))
    assert files_of(pulled)["data/banner.txt"][0] == MODES["data/banner.txt"]
    steps = manifest(pulled)["step"]
    assert steps == [
        {"script": "10-hello.sh", "name": "hello", "timeout": 30, "env": {"GREETING": "world"}},
        {"script": "20-report.py", "run_as": "ec2-user", "background": True},
        {"recipe": "environment-variables", "with": {"variables": {"TEAM": "ml"}, "jupyter": False}},
        {"recipe": "stop-ssm-agent"}]
    assert manifest(pulled)["options"] == {"budget": 200, "keep_runs": 5}
    assert built(lcc_env, str(pulled)) == deployed(moto, name)["on-start"]
    assert lcc(lcc_env, "deploy", name, str(pulled)).stdout == f"{name}: unchanged\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["original", "pulled"]  # nothing left beside it


def test_build_options_come_back_in_the_manifest(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name, original = unique("options"), folder(tmp_path / "original", {"a.sh": "echo a\n"}, {})
    flags = ["--budget", "99.5", "--keep-runs", "3", "--unpack-dir", "/opt/lcc-team",
             "--state-dir", "/var/log/lcc-team", "--codec", "bzip2+base85"]
    assert lcc(lcc_env, "deploy", name, str(original), *flags).returncode == 0
    pulled = tmp_path / "pulled"
    assert lcc(lcc_env, "pull", name, str(pulled)).returncode == 0
    assert manifest(pulled)["options"] == {"budget": 99.5, "keep_runs": 3, "unpack_dir": "/opt/lcc-team",
                                           "state_dir": "/var/log/lcc-team", "codec": "bzip2+base85"}
    assert built(lcc_env, str(pulled)) == deployed(moto, name)["on-start"]


def test_the_codec_is_left_to_lcc_when_it_chooses_the_same(moto: Moto, lcc_env: dict[str, str],
                                                         tmp_path: Path) -> None:
    name, original = unique("codec"), folder(tmp_path / "original", {"a.sh": "echo a\n"}, {})
    assert lcc(lcc_env, "deploy", name, str(original)).returncode == 0
    assert lcc(lcc_env, "pull", name, str(tmp_path / "pulled")).returncode == 0
    assert "options" not in manifest(tmp_path / "pulled")


def test_a_minified_build_comes_back_as_its_minified_files(moto: Moto, lcc_env: dict[str, str],
                                                           tmp_path: Path) -> None:
    require(shutil.which("shfmt") is not None, "shfmt (shfmt-py) is not installed")
    name = unique("minified")
    script = "#!/bin/bash\n# a comment\nif true; then\n    echo a\nfi\n" + "# more words to drop\n" * 40
    original = folder(tmp_path / "original", {"a.sh": script}, {})
    assert lcc(lcc_env, "deploy", name, str(original), "--minify").returncode == 0
    assert lcc(lcc_env, "pull", name, str(tmp_path / "pulled")).returncode == 0
    assert "# a comment" not in (tmp_path / "pulled/a.sh").read_text()
    assert built(lcc_env, str(tmp_path / "pulled")) == deployed(moto, name)["on-start"]


def test_on_create_comes_back_into_its_own_folder(moto: Moto, lcc_env: dict[str, str],
                                                  tmp_path: Path) -> None:
    name, start = unique("both"), folder(tmp_path / "start")
    once = folder(tmp_path / "once", {"setup.sh": "#!/bin/bash\necho once\n"}, {})
    assert lcc(lcc_env, "deploy", name, str(start), "--on-create", str(once)).returncode == 0
    refused = lcc(lcc_env, "pull", name, str(tmp_path / "a"))
    assert refused.returncode == 1
    assert f"{name} has an on-create script too: give --on-create DIR for it" in refused.stderr
    assert not (tmp_path / "a").exists()
    proc = lcc(lcc_env, "pull", name, str(tmp_path / "a"), "--on-create", str(tmp_path / "b"))
    assert proc.returncode == 0, proc.stderr
    assert without_manifest(files_of(tmp_path / "b")) == files_of(once)
    assert manifest(tmp_path / "b")["step"] == [{"script": "setup.sh"}]
    assert built(lcc_env, str(tmp_path / "b"), "--kind", "on-create") == deployed(moto, name)["on-create"]
    assert lcc(lcc_env, "diff", name, str(tmp_path / "a"), "--on-create", str(tmp_path / "b")).returncode == 0


def test_an_on_create_only_configuration(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name = unique("onlycreate")
    create_config(moto, name, on_create="#!/bin/bash\necho created\n")
    proc = lcc(lcc_env, "pull", name, str(tmp_path / "a"), "--on-create", str(tmp_path / "b"))
    assert proc.returncode == 0, proc.stderr
    assert f"on-start: {name} has no on-start script; {tmp_path / 'a'} is left as it is" in proc.stdout
    assert not (tmp_path / "a").exists()
    assert (tmp_path / "b/on-create.sh").read_text() == "#!/bin/bash\necho created\n"
    assert manifest(tmp_path / "b")["step"] == [{"script": "on-create.sh", "required": True}]


def test_a_script_with_an_s3_payload_is_pulled_from_s3(moto: Moto, lcc_env: dict[str, str],
                                                       tmp_path: Path) -> None:
    name, original = unique("s3"), folder(tmp_path / "original")
    script, payload = tmp_path / "s3.sh", tmp_path / "payload.bin"
    proc = lcc(lcc_env, "build", str(original), "-o", str(script), "--s3-location", "s3://lcc-payloads/team/p.bin",
               "--payload-file", str(payload))
    assert proc.returncode == 0, proc.stderr
    s3 = moto.client("s3")
    s3.create_bucket(Bucket="lcc-payloads")
    s3.put_object(Bucket="lcc-payloads", Key="team/p.bin", Body=payload.read_bytes())
    create_config(moto, name, on_start=script.read_text())
    pulled = tmp_path / "pulled"
    proc = lcc(lcc_env, "pull", name, str(pulled))
    assert proc.returncode == 0, proc.stderr
    assert without_manifest(files_of(pulled)) == without_manifest(files_of(original))
    again = lcc(lcc_env, "build", str(pulled), "-o", str(tmp_path / "again.sh"), "--s3-location",
                "s3://lcc-payloads/team/p.bin", "--payload-file", str(tmp_path / "again.bin"))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again.sh").read_text() == script.read_text()
    # lcc diff reads the deployed bundle from S3 too: the same files and steps, packed otherwise.
    assert lcc(lcc_env, "diff", name, str(script)).returncode == 0
    inline = lcc(lcc_env, "diff", name, str(original))
    assert inline.returncode == 1
    changes = [line for line in inline.stdout.splitlines() if line.startswith("  ")]
    assert len(changes) == 1
    assert re.match(r"^  ~ option codec: [a-z0-9-]+\+s3 -> [a-z0-9-]+\+base(85|94)$", changes[0])


# --- the article's method -----------------------------------------------------------------

#: The scripts a team packs by hand (modes as tar keeps them).
HANDMADE = {"setup.sh": "#!/bin/bash\necho setting up\n", "watch.sh": "#!/bin/bash\nsleep 1\n",
            "tools/report.py": "print('report')\n", "conf/settings.ini": "[x]\ny = 1\n"}
HANDMADE_MODES = {"setup.sh": 0o755, "watch.sh": 0o755, "tools/report.py": 0o644, "conf/settings.ini": 0o600}


def payload(source: Path, tar_flags: str = "czf", wrap: str = "-w0") -> str:
    """``tar czf - . | base64 -w0`` of the folder, by the real programs, as the article does."""
    command = f"tar {tar_flags} - -C '{source}' --owner=0 --group=0 . | base64 {wrap}"
    return subprocess.run(command, shell=True, check=True, capture_output=True, text=True).stdout


def article_scripts(source: Path) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Wrappers as people write them, and the steps each must come back as."""
    b64 = payload(source)
    return {
        "echo-pipe": (f"""#!/bin/bash
set -e
mkdir -p /startup
echo '{b64}' | base64 -d | tar xzf - -C /startup
cd /startup
bash setup.sh || :
python3 tools/report.py || :
""", [{"script": "setup.sh"}, {"script": "tools/report.py"}]),
        "heredoc-users": (f"""#!/bin/bash
set -euo pipefail
# Team scripts, packed with tar czf and base64.
DIR=/opt/team-lcc
mkdir -p "$DIR"
base64 --decode <<'PAYLOAD' | tar -xz -C "$DIR"
{payload(source, wrap="-w76")}PAYLOAD
chmod +x "$DIR"/*.sh
echo "unpacked into $DIR"
sudo -u ec2-user -i bash "$DIR/setup.sh"
su - ec2-user -c "python3 $DIR/tools/report.py"
nohup "$DIR/watch.sh" >/var/log/watch.log 2>&1 &
timeout 120 bash "$DIR/setup.sh" || true
""", [{"script": "setup.sh", "run_as": "ec2-user", "required": True},
      {"script": "tools/report.py", "run_as": "ec2-user", "required": True},
      {"script": "watch.sh", "background": True},
      {"script": "setup.sh", "name": "setup-2", "timeout": 120}]),
        "file-and-login-shell": (f"""#!/bin/bash
PAYLOAD="{b64}"
echo "$PAYLOAD" | base64 -d > /tmp/lcc.tar.gz
mkdir -p /home/ec2-user/lcc
tar -xzf /tmp/lcc.tar.gz -C /home/ec2-user/lcc
rm -f /tmp/lcc.tar.gz
sudo -u ec2-user -i <<'EOF'
bash /home/ec2-user/lcc/setup.sh
nohup python3 /home/ec2-user/lcc/tools/report.py &
EOF
""", [{"script": "setup.sh", "run_as": "ec2-user"},
      {"script": "tools/report.py", "run_as": "ec2-user", "background": True}]),
        "bzip2-herestring-env": (f"""#!/bin/bash
set -e
P='{payload(source, "cjf")}'
base64 -d <<< "$P" | tar xjf - -C /startup
export HTTPS_PROXY=http://proxy:3128
GREETING=hi bash /startup/setup.sh
sudo -u ec2-user -i bash /startup/watch.sh
""", [{"script": "setup.sh", "required": True,
       "env": {"GREETING": "hi", "HTTPS_PROXY": "http://proxy:3128"}},
      {"script": "watch.sh", "run_as": "ec2-user", "required": True}]),
    }


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("handmade") / "scripts"
    return folder(source, HANDMADE, HANDMADE_MODES)


@pytest.mark.parametrize("variant", ["echo-pipe", "heredoc-users", "file-and-login-shell",
                                     "bzip2-herestring-env"])
def test_the_articles_method_comes_back_as_files_and_steps(variant: str, moto: Moto, lcc_env: dict[str, str],
                                                           tmp_path: Path, handmade: Path) -> None:
    text, steps = article_scripts(handmade)[variant]
    name = unique("article")
    create_config(moto, name, on_start=text)
    pulled = tmp_path / "pulled"
    proc = lcc(lcc_env, "pull", name, str(pulled))
    assert proc.returncode == 0, proc.stderr
    assert "on-start: the hand-made method: a tar." in proc.stdout
    assert without_manifest(files_of(pulled)) == files_of(handmade)
    assert manifest(pulled)["step"] == steps
    assert manifest(pulled)["options"] == {"budget": 280}
    rebuilt = inspect_script(built(lcc_env, str(pulled)))
    assert rebuilt.step_names == tuple(s.get("name", Path(s["script"]).stem) for s in steps)
    assert proc.stderr == ""


def test_the_articles_method_as_an_on_create_script(moto: Moto, lcc_env: dict[str, str], tmp_path: Path,
                                                   handmade: Path) -> None:
    text, steps = article_scripts(handmade)["echo-pipe"]
    name = unique("article-create")
    create_config(moto, name, on_create=text)
    proc = lcc(lcc_env, "pull", name, str(tmp_path / "start"), "--on-create", str(tmp_path / "create"))
    assert proc.returncode == 0, proc.stderr
    assert without_manifest(files_of(tmp_path / "create")) == files_of(handmade)
    assert manifest(tmp_path / "create")["step"] == steps
    rebuilt = inspect_script(built(lcc_env, str(tmp_path / "create"), "--kind", "on-create"))
    assert rebuilt.options.kind == "on-create"


#: The article's folder: one script run as root, one as the notebook user, and a file they share.
ARTICLE = {"one.sh": "#!/bin/bash\necho one\n", "two.sh": "#!/bin/bash\necho two as $(whoami)\n",
           "lib/common.sh": "say() { echo \"$*\"; }\n"}
ARTICLE_MODES = {"one.sh": 0o755, "two.sh": 0o755, "lib/common.sh": 0o644}
ARTICLE_STEPS = [{"script": "one.sh"}, {"script": "two.sh", "run_as": "ec2-user"}]


def articles_wrapper(source: Path, calls: str) -> str:
    """The wrapper of the article that started this project, as it writes it (base64's own line
    breaks in a here-document inside a command substitution), with ``calls`` after the unpacking."""
    return f"""#!/bin/bash
set -e
enc=$(cat <<EOF
{payload(source, wrap="")}EOF
)
mkdir -p /startup
echo "$enc" | base64 -d | tar xzf - -C /startup
sudo chown -R root: /startup
{calls}"""


@pytest.mark.parametrize("calls", [
    "/startup/one.sh || :\nsudo -H -i -u ec2-user /startup/two.sh || :\n",
    "/startup/one.sh 2>&1 | tee -a /var/log/startup.log || :\n"
    "sudo -H -i -u ec2-user /startup/two.sh >> /var/log/startup.log 2>&1 || :\n",
])
def test_the_articles_own_wrapper_comes_back_as_files_and_steps(
        calls: str, moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    source = folder(tmp_path / "scripts", ARTICLE, ARTICLE_MODES)
    name = unique("article-own")
    create_config(moto, name, on_start=articles_wrapper(source, calls))
    pulled = tmp_path / "pulled"
    proc = lcc(lcc_env, "pull", name, str(pulled))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "the hand-made method: a tar.gz of 3 file(s), unpacked into /startup, 2 call(s)" in proc.stdout
    assert without_manifest(files_of(pulled)) == files_of(source)  # byte for byte, modes too
    assert manifest(pulled)["step"] == ARTICLE_STEPS
    rebuilt = inspect_script(built(lcc_env, str(pulled)))
    assert [(s.name, s.run_as.value) for s in rebuilt.steps] == [("one", "root"), ("two", "ec2-user")]


def test_the_articles_loop_comes_back_as_a_step_per_script(moto: Moto, lcc_env: dict[str, str],
                                                           tmp_path: Path) -> None:
    scripts = {"20-second.sh": "#!/bin/bash\necho 2\n", "10-first.sh": "#!/bin/bash\necho 1\n",
               "Z-last.py": "#!/usr/bin/env python3\nprint(3)\n", "helpers/lib.sh": "x=1\n"}
    source = folder(tmp_path / "scripts", scripts, {"helpers/lib.sh": 0o644})
    calls = ('for f in /startup/*.sh /startup/*.py; do\n  echo "running $f"\n'
             '  "$f" 2>&1 | tee -a /var/log/x.log\ndone\n')
    name = unique("article-loop")
    create_config(moto, name, on_start=articles_wrapper(source, calls))
    pulled = tmp_path / "pulled"
    proc = lcc(lcc_env, "pull", name, str(pulled))
    assert proc.returncode == 0, proc.stderr
    assert without_manifest(files_of(pulled)) == files_of(source)
    # set -e without pipefail: tee's status is the pipeline's, so no call is required
    assert manifest(pulled)["step"] == [{"script": "10-first.sh"}, {"script": "20-second.sh"},
                                        {"script": "Z-last.py"}]


def test_a_wrapper_doing_more_is_kept_as_it_is(moto: Moto, lcc_env: dict[str, str], tmp_path: Path,
                                              handmade: Path) -> None:
    text, _ = article_scripts(handmade)["echo-pipe"]
    text += "curl -fsS https://example.com/hook | bash\n"
    name = unique("more")
    create_config(moto, name, on_start=text)
    proc = lcc(lcc_env, "pull", name, str(tmp_path / "pulled"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "pulled/on-start.sh").read_text() == text
    comments = (tmp_path / "pulled/lifecycle.toml").read_text()
    assert "not the hand-made method: line 8: the pipeline 'curl -fsS https://example.com/hook | bash' " \
           "is not read" in comments


# --- what the wrapper holds never becomes more of the folder ----------------------------------

INJECTED = '\n[[step]]\nscript = "evil.sh"\nrun_as = "root"\n#'


@pytest.mark.parametrize(("shape", "steps"), [
    ("su-option", [{"script": "on-start.sh", "required": True}]),
    ("unpack-folder", [{"script": "setup.sh"}]),
])
def test_shell_words_reach_the_manifest_only_escaped(shape: str, steps: list[dict[str, Any]], moto: Moto,
                                                     lcc_env: dict[str, str], tmp_path: Path,
                                                     handmade: Path) -> None:
    quoted = INJECTED.replace('"', '\\"')  # inside "..." in the wrapper
    unpack = f"echo '{payload(handmade)}' | base64 -d | tar xzf - -C"
    text = {"su-option": f"""#!/bin/bash
{unpack} /startup
su "-x{quoted}" ec2-user -c 'bash /startup/setup.sh'
""", "unpack-folder": f"""#!/bin/bash
{unpack} "/startup{quoted}"
bash "/startup{quoted}/setup.sh"
"""}[shape]
    name = unique("inject")
    create_config(moto, name, on_start=text)
    pulled = tmp_path / "pulled"
    proc = lcc(lcc_env, "pull", name, str(pulled))
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 1  # what pull says is one line, the folder's name escaped
    written = (pulled / "lifecycle.toml").read_text()
    assert manifest(pulled)["step"] == steps
    [line] = [line for line in written.splitlines() if "evil.sh" in line]  # once, in a comment, escaped
    assert line.startswith("# ") and '\\n[[step]]\\nscript = "evil.sh"\\nrun_as' in line


def test_a_comment_of_the_manifest_is_one_line_whatever_it_holds() -> None:
    from lcc_constructs.bundle import Step
    from lcc_constructs.bundle.manifest import manifest_text

    hostile = f"why: {INJECTED}\r\x1b[2J\x85\u2028\udcff"
    text = manifest_text((Step(name="a", script="a.sh"),), (), {}, comments=(hostile, "", "plain"))
    assert tomllib.loads(text) == {"step": [{"script": "a.sh"}]}
    escaped = '\\n[[step]]\\nscript = "evil.sh"\\nrun_as = "root"\\n#\\r\\x1b[2J\\x85\\u2028\\udcff'
    assert text.splitlines()[:3] == [f"# why: {escaped}", "#", "# plain"]


@pytest.mark.parametrize("shape", sorted(HOSTILE))
def test_a_hostile_archive_leaves_the_wrapper_as_it_is(shape: str, moto: Moto, lcc_env: dict[str, str],
                                                       tmp_path: Path) -> None:
    make, reason = HOSTILE[shape]
    text = hostile_wrapper(shape, make())
    name = unique("hostile")
    create_config(moto, name, on_start=text)
    pulled = tmp_path / "pulled"
    proc = lcc(lcc_env, "pull", name, str(pulled))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert files_of(pulled)["on-start.sh"] == (0o755, text.encode())
    where = "" if shape == "manifest-folder" else "line 3: "  # that one is pull's own check, after reading
    assert f"not the hand-made method: {where}{reason}" in " ".join(
        line.lstrip("# ") for line in (pulled / "lifecycle.toml").read_text().splitlines())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pulled"]


# --- anything else ------------------------------------------------------------------------

def test_a_plain_script_comes_back_as_it_is_with_a_manifest_running_it(moto: Moto, lcc_env: dict[str, str],
                                                                       tmp_path: Path) -> None:
    name, text = unique("plain"), "#!/bin/bash\nset -e\nsudo -u ec2-user -i pip install --user rich\n"
    create_config(moto, name, on_start=text)
    pulled = tmp_path / "pulled"
    proc = lcc(lcc_env, "pull", name, str(pulled))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (f"on-start: a script not built by lcc-constructs (3 lines), kept as on-start.sh "
                           f"-> {pulled}\n")
    assert files_of(pulled)["on-start.sh"] == (0o755, text.encode())
    assert manifest(pulled) == {"options": {"budget": 280},
                                "step": [{"script": "on-start.sh", "required": True}]}
    assert inspect_script(built(lcc_env, str(pulled))).step_names == ("on-start",)


def test_a_script_lcc_build_refuses_is_still_pulled_with_a_note(moto: Moto, lcc_env: dict[str, str],
                                                                tmp_path: Path) -> None:
    name, text = unique("crlf"), "#!/bin/bash\r\necho windows\r\n"
    create_config(moto, name, on_start=text)
    proc = lcc(lcc_env, "pull", name, str(tmp_path / "pulled"))
    assert proc.returncode == 0
    assert (tmp_path / "pulled/on-start.sh").read_bytes() == text.encode()
    assert ("lcc pull: note: on-start: a script not built by lcc-constructs (2 lines), kept as on-start.sh: "
            "lcc build refuses the folder:") in proc.stderr
    assert "CRLF" in proc.stderr


# --- the target folder ----------------------------------------------------------------------

def test_a_non_empty_folder_is_refused_unless_replace(moto: Moto, lcc_env: dict[str, str],
                                                      tmp_path: Path) -> None:
    name = unique("full")
    create_config(moto, name, on_start="#!/bin/bash\necho x\n")
    target = folder(tmp_path / "target", {"keep.txt": "mine\n"}, {})
    refused = lcc(lcc_env, "pull", name, str(target))
    assert refused.returncode == 2
    assert f"{target} is not empty: give an empty or new folder, or --replace" in refused.stderr
    assert files_of(target) == {"keep.txt": (0o644, b"mine\n")}
    replaced = lcc(lcc_env, "pull", name, str(target), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert sorted(files_of(target)) == ["lifecycle.toml", "on-start.sh"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]  # nothing left beside it


def test_an_empty_folder_is_used(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    name = unique("empty")
    create_config(moto, name, on_start="#!/bin/bash\necho x\n")
    (tmp_path / "target").mkdir()
    assert lcc(lcc_env, "pull", name, str(tmp_path / "target")).returncode == 0
    assert (tmp_path / "target" / "on-start.sh").is_file()


@pytest.mark.parametrize(("make", "message"), [
    ("file", "exists and is not a folder"),
    ("no-parent", "does not exist"),
])
def test_targets_that_cannot_be_used(make: str, message: str, moto: Moto, lcc_env: dict[str, str],
                                     tmp_path: Path) -> None:
    target = tmp_path / "target" if make == "file" else tmp_path / "missing" / "target"
    if make == "file":
        target.write_text("x")
    proc = lcc(lcc_env, "pull", "any-name", str(target))
    assert proc.returncode == 2 and message in proc.stderr


def test_an_unknown_configuration_writes_nothing(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    proc = lcc(lcc_env, "pull", "no-such-config", str(tmp_path / "target"))
    assert proc.returncode == 1
    assert "there is no lifecycle configuration named 'no-such-config' in us-east-1" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_example_folder_round_trips(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    original = folder(tmp_path / "original", FOLDER, MODES)
    name = unique("trip")
    assert lcc(lcc_env, "deploy", name, str(original)).returncode == 0
    assert lcc(lcc_env, "pull", name, str(tmp_path / "one")).returncode == 0
    assert lcc(lcc_env, "pull", name, str(tmp_path / "two")).returncode == 0
    assert files_of(tmp_path / "one") == files_of(tmp_path / "two")


# --- --json ----------------------------------------------------------------------------------

def test_json(moto: Moto, lcc_env: dict[str, str], tmp_path: Path, handmade: Path) -> None:
    name = unique("jsonpull")
    deploy = lcc(lcc_env, "deploy", name, str(folder(tmp_path / "s")), "--recipe", "stop-ssm-agent")
    assert deploy.returncode == 0, deploy.stderr
    pulled = tmp_path / "pulled"
    proc = lcc(lcc_env, "pull", name, str(pulled), "--on-create", str(tmp_path / "create"), "--json")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert json.loads(proc.stdout) == {"name": name, "notes": [], "scripts": [
        {"kind": "on-start", "folder": str(pulled), "method": "lcc",
         "what": "built by lcc-constructs: 3 step(s), recipes stop-ssm-agent"},
        {"kind": "on-create", "folder": None, "method": None, "what": None}]}
    assert (pulled / "lifecycle.toml").is_file() and not (tmp_path / "create").exists()
    article, _ = article_scripts(handmade)["echo-pipe"]
    for text, method in ((article, "hand-made"), ("#!/bin/bash\r\necho windows\r\n", "as-is")):
        other = unique("jsonpull")
        create_config(moto, other, on_start=text)
        target = tmp_path / other
        proc = lcc(lcc_env, "pull", other, str(target), "--json")
        assert proc.returncode == 0, proc.stderr
        document = json.loads(proc.stdout)
        assert [(s["kind"], s["folder"], s["method"]) for s in document["scripts"]] == [
            ("on-start", str(target), method)]
        # Notes go to standard error, and into the document.
        assert len(document["notes"]) == (method == "as-is")
        assert all(f"lcc pull: note: {note.splitlines()[0]}" in proc.stderr for note in document["notes"])


def test_json_of_an_error_is_nothing_on_standard_output(moto: Moto, lcc_env: dict[str, str],
                                                        tmp_path: Path) -> None:
    proc = lcc(lcc_env, "pull", unique("none"), str(tmp_path / "a"), "--json")
    assert (proc.returncode, proc.stdout) == (1, "")
    assert "there is no lifecycle configuration named" in proc.stderr
