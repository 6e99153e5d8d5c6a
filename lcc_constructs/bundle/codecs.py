"""How the bundle travels: a compressor and a text encoding (or an S3 object).

The bundle is one program, the unpacking program with its archive (archive.py); a codec
compresses it and encodes the result as text that is safe inside the loader's quoted
here-document. Each part has its Python side here and its shell side in ``assets/codecs``: a
command the loader runs (``decode``: text on stdin to bytes; ``decompress``: bytes to the
program), which checks for its program and says what it falls back to.

:func:`candidates` lists every combination; the bundler renders each and keeps the one giving
the fewest characters (``SizeReport.codec`` names it, e.g. ``lzma-raw+base94``).
"""

from __future__ import annotations

import base64
import bz2
import gzip
import lzma
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import product
from typing import Any

from ..errors import ValidationError
from ._assets import snippet


@dataclass(frozen=True)
class Compressor:
    name: str
    compress: Callable[[bytes], bytes]
    decompress: Callable[[bytes], bytes]

    def shell(self) -> str:
        """The loader's command that undoes it (stdin to stdout)."""
        return snippet(f"codecs/decompress/{self.name}.sh")


@dataclass(frozen=True)
class Encoding:
    name: str
    encode: Callable[[bytes], str]
    decode: Callable[[str], bytes]

    def shell(self) -> str:
        """The loader's command that undoes it (stdin to stdout); for an S3 object, the
        download."""
        return snippet("payload/s3.sh" if self is S3_OBJECT else f"codecs/decode/{self.name}.sh")


@dataclass(frozen=True)
class Codec:
    compressor: Compressor
    encoding: Encoding

    @property
    def name(self) -> str:
        return f"{self.compressor.name}+{self.encoding.name}"


# --- compressors: best settings, nothing machine-specific in the output ---

#: LZMA settings shared by the three LZMA containers; the lzma-raw decoder is told them
#: (assets/codecs/decompress/lzma-raw.sh). pb=0 suits text, which has no 2- or 4-byte structure.
LZMA_FILTER = {"id": lzma.FILTER_LZMA1, "preset": 9 | lzma.PRESET_EXTREME, "lc": 3, "lp": 0,
               "pb": 0, "dict_size": 1 << 20}
_LZMA_RAW_FILTERS = [{k: LZMA_FILTER[k] for k in ("id", "lc", "lp", "pb", "dict_size")}]


def _gzip(data: bytes) -> bytes:
    # No file name and mtime 0; the OS byte is set to 255 ("unknown") because Python writes a
    # different one from version to version: the same input gives the same bytes anywhere.
    out = bytearray(gzip.compress(data, compresslevel=9, mtime=0))
    out[9] = 255
    return bytes(out)


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
    raise ValidationError("the payload of an s3 script is an S3 object, not text in the script")


def _b64decode(text: str) -> bytes:
    return base64.b64decode("".join(text.split()), validate=True)


GZIP = Compressor("gzip", _gzip, gzip.decompress)
BZIP2 = Compressor("bzip2", lambda d: bz2.compress(d, 9), bz2.decompress)
XZ = Compressor("xz", _xz, lzma.decompress)
LZMA = Compressor("lzma", _lzma_alone, lzma.decompress)
LZMA_RAW = Compressor("lzma-raw", _lzma_raw, _unlzma_raw)

BASE64 = Encoding("base64", lambda b: base64.b64encode(b).decode("ascii"), _b64decode)
BASE94 = Encoding("base94", b94encode, b94decode)
#: payload="s3": the compressed bundle is an S3 object, downloaded as it is (assets/payload/s3.sh).
S3_OBJECT = Encoding("s3", _not_text, _not_text)

COMPRESSORS = (GZIP, BZIP2, XZ, LZMA, LZMA_RAW)
ENCODINGS = (BASE64, BASE94)


def candidates(payload: str = "inline") -> Iterator[Codec]:
    """Every codec the bundler may choose for an ``inline`` or ``s3`` payload, simplest first
    (the first of equals wins)."""
    encodings = ENCODINGS if payload == "inline" else (S3_OBJECT,)
    for c, e in product(COMPRESSORS, encodings):
        yield Codec(c, e)


def codec_named(name: str) -> Codec:
    """A codec by its name, ``compressor+encoding``."""
    for codec in (*candidates("inline"), *candidates("s3")):
        if codec.name == name:
            return codec
    raise ValidationError(
        f"codec {name!r} is not known: use COMPRESSOR+ENCODING with compressor one of "
        f"{', '.join(c.name for c in COMPRESSORS)} and encoding one of "
        f"{', '.join(e.name for e in ENCODINGS)} (or leave it unset to get the smallest)"
    )
