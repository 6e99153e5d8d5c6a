"""Test helpers: write script folders, unpack rendered scripts with the real shell path, put
stand-ins in the sandbox, and tell who really ran a step."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lcc_constructs import BuildOptions, RenderedScript, Scripts, build
from lcc_constructs.sandbox import RunResult, SimulationResult, simulate

from .conftest import STANDINS

HOME = "/home/ec2-user"

#: Where each stand-in goes in the sandbox (tests/README.md lists them).
STANDIN_PATHS = {
    "systemctl": "/usr/bin/systemctl",
    "conda": f"{HOME}/anaconda3/bin/conda",
    "rpm": "/usr/bin/rpm",
    "dnf": "/usr/bin/dnf",
}


def standins(tmp_path: Path, *names: str, systemd: bool = True) -> dict[str, Path]:
    """``files=`` for simulate(): the named stand-ins, and with ``systemd`` the marker of a
    booted systemd (/run/systemd/system), without which systemctl refuses to work."""
    files = {STANDIN_PATHS[n]: STANDINS / n for n in names}
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


def simulate_built(tmp_path: Path, scripts: Scripts, *, files: Mapping[str, Path] | None = None,
                   runs: int = 1, volume: Path | None = None,
                   wait_background_seconds: float = 10) -> SimulationResult:
    """Build ``scripts`` into ``tmp_path/on-start.sh`` and simulate it: changes to / kept in
    ``tmp_path/keep``, the volume ``tmp_path/volume`` unless given."""
    script = write_script(tmp_path / "on-start.sh", build(scripts))
    return simulate(script, keep=tmp_path / "keep", volume=volume or tmp_path / "volume", runs=runs,
                    files=files, wait_background_seconds=wait_background_seconds)


#: Where the loader (assets/loader.sh) hands the checked program over to bash.
LOADER_RUNS = ('f=tempfile.TemporaryFile();f.write(d);f.seek(0);os.dup2(f.fileno(),0);'
               'os.execv("/bin/bash",("bash","-es"))')


def stop_loader(text: str, instead: str) -> str:
    """The rendered script with the Python statement ``instead`` where its loader hands the
    program ``d`` over to bash."""
    if text.count(LOADER_RUNS) != 1:
        raise AssertionError("the script does not hand over as the loader does")
    return text.replace(LOADER_RUNS, instead)


def run_loader(text: str, stem: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The rendered script's loader run by bash (decode, sha256 check, decompress), its last line
    (which hands the program to bash) made to copy the program to ``<stem>.program`` instead:
    nothing of the payload runs. Returns the run and where the program would be."""
    program = stem.parent / f"{stem.name}.program"
    script = stem.parent / f"{stem.name}.loader.sh"
    script.write_text(stop_loader(text, f'open({str(program)!r},"wb").write(d)'))
    return subprocess.run(["bash", str(script)], capture_output=True, text=True), program


def unpacking_program(text: str, dest: Path) -> bytes:
    """Run the rendered script's own loader with bash (:func:`run_loader`), and return the
    program it would run, made to unpack into ``dest`` instead of the unpack folder and to stop
    before the runner."""
    proc, out = run_loader(text, dest)
    proc.check_returncode()
    program = out.read_bytes()
    head, sep, rest = program.partition(b"u=")
    unpack_dir = rest.split(b" ", 1)[0]
    program = head + sep + str(dest).encode() + rest[len(unpack_dir):]
    return program.replace(b'exec bash "$u/$k/lcc/runner.sh"', b"trap - EXIT;exit 0")


def unpack_with_script(text: str, dest: Path) -> Path:
    """The bundle a rendered script unpacks, by its own shell code (loader and unpacking
    program) into ``dest``: returns the kind's folder (``scripts/`` and ``lcc/``)."""
    dest.mkdir(parents=True, exist_ok=True)
    program = dest.parent / f"{dest.name}.unpack.sh"
    program.write_bytes(unpacking_program(text, dest))
    with program.open("rb") as stdin:
        subprocess.run(["bash", "-es", "-"], stdin=stdin, check=True, capture_output=True)
    kind = next(p for p in dest.iterdir() if p.is_dir() and not p.name.startswith("."))
    return kind


def of_type(template: Any, kind: str) -> dict[str, dict[str, Any]]:
    """The resources of type ``kind`` (``AWS::...``) of a CloudFormation template, by logical id.
    ``template``: its JSON (a dict), a template file, or an ``assertions.Template``."""
    if isinstance(template, Path):
        template = json.loads(template.read_text())
    elif hasattr(template, "to_json"):
        template = template.to_json()
    return {lid: r for lid, r in template.get("Resources", {}).items() if r["Type"] == kind}


def tree(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under root: relative path -> (permission bits, content)."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[path.relative_to(root).as_posix()] = (path.stat().st_mode & 0o7777, path.read_bytes())
    return out


# --- who really ran a step -------------------------------------------------------------------
# status.json's "user" is the plan's: it says who should have run a step, not who did. A step of
# the test's own prints `id -un` (WHOAMI); a step that is not (a recipe's) gets the same line
# from the hook below, printed by the login shell the runner starts for a notebook user's step.

#: Shell for a test's own step: one line naming the user that runs it (read by :func:`ran_as`).
WHOAMI = 'echo "who=$(id -un)"\n'

#: An /etc/profile.d script for the sandbox (:func:`who_hook`): the login shell sudo starts for a
#: notebook user's step (sudo sets SUDO_USER) prints WHOAMI's line before the step runs. Other
#: login shells (a root step's own `bash -l`) print nothing.
WHO_HOOK = '[ -z "${SUDO_USER-}" ] || echo "who=$(id -un)"\n'

_WHO_LINE = re.compile(r"^who=(.*)$", re.MULTILINE)


def who_hook(tmp_path: Path) -> dict[str, Path]:
    """``files=`` for simulate(): :data:`WHO_HOOK` in the sandbox's /etc/profile.d."""
    hook = tmp_path / "who-hook.sh"
    hook.write_text(WHO_HOOK)
    return {"/etc/profile.d/zz-lcc-test-who.sh": hook}


def ran_as(log: str) -> list[str]:
    """The users a step's log says ran it, in order (its ``who=`` lines)."""
    return _WHO_LINE.findall(log)


def without_who(log: str) -> str:
    """A step's log without its ``who=`` lines: what the step itself printed."""
    return "".join(line for line in log.splitlines(keepends=True) if not _WHO_LINE.match(line))


def assert_ran_as_planned(run: RunResult) -> None:
    """With :func:`who_hook` in place: every notebook user's step of ``run`` said it ran as that
    user (and only as that user), and no root step went through a notebook user's login."""
    for s in run.steps:
        said = ran_as(s.log)
        ok = said == [] if s.user == "root" else bool(said) and set(said) == {s.user}
        assert ok, (
            f"step {s.name} (plan: {s.user}) ran as {said or 'nobody who said so'}")


def synthesized(path: Path, **props: object) -> str:
    """The on-start script a ``LifecycleConfig`` of the folder ``path`` (and ``props``) puts in
    its synthesized template."""
    import base64

    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from lcc_constructs import LifecycleConfig

    stack = cdk.Stack(cdk.App(), "S")
    LifecycleConfig(stack, "L", on_start=str(path), **props)  # type: ignore[arg-type]
    (resource,) = Template.from_stack(stack).find_resources(
        "AWS::SageMaker::NotebookInstanceLifecycleConfig").values()
    return base64.b64decode(resource["Properties"]["OnStart"][0]["Content"]).decode()
