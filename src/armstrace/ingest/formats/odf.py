"""OpenDocument text and presentations (ODT, ODP): the formats LibreOffice writes by default.

Read from `content.xml` through `_package` (byte budget, no entity expansion).
An ODT is split where LibreOffice recorded a page end when it last laid the
document out (`text:soft-page-break`) and at hard breaks, so pages match what
its author saw; the page header and footer (the letterhead) come from
`styles.xml`; footnotes follow the text, where they do not cut a sentence in
two. An ODP gives one page per slide. Spreadsheets (ODS) are read in
`spreadsheet.py` with the other tables.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from armstrace.ingest.formats import FormatError, Parsed
from armstrace.ingest.formats._package import (
    DEFAULT_LIMITS,
    Limits,
    SafeZip,
    open_package,
    parse_xml,
    sniff_package,
)

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
PRESENTATION = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"

_PAGE = "\f"
_MAX_SPACES = 200  # `text:s c="1000000"` must not become a megabyte of spaces
_SKIP = frozenset(
    {
        f"{{{TEXT}}}tracked-changes",
        f"{{{TEXT}}}note-citation",
        f"{{{TEXT}}}sequence-decls",
        f"{{{TEXT}}}variable-decls",
        f"{{{TEXT}}}user-field-decls",
        f"{{{OFFICE}}}annotation",
        f"{{{OFFICE}}}forms",
        f"{{{OFFICE}}}scripts",
        f"{{{PRESENTATION}}}notes",
    }
)
_META_KEYS = {
    "title": "title",
    "subject": "subject",
    "creator": "last_modified_by",
    "initial-creator": "author",
    "creation-date": "created",
    "date": "modified",
    "keyword": "keywords",
    "description": "description",
    "generator": "application",
    "print-date": "last_printed",
}


def _int(value: str | None, default: int = 1) -> int:
    try:
        return max(int(value or default), 0)
    except ValueError:
        return default


class OdfText:
    """OpenDocument text markup to plain text; tables become rows of cells joined by " | ".

    Recursion is safe: libxml2 refuses documents nested deeper than 256 levels.
    Footnote bodies are collected in `notes` instead of being spliced into the sentence.
    """

    def __init__(self, *, page_breaks: bool) -> None:
        self.page_breaks = page_breaks
        self.in_table = 0
        self.notes: list[str] = []

    def text(self, element: etree._Element) -> str:
        tag = element.tag
        if not isinstance(tag, str) or tag in _SKIP:
            return element.tail or ""  # an unexpanded entity or a skipped element: keep what follows it
        if tag == f"{{{TEXT}}}s":
            return " " * min(_int(element.get(f"{{{TEXT}}}c")), _MAX_SPACES) + (element.tail or "")
        if tag == f"{{{TEXT}}}tab":
            return "\t" + (element.tail or "")
        if tag == f"{{{TEXT}}}line-break":
            return "\n" + (element.tail or "")
        if tag == f"{{{TEXT}}}soft-page-break":
            return (_PAGE if self.page_breaks and not self.in_table else "") + (element.tail or "")
        if tag == f"{{{TEXT}}}note-body":
            note = " ".join(self.inner(element).split())
            if note:
                self.notes.append(note)
            return element.tail or ""
        if tag == f"{{{TABLE}}}table":
            self.in_table += 1
            try:
                lines = [" | ".join(cells) for cells in self.rows(element)]
            finally:
                self.in_table -= 1
            return "".join(line + "\n" for line in lines if line.strip(" |")) + (element.tail or "")
        inner = self.inner(element)
        if tag in (f"{{{TEXT}}}p", f"{{{TEXT}}}h"):
            inner += "\n"
        return inner + (element.tail or "")

    def inner(self, element: etree._Element) -> str:
        return (element.text or "") + "".join(self.text(child) for child in element)

    def rows(self, table: etree._Element, max_rows: int = 1_000_000) -> list[list[str]]:
        """The table's rows as cell texts; repeated rows and columns expand only when they hold text."""
        out: list[list[str]] = []
        for row in table.iter(f"{{{TABLE}}}table-row"):
            if len(out) >= max_rows:
                break
            if row.getparent() is not None and self._owner(row) is not table:
                continue  # a row of a table nested inside a cell
            cells: list[str] = []
            for cell in row:
                if cell.tag not in (f"{{{TABLE}}}table-cell", f"{{{TABLE}}}covered-table-cell"):
                    continue
                value = " ".join(self.inner(cell).split()) if cell.tag == f"{{{TABLE}}}table-cell" else ""
                repeat = _int(cell.get(f"{{{TABLE}}}number-columns-repeated"))
                cells.extend([value] * (min(repeat, 64) if value else min(repeat, 1024)))
            while cells and not cells[-1]:
                cells.pop()
            repeat = _int(row.get(f"{{{TABLE}}}number-rows-repeated"))
            if not cells:
                out.append([])  # an empty row (however often repeated) is one blank line
                continue
            out.extend([cells] * min(repeat, 100, max_rows - len(out)))
        while out and not out[-1]:
            out.pop()
        return out

    @staticmethod
    def _owner(row: etree._Element) -> etree._Element | None:
        parent = row.getparent()
        while parent is not None and parent.tag != f"{{{TABLE}}}table":
            parent = parent.getparent()
        return parent


