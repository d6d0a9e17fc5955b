"""Word (DOCX) and PowerPoint (PPTX) files: Office Open XML, read straight from the package.

No Office library sits between the file and the text: the XML parts are read
through `_package` (byte budget, no entity expansion), so a hostile document
cannot make us read local files or inflate a part to gigabytes.

What a journalist needs from a Word letter is all of its text in reading
order: the letterhead (often in the page header, and it names the sender),
the body, tables as rows with their cells kept apart (`Groza-S | 6 | 2019`),
footnotes and comments. Word has no fixed pages, so a DOCX is split where the
file itself records a page end: hard page breaks and the breaks Word noted
when it last laid the document out (so "page 2" is what Word showed). Files
embedded in the document (a specification workbook inside a letter) become
child documents. A PPTX gives one page per slide.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from lxml import etree

from armstrace.ingest.formats import Child, FormatError, Parsed
from armstrace.ingest.formats._package import (
    DEFAULT_LIMITS,
    Limits,
    SafeZip,
    open_package,
    parse_xml,
    sniff_package,
)

_PAGE = "\f"
# Parts of the XML tree that hold no visible text, or text the reader does not see.
_SKIP = frozenset(
    {"delText", "instrText", "Fallback", "rPr", "pPr", "sdtPr", "tblPr", "trPr", "tcPr", "sectPr", "fldData"}
)
_CORE_KEYS = {
    "title": "title",
    "subject": "subject",
    "creator": "author",
    "lastModifiedBy": "last_modified_by",
    "created": "created",
    "modified": "modified",
    "keywords": "keywords",
    "description": "description",
    "revision": "revision",
    "lastPrinted": "last_printed",
}
_APP_KEYS = {"Company": "company", "Application": "application", "Manager": "manager", "Template": "template"}
_NUMBERED = re.compile(r"(\d+)\.xml$")


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _own_text(element: etree._Element) -> str:
    """The text of a `t` element, without expanding any entity reference inside it."""
    return (element.text or "") + "".join(child.tail or "" for child in element)


class _Walker:
    """Turns WordprocessingML or DrawingML into text: paragraphs, breaks, tables as rows of cells.

    Recursive, which is safe: libxml2 refuses XML nested deeper than 256 levels
    unless asked for huge trees, and we never ask.
    """

    def __init__(self, *, page_breaks: bool) -> None:
        self.page_breaks = page_breaks
        self.in_table = 0

    def text(self, element: etree._Element) -> str:
        name = _local(element)
        if not name or name in _SKIP:
            return ""
        if name == "t":
            return _own_text(element)
        if name == "tab":
            return "\t"
        if name in ("br", "cr"):
            kind = element.get(f"{{{etree.QName(element).namespace}}}type") if name == "br" else None
            if kind == "page" and self.page_breaks and not self.in_table:
                return _PAGE
            return "\n"
        if name == "lastRenderedPageBreak":
            return _PAGE if self.page_breaks and not self.in_table else ""
        if name == "noBreakHyphen":
            return "-"
        if name == "tbl":
            self.in_table += 1
            try:
                rows = [self.row(row) for row in element if _local(row) == "tr"]
            finally:
                self.in_table -= 1
            return "".join(row + "\n" for row in rows if row.strip(" |"))
        inner = "".join(self.text(child) for child in element)
        if name == "p":
            return inner + "\n"
        return inner

    def row(self, row: etree._Element) -> str:
        cells: list[str] = []
        for cell in row:
            if _local(cell) != "tc":
                continue
            cells.append(" ".join(self.text(cell).split()))
        return " | ".join(cells)


def _pages(text: str) -> list[str]:
    pages = [page.strip("\n") for page in text.split(_PAGE)]
    merged = [page for page in pages if page.strip()]  # a break at a page's start makes no blank page
    return merged or [""]


def _properties(package: SafeZip, problems: list[str]) -> dict[str, str]:
    """Author, company, dates: who wrote a leaked file and when is itself evidence."""
    metadata: dict[str, str] = {}
    for part, keys in (("docProps/core.xml", _CORE_KEYS), ("docProps/app.xml", _APP_KEYS)):
        if not package.has(part):
            continue
        try:
            root = parse_xml(package.read(part), part, problems)
        except FormatError as exc:
            problems.append(f"its properties could not be read ({exc.reason})")
            continue
        for element in root:
            key = keys.get(_local(element))
            value = " ".join((element.text or "").split())
            if key and value:
                metadata[key] = value
    return metadata


def _embedded(package: SafeZip, folder: str, problems: list[str]) -> list[Child]:
    """Files embedded in the document (workbooks, other documents), as children read on their own."""
    children: list[Child] = []
    for info in package.infos:
        if not info.filename.startswith(folder) or info.is_dir() or info.file_size == 0:
            continue
        try:
            children.append(Child(name=info.filename, data=package.read(info)))
        except FormatError as exc:
            problems.append(f"the embedded file {info.filename} was skipped: {exc.reason}")
    return children


def _numbered(names: list[str], pattern: str) -> list[str]:
    found = [name for name in names if re.fullmatch(pattern, name)]
    return sorted(found, key=lambda name: int(m.group(1)) if (m := _NUMBERED.search(name)) else 0)


class DocxFormat:
    """Word documents (DOCX, DOCM, DOTX): Office Open XML word-processing packages."""

    name = "docx"
    media_types: tuple[str, ...] = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    what = "Word document (DOCX)"

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def sniff(self, head: bytes, path: Path) -> bool:
        return sniff_package(head) == "docx"

    def read(self, data: bytes, path: Path) -> Parsed:
        package = open_package(data, self.what, self.limits)
        problems: list[str] = []
        if not package.has("word/document.xml"):
            raise FormatError("failed", f"the {self.what} has no word/document.xml part")
        body = parse_xml(package.read("word/document.xml"), "word/document.xml", problems)
        walker = _Walker(page_breaks=True)
        pages = _pages(walker.text(body))

        names = package.names()
        flat = _Walker(page_breaks=False)

        def texts(pattern: str) -> list[str]:
            out: list[str] = []
            for part in _numbered(names, pattern):
                try:
                    text = flat.text(parse_xml(package.read(part), part, problems)).strip()
                except FormatError as exc:
                    problems.append(f"its part {part} could not be read ({exc.reason})")
                    continue
                if text and text not in out:
                    out.append(text)
            return out

        headers = texts(r"word/header\d*\.xml")
        footers = texts(r"word/footer\d*\.xml")
        notes = texts(r"word/(?:footnotes|endnotes|comments)\d*\.xml")
        if headers:
            pages[0] = "\n".join(headers) + "\n\n" + pages[0]
        if footers or notes:
            pages[-1] = pages[-1] + "\n\n" + "\n\n".join(footers + notes)
        metadata = _properties(package, problems)
        return Parsed(
            pages=pages,
            title=metadata.get("title") or None,
            metadata=metadata,
            problems=problems,
            children=_embedded(package, "word/embeddings/", problems),
        )


class PptxFormat:
    """PowerPoint presentations (PPTX): one page per slide, in the order the presentation shows them."""

    name = "pptx"
    media_types: tuple[str, ...] = (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    )
    what = "PowerPoint presentation (PPTX)"

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def sniff(self, head: bytes, path: Path) -> bool:
        return sniff_package(head) == "pptx"

    def _slide_order(self, package: SafeZip, problems: list[str]) -> list[str]:
        numbered = _numbered(package.names(), r"ppt/slides/slide\d+\.xml")
        if not (package.has("ppt/presentation.xml") and package.has("ppt/_rels/presentation.xml.rels")):
            return numbered
        try:
            presentation = parse_xml(package.read("ppt/presentation.xml"), "ppt/presentation.xml", problems)
            rels = parse_xml(
                package.read("ppt/_rels/presentation.xml.rels"), "ppt/_rels/presentation.xml.rels", problems
            )
        except FormatError:
            return numbered
        targets = {rel.get("Id"): rel.get("Target") or "" for rel in rels}
        order: list[str] = []
        for element in presentation.iter():
            if _local(element) != "sldId":
                continue
            rid = next(
                (v for k, v in element.attrib.items() if etree.QName(k).localname == "id" and "}" in k), None
            )
            target = targets.get(rid)
            if target:
                part = posixpath.normpath(posixpath.join("ppt", target)).lstrip("/")
                if package.has(part):
                    order.append(part)
        return order or numbered

    def read(self, data: bytes, path: Path) -> Parsed:
        package = open_package(data, self.what, self.limits)
        problems: list[str] = []
        walker = _Walker(page_breaks=False)
        pages: list[str] = []
        for number, part in enumerate(self._slide_order(package, problems), start=1):
            try:
                pages.append(walker.text(parse_xml(package.read(part), part, problems)).strip("\n"))
            except FormatError as exc:
                if exc.status != "failed":
                    raise
                pages.append("")
                problems.append(f"slide {number} could not be read ({exc.reason})")
        if not pages:
            raise FormatError("failed", f"the {self.what} has no slides")
        metadata = _properties(package, problems)
        return Parsed(
            pages=pages,
            title=metadata.get("title") or None,
            metadata=metadata,
            problems=problems,
            children=_embedded(package, "ppt/embeddings/", problems),
        )
