"""Minification's guards (docs/capacity.md, "Minification"): a file whose minified form is not
shorter is packed as it was, and a minified build that would come out larger than the plain one
is not used (the plain one is, with a warning); what is minified is the same program."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

from lcc_constructs import BuildOptions, Scripts, build
from lcc_constructs.bundle._minify import minify_python, minify_scripts

from .helpers import write_folder

#: Forty functions with comments and indentation: minified, a third shorter.
SOURCE = "".join(f"def f{i}(x):\n    # comment number {i} about f{i}\n    if x > {i}:\n"
                 f"        return x * {i}\n    return None\n\n\n" for i in range(40))


def test_a_file_minification_would_not_shorten_is_packed_as_it_was(tmp_path: Path) -> None:
    # Without its last newline, "print(1)" minified is one byte longer.
    files = {"short.py": "print(1)", "same.py": "print(1)\n", "long.py": SOURCE}
    scripts = Scripts.from_folder(write_folder(tmp_path / "s", files))
    minified = {f.path: f.data for f in minify_scripts(scripts).scripts.files}
    assert minify_python(b"print(1)") == (b"print(1)\n", "")
    assert minified["short.py"] == b"print(1)" and minified["same.py"] == b"print(1)\n"
    assert len(minified["long.py"]) < 0.7 * len(SOURCE)
    assert ast.dump(ast.parse(minified["long.py"])) == ast.dump(ast.parse(SOURCE))


def test_a_minified_build_that_is_not_smaller_is_not_used(tmp_path: Path) -> None:
    # The same text as a data file, which is never minified: plain, the compressor stores the
    # second copy almost for free; minified, the two differ and both cost their bytes.
    folder = write_folder(tmp_path / "s", {"a.py": SOURCE, "copy.txt": SOURCE,
                                           "lifecycle.toml": '[[step]]\nscript = "a.py"\n'})
    plain = build(Scripts.from_folder(folder))
    minified = build(Scripts.from_folder(folder), BuildOptions(minify=True))
    assert minified.text == plain.text
    assert minified.report.encoded_chars == plain.report.encoded_chars
    assert minified.report.warnings == ("minified, the script was not smaller: packed as it was",)
    assert minified.report.minified_bytes == minified.report.raw_bytes == 2 * len(SOURCE)
    # Without the copy, minification pays.
    (folder / "copy.txt").unlink()
    alone = build(Scripts.from_folder(folder), BuildOptions(minify=True))
    assert alone.report.encoded_chars < build(Scripts.from_folder(folder)).report.encoded_chars
    assert alone.report.warnings == ()


def test_a_number_is_never_glued_to_the_word_after_it() -> None:
    # "1if" and "1.if" parse with a warning today (an invalid decimal literal) and not at all in
    # a later Python: minified, the file compiles without any warning.
    source = b"x = 1 if y else 2\nz = 1. if y else 0x1F\nw = 1 .real\nv = [0x1 for _ in ()]\n"
    small, why = minify_python(source)
    assert small == b"x=1 if y else 2\nz=1. if y else 0x1F\nw=1 .real\nv=[0x1 for _ in()]\n", why
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compile(small, "small.py", "exec")
