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
    calls_probe,
    probe,
    restarts,
    run,
    snapshot_probe,
    snapshots,
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

def kernel_environment(env_file: str, names: list[str], tmp_path: Path) -> dict[str, str | None]:
    """Start a real Jupyter server on 127.0.0.1 with the environment systemd would give it from
    ``env_file``, start a real kernel through its REST API, and ask the kernel for ``names``."""
    from jupyter_client import BlockingKernelClient

    home = tmp_path / "jupyter-home"
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
