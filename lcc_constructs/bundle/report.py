"""The size report: what a lifecycle script weighs against the service's limit."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..printable import printable


@dataclass(frozen=True)
class FileSize:
    path: str
    raw_bytes: int
    #: Fraction of all packed file bytes (0..1).
    share: float


def file_sizes(sizes: dict[str, int]) -> tuple[FileSize, ...]:
    """Each file's size and share of them all, in path order."""
    total = sum(sizes.values())
    return tuple(FileSize(path, n, n / total if total else 0.0) for path, n in sorted(sizes.items()))


@dataclass(frozen=True)
class SizeReport:
    """Sizes of one rendered script, from the files in to the text the API counts."""

    kind: str
    codec: str
    #: Bytes of the packed files (yours, not the runner's).
    raw_bytes: int
    #: Bytes of the runner that travels with them (lcc/ in the bundle).
    runtime_bytes: int
    #: Bytes of the deterministic archive of both.
    archive_bytes: int
    #: Bytes of the compressed payload (what the sha256 covers).
    compressed_bytes: int
    #: Bytes of the rendered script (bootstrap plus encoded payload).
    script_bytes: int
    #: Characters of the base64 Content: the number the service limits.
    encoded_chars: int
    limit: int
    files: tuple[FileSize, ...]
    steps: int
    warnings: tuple[str, ...] = field(default=())
    #: Bytes of the packed files after minification; None when minify is off.
    minified_bytes: int | None = None

    @property
    def fits(self) -> bool:
        return self.encoded_chars <= self.limit

    @property
    def headroom_chars(self) -> int:
        return self.limit - self.encoded_chars

    @property
    def raw_per_char(self) -> float:
        """Packed file bytes per final character: higher is better."""
        return self.raw_bytes / self.encoded_chars if self.encoded_chars else 0.0

    def largest(self, n: int = 5) -> list[FileSize]:
        return sorted(self.files, key=lambda f: (-f.raw_bytes, f.path))[:n]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["files"] = [asdict(f) for f in self.files]
        d["warnings"] = list(self.warnings)
        d.update(fits=self.fits, headroom_chars=self.headroom_chars,
                 raw_per_char=round(self.raw_per_char, 4))
        return d

    def summary(self) -> str:
        pct = 100 * self.encoded_chars / self.limit
        verdict = "fits" if self.fits else "DOES NOT FIT"
        return (
            f"{self.kind}: {self.encoded_chars} of {self.limit} characters ({pct:.1f}%), "
            f"{verdict}; {self.raw_bytes} bytes in {len(self.files)} file(s), "
            f"{self.steps} step(s), codec {self.codec}"
        )

    def format(self, max_files: int = 20) -> str:
        lines = [
            self.summary(),
            f"  packed files      {self.raw_bytes:>8} bytes",
            *([f"  minified          {self.minified_bytes:>8} bytes"]
              if self.minified_bytes is not None else []),
            f"  runner            {self.runtime_bytes:>8} bytes",
            f"  archive           {self.archive_bytes:>8} bytes",
            f"  compressed        {self.compressed_bytes:>8} bytes",
            f"  script            {self.script_bytes:>8} bytes",
            f"  Content (base64)  {self.encoded_chars:>8} chars  limit {self.limit}, "
            f"headroom {self.headroom_chars}",
            "  files (largest first):",
        ]
        shown = self.largest(max_files)
        # A file name may hold anything (lcc inspect reads scripts others built): printed escaped.
        lines += [f"    {f.raw_bytes:>8}  {100 * f.share:5.1f}%  {printable(f.path)}" for f in shown]
        if len(self.files) > len(shown):
            lines.append(f"    ... and {len(self.files) - len(shown)} more")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)
