"""How the bundle travels: a compressor and a text encoding (or an S3 object).

The bundle is one program, the unpacking program with its archive (archive.py); a codec
compresses it and encodes the result as text that is safe inside the loader's quoted
here-document. Each part has its Python side here and its instance side in ``assets/codecs``: a
piece of the loader's Python (python3, Amazon Linux 2023's, is the one decoder on the
instance): ``decode`` turns the here-document into bytes, ``decompress`` the bytes into the
program.

:func:`candidates` lists every combination; the bundler renders each and keeps the one giving
the fewest characters (``SizeReport.codec`` names it, e.g. ``lzma+base94``).
"""

from __future__ import annotations

import base64
import bz2
import lzma
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import product
from typing import Any, Protocol

from ..errors import ValidationError
from ..limits import READBACK_MAX_BYTES
from .assets import packed


@dataclass(frozen=True)
class Piece:
    """A codec's part of the loader's Python (assets/codecs/*.py, assets/payload/s3_get.py):
    the modules it imports, the statements it needs before the check, and its expression."""

    modules: frozenset[str]
    defs: tuple[str, ...]
    expression: str


def piece(relative: str) -> Piece:
    lines = packed(relative).decode().rstrip("\n").split("\n")
    modules: set[str] = set()
    defs = []
    for line in lines[:-1]:
        words = line.split(" ")
        if len(words) == 2 and words[0] == "import" and words[1].replace(",", "").isidentifier():
            modules.update(words[1].split(","))
        else:
            defs.append(line)
    return Piece(frozenset(modules), tuple(defs), lines[-1])


class _Stream(Protocol):
    @property
    def eof(self) -> bool: ...

    def decompress(self, data: bytes, max_length: int, /) -> bytes: ...


@dataclass(frozen=True)
class Compressor:
    name: str
    compress: Callable[[bytes], bytes]
    #: A new decompressor of one stream (it ignores bytes after the stream's end).
    stream: Callable[[], _Stream]

    def decompress(self, data: bytes, limit: int = READBACK_MAX_BYTES) -> bytes:
        """The bytes ``data`` decompresses to; read back from a stranger, so at most ``limit``
        of them are made (a few KiB of bzip2 hold GiBs).

        :raises ValidationError: when there would be more, or ``data`` is not such a stream.
        """
        stream = self.stream()
        try:
            out = stream.decompress(data, limit + 1)
        except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError) as e:
            raise ValidationError(f"the payload is not {self.name} data ({e})") from None
        if len(out) > limit:
            raise ValidationError(f"the payload decompresses to more than {limit} bytes, the most lcc "
                                  "reads back (limits.READBACK_MAX_BYTES); bundles of lcc-constructs are "
                                  "far smaller")
        if not stream.eof:
            raise ValidationError(f"the payload's {self.name} stream is cut short")
        return out

    def piece(self) -> Piece:
        """The loader's Python that undoes it (``d`` to the program)."""
        return piece(f"codecs/decompress/{self.name}.py")


@dataclass(frozen=True)
class Encoding:
    name: str
    encode: Callable[[bytes], str]
    decode: Callable[[str], bytes]

    def piece(self) -> Piece:
        """The loader's Python that undoes it (the here-document to bytes); for an S3 object, the
        download."""
        return piece("payload/s3_get.py" if self is S3_OBJECT else f"codecs/decode/{self.name}.py")


@dataclass(frozen=True)
class Codec:
    compressor: Compressor
    encoding: Encoding

    @property
    def name(self) -> str:
        return f"{self.compressor.name}+{self.encoding.name}"


# --- compressors: best settings, nothing machine-specific in the output ---
# Each decompressor here and on the instance ignores bytes after the end of its stream: base94
# pads the last group with zeros.

#: LZMA settings. pb=0 suits text, which has no 2- or 4-byte structure.
LZMA_FILTER = {"id": lzma.FILTER_LZMA1, "preset": 9 | lzma.PRESET_EXTREME, "lc": 3, "lp": 0,
               "pb": 0, "dict_size": 1 << 20}


def _deflate(data: bytes) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    return z.compress(data) + z.flush()


def _lzma(data: bytes) -> bytes:
    # The .lzma container: its 13-byte header tells the decoder the settings.
    return lzma.compress(data, format=lzma.FORMAT_ALONE, filters=[LZMA_FILTER])


# --- encodings ---

#: base94: groups of 9 bytes as 11 digits from '!' (0) to '~' (93); 94**11 > 256**9. The last
#: group is padded with zero bytes, which the decoded bytes keep (the decompressors ignore them).
B94_FIRST, B94_BASE, B94_CHARS, B94_BYTES = 33, 94, 11, 9


def b94encode(data: bytes) -> str:
    data += b"\0" * (-len(data) % B94_BYTES)
    out = []
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
    if len(text) % B94_CHARS:
        raise ValueError("not base94 text of lcc-constructs")
    out = bytearray()
    for i in range(0, len(text), B94_CHARS):
        v = 0
        for ch in text[i:i + B94_CHARS]:
            d = ord(ch) - B94_FIRST
            if not 0 <= d < B94_BASE:
                raise ValueError(f"character {ch!r} is not a base94 digit")
            v = v * B94_BASE + d
        if v >= 1 << (8 * B94_BYTES):
            raise ValueError("not base94 text of lcc-constructs")
        out += v.to_bytes(B94_BYTES, "big")
    return bytes(out)


def _not_text(_: object) -> Any:
    raise ValidationError("the payload of an s3 script is an S3 object, not text in the script")


def _b85decode(text: str) -> bytes:
    return base64.b85decode(text.strip())


DEFLATE = Compressor("deflate", _deflate, lambda: zlib.decompressobj(-15))
BZIP2 = Compressor("bzip2", lambda d: bz2.compress(d, 9), bz2.BZ2Decompressor)
LZMA = Compressor("lzma", _lzma, lambda: lzma.LZMADecompressor(lzma.FORMAT_ALONE))

BASE85 = Encoding("base85", lambda b: base64.b85encode(b).decode("ascii"), _b85decode)
BASE94 = Encoding("base94", b94encode, b94decode)
#: payload="s3": the compressed bundle is an S3 object, downloaded as it is (assets/payload/s3_get.py).
S3_OBJECT = Encoding("s3", _not_text, _not_text)

COMPRESSORS = (DEFLATE, LZMA, BZIP2)
ENCODINGS = (BASE85, BASE94)


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
    retired = [f"{part} is now {RETIRED[part]}" for part in name.split("+") if part in RETIRED]
    raise ValidationError(
        f"codec {name!r} is not known: use COMPRESSOR+ENCODING with compressor one of "
        f"{', '.join(c.name for c in COMPRESSORS)} and encoding one of "
        f"{', '.join(e.name for e in ENCODINGS)} (or leave it unset to get the smallest)"
        + (f"; of older versions' codecs, {', '.join(retired)} (docs/upgrading.md)" if retired else "")
    )


#: The parts of older versions' codec names, and what took their place.
RETIRED = {"tar": "gone (the archive is lcc's own)", "shar": "gone (the archive is lcc's own)",
           "gzip": "deflate", "xz": "lzma", "lzma-raw": "lzma", "base64": "base85 or base94"}
