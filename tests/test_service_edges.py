"""The service commands' edge decisions (docs/service-commands.md), against moto's server: a
configuration lcc did not build is refused with and without --dry-run, whichever kind holds the
stranger's script; diff's exit status when a kind exists on one side only; the modes of a
pulled folder; a target that is a link."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

from .servers import Moto
from .service_helpers import LCC, create_config, deployed, folder, lcc, unique

HAND_MADE = "#!/bin/bash\necho hand-made\n"


def test_a_dry_run_refuses_what_the_deploy_would_refuse(moto: Moto, lcc_env: dict[str, str],
                                                        tmp_path: Path) -> None:
    # --dry-run says what would happen: here, that the deploy would be refused (exit 1).
    name, scripts = unique("foreign-dry"), folder(tmp_path / "s")
    create_config(moto, name, on_start=HAND_MADE)
    dry = lcc(lcc_env, "deploy", name, str(scripts), "--dry-run")
    assert dry.returncode == 1, dry.stdout
    assert f"{name} holds an on-start script that lcc-constructs did not build" in dry.stderr
    assert dry.stdout == ""
    forced = lcc(lcc_env, "deploy", name, str(scripts), "--dry-run", "--force")
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.splitlines()[0] == f"{name}: would be updated"
    assert deployed(moto, name) == {"on-start": HAND_MADE}


def test_a_stranger_s_on_create_script_is_refused_too(moto: Moto, lcc_env: dict[str, str],
                                                       tmp_path: Path) -> None:
    # The on-start script is lcc's own; the on-create one is not: the configuration is refused.
    name, scripts = unique("foreign-create"), folder(tmp_path / "s")
    built = lcc(lcc_env, "build", str(scripts), "-o", "-")
    assert built.returncode == 0, built.stderr
    create_config(moto, name, on_start=built.stdout, on_create=HAND_MADE)
    for extra in ([], ["--dry-run"]):
        refused = lcc(lcc_env, "deploy", name, str(scripts), *extra)
        assert refused.returncode == 1, (extra, refused.stdout)
        assert f"{name} holds an on-create script that lcc-constructs did not build" in refused.stderr
    assert deployed(moto, name) == {"on-start": built.stdout, "on-create": HAND_MADE}
    forced = lcc(lcc_env, "deploy", name, str(scripts), "--force")
    assert forced.returncode == 0, forced.stderr
    assert set(deployed(moto, name)) == {"on-start"}


def test_diff_exits_1_when_a_kind_is_on_one_side_only(moto: Moto, lcc_env: dict[str, str],
                                                      tmp_path: Path) -> None:
    name, scripts = unique("one-side"), folder(tmp_path / "s")
    once = folder(tmp_path / "once", {"setup.sh": "echo once\n"}, {})
    assert lcc(lcc_env, "deploy", name, str(scripts)).returncode == 0
    # Wanted: an on-create script the configuration does not have.
    wanted = lcc(lcc_env, "diff", name, str(scripts), "--on-create", str(once))
    assert wanted.returncode == 1, wanted.stderr
    assert wanted.stdout.splitlines() == ["on-start: same", "on-create: differs",
                                          "  + on-create script: 1 step(s) (setup), 1 file(s), "
                                          + wanted.stdout.split("1 file(s), ")[1].splitlines()[0]]
    as_json = lcc(lcc_env, "diff", name, str(scripts), "--on-create", str(once), "--json")
    assert as_json.returncode == 1, as_json.stderr
    document = json.loads(as_json.stdout)
    assert document["same"] is False
    assert [(s["kind"], s["same"], s["deployed"], s["wanted"]) for s in document["scripts"]] == [
        ("on-start", True, True, True), ("on-create", False, False, True)]
    # Deployed: an on-start script compared with nothing of that kind.
    only_create = lcc(lcc_env, "diff", name, "--on-create", str(once), "--json")
    assert only_create.returncode == 1, only_create.stderr
    assert [(s["kind"], s["same"], s["deployed"], s["wanted"]) for s in json.loads(only_create.stdout)[
        "scripts"]] == [("on-start", False, True, False), ("on-create", False, False, True)]


def test_a_pulled_folder_gets_the_modes_a_new_folder_gets(moto: Moto, lcc_env: dict[str, str],
                                                         tmp_path: Path) -> None:
    # Written beside its target as a private temporary folder, then given the user's umask's
    # modes: what mkdir would have made, not a folder only its owner may read.
    name = unique("modes")
    create_config(moto, name, on_start=HAND_MADE)
    pulled = tmp_path / "pulled"
    for umask, mode in ((0o022, 0o755), (0o027, 0o750)):
        proc = subprocess.run([LCC, "pull", name, str(pulled), "--replace"], env=lcc_env, capture_output=True,
                              text=True, timeout=120, umask=umask)
        assert proc.returncode == 0, proc.stderr
        assert stat.S_IMODE(pulled.stat().st_mode) == mode, oct(umask)


def test_a_link_as_the_target_is_refused(moto: Moto, lcc_env: dict[str, str], tmp_path: Path) -> None:
    # A link to an empty folder is not a folder to write into: what it points to stays as it is.
    name = unique("link")
    create_config(moto, name, on_start=HAND_MADE)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = tmp_path / "target"
    os.symlink(elsewhere, target)
    proc = lcc(lcc_env, "pull", name, str(target))
    assert proc.returncode == 2
    assert f"{target} exists and is not a folder" in proc.stderr
    assert target.is_symlink() and list(elsewhere.iterdir()) == []
