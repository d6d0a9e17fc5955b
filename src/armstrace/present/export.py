"""Machine-readable exports: JSONL (lossless, the CLI contract) and flat CSV for spreadsheets."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import TextIO

from armstrace.present.tables import evidence_text
from armstrace.records import DocumentSpan, Finding, Transfer

TRANSFER_CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "supplier",
    "supplier_name",
    "recipient",
    "recipient_name",
    "item",
    "system",
    "category",
    "quantity",
    "status",
    "year_first",
    "year_last",
    "confidence",
    "source",
    "evidence",
    "doc",
    "page",
    "start",
    "end",
)

# A cell starting with one of these is run as a formula by spreadsheet programs; leaked text is hostile.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_jsonl(records: Iterable[Transfer | Finding], out: TextIO) -> int:
    """One JSON object per line in the shape PRODUCT.md fixes; returns the number of lines written."""
    n = 0
    for record in records:
        out.write(json.dumps(record.to_json(), ensure_ascii=False, sort_keys=False))
        out.write("\n")
        n += 1
    return n


def _safe_cell(text: str) -> str:
    """Neutralise spreadsheet formulas in free text (the JSONL export keeps the exact text)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_transfers_csv(transfers: Sequence[Transfer] | Iterable[Transfer], out: TextIO) -> int:
    """Flat CSV, one row per transfer with its first piece of evidence; returns the number of rows.

    `doc`, `page`, `start` and `end` locate document evidence; for a register row the `evidence` cell
    names the register and row instead.

    Free-text cells (names, item, evidence) that would start a spreadsheet formula are prefixed with
    `'`; use JSONL when the exact quote is needed.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TRANSFER_CSV_COLUMNS)
    n = 0
    for t in transfers:
        first = t.evidence[0] if t.evidence else None
        doc = page = start = end = ""
        if isinstance(first, DocumentSpan):
            doc, page, start, end = first.doc, str(first.page), str(first.start), str(first.end)
        writer.writerow(
            [
                t.id,
                t.supplier.code,
                _safe_cell(t.supplier.name),
                t.recipient.code,
                _safe_cell(t.recipient.name),
                _safe_cell(t.item.text),
                t.item.system or "",
                t.item.category,
                "" if t.quantity is None else str(t.quantity),
                t.status,
                str(t.years[0]) if t.years else "",
                str(t.years[1]) if t.years else "",
                f"{t.confidence:.3f}",
                t.source,
                _safe_cell(evidence_text(first)) if first is not None else "",
                doc,
                page,
                start,
                end,
            ]
        )
        n += 1
    return n
