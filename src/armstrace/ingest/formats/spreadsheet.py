"""Spreadsheets (XLSX, ODS, CSV): tables become lines of text an extractor can read.

A bill of sale's specification is a table, and a sentence-level extractor
cannot read a grid. So each row becomes one line with the header's names
carried into it: `Item: Groza-S station | Quantity: 6 | Unit price: 250 000`.
The header is the first row with two or more cells that are all labels (not
numbers); rows above it (a title, a contract number) stay plain lines. Each
sheet is a page, headed by its name; a very long sheet is cut into pages of
`PAGE_ROWS` rows, so a page stays a size a person (and the extractor) can read.

XLSX goes through openpyxl (with defusedxml, which it uses when installed)
after `_package` has checked every member against the unpacking limits; ODS
is read from its content.xml with the OpenDocument reader; CSV is decoded
like plain text and its delimiter guessed from the rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from armstrace.ingest.formats import FormatError, Parsed
from armstrace.ingest.formats._package import (
    DEFAULT_LIMITS,
    Limits,
    declares_dtd,
    open_package,
    sniff_package,
)
from armstrace.ingest.formats.odf import OFFICE, TABLE, OdfText, odf_metadata, open_odf
from armstrace.ingest.formats.text import decode_text, looks_like_text, normalise_newlines

PAGE_ROWS = 1000
"""Rows per page: a longer sheet continues on the next page."""
MAX_ROWS = 200_000
"""Rows read per sheet; the rest are reported as a problem."""
MAX_COLUMNS = 512

_NUMBER = re.compile(r"[-+]?[\d\s.,\u00a0\u202f]*\d[\d\s.,\u00a0\u202f]*%?")
_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
_CSV_EXTENSIONS = (".csv", ".tsv", ".tab")
_DELIMITERS = (",", ";", "\t", "|")


def _is_label(cell: str) -> bool:
    return not (_NUMBER.fullmatch(cell) or _DATE.fullmatch(cell))


def table_lines(rows: Iterable[Sequence[str]]) -> list[str]:
    """Rows of cell texts as lines, each data cell named by its column's header."""
    header: Sequence[str] | None = None
    lines: list[str] = []
    for cells in rows:
        filled = [cell for cell in cells if cell]
        if not filled:
            if lines and lines[-1]:
                lines.append("")
            continue
        if header is None:
            if len(filled) >= 2 and all(_is_label(cell) for cell in filled):
                header = cells
            lines.append(" | ".join(filled))
            continue
        parts = []
        for index, cell in enumerate(cells):
            if not cell:
                continue
            name = header[index] if index < len(header) else ""
            parts.append(f"{name}: {cell}" if name else cell)
        lines.append(" | ".join(parts))
    while lines and not lines[-1]:
        lines.pop()
    return lines


def sheet_pages(name: str | None, rows: list[list[str]], note: str = "") -> list[str]:
    """One sheet as pages: its name (if it has one), then its lines, `PAGE_ROWS` lines a page."""
    lines = table_lines(rows)
    chunks = [lines[start : start + PAGE_ROWS] for start in range(0, len(lines), PAGE_ROWS)] or [[]]
    if name is None:
        return ["\n".join(chunk) for chunk in chunks]
    pages = []
    for number, chunk in enumerate(chunks):
        label = f"Sheet: {name}{note}"
        if len(chunks) > 1:
            label += f" (lines {number * PAGE_ROWS + 1}-{number * PAGE_ROWS + len(chunk)})"
        pages.append(label + "\n\n" + "\n".join(chunk) if chunk else label)
    return pages


