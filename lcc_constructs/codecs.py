"""How the archive becomes text inside the script, and the shell that undoes it on the instance.

A codec turns the archive into a binary payload (whose sha256 the bootstrap checks) and the
payload into text safe inside a quoted here-document. Its shell side lives in
``assets/codecs/<name>.sh`` and defines ``lcc_decode`` (text on stdin to payload on stdout) and
``lcc_unpack PAYLOAD DIR``.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Callable
from dataclasses import dataclass

from ._assets import read_asset


@dataclass(frozen=True)
class Codec:
    name: str
    compress: Callable[[bytes], bytes]
    encode: Callable[[bytes], str]
    decompress: Callable[[bytes], bytes]
    decode: Callable[[str], bytes]

    def shell(self) -> str:
        """The codec's shell functions, ready to paste into the bootstrap."""
        return read_asset(f"codecs/{self.name.replace('+', '-')}.sh").decode()


def _gzip(data: bytes) -> bytes:
    # mtime=0 and no file name: the gzip header carries nothing machine-specific.
    return gzip.compress(data, compresslevel=9, mtime=0)


TAR_GZIP_BASE64 = Codec(
    name="tar+gzip+base64",
    compress=_gzip,
    encode=lambda blob: base64.b64encode(blob).decode("ascii"),
    decompress=gzip.decompress,
    decode=lambda text: base64.b64decode("".join(text.split())),
)

CODECS: dict[str, Codec] = {c.name: c for c in (TAR_GZIP_BASE64,)}
DEFAULT_CODEC = TAR_GZIP_BASE64
