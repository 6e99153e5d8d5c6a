"""The part of the sandbox that runs inside the new mount and PID namespaces.

Started by :mod:`lcc_constructs.sandbox` as ``unshare --mount --pid --fork --mount-proc
--propagation private python -m lcc_constructs.sandbox._inner CONFIG.json``, so it is PID 1 of
the namespace: when it exits, every process the script left behind is killed, and every mount
it made disappears. Nothing here touches the host's files except the persistent-volume folder
(bind-mounted in) and the result and keep folders.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

LCC_PATH = "/sbin:bin:/usr/sbin:/usr/bin"


def sh(*args: str) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def free_id(path: Path, start: int = 1000) -> int:
    used = set()
    for line in path.read_text().splitlines():
        parts = line.split(":")
        if len(parts) > 2 and parts[2].isdigit():
            used.add(int(parts[2]))
    uid = start
    while uid in used:
        uid += 1
    return uid


def add_studio_user(root: Path, user: str, home: str, uid: int, gid: int) -> None:
    """Studio's user, with its fixed ids (an account of the host's with them is left out of the
    sandbox's /etc/passwd), and its passwordless sudo, in the overlay only."""
    passwd = root / "etc/passwd"
    kept = [ln for ln in passwd.read_text().splitlines()
            if ln.split(":")[0] != user and ln.split(":")[2:3] != [str(uid)]]
    passwd.write_text("\n".join([*kept, f"{user}:x:{uid}:{gid}:{user}:{home}:/bin/bash"]) + "\n")
    shadow = root / "etc/shadow"
    if shadow.exists():  # sudo's PAM account check wants an entry (no password: * )
        kept = [ln for ln in shadow.read_text().splitlines() if ln.split(":")[0] != user]
        shadow.write_text("\n".join([*kept, f"{user}:*:20000:0:99999:7:::"]) + "\n")
    group = root / "etc/group"
    if not any(ln.split(":")[2:3] == [str(gid)] for ln in group.read_text().splitlines()):
        with group.open("a") as f:
            f.write(f"users:x:{gid}:\n")
    sudoers = root / "etc/sudoers.d"
    sudoers.mkdir(parents=True, exist_ok=True)
    (sudoers / "lcc-sandbox-studio").write_text(f"{user} ALL=(ALL) NOPASSWD: ALL\n")
    (sudoers / "lcc-sandbox-studio").chmod(0o440)


def add_user(root: Path, user: str, home: str) -> tuple[int, int]:
    """Create the notebook user in the sandbox's /etc (written to the overlay only)."""
    passwd, group, shadow = root / "etc/passwd", root / "etc/group", root / "etc/shadow"
    for line in passwd.read_text().splitlines():
        parts = line.split(":")
        if parts[0] == user:
            return int(parts[2]), int(parts[3])
    uid = free_id(passwd)
    gids = {ln.split(":")[2] for ln in group.read_text().splitlines() if ln.count(":") >= 2}
    gid = uid if str(uid) not in gids else free_id(group)
    with passwd.open("a") as f:
        f.write(f"{user}:x:{uid}:{gid}:{user}:{home}:/bin/bash\n")
    with group.open("a") as f:
        f.write(f"{user}:x:{gid}:\n")
    if shadow.exists():
        with shadow.open("a") as f:
            f.write(f"{user}:!:20000:0:99999:7:::\n")
    return uid, gid


def prepare(cfg: dict[str, Any]) -> tuple[Path, Path]:
    work = Path(cfg["work"])
    layer, root = work / "layer", work / "root"
    layer.mkdir()
    root.mkdir()
    sh("mount", "-t", "tmpfs", "-o", "mode=755", "lcc-sandbox", str(layer))
    (layer / "upper").mkdir()
    (layer / "work").mkdir()
    sh("mount", "-t", "overlay", "overlay", "-o",
       f"lowerdir=/,upperdir={layer}/upper,workdir={layer}/work", str(root))
    sh("mount", "-t", "proc", "proc", str(root / "proc"))
    sh("mount", "--rbind", "/dev", str(root / "dev"))
    sh("mount", "--rbind", "/sys", str(root / "sys"))
    sh("mount", "-t", "tmpfs", "-o", "mode=1777", "tmpfs", str(root / "tmp"))
    (root / "run").mkdir(exist_ok=True)
    sh("mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", str(root / "run"))

    user, home = cfg["user"], cfg["home"]
    if cfg.get("studio"):
        uid, gid = cfg["uid"], cfg["gid"]
        add_studio_user(root, user, home, uid, gid)
    else:
        uid, gid = add_user(root, user, home)
    home_dir = root / home.lstrip("/")
    if not home_dir.exists() and not cfg.get("studio"):
        skel = root / "etc/skel"
        if skel.is_dir():
            shutil.copytree(skel, home_dir, symlinks=True)
        else:
            home_dir.mkdir(parents=True)
        for dirpath, _, filenames in os.walk(home_dir):
            os.chown(dirpath, uid, gid)
            for name in filenames:
                os.lchown(os.path.join(dirpath, name), uid, gid)
        home_dir.chmod(0o700)
    volume_mount = root / cfg["volume_path"].lstrip("/")
    volume_mount.mkdir(parents=True, exist_ok=True)
    sh("mount", "--bind", cfg["volume"], str(volume_mount))
    os.chown(volume_mount, uid, gid)
    volume_mount.chmod(0o755)
    if cfg.get("studio"):
        # Studio's container starts afresh: no cron running, no systemd (the host's are not
        # running in the sandbox either); the space's metadata file is there.
        metadata = root / "opt/ml/metadata/resource-metadata.json"
        metadata.parent.mkdir(parents=True, exist_ok=True)
        metadata.write_text(json.dumps(cfg["metadata"]))

    hosts = root / "etc/hosts"
    hostname = os.uname().nodename
    text = hosts.read_text() if hosts.exists() else ""
    if hostname not in text.split():
        hosts.write_text(text + f"127.0.1.1 {hostname}\n")
    for path in cfg.get("hide", []):
        # Removing it from the overlay leaves a whiteout there: the host keeps its copy.
        hidden = root / path.lstrip("/")
        if hidden.is_dir() and not hidden.is_symlink():
            shutil.rmtree(hidden)
        elif hidden.exists() or hidden.is_symlink():
            hidden.unlink()
    for dest, src in cfg.get("files", {}).items():
        target = root / dest.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if Path(src).is_dir():
            shutil.copytree(src, target, symlinks=True, dirs_exist_ok=True)
        else:
            shutil.copy2(src, target)
    for dest, src in cfg.get("binds", {}).items():
        target = root / dest.lstrip("/")
        if Path(src).is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch()
        sh("mount", "--bind", src, str(target))
        sh("mount", "-o", "remount,bind,ro", str(target))
    return layer, root


