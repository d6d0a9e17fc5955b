"""PDF through PyMuPDF, page by page.

Pages are kept apart because evidence cites a page: "letter 12, page 2" is
what a journalist checks against the original. A damaged PDF that MuPDF can
repair is still read, and marked `partial`; one it cannot open is `failed`;
one locked with a password is `encrypted`, so the user knows to find the key.

Pages without a text layer (scans) are rendered at 300 dpi and OCR'd, all of
a document's scanned pages in parallel (`armstrace.ingest.ocr.ocr_pages`); a
mixed PDF keeps the text layer of its other pages, which is exact where OCR
is a guess.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymupdf as _pymupdf

from armstrace.ingest.formats import FormatError, PageOcr, Parsed

pymupdf: Any = _pymupdf  # PyMuPDF's own annotations are partial; treat it as untyped

_METADATA_KEYS = ("title", "author", "subject", "keywords", "creator", "producer", "creationDate", "modDate")
_REPAIR_SIGNS = ("repair", "syntax error", "format error", "page may not be correct")


OCR_DPI = 300
"""Resolution scanned pages are rendered at for OCR: what Tesseract is trained for."""
OCR_MAX_PIXELS = 40_000_000
"""A page bigger than this at `OCR_DPI` (a poster, a map) is rendered at a lower resolution instead."""
_MIN_LETTERS = 20
"""A page with fewer letters in its text layer than this, mostly covered by an image, is a scan
with a stamp or a page number added on top: it is OCR'd."""
_MIN_COVERAGE = 0.5


def _needs_ocr(page: Any, text: str) -> bool:
    """True for a page whose words are pixels: no text layer, but an image (or drawings) to read."""
    letters = sum(1 for char in text if char.isalnum())
    if letters >= _MIN_LETTERS:
        return False
    images = page.get_image_info()
    if letters == 0:
        return bool(images) or bool(page.get_cdrawings())
    area = abs(page.rect) or 1.0
    covered = sum(abs(pymupdf.Rect(info["bbox"]) & page.rect) for info in images)
    return bool(covered / area >= _MIN_COVERAGE)


def render_page(page: Any, dpi: int = OCR_DPI) -> bytes:
    """The page as a greyscale PNG for OCR, at `dpi` or less for a giant page."""
    zoom = dpi / 72
    pixels = abs(page.rect) * zoom * zoom
    if pixels > OCR_MAX_PIXELS:
        zoom *= math.sqrt(OCR_MAX_PIXELS / pixels)
    pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY, alpha=False)
    resolution = round(zoom * 72)
    pixmap.set_dpi(resolution, resolution)  # in the PNG, so Tesseract need not guess the text size
    png: bytes = pixmap.tobytes("png")
    return png


def _ocr_scanned_pages(
    doc: Any, pages: list[str], problems: list[str], metadata: dict[str, str]
) -> dict[int, PageOcr]:
    """OCR the pages that need it, in parallel, putting their text into `pages`; the text layer of
    every other page is kept as it is."""
    from armstrace.ingest.ocr import OcrUnavailable, describe, ocr_pages

    scanned = [n for n, text in enumerate(pages) if _needs_ocr(doc[n], text)]
    if not scanned:
        return {}
    rendered: list[int] = []

    def images() -> Iterator[bytes]:
        for number in scanned:
            try:
                image = render_page(doc[number])
            except Exception as exc:
                problems.append(
                    f"page {number + 1} has no text layer and could not be rendered for OCR ({exc})"
                )
                continue
            rendered.append(number)
            yield image

    try:
        results = ocr_pages(images())
    except OcrUnavailable as exc:
        listed = ", ".join(str(n + 1) for n in scanned)
        problems.append(f"page(s) {listed} have no text layer and were not OCR'd: {exc}")
        return {}
    ocr: dict[int, PageOcr] = {}
    for number, page in zip(rendered, results, strict=True):
        if page.error:
            problems.append(f"page {number + 1} has no text layer and could not be OCR'd ({page.error})")
            continue
        pages[number] = page.text
        ocr[number + 1] = page
    metadata["ocr"] = describe(results)
    return ocr


class PdfFormat:
    name = "pdf"
    media_types: tuple[str, ...] = ("application/pdf",)

    def sniff(self, head: bytes, path: Path) -> bool:
        return b"%PDF-" in head[:1024]  # the header may follow a little junk, as viewers allow

    def read(self, data: bytes, path: Path) -> Parsed:
        pymupdf.TOOLS.mupdf_display_errors(False)
        pymupdf.TOOLS.mupdf_display_warnings(False)
        pymupdf.TOOLS.reset_mupdf_warnings()
        try:
            doc = pymupdf.open(stream=data, filetype="pdf")
        except Exception as exc:
            raise FormatError("failed", f"the PDF is damaged and cannot be opened ({exc})") from exc
        try:
            if doc.needs_pass and not doc.authenticate(""):
                raise FormatError(
                    "encrypted", "the PDF is encrypted and needs a password; decrypt it and ingest it again"
                )
            if doc.page_count == 0:
                raise FormatError("failed", "the PDF has no pages that can be read")
            problems: list[str] = []
            pages: list[str] = []
            for number in range(doc.page_count):
                try:
                    pages.append(doc[number].get_text())
                except Exception as exc:
                    pages.append("")
                    problems.append(f"page {number + 1} could not be read ({exc})")
            metadata = {
                key: str(value).strip() for key in _METADATA_KEYS if (value := (doc.metadata or {}).get(key))
            }
            ocr = _ocr_scanned_pages(doc, pages, problems, metadata)
            warnings = pymupdf.TOOLS.mupdf_warnings(reset=True).lower()
            if any(sign in warnings for sign in _REPAIR_SIGNS):
                problems.append("the PDF is damaged; MuPDF repaired it, but some text may be missing")
            if not any(page.strip() for page in pages) and not problems:
                problems.append("no page has text: there is no text layer and no scanned image to OCR")
            return Parsed(
                pages=pages,
                title=metadata.get("title") or None,
                metadata=metadata,
                problems=problems,
                ocr=ocr,
            )
        finally:
            doc.close()
