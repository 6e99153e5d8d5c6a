"""How the bundle becomes a payload, and the payload text inside the script.

A codec is three parts, each with its Python side here and its shell side in ``assets/codecs``:

- an **archive** format (``tar`` or ``shar``) turning the files into one stream; its shell
  defines ``lcc_unpack PAYLOAD DIR``;
- a **compressor** (``gzip``, ``bzip2``, ``xz``, ``lzma``, ``lzma-raw``); its shell defines
  ``lcc_decompress`` (stdin to stdout), with python3 standing in for a missing program;
- a text **encoding** safe inside a quoted here-document (``base64``, ``base94``); its shell
  defines ``lcc_decode`` (stdin to stdout).

:func:`candidates` lists every combination; the bundler renders each and keeps the one giving
the fewest characters (``SizeReport.codec`` names it, e.g. ``shar+lzma-raw+base94``).
"""

from __future__ import annotations

import base64
import bz2
import gzip
import lzma
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

from ._assets import shell_body
from .archive import ArchiveEntry, build_shar, build_tar, read_shar, read_tar
from .errors import BundleError


@dataclass(frozen=True)
class Archiver:
    name: str
    pack: Callable[[Sequence[ArchiveEntry]], bytes]
    unpack: Callable[[bytes], list[ArchiveEntry]]
    assets: tuple[str, ...]


@dataclass(frozen=True)
class Compressor:
    name: str
    compress: Callable[[bytes], bytes]
    decompress: Callable[[bytes], bytes]
    assets: tuple[str, ...]


@dataclass(frozen=True)
class Encoding:
    name: str
    encode: Callable[[bytes], str]
    decode: Callable[[str], bytes]
    assets: tuple[str, ...]


@dataclass(frozen=True)
class Codec:
    archiver: Archiver
    compressor: Compressor
    encoding: Encoding

    @property
    def name(self) -> str:
        return f"{self.archiver.name}+{self.compressor.name}+{self.encoding.name}"

    def shell(self) -> str:
        """The shell functions of the three parts, ready to paste into the bootstrap (each file
        without its #! line, shared helpers once)."""
        assets = dict.fromkeys(self.encoding.assets + self.compressor.assets + self.archiver.assets)
        return "\n".join(shell_body(a) for a in assets)


# --- compressors: best settings, nothing machine-specific in the output ---

#: LZMA settings shared by the three LZMA containers; the lzma-raw decoder is told them
#: (assets/codecs/compress/lzma-raw.sh). pb=0 suits text, which has no 2- or 4-byte structure.
LZMA_FILTER = {"id": lzma.FILTER_LZMA1, "preset": 9 | lzma.PRESET_EXTREME, "lc": 3, "lp": 0,
               "pb": 0, "dict_size": 1 << 20}
_LZMA_RAW_FILTERS = [{k: LZMA_FILTER[k] for k in ("id", "lc", "lp", "pb", "dict_size")}]


def _gzip(data: bytes) -> bytes:
    # mtime=0 and no file name: the gzip header carries nothing machine-specific.
    return gzip.compress(data, compresslevel=9, mtime=0)


def _xz(data: bytes) -> bytes:
    lzma2 = {**LZMA_FILTER, "id": lzma.FILTER_LZMA2}
    return lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_NONE, filters=[lzma2])


def _lzma_alone(data: bytes) -> bytes:
    return lzma.compress(data, format=lzma.FORMAT_ALONE, filters=[LZMA_FILTER])


#: The .lzma header: properties (1 byte), dictionary size (4), uncompressed size (8).
_LZMA_ALONE_HEADER = 13


def _lzma_raw(data: bytes) -> bytes:
    # The .lzma container holds exactly the raw stream after its header.
    return _lzma_alone(data)[_LZMA_ALONE_HEADER:]


def _unlzma_raw(data: bytes) -> bytes:
    return lzma.decompress(data, format=lzma.FORMAT_RAW, filters=_LZMA_RAW_FILTERS)


# --- encodings ---

#: base94: groups of 9 bytes as 11 digits from '!' (0) to '~' (93); 94**11 > 256**9.
B94_FIRST, B94_BASE, B94_CHARS, B94_BYTES = 33, 94, 11, 9


