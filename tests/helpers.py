"""Test helpers: write script folders, unpack rendered scripts with the real shell path, put
stand-ins in the sandbox."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from lcc_constructs import BuildOptions, RenderedScript, Scripts, build
from lcc_constructs.bundle import bootstrap_of, with_bootstrap

from .conftest import STANDINS

HOME = "/home/ec2-user"

#: Where each stand-in goes in the sandbox (tests/README.md lists them).
STANDIN_PATHS = {
    "systemctl": "/usr/bin/systemctl",
    "conda": f"{HOME}/anaconda3/bin/conda",
    "rpm": "/usr/bin/rpm",
    "dnf": "/usr/bin/dnf",
    "yum": "/usr/bin/yum",
    "crontab": "/usr/bin/crontab",
    "aws": "/usr/bin/aws",
}


def standins(tmp_path: Path, *names: str, systemd: bool = True) -> dict[str, Path]:
    """``files=`` for simulate(): the named stand-ins, and with ``systemd`` the marker of a
    booted systemd (/run/systemd/system), without which systemctl refuses to work."""
    files = {STANDIN_PATHS[n]: STANDINS / ("dnf" if n == "yum" else n) for n in names}
    if systemd:
        marker = tmp_path / "run-systemd-system"
        marker.mkdir(exist_ok=True)
        files["/run/systemd/system"] = marker
    return files


def write_folder(
    root: Path, files: Mapping[str, str | bytes], modes: Mapping[str, int] | None = None
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        path.chmod((modes or {}).get(rel, 0o755 if rel.endswith((".sh", ".py")) else 0o644))
    return root


def build_folder(root: Path, files: Mapping[str, str | bytes], **options: object) -> RenderedScript:
    return build(Scripts.from_folder(write_folder(root, files)), BuildOptions(**options))  # type: ignore[arg-type]


def write_script(path: Path, rendered: RenderedScript) -> Path:
    path.write_text(rendered.text)
    path.chmod(0o755)
    return path


def unpack_with_bootstrap(text: str, dest: Path) -> Path:
    """Run the rendered script's own decode, sha256 check and unpack with bash, into ``dest``
    instead of /startup, stopping before the runner. Returns the bundle folder."""
    bootstrap = bootstrap_of(text)
    kind = next(line[3:-1] for line in bootstrap.splitlines() if line.startswith("k='"))
    lines = []
    for line in bootstrap.splitlines():
        if line.startswith("d='"):
            line = f"d='{dest}'"
        elif line.startswith("exec /bin/bash"):
            line = "exit 0"
        lines.append(line)
    if os.geteuid() != 0:
        lines.insert(0, "chown() { :; }")
    script = dest.parent / f"{dest.name}.unpack.sh"
    script.write_text(with_bootstrap(text, "\n".join(lines) + "\n"))
    subprocess.run(["bash", str(script)], check=True, capture_output=True)
    return dest / kind


def tree(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under root: relative path -> (permission bits, content)."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[path.relative_to(root).as_posix()] = (path.stat().st_mode & 0o7777, path.read_bytes())
    return out
