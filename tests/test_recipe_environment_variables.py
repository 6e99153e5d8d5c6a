"""Recipe environment-variables: login shells in the sandbox, and a real Jupyter server with a
real kernel started with the environment the recipe gives the jupyter-server unit."""

from __future__ import annotations

import ast
import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from lcc_constructs import RunAs, Scripts, recipes

from . import systemd_env
from .helpers import standins, without_who
from .recipe_helpers import (
    assert_all_ok,
    assert_studio_ok,
    calls_probe,
    probe,
    restarts,
    run,
    snapshot_probe,
    snapshots,
    studio_snapshot_probe,
    studio_starts,
)
from .servers import Jupyter

pytestmark = [pytest.mark.sandbox, pytest.mark.usefixtures("sandbox")]

SPECIAL = "a b  'c' \"d\" $HOME ${X:-y} `id` $(id) \\f \\\\ \\n\nline 2\ttab ; # * ! % %% ü ="
VALUES = {"LCC_SPECIAL": SPECIAL, "LCC_EMPTY": "", "LCC_TRAILING": "ends with newline\n",
          "LCC_PLAIN": "plain"}
ENV_FILE = "etc/lcc-constructs/environment-variables.env"
DROPIN = "etc/systemd/system/jupyter-server.service.d/lcc-environment-variables.conf"


def jupyter_unit(tmp_path: Path) -> dict[str, Path]:
    unit = tmp_path / "jupyter-server.service"
    unit.write_text("[Service]\nUser=ec2-user\nExecStart=/usr/bin/jupyter-server\n")
    return {"/etc/systemd/system/jupyter-server.service": unit}


def shells_probe(tmp_path: Path) -> Scripts:
    """Compare, byte for byte, each value as a login shell of ec2-user, and of root, sees it."""
    expected = "$LCC_SCRIPTS_DIR/probe-shells/expected"
    body = "".join(f'[ "${{{name}+set}}" = set ] && printf "%s" "${name}" > /tmp/{name} && '
                   f'cmp -s /tmp/{name} "{expected}/{name}" && echo "{name} same"\n'
                   for name in VALUES)
    root = (f"bash -l -c 'printf \"%s\" \"$LCC_SPECIAL\"' 2>/dev/null > /tmp/root && "
            f'cmp -s /tmp/root "{expected}/LCC_SPECIAL" && echo root same\n')
    return (probe(tmp_path, "shells", body, run_as=RunAs.NOTEBOOK_USER,
                  files={f"expected/{name}": value for name, value in VALUES.items()})
            + probe(tmp_path, "root-shell", root))


def test_values_reach_login_shells_unchanged_and_jupyter_restarts_once(tmp_path: Path) -> None:
    files = {**standins(tmp_path, "systemctl"), **jupyter_unit(tmp_path)}
    scripts = (recipes.environment_variables(variables=VALUES) + shells_probe(tmp_path)
               + snapshot_probe("/etc/profile.d", "/etc/lcc-constructs", "/etc/systemd/system")
               + calls_probe(tmp_path))
    result = run(tmp_path, scripts, files=files, runs=2)
    assert_all_ok(result)
    for r in result.runs:
        assert [line.split() for line in without_who(r.step("shells").log).splitlines()] == [
            [name, "same"] for name in VALUES]
        assert "root same" in r.step("root-shell").log
    one, two = snapshots(result)
    assert one == two
    assert restarts(result.last.step("calls").log) == 1
    assert "daemon-reload" in result.last.step("calls").log
    second = result.last.step("environment-variables").log
    assert "Jupyter's environment is unchanged" in second and "restarting" not in second
    keep = tmp_path / "keep"
    for rel in ("etc/profile.d/lcc-environment-variables.sh", ENV_FILE, DROPIN):
        st = (keep / rel).stat()
        assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (0, 0o644), rel
    assert (keep / DROPIN).read_text() == f"[Service]\nEnvironmentFile=/{ENV_FILE}\n"
    assert systemd_env.parse((keep / ENV_FILE).read_text()) == VALUES
    # And to a shell that sources it (as its quoting promises): nothing expanded, nothing run.
    assert sourced(keep / ENV_FILE, list(VALUES)) == VALUES


def sourced(path: Path, names: list[str]) -> dict[str, str]:
    """The values of ``names`` once bash has sourced ``path``."""
    show = 'set -a; . "$1"; shift; for n; do printf "%s\\0" "${!n}"; done'
    out = subprocess.run(["bash", "-c", show, "-", str(path), *names], capture_output=True, check=True).stdout
    return dict(zip(names, out.decode().split("\0")[:-1], strict=True))