def b94encode(data: bytes) -> str:
    pad = -len(data) % B94_BYTES
    data += b"\0" * pad
    out = [str(pad)]
    for i in range(0, len(data), B94_BYTES):
        v = int.from_bytes(data[i:i + B94_BYTES], "big")
        digits = []
        for _ in range(B94_CHARS):
            v, d = divmod(v, B94_BASE)
            digits.append(chr(B94_FIRST + d))
        out.append("".join(reversed(digits)))
    return "".join(out)


def b94decode(text: str) -> bytes:
    text = text.strip()
    if not text or not text[0].isdigit() or (len(text) - 1) % B94_CHARS:
        raise ValueError("not base94 text of lcc-constructs")
    out = bytearray()
    for i in range(1, len(text), B94_CHARS):
        v = 0
        for ch in text[i:i + B94_CHARS]:
            d = ord(ch) - B94_FIRST
            if not 0 <= d < B94_BASE:
                raise ValueError(f"character {ch!r} is not a base94 digit")
            v = v * B94_BASE + d
        out += v.to_bytes(B94_BYTES, "big")
    return bytes(out[:len(out) - int(text[0])])


def _not_text(_: object) -> Any:
    raise BundleError("the payload of an s3 script is an S3 object, not text in the script")


def _b64decode(text: str) -> bytes:
    return base64.b64decode("".join(text.split()), validate=True)


TAR = Archiver("tar", build_tar, read_tar, ("codecs/archive/tar.sh",))
SHAR = Archiver("shar", build_shar, read_shar, ("codecs/archive/shar.sh",))

_INSTEAD = "codecs/python-instead.sh"
GZIP = Compressor("gzip", _gzip, gzip.decompress, ("codecs/compress/gzip.sh",))
BZIP2 = Compressor("bzip2", lambda d: bz2.compress(d, 9), bz2.decompress,
                   (_INSTEAD, "codecs/compress/bzip2.sh"))
XZ = Compressor("xz", _xz, lzma.decompress, (_INSTEAD, "codecs/compress/xz.sh"))
LZMA = Compressor("lzma", _lzma_alone, lzma.decompress, (_INSTEAD, "codecs/compress/lzma.sh"))
LZMA_RAW = Compressor("lzma-raw", _lzma_raw, _unlzma_raw, (_INSTEAD, "codecs/compress/lzma-raw.sh"))

BASE64 = Encoding("base64", lambda b: base64.b64encode(b).decode("ascii"), _b64decode,
                  ("codecs/encode/base64.sh",))
BASE94 = Encoding("base94", b94encode, b94decode, ("codecs/encode/base94.sh",))
#: payload="s3": the compressed bundle is an S3 object, downloaded as it is (assets/payload/s3.sh).
S3_OBJECT = Encoding("s3", _not_text, _not_text, ())

ARCHIVERS = (TAR, SHAR)
COMPRESSORS = (GZIP, BZIP2, XZ, LZMA, LZMA_RAW)
ENCODINGS = (BASE64, BASE94)


def candidates(payload: str = "inline") -> Iterator[Codec]:
    """Every codec the bundler may choose for an ``inline`` or ``s3`` payload, simplest first
    (the first of equals wins)."""
    encodings = ENCODINGS if payload == "inline" else (S3_OBJECT,)
    for a, c, e in product(ARCHIVERS, COMPRESSORS, encodings):
        yield Codec(a, c, e)


def codec_named(name: str) -> Codec:
    """A codec by its name, ``archive+compressor+encoding``."""
    for codec in (*candidates("inline"), *candidates("s3")):
        if codec.name == name:
            return codec
    parts = [", ".join(p.name for p in group) for group in (ARCHIVERS, COMPRESSORS, ENCODINGS)]
    raise BundleError(
        f"codec {name!r} is not known: use ARCHIVE+COMPRESSOR+ENCODING with archive one of "
        f"{parts[0]}; compressor one of {parts[1]}; encoding one of {parts[2]} "
        "(or leave it unset to get the smallest)"
    )
