#!/usr/bin/env python3
"""Pack our own assets: what runs on the instance, minified once, at development time.

Every character of a lifecycle script is the user's, so the files of ``assets/`` travel
minified: shell by ``shfmt -mn`` (comments, indentation and optional blanks dropped; checked
with ``bash -n``), Python by python-minifier (docstrings and comments dropped, names
shortened; checked by compiling it). The results are committed under ``assets/packed/`` with the
same relative paths: the bundler reads only those, so what a build emits does not depend on the
tools or the Python version of the machine that builds it. ``./dev pack`` runs this;
tests/test_assets.py fails when a packed file is stale.

    python tools/pack_assets.py           # write assets/packed
    python tools/pack_assets.py --check   # exit 1 and name the stale files
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
PACKED = ASSETS / "packed"
sys.path.insert(0, str(ROOT))

from lcc_constructs.bundle._minify import find_shfmt  # noqa: E402


def sources() -> list[Path]:
    return sorted(p for p in ASSETS.rglob("*") if p.is_file() and PACKED not in p.parents
                  and p.suffix in (".sh", ".py"))


def _shfmt() -> str:
    found = find_shfmt()
    if not found:
        raise SystemExit("shfmt not found: pip install shfmt-py (./dev sets it up)")
    return found


def pack_shell(path: Path) -> bytes:
    out = subprocess.run([_shfmt(), "-mn", str(path)], capture_output=True, check=True).stdout
    subprocess.run(["bash", "-n"], input=out, check=True)
    return out


def pack_python(path: Path) -> bytes:
    import python_minifier

    source = path.read_text()
    out = python_minifier.minify(source, filename=str(path), remove_literal_statements=True,
                                 hoist_literals=False, rename_globals=True,
                                 preserve_globals=["main"])
    compile(out, str(path), "exec")
    return (out.rstrip("\n") + "\n").encode()


def pack(path: Path) -> bytes:
    if ASSETS / "codecs" in path.parents:
        # Pieces of the loader's Python, written minimal by hand (assets/codecs/README.md): the
        # minifier would rename the names they share with the loader.
        compile(path.read_bytes(), str(path), "exec")
        return path.read_bytes()
    return pack_shell(path) if path.suffix == ".sh" else pack_python(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say which packed files are stale")
    args = parser.parse_args()
    wanted = {PACKED / p.relative_to(ASSETS): pack(p) for p in sources()}
    stale = [p for p, data in wanted.items() if not p.is_file() or p.read_bytes() != data]
    extra = [p for p in PACKED.rglob("*") if p.is_file() and p not in wanted] if PACKED.is_dir() else []
    if args.check:
        for p in stale + extra:
            print(f"stale: {p.relative_to(ROOT)}")
        return 1 if stale or extra else 0
    for p in extra:
        p.unlink()
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(wanted[p])
        print(f"packed {p.relative_to(ROOT)} ({len(wanted[p])} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