def test_jupyter_restarts_again_only_when_the_values_changed(tmp_path: Path) -> None:
    # After the first run, a probe puts other values in the environment file, once (as an older
    # version of the lifecycle configuration would have left them): only the second run restarts.
    older = probe(tmp_path, "older", f"[ -e /run/older ] || {{ echo A=older > /{ENV_FILE}; "
                  "touch /run/older; }\n")
    files = {**standins(tmp_path, "systemctl"), **jupyter_unit(tmp_path)}
    scripts = recipes.environment_variables(variables={"A": "new"}) + older + calls_probe(tmp_path)
    result = run(tmp_path, scripts, files=files, runs=3)
    assert_all_ok(result)
    assert [restarts(r.step("calls").log) for r in result.runs] == [1, 2, 2]


def test_without_systemd_only_login_shells_get_them(tmp_path: Path) -> None:
    result = run(tmp_path, recipes.environment_variables(variables={"A": "1"}))
    assert_all_ok(result)
    log = result.last.step("environment-variables").log
    # No systemd runs here (the sandbox is a chroot): systemctl's own word is in the log.
    assert "ignoring command 'restart'" in log
    keep = tmp_path / "keep"
    profile = (keep / "etc/profile.d/lcc-environment-variables.sh").read_text()
    assert profile == f"set -a;. /{ENV_FILE};set +a\n"
    assert sourced(keep / ENV_FILE, ["A"]) == {"A": "1"}


def test_jupyter_false_leaves_jupyter_alone(tmp_path: Path) -> None:
    files = {**standins(tmp_path, "systemctl"), **jupyter_unit(tmp_path)}
    scripts = (recipes.environment_variables(variables={"A": "1"}, jupyter=False)
               + calls_probe(tmp_path))
    result = run(tmp_path, scripts, files=files)
    assert_all_ok(result)
    assert restarts(result.last.step("calls").log) == 0
    assert not (tmp_path / "keep" / DROPIN).exists()


# --- the kernel side, for real ---------------------------------------------------------------

def kernel_environment(env_file: str, names: list[str], tmp_path: Path,
                       home: Path | None = None) -> dict[str, str | None]:
    """Start a real Jupyter server on 127.0.0.1 with the environment systemd would give it from
    ``env_file``, start a real kernel through its REST API, and ask the kernel for ``names``.
    ``home``: the server's folder (default ``tmp_path/jupyter-home``; its ``config`` folder holds
    the server's configuration)."""
    from jupyter_client import BlockingKernelClient

    home = home or tmp_path / "jupyter-home"
    server = Jupyter(home, env={"PATH": os.environ["PATH"], "HOME": str(home),
                                **systemd_env.parse(env_file)})
    try:
        kernel = server.api("POST", "/api/kernels", {"name": "python3"})
        client = BlockingKernelClient(connection_file=str(server.runtime / f"kernel-{kernel['id']}.json"))
        client.load_connection_file()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=90)
            expr = f"__import__('json').dumps({{n: __import__('os').environ.get(n) for n in {names!r}}})"
            reply = client.execute_interactive("", user_expressions={"v": expr}, timeout=60)
            text = reply["content"]["user_expressions"]["v"]["data"]["text/plain"]
            return json.loads(ast.literal_eval(text))  # type: ignore[no-any-return]
        finally:
            client.stop_channels()
    finally:
        server.close()


def test_a_real_kernel_started_by_jupyter_sees_the_values(tmp_path: Path) -> None:
    files = {**standins(tmp_path, "systemctl"), **jupyter_unit(tmp_path)}
    result = run(tmp_path, recipes.environment_variables(variables=VALUES), files=files)
    assert_all_ok(result)
    keep = tmp_path / "keep"
    dropin = (keep / DROPIN).read_text()
    env_file = dropin.split("EnvironmentFile=", 1)[1].strip()
    seen = kernel_environment((keep / env_file.lstrip("/")).read_text(), [*VALUES, "HOME_X"],
                              tmp_path)
    assert seen == {**VALUES, "HOME_X": None}


# --- Studio -----------------------------------------------------------------------------------

#: The image's own Jupyter server settings (SageMaker Distribution has such a file): kept.
IMAGE_CONFIG = "# the image's settings\nc.ServerApp.shutdown_no_activity_timeout = 0\n"
JUPYTER_CONFIG = "etc/jupyter/jupyter_server_config.py"


