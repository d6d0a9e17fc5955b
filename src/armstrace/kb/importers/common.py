"""Small readers shared by the importers: CSV files with a checked header, dates, the bundled KB."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from armstrace.kb.importers.writer import ImportInputError
from armstrace.kb.model import KnowledgeBase


def read_text(path: Path, what: str) -> str:
    """The file's text (UTF-8, with or without BOM; Latin-1 as a fallback), or a user error naming it."""
    if not path.is_file():
        raise ImportInputError(f"{path}: not found ({what} expected here).")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportInputError(f"{path}: cannot be read: {exc}") from None
    if b"\x00" in data[:4096]:
        raise ImportInputError(f"{path}: is a binary file, not {what} (a CSV file).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_rows(path: Path, what: str, delimiter: str = ",") -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a CSV file; rows keep their raw fields."""
    text = read_text(path, what)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportInputError(f"{path}: is not a readable CSV file ({exc}); {what} expected.") from None
    rows = [r for r in rows if any(f.strip() for f in r)]
    if not rows:
        raise ImportInputError(f"{path}: is empty; {what} expected.")
    header = [h.strip() for h in rows[0]]
    return header, rows[1:]


def integer(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


def safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def bundled_kb() -> KnowledgeBase:
    """The bundled knowledge base alone (no user layers): what imported layers are read on top of."""
    from armstrace.kb import DATA_DIR, loader

    return loader.load(DATA_DIR)
