"""PDF through PyMuPDF, page by page.

Pages are kept apart because evidence cites a page: "letter 12, page 2" is
what a journalist checks against the original. A damaged PDF that MuPDF can
repair is still read, and marked `partial`; one it cannot open is `failed`;
one locked with a password is `encrypted`, so the user knows to find the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pymupdf as _pymupdf

from armstrace.ingest.formats import FormatError, Parsed

pymupdf: Any = _pymupdf  # PyMuPDF's own annotations are partial; treat it as untyped

_METADATA_KEYS = ("title", "author", "subject", "keywords", "creator", "producer", "creationDate", "modDate")
_REPAIR_SIGNS = ("repair", "syntax error", "format error", "page may not be correct")


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
            warnings = pymupdf.TOOLS.mupdf_warnings(reset=True).lower()
            if any(sign in warnings for sign in _REPAIR_SIGNS):
                problems.append("the PDF is damaged; MuPDF repaired it, but some text may be missing")
            if not any(page.strip() for page in pages):
                problems.append("no page has a text layer (a scan?); OCR is not supported yet")
            return Parsed(
                pages=pages, title=metadata.get("title") or None, metadata=metadata, problems=problems
            )
        finally:
            doc.close()