def other_processes() -> list[int]:
    me = os.getpid()
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != me]


def reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


#: Bytes of each file of root's record copied out of the sandbox (a step may print gigabytes).
RECORD_BYTES = 8 << 20


def save_records(root: Path, root_logs: str, records: Path) -> list[str]:
    """Copies the run folders of root's log folder in the sandbox (each file's first
    RECORD_BYTES) to ``records``, and returns their names, oldest first."""
    logs = root / root_logs.lstrip("/")
    try:
        runs = sorted(p for p in logs.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return []
    for run in runs:
        (records / run.name).mkdir(parents=True, exist_ok=True)
        for f in run.iterdir():
            if f.is_file() and not f.is_symlink():
                with f.open("rb") as src:
                    (records / run.name / f.name).write_bytes(src.read(RECORD_BYTES))
    return [r.name for r in runs]


def run_once(root: Path, script: bytes, index: int, limit: float,
             env: dict[str, str], ids: tuple[int, int] | None = None) -> dict[str, Any]:
    """One run of ``script``: as root, or (``ids``: Studio) as that uid and gid."""
    name = f"lcc-{os.getpid()}-{index}-on-start.sh"
    path = root / "tmp" / name
    path.write_bytes(script)
    path.chmod(0o700)
    if ids:
        os.chown(path, *ids)

    def enter() -> None:
        os.chroot(root)
        os.chdir("/")
        os.setsid()
        if ids:
            os.setgroups([ids[1]])
            os.setgid(ids[1])
            os.setuid(ids[0])

    start = time.monotonic()
    proc = subprocess.Popen(
        [f"/tmp/{name}"], cwd="/", env={"PATH": LCC_PATH, **env}, preexec_fn=enter,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    chunks: list[bytes] = []
    exit_code: int | None = None
    exited_at: float | None = None
    output_closed = False
    while time.monotonic() - start < limit:
        try:
            chunk = proc.stdout.read()
        except BlockingIOError:
            chunk = None
        if chunk:
            chunks.append(chunk)
            # Passed on as it comes: the outer process streams it (lcc simulate).
            sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
        elif chunk == b"":
            output_closed = True
        if exit_code is None and proc.poll() is not None:
            exit_code = proc.returncode
            exited_at = time.monotonic() - start
        if exit_code is not None and output_closed:
            break
        time.sleep(0.02)
    duration = time.monotonic() - start
    timed_out = not (exit_code is not None and output_closed)
    if timed_out:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        if exit_code is None:
            proc.wait()
    reap()
    return {
        "exit_code": exit_code,
        "exited_after": exited_at,
        "duration": duration,
        "timed_out": timed_out,
        "output_held_open": exit_code is not None and not output_closed,
        "output": b"".join(chunks).decode("utf-8", "replace"),
    }


def main(config_path: str) -> int:
    cfg = json.loads(Path(config_path).read_text())
    result: dict[str, Any] = {"runs": []}
    try:
        layer, root = prepare(cfg)
        script = Path(cfg["script"]).read_bytes()
        for i in range(cfg["runs"]):
            if i:
                sys.stdout.buffer.write(f"--- output of run {i + 1} ---\n".encode())
            ids = (cfg["uid"], cfg["gid"]) if cfg.get("studio") else None
            run = run_once(root, script, i, cfg["limit"], cfg.get("env", {}), ids)
            run["run_dirs"] = save_records(root, cfg["root_logs"], Path(cfg["records"]))
            result["runs"].append(run)
        deadline = time.monotonic() + cfg["wait_background"]
        while other_processes() and time.monotonic() < deadline:
            reap()
            time.sleep(0.05)
        result["left_running"] = len(other_processes())
        save_records(root, cfg["root_logs"], Path(cfg["records"]))  # what background steps added
        if cfg.get("keep"):
            keep = Path(cfg["keep"])
            keep.mkdir(parents=True, exist_ok=True)
            sh("cp", "-a", f"{layer}/upper/.", str(keep))
    except subprocess.CalledProcessError as e:
        result["error"] = f"{' '.join(e.cmd)}: {e.stderr.decode(errors='replace').strip()}"
    except OSError as e:
        result["error"] = str(e)
    Path(cfg["result"]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
