"""GB18030 -> UTF-8, and gzip -> plain bytes, streamed in chunks, so DuckDB can read the result.

**gzip**: an export compressed with gzip (``2026-10-26.jsonl.gz``, a Kinesis Data Firehose object with GZIP
compression) is recognised by its first two bytes (``1f 8b``), whatever its name says, and decompressed into a
temporary copy that landing reads like any uncompressed file (the CSV header check, GB18030 decoding and DuckDB's
readers all see plain bytes). Concatenated gzip members (as ``cat a.gz b.gz`` makes) are read in full. A file named
``.gz`` that is not gzip, or a truncated or corrupt stream, makes the file unreadable.

**GB18030**:
DuckDB cannot read GB18030 here (its encodings extension cannot be installed offline), so the
file is decoded in Python into a temporary UTF-8 copy. A byte sequence that is not GB18030 makes
the file unreadable. A file that is valid UTF-8 with several multi-byte characters is refused too:
GB18030 would "decode" most UTF-8 Chinese text into wrong characters instead of failing, and real
GB18030 Chinese text is practically never valid UTF-8.
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

from ccw.land.errors import Unreadable

_CHUNK = 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: Path) -> bool:
    """True when the file starts with the gzip magic bytes."""
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def gunzip_to(source: Path, target: Path) -> None:
    """Write the decompressed bytes of the gzip file ``source`` to ``target``; ``Unreadable`` when it is not a
    complete gzip stream."""
    try:
        with gzip.open(source, "rb") as packed, target.open("wb") as out:
            while chunk := packed.read(_CHUNK):
                out.write(chunk)
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError; a truncated stream an EOFError
        target.unlink(missing_ok=True)
        raise Unreadable(f"corrupt gzip: {exc or type(exc).__name__}") from exc
#: UTF-8 bytes beyond one per character (a CJK character adds 2) from which a file is taken for UTF-8.
UTF8_EVIDENCE_BYTES = 8


def transcode_to_utf8(source: Path, target: Path, encoding: str = "gb18030") -> None:
    """Write ``source`` (in ``encoding``) to ``target`` as UTF-8 without a byte order mark."""
    with target.open("w", encoding="utf-8", newline="") as out:
        for text in decoded(source, encoding):
            out.write(text)


def check_encoding(source: Path, encoding: str = "gb18030") -> None:
    """``Unreadable`` when ``source`` is not valid ``encoding`` text, by the rules of :func:`transcode_to_utf8`,
    without writing anything: for an engine that decodes the file itself (Spark's readers replace a bad byte
    sequence with U+FFFD instead of failing)."""
    for _ in decoded(source, encoding):
        pass


def _is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig")


def decoded(source: Path, encoding: str = "gb18030") -> Iterator[str]:
    """The text of ``source`` in ``encoding``, chunk by chunk, a leading byte order mark dropped; ``Unreadable`` at
    a byte sequence that is not ``encoding``, or when a file expected in another encoding is UTF-8 text."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    utf8 = codecs.getincrementaldecoder("utf-8")(errors="strict")
    is_utf8, utf8_extra_bytes, consumed, first = not _is_utf8(encoding), 0, 0, True
    with source.open("rb") as raw:
        while True:
            chunk = raw.read(_CHUNK)
            final = not chunk
            pending = len(decoder.getstate()[0])
            try:
                text = decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                offset = consumed - pending + exc.start
                raise Unreadable(f"bad encoding: not valid {encoding.upper()} at byte {offset}") from exc
            if is_utf8:
                try:
                    utf8_pending = len(utf8.getstate()[0])
                    decoded_utf8 = utf8.decode(chunk, final=final)
                    utf8_extra_bytes += len(chunk) + utf8_pending - len(utf8.getstate()[0]) - len(decoded_utf8)
                except UnicodeDecodeError:
                    is_utf8 = False
            if first and text:
                text, first = text.removeprefix("\ufeff"), False
            yield text
            consumed += len(chunk)
            if final:
                break
    if is_utf8 and utf8_extra_bytes >= UTF8_EVIDENCE_BYTES:
        raise Unreadable(f"bad encoding: the file is UTF-8 where {encoding.upper()} is expected")