def studio_shells_probe(tmp_path: Path) -> Scripts:
    """Each value as the space user's login shell and its interactive shell that is not a login
    shell (a terminal) see it, compared byte for byte."""
    expected = "$LCC_SCRIPTS_DIR/probe-studio-shells/expected"
    body = "".join(
        f"bash {flag} -c 'printf %s \"${name}\"' >/tmp/{name} 2>/dev/null && cmp -s /tmp/{name} "
        f'"{expected}/{name}" && echo "{kind} {name} same"\n'
        for kind, flag in (("login", "-l"), ("interactive", "-i")) for name in VALUES)
    return probe(tmp_path, "studio-shells", body, run_as=RunAs.NOTEBOOK_USER,
                 files={f"expected/{name}": value for name, value in VALUES.items()})


def test_on_studio_login_and_interactive_shells_and_jupyter_get_them_over_two_starts(tmp_path: Path) -> None:
    image_config = tmp_path / "image-config.py"
    image_config.write_text(IMAGE_CONFIG)
    counts = probe(tmp_path, "counts", "grep -c environment-variables /etc/bash.bashrc "
                   f"/{JUPYTER_CONFIG}\n")
    scripts = (recipes.environment_variables(variables=VALUES) + studio_shells_probe(tmp_path) + counts
               + studio_snapshot_probe(tmp_path, "/etc/profile.d", "/etc/lcc-constructs", "/etc/jupyter"))
    # Two starts (new containers), each running the script twice: nothing is added twice.
    starts = studio_starts(tmp_path, scripts, runs=2, files={f"/{JUPYTER_CONFIG}": image_config})
    assert_studio_ok(starts)
    snaps = set()
    for start in starts:
        for r in start.runs:
            assert r.step("environment-variables").user == "root"  # /etc is root's (through sudo)
            assert [line.split() for line in r.step("studio-shells").log.splitlines()] == [
                [kind, name, "same"] for kind in ("login", "interactive") for name in VALUES]
            assert r.step("counts").log == f"/etc/bash.bashrc:1\n/{JUPYTER_CONFIG}:1\n"
            snaps.add(r.step("snapshot").log)
    assert len(snaps) == 1
    log = starts[0].runs[0].step("environment-variables").log
    assert "variables for login shells: /etc/profile.d/lcc-environment-variables.sh" in log
    assert "variables for interactive shells: /etc/bash.bashrc" in log
    assert f"variables for JupyterLab, its kernels and terminals: /{JUPYTER_CONFIG}" in log
    keep = tmp_path / "keep-1"
    assert not (keep / DROPIN).exists()
    config = (keep / JUPYTER_CONFIG).read_text()
    assert config.startswith(IMAGE_CONFIG)
    for rel in (JUPYTER_CONFIG, "etc/lcc-constructs/jupyter.py", ENV_FILE):
        st = (keep / rel).stat()
        assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (0, 0o644), rel
    # A real Jupyter server reading that configuration starts a real kernel with the values.
    seen = server_kernel_environment(keep, config, [*VALUES, "HOME_X"], tmp_path)
    assert seen == {**VALUES, "HOME_X": None}


def server_kernel_environment(keep: Path, config: str, names: list[str],
                              tmp_path: Path) -> dict[str, str | None]:
    """``names`` as a kernel of a real Jupyter server, started without them, sees them, the
    server's configuration being ``config`` (its /etc/lcc-constructs paths read in ``keep``)."""
    home = tmp_path / "jupyter-home"
    (home / "config").mkdir(parents=True)
    (home / "config/jupyter_server_config.py").write_text(
        config.replace("'/etc/lcc-constructs/", f"'{keep}/etc/lcc-constructs/"))
    return kernel_environment("", names, tmp_path, home=home)


def test_on_studio_without_jupyter_only_the_shells_get_them(tmp_path: Path) -> None:
    scripts = recipes.environment_variables(variables=VALUES, jupyter=False) + studio_shells_probe(tmp_path)
    (start,) = studio_starts(tmp_path, scripts, starts=1)
    assert_studio_ok([start])
    keep = tmp_path / "keep-0"
    assert not (keep / JUPYTER_CONFIG).exists() and not (keep / "etc/lcc-constructs/jupyter.py").exists()
    log = start.last.step("environment-variables").log
    assert "variables for interactive shells: /etc/bash.bashrc" in log and "JupyterLab" not in log


def test_on_studio_the_server_starts_when_the_variables_cannot_be_read(tmp_path: Path) -> None:
    # The configuration's line must never keep JupyterLab from starting.
    (start,) = studio_starts(tmp_path, recipes.environment_variables(variables={"A": "1"}), starts=1)
    assert_studio_ok([start])
    keep = tmp_path / "keep-0"
    (keep / ENV_FILE).unlink()
    config = (keep / JUPYTER_CONFIG).read_text()
    assert server_kernel_environment(keep, config, ["A"], tmp_path) == {"A": None}
    assert "lcc-constructs: variables of " in (tmp_path / "jupyter-home/jupyter.log").read_text()