def odf_metadata(package: SafeZip, problems: list[str]) -> dict[str, str]:
    """Author, dates and generator from meta.xml: who wrote a leaked file and when is evidence too."""
    if not package.has("meta.xml"):
        return {}
    try:
        root = parse_xml(package.read("meta.xml"), "meta.xml", problems)
    except FormatError as exc:
        problems.append(f"its properties could not be read ({exc.reason})")
        return {}
    metadata: dict[str, str] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        key = _META_KEYS.get(etree.QName(element).localname)
        value = " ".join((element.text or "").split())
        if key and value and key not in metadata:
            metadata[key] = value
    return metadata


def open_odf(data: bytes, what: str, limits: Limits) -> tuple[SafeZip, etree._Element, list[str]]:
    """The package and its parsed content.xml; an encrypted (password-protected) file is `encrypted`."""
    package = open_package(data, what, limits)
    if package.has("META-INF/manifest.xml"):
        manifest = package.read("META-INF/manifest.xml")
        if b"encryption-data" in manifest:
            raise FormatError(
                "encrypted", f"the {what} is protected with a password; decrypt it and ingest it again"
            )
    if not package.has("content.xml"):
        raise FormatError("failed", f"the {what} has no content.xml part")
    problems: list[str] = []
    content = parse_xml(package.read("content.xml"), "content.xml", problems)
    return package, content, problems


def _split_pages(text: str) -> list[str]:
    pages = [page.strip("\n") for page in text.split(_PAGE)]
    return [page for page in pages if page.strip()] or [""]


class OdfFormat:
    """OpenDocument text (ODT) and presentations (ODP); other OpenDocument kinds give their text as a page."""

    name = "odf"
    media_types: tuple[str, ...] = ("application/vnd.oasis.opendocument.text",)
    what = "OpenDocument file"

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def sniff(self, head: bytes, path: Path) -> bool:
        return sniff_package(head) in ("odt", "odp", "odf")

    def read(self, data: bytes, path: Path) -> Parsed:
        package, content, problems = open_odf(data, self.what, self.limits)
        body = content.find(f"{{{OFFICE}}}body")
        if body is None:
            raise FormatError("failed", f"the {self.what} has no body in content.xml")
        metadata = odf_metadata(package, problems)
        slides = list(body.iter(f"{{{DRAW}}}page"))
        if slides:
            reader = OdfText(page_breaks=False)
            pages = [reader.text(slide).strip("\n") for slide in slides]
            if reader.notes:
                pages[-1] += "\n\n" + "\n".join(reader.notes)
            media_type = "application/vnd.oasis.opendocument.presentation"
        else:
            reader = OdfText(page_breaks=True)
            pages = _split_pages(reader.text(body))
            header, footer = self._letterhead(package, problems)
            if header:
                pages[0] = header + "\n\n" + pages[0]
            tail = "\n".join([*reader.notes, *([footer] if footer else [])])
            if tail:
                pages[-1] += "\n\n" + tail
            media_type = self.media_types[0]
        return Parsed(
            pages=pages,
            title=metadata.get("title") or None,
            metadata=metadata,
            problems=problems,
            media_type=media_type,
        )

    @staticmethod
    def _letterhead(package: SafeZip, problems: list[str]) -> tuple[str, str]:
        """The page header and footer texts from the master pages in styles.xml."""
        if not package.has("styles.xml"):
            return "", ""
        try:
            styles = parse_xml(package.read("styles.xml"), "styles.xml", problems)
        except FormatError as exc:
            problems.append(f"its page header and footer could not be read ({exc.reason})")
            return "", ""
        found: dict[str, list[str]] = {"header": [], "footer": []}
        reader = OdfText(page_breaks=False)
        for kind, texts in found.items():
            for element in styles.iter(f"{{{STYLE}}}{kind}", f"{{{STYLE}}}{kind}-first"):
                text = reader.inner(element).strip()
                if text and text not in texts:
                    texts.append(text)
        return "\n".join(found["header"]), "\n".join(found["footer"])
