"""Property: any set of files survives build and unpack byte for byte and mode for mode, whatever
the codec: odd names, empty files, binary content, deep folders, modes.

Each example is unpacked by the script's own bash (tests/helpers.py::unpack_with_script: the
decoders, the sha256 check and the unpackers of the rendered script, on this machine); one
example of every kind goes through the notebook-instance sandbox as well."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lcc_constructs import BuildOptions, Scripts, Step, build
from lcc_constructs.bundle.codecs import candidates
from lcc_constructs.sandbox import simulate

from .helpers import tree, unpack_with_script, write_script

STEP = "zz-run.sh"
MODES = [0o400, 0o444, 0o500, 0o555, 0o600, 0o644, 0o700, 0o750, 0o755]
# Characters that break naive quoting: spaces, quotes, $, backquotes, globs, backslashes,
# newlines, tabs, dashes, non-ASCII letters.
NAME_CHARS = st.sampled_from(list("aZ9 _-.'\"$`*?[]\\\n\t=;&|<>(){}#~!é漢")) | st.characters(
    codec="utf-8", exclude_characters="/\0", exclude_categories=["Cs"])
RESERVED = {"lifecycle.toml", "__pycache__", ".DS_Store", ".git", STEP}

component = st.text(NAME_CHARS, min_size=1, max_size=12).filter(
    lambda c: c not in (".", "..") and c not in RESERVED and not c.endswith((".pyc", ".sh", ".py", ".bash")))
paths = st.lists(component, min_size=1, max_size=7).map(lambda parts: "/".join(parts))
content = st.one_of(st.just(b""), st.binary(max_size=300), st.text(max_size=200).map(str.encode),
                    st.binary(min_size=1, max_size=3000).map(lambda b: b * 3))
file_sets = st.dictionaries(paths, st.tuples(content.filter(lambda d: not d.startswith(b"#!")),
                                             st.sampled_from(MODES)),
                            min_size=1, max_size=12)


def consistent(files: dict[str, tuple[bytes, int]]) -> bool:
    """No path may be both a file and the folder of another."""
    folders = {str(p) for path in files for p in PurePosixPath(path).parents}
    return not folders & set(files)


def write(root: Path, files: dict[str, tuple[bytes, int]]) -> Path:
    for rel, (data, mode) in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode)
    (root / STEP).write_text("echo ran\n")
    (root / STEP).chmod(0o755)
    return root


CODECS = [c.name for c in candidates()]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=file_sets.filter(consistent), codec=st.sampled_from([None, *CODECS]))
def test_any_files_survive_build_and_unpack(files: dict[str, tuple[bytes, int]], codec: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write(Path(tmp) / "scripts", files)
        rendered = build(Scripts.from_folder(folder, steps=[Step(name="run", script=STEP)]),
                         BuildOptions(codec=codec))
        bundle = unpack_with_script(rendered.text, Path(tmp) / "startup")
        assert tree(bundle / "scripts") == tree(folder)


NASTY: dict[str, tuple[bytes, int]] = {
    "a b/'q'/\"d\"/$x/`y`/-n/--/*/?/[x]/deep/er/still/file\nname": (os.urandom(2000), 0o600),
    "empty": (b"", 0o444),
    "é漢/\\back\tslash": (b"\0\xff\n" * 500, 0o755),
    "-rf": (b"-", 0o400),
}


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
@pytest.mark.parametrize("codec", ["lzma+base94", "bzip2+base94", "deflate+base85"])
def test_odd_files_survive_on_the_instance(tmp_path: Path, codec: str) -> None:
    folder = write(tmp_path / "scripts", NASTY)
    rendered = build(Scripts.from_folder(folder, steps=[Step(name="run", script=STEP)]),
                     BuildOptions(codec=codec))
    result = simulate(write_script(tmp_path / "on-start.sh", rendered), keep=tmp_path / "keep",
                      volume=tmp_path / "volume")
    assert not result.would_fail, result.last.output
    assert tree(tmp_path / "keep" / "startup" / "on-start" / "scripts") == tree(folder)
