"""Plain text, in the encodings leaks actually come in.

Leaked Russian-language files are often not UTF-8: Windows machines in the
region still write cp1251. So decoding tries, in order: a byte-order mark
(UTF-8, UTF-16, UTF-32), strict UTF-8, cp1251 when the non-ASCII bytes look
like Cyrillic letters, and latin-1 (which decodes anything) otherwise.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from armstrace.ingest.formats import FormatError, Parsed

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Control bytes that do not occur in text (tab, newlines, form feed and escape do).
_CONTROL = frozenset(range(32)) - {9, 10, 11, 12, 13, 27}


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The encoding a byte-order mark announces and the mark's length."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def looks_like_text(head: bytes) -> bool:
    """True unless the bytes are binary: NULs or many control bytes, without a UTF-16/32 mark."""
    if bom_encoding(head) is not None:
        return True
    if b"\x00" in head:
        return False
    if not head:
        return True
    controls = sum(1 for b in head if b in _CONTROL)
    return controls / len(head) < 0.05


_HIGH = bytes(range(0x80, 0x100))
_CP1251_LETTERS = bytes([0xA8, 0xB8, *range(0xC0, 0x100)])  # Ё, ё, А-я
_ASCII_LETTERS = bytes([*range(65, 91), *range(97, 123)])


def _count(data: bytes, members: bytes) -> int:
    return len(data) - len(data.translate(None, members))  # counts in C, fast on large files


def _looks_cp1251(data: bytes) -> bool:
    """Russian in cp1251: most letters are high bytes, and those are mostly А-я (0xC0-0xFF, Ёё)."""
    high = _count(data, _HIGH)
    if not high:
        return False
    cyrillic = _count(data, _CP1251_LETTERS)
    ascii_letters = _count(data, _ASCII_LETTERS)
    return cyrillic / high >= 0.8 and cyrillic / (cyrillic + ascii_letters) >= 0.3


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes to text and name the encoding used; raises `FormatError` for binary content."""
    marked = bom_encoding(data)
    if marked is not None:
        encoding, skip = marked
        return data[skip:].decode(encoding, errors="replace"), encoding
    if b"\x00" in data:
        raise FormatError("unsupported", "binary content (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_cp1251(data):
        try:
            return data.decode("cp1251"), "cp1251"
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1"), "latin-1"


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF, so character offsets mean the same on every platform."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class TextFormat:
    """Plain text: one page, or one page per form feed (as printed to text by many tools)."""

    name = "text"
    media_types: tuple[str, ...] = ("text/plain",)

    def sniff(self, head: bytes, path: Path) -> bool:
        return looks_like_text(head)

    def read(self, data: bytes, path: Path) -> Parsed:
        text, encoding = decode_text(data)
        pages = normalise_newlines(text).split("\f")
        if len(pages) > 1 and not pages[-1].strip():
            pages.pop()  # a final form feed ends the last page; it does not start a new one
        return Parsed(pages=pages, metadata={"encoding": encoding})
