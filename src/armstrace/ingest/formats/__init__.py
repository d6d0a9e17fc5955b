"""The whole contract of a document format, and the registry of formats.

A format is a plugin: an object with a `name`, the `media_types` it produces,
`sniff` (does this content look like mine?) and `read` (bytes to text per
page). The built-in formats (`pdf`, `html`, `markdown`, `text`; office files in
`docx`, `odf`, `rtf`, `legacy_office`, `spreadsheet`; `email`; `archive`) are
plugins of this same contract; adding a format is adding one file that calls
`register`. Files inside a file (attachments, archive members) come back as
`Parsed.children`, which the runner reads as documents of their own.

Detection is by content: magic bytes and decodability. The file extension is
only a hint for formats that cannot be told apart by content (Markdown is
text). When no format claims a file, `describe_binary` names what the bytes
look like, so the user reads "PNG image" rather than "unsupported".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

HEAD_SIZE = 8192
"""How many leading bytes `detect` and `sniff` see."""


@dataclass
class Parsed:
    """What a format reads out of a file, before it becomes a `Document`.

    `problems` lists what went wrong in a file that was still read (a damaged
    page, no text layer); a non-empty list makes the file's status `partial`.
    """

    pages: list[str]
    title: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    language: str | None = None
    problems: list[str] = field(default_factory=list)
    # files inside this one (email attachments, archive members): each becomes a document of
    # its own whose path records the chain (`leak.zip/letters/12.pdf`) and whose parent is this one
    children: list[Child] = field(default_factory=list)
    # OCR results for pages that were read from images, by 1-based page number
    ocr: dict[int, PageOcr] = field(default_factory=dict)
    # the media type of this file, when a format reads several kinds (DOC, XLS and PPT are all OLE2)
    media_type: str | None = None


@dataclass(frozen=True)
class Child:
    """A file inside another file: its name inside the parent and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class OcrWord:
    """One recognised word: its character offsets in the page text, its box in image pixels."""

    start: int
    end: int
    left: int
    top: int
    width: int
    height: int
    confidence: float


@dataclass
class PageOcr:
    """What OCR made of one page image: words with boxes, mean confidence, and the image itself
    (PNG bytes, so evidence can be highlighted on the page image later)."""

    words: list[OcrWord]
    confidence: float
    image_png: bytes
    image_sha256: str
    width: int
    height: int
    language: str = ""
    # the page text the word offsets point into (`text[w.start:w.end]` is the word), and why OCR
    # of this page failed (empty when it worked): a bad page must not cost the other 299
    text: str = ""
    error: str = ""


class FormatError(Exception):
    """A file a format cannot read, with the file status the user will see.

    `status` is one of the `files` statuses (`encrypted`, `unsupported`,
    `failed`, ...); `reason` is a sentence fragment saying why, without the path.
    """

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@runtime_checkable
class Format(Protocol):
    """One document format: how to recognise it and how to read its text."""

    name: str
    media_types: tuple[str, ...]

    def sniff(self, head: bytes, path: Path) -> bool:
        """True if `head` (the first bytes of the file) is this format's content."""
        ...

    def read(self, data: bytes, path: Path) -> Parsed:
        """The text of every page; raises `FormatError` for a file it cannot read."""
        ...


_REGISTRY: list[Format] = []
_BUILTINS_LOADED = False


def _load_builtins() -> None:
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return
    _BUILTINS_LOADED = True
    from armstrace.ingest.formats.html import HtmlFormat
    from armstrace.ingest.formats.image import ImageFormat
    from armstrace.ingest.formats.markdown import MarkdownFormat
    from armstrace.ingest.formats.pdf import PdfFormat
    from armstrace.ingest.formats.text import TextFormat

    _REGISTRY.extend([PdfFormat(), ImageFormat(), *_office_mail_archives()])
    # Appended, so they come after any plugin registered before first use;
    # plain text comes last because it accepts anything that decodes, and CSV just before it.
    from armstrace.ingest.formats.spreadsheet import CsvFormat

    _REGISTRY.extend([HtmlFormat(), MarkdownFormat(), CsvFormat(), TextFormat()])


def _office_mail_archives() -> list[Format]:
    """Office files, email and archives: by magic bytes and, for ZIP and OLE2, by member names."""
    from armstrace.ingest.formats.archive import CompressedFormat, SevenZipFormat, TarFormat, ZipFormat
    from armstrace.ingest.formats.docx import DocxFormat, PptxFormat
    from armstrace.ingest.formats.email import EmlFormat, MboxFormat, MsgFormat
    from armstrace.ingest.formats.legacy_office import LegacyOfficeFormat
    from armstrace.ingest.formats.odf import OdfFormat
    from armstrace.ingest.formats.rtf import RtfFormat
    from armstrace.ingest.formats.spreadsheet import OdsFormat, XlsxFormat

    return [
        DocxFormat(), XlsxFormat(), PptxFormat(), OdsFormat(), OdfFormat(), ZipFormat(),
        MsgFormat(), LegacyOfficeFormat(), SevenZipFormat(), CompressedFormat(), TarFormat(),
        RtfFormat(), MboxFormat(), EmlFormat(),
    ]  # fmt: skip


def register(fmt: Format) -> Format:
    """Add a format; formats registered later are asked first, so a plugin can
    claim content that a built-in (such as plain text) would otherwise take."""
    _load_builtins()
    unregister(fmt.name)
    _REGISTRY.insert(0, fmt)
    return fmt


def unregister(name: str) -> None:
    """Remove the format with that name, if there is one."""
    _REGISTRY[:] = [f for f in _REGISTRY if f.name != name]


def formats() -> list[Format]:
    """Every registered format, in the order `detect` asks them."""
    _load_builtins()
    return list(_REGISTRY)


def get(name: str) -> Format | None:
    return next((f for f in formats() if f.name == name), None)


def detect(head: bytes, path: Path) -> Format | None:
    """The first format that claims this content, or None if none does."""
    for fmt in formats():
        if fmt.sniff(head, path):
            return fmt
    return None


# Magic numbers of content we recognise but cannot read yet: (prefix, kind, family).
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image", "images"),
    (b"\xff\xd8\xff", "JPEG image", "images"),
    (b"GIF87a", "GIF image", "images"),
    (b"GIF89a", "GIF image", "images"),
    (b"II*\x00", "TIFF image", "images"),
    (b"MM\x00*", "TIFF image", "images"),
    (b"Rar!\x1a\x07", "RAR archive (convert it to ZIP or 7z)", "RAR archives"),
    (b"\x7fELF", "ELF executable", "programs"),
    (b"MZ", "Windows executable", "programs"),
)


def describe_binary(head: bytes) -> str:
    """Name what unreadable content looks like, as the reason a user will read."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP image: images are not supported yet"
    for prefix, kind, family in _MAGIC:
        if head.startswith(prefix):
            return f"{kind}: {family} are not supported yet"
    return "binary content of an unknown kind: not a format armstrace can read"


__all__ = [
    "HEAD_SIZE",
    "Format",
    "FormatError",
    "Parsed",
    "describe_binary",
    "detect",
    "formats",
    "get",
    "register",
    "unregister",
]