def _cell(value: Any) -> str:
    """A cell value as a person would read it: 6 rather than 6.0, a date without a midnight time."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(value, ".15g")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return " ".join(str(value).split())


class XlsxFormat:
    """Excel workbooks (XLSX, XLSM): cached cell values, so formulas show their last computed result."""

    name = "xlsx"
    media_types: tuple[str, ...] = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)
    what = "Excel workbook (XLSX)"

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def sniff(self, head: bytes, path: Path) -> bool:
        return sniff_package(head) == "xlsx"

    def read(self, data: bytes, path: Path) -> Parsed:
        package = open_package(data, self.what, self.limits)
        total = 0
        for info in package.infos:  # openpyxl unpacks members itself: check them all first
            refusal = package.check(info)
            total += info.file_size
            if refusal is None and total > self.limits.max_total:
                refusal = f"its parts unpack to more than {self.limits.max_total:,} bytes"
            if refusal is not None:
                raise FormatError("too-large", f"{refusal}, so the {self.what} was not read")
            # openpyxl's streaming parser would expand entities: refuse any part that declares them
            if info.filename.endswith((".xml", ".rels")) and declares_dtd(package.read(info)):
                raise FormatError(
                    "failed",
                    f"its part {info.filename} declares a DTD or XML entities (possibly hostile), "
                    f"so the {self.what} was not read",
                )
        import openpyxl
        from defusedxml import DefusedXmlException

        problems: list[str] = []
        pages: list[str] = []
        metadata: dict[str, str] = {}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about features it drops; we only read values
                book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
                try:
                    props = book.properties
                    for key, value in (
                        ("title", props.title),
                        ("author", props.creator),
                        ("last_modified_by", props.lastModifiedBy),
                        ("created", props.created),
                        ("modified", props.modified),
                        ("subject", props.subject),
                        ("keywords", props.keywords),
                    ):
                        if value:
                            metadata[key] = _cell(value)
                    for sheet in book.worksheets:
                        rows, cut = self._rows(sheet)
                        if cut:
                            problems.append(
                                f"sheet {sheet.title!r} has over {MAX_ROWS:,} rows; the rest were skipped"
                            )
                        state = getattr(sheet, "sheet_state", "visible")
                        hidden = " (hidden)" if state != "visible" else ""
                        pages.extend(sheet_pages(sheet.title, rows, hidden))
                finally:
                    book.close()
        except DefusedXmlException as exc:
            raise FormatError(
                "failed",
                f"the {self.what} declares XML entities or a DTD (possibly hostile) and was not read",
            ) from exc
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError, IndexError) as exc:
            raise FormatError("failed", f"the {self.what} is damaged and cannot be read ({exc})") from exc
        if not pages:
            raise FormatError("failed", f"the {self.what} has no worksheets")
        return Parsed(pages=pages, title=metadata.get("title") or None, metadata=metadata, problems=problems)

    @staticmethod
    def _rows(sheet: Any) -> tuple[list[list[str]], bool]:
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            if len(rows) >= MAX_ROWS:
                return rows, True
            cells = [_cell(value) for value in values]
            while cells and not cells[-1]:
                cells.pop()
            rows.append(cells)
        return rows, False


class OdsFormat:
    """OpenDocument spreadsheets (ODS): the text each cell displays, as LibreOffice formats it."""

    name = "ods"
    media_types: tuple[str, ...] = ("application/vnd.oasis.opendocument.spreadsheet",)
    what = "OpenDocument spreadsheet (ODS)"

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def sniff(self, head: bytes, path: Path) -> bool:
        return sniff_package(head) == "ods"

    def read(self, data: bytes, path: Path) -> Parsed:
        package, content, problems = open_odf(data, self.what, self.limits)
        metadata = odf_metadata(package, problems)
        reader = OdfText(page_breaks=False)
        pages: list[str] = []
        body = content.find(f"{{{OFFICE}}}body")
        tables = [] if body is None else list(body.iter(f"{{{TABLE}}}table"))
        for number, table in enumerate(tables, start=1):
            if OdfText._owner(table) is not None:
                continue  # a table inside a cell is read as that cell's text
            name = table.get(f"{{{TABLE}}}name") or f"Sheet{number}"
            rows = reader.rows(table, MAX_ROWS + 1)
            if len(rows) > MAX_ROWS:
                problems.append(f"sheet {name!r} has more than {MAX_ROWS:,} rows; the rest were skipped")
                rows = rows[:MAX_ROWS]
            pages.extend(sheet_pages(name, [row[:MAX_COLUMNS] for row in rows]))
        if not pages:
            raise FormatError("failed", f"the {self.what} has no sheets")
        return Parsed(pages=pages, title=metadata.get("title") or None, metadata=metadata, problems=problems)


def _field_counts(sample: str, delimiter: str) -> list[int]:
    lines = sample.split("\n")
    if len(lines) > 1:
        lines.pop()  # the head may end in the middle of a line
    try:
        return [len(row) for row in csv.reader(lines[:50], delimiter=delimiter) if row]
    except csv.Error:
        return []


def guess_delimiter(sample: str) -> tuple[str, int, int]:
    """The delimiter whose rows most often have the same number (two or more) of fields.

    Returns the delimiter, that number of fields, and how many sampled rows have it.
    """
    best = (",", 1, 0)
    for delimiter in _DELIMITERS:
        counts = _field_counts(sample, delimiter)
        if not counts:
            continue
        fields = max(set(counts), key=counts.count)
        agreeing = counts.count(fields)
        if fields >= 2 and (agreeing, fields) > (best[2], best[1]):
            best = (delimiter, fields, agreeing)
    return best


class CsvFormat:
    """Comma-, semicolon- or tab-separated tables (as Excel in Russian locales writes them: with `;`).

    Claimed by content when the rows agree on a delimiter throughout (at least
    five rows, or three fields a row for commas, which prose is full of), or
    by a .csv/.tsv name when the content is text and has any delimiter at all.
    """

    name = "csv"
    media_types: tuple[str, ...] = ("text/csv",)

    def sniff(self, head: bytes, path: Path) -> bool:
        if not looks_like_text(head) or head.lstrip()[:1] in (b"<", b"{", b"["):
            return False
        sample = normalise_newlines(head.decode("utf-8", errors="ignore"))
        delimiter, fields, agreeing = guess_delimiter(sample)
        if path.suffix.lower() in _CSV_EXTENSIONS:
            return agreeing >= 1 and fields >= 2
        counts = _field_counts(sample, delimiter)
        consistent = len(counts) >= 5 and agreeing == len(counts)
        return consistent and (delimiter != "," or fields >= 3)

    def read(self, data: bytes, path: Path) -> Parsed:
        text, encoding = decode_text(data)
        text = normalise_newlines(text)
        delimiter, _, _ = guess_delimiter(text[:65536])
        rows: list[list[str]] = []
        problems: list[str] = []
        csv.field_size_limit(16 * 1024 * 1024)
        try:
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
                if len(rows) >= MAX_ROWS:
                    problems.append(f"the table has more than {MAX_ROWS:,} rows; the rest were skipped")
                    break
                cells = [" ".join(cell.split()) for cell in row[:MAX_COLUMNS]]
                while cells and not cells[-1]:
                    cells.pop()
                rows.append(cells)
        except csv.Error as exc:
            problems.append(f"the table is malformed after row {len(rows)} ({exc}); the rest was skipped")
        name = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}[delimiter]
        pages = sheet_pages(None, rows)
        return Parsed(pages=pages, metadata={"encoding": encoding, "delimiter": name}, problems=problems)
