"""Import SIPRI Arms Transfers Database trade-register exports as transfers.

SIPRI publishes two CSV shapes, and users have both on disk:

- ``deliveries``: the current export, one row per deal and delivery year, keyed by
  ``SIPRI AT Database ID``; UTF-8, CRLF, a stray ``;`` at the end of every line and
  ``... is estimate`` Yes/No columns.
- ``legacy``: the older export, one row per deal, no deal id; Latin-1, a
  ``; ``-separated ``Year(s) of delivery`` list, ``?`` uncertainty flags in blank-named
  columns and free-text comments that may break a record over two lines.

Both become one `Transfer` per SIPRI deal with the register row as evidence. Bad rows
become `ImportProblem`s with their line number instead of stopping the import, because
a register of 25,000 rows should not be lost to one damaged line.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from armstrace.errors import UserError
from armstrace.records import CATEGORIES, Actor, Item, RegisterRow, Status, Transfer, stable_id

REGISTER = "sipri-trade-register"
REGISTER_TITLE = "SIPRI Arms Transfers Database"
#: The credit line SIPRI asks for wherever its data is shown.
CREDIT = "Information from the SIPRI Arms Transfers Database"

Format = Literal["deliveries", "legacy"]

#: How many lines of a file we look through for the header row (SIPRI writes 11 preamble lines).
HEADER_SEARCH_LINES = 40

DELIVERIES_COLUMNS: tuple[str, ...] = (
    "SIPRI AT Database ID",
    "Supplier",
    "Recipient",
    "Designation",
    "Description",
    "Armament category",
    "Order date",
    "Order date is estimate",
    "Numbers delivered",
    "Numbers delivered is estimate",
    "Delivery year",
    "Delivery year is estimate",
    "Status",
)
LEGACY_COLUMNS: tuple[str, ...] = (
    "Recipient",
    "Supplier",
    "Year of order",
    "Number ordered",
    "Weapon designation",
    "Weapon description",
    "Number delivered",
    "Year(s) of delivery",
    "status",
    "Comments",
)
#: The legacy columns whose `?` flag sits in the blank-named column right after them.
LEGACY_FLAGGED = ("Year of order", "Number ordered", "Number delivered")

_EXPORT_DATE = re.compile(r"Data generated:\s*(\d{1,2} [A-Za-z]{3,9} \d{4})")
_YEAR_RANGE = re.compile(r"year range '(\d{4})' to '(\d{4})'")
_YEAR = re.compile(r"\d{4}")


class SipriFormatError(UserError):
    """The file is not a SIPRI trade-register export we can read; the message says why."""

    code = "E040"


@dataclass
class ImportProblem:
    """One row we could not use, or used with a caveat: its physical line and why."""

    line: int
    message: str


@dataclass
class RegisterImport:
    """The result of reading one register export: transfers plus everything that went wrong."""

    register: str
    export_date: str | None
    format: Format
    transfers: list[Transfer]
    rows: int
    deals: int
    problems: list[ImportProblem] = field(default_factory=list)
    unmapped: dict[str, int] = field(default_factory=dict)


class UnmappedName(ValueError):
    """A SIPRI party name that armstrace cannot place as a state, organisation or non-state actor."""


# --------------------------------------------------------------------------- names


@dataclass(frozen=True)
class _NameTable:
    states: dict[str, str]
    non_state: dict[str, str | None]
    organisations: frozenset[str]
    unknown: frozenset[str]
    aliases: dict[str, str]
    display: dict[str, str]
    descriptions: dict[str, str]


def _key(name: str) -> str:
    return " ".join(name.strip().rstrip("*").split()).casefold()


def _check_code(code: Any, where: str) -> str:
    if not (isinstance(code, str) and len(code) == 2 and code.isalpha() and code.isupper()):
        raise ValueError(f"sipri_names.yaml: {where} has {code!r}, which is not an ISO alpha-2 code")
    return code


@cache
def _names() -> _NameTable:
    """The packaged name table (see the sources in its header), checked once when first used."""
    text = resources.files("armstrace.registers").joinpath("sipri_names.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    states = {_key(n): _check_code(c, n) for n, c in {**data["states"], **data["historical"]}.items()}
    non_state = {_key(n): (None if c is None else _check_code(c, n)) for n, c in data["non_state"].items()}
    descriptions: dict[str, str] = {}
    for desc, cat in data["descriptions"].items():
        if cat not in CATEGORIES:
            raise ValueError(f"sipri_names.yaml: description {desc!r} has unknown category {cat!r}")
        descriptions[_key(desc)] = cat
    return _NameTable(
        states=states,
        non_state=non_state,
        organisations=frozenset(_key(n) for n in data["organisations"]),
        unknown=frozenset(_key(n) for n in data["unknown"]),
        aliases={_key(old): str(new) for old, new in data["aliases"].items()},
        display={_check_code(c, "display_names"): str(n) for c, n in data["display_names"].items()},
        descriptions=descriptions,
    )


def slug(text: str) -> str:
    """A lower-case, hyphenated id fragment: 'Hezbollah (Lebanon)' → 'hezbollah-lebanon'."""
    return re.sub(r"[^\w.+]+", "-", text.casefold()).strip("-.")


def _state_code(name: str) -> str | None:
    """ISO alpha-2 for a state name: our table first, then the `countrynames` library."""
    table = _names()
    code = table.states.get(_key(name))
    if code is not None:
        return code
    import countrynames  # lazy: only names our table does not know reach it

    found = countrynames.to_code(name, fuzzy=False)
    # ISO 3166-3 four-letter codes (SUHH, YUCS, CSHH, DDDE) begin with the former alpha-2.
    if isinstance(found, str) and found.isalpha() and found.isupper() and len(found) in (2, 4):
        return found[:2]
    return None


@cache
def sipri_state(name: str) -> Actor:
    """The actor behind a SIPRI party name, never filing a group or organisation under a state.

    SIPRI marks non-state actors with ``*`` and organisations with ``**``; a state gets its
    ISO alpha-2 code. Raises `UnmappedName` for a name we cannot place rather than guessing.
    """
    raw = name.strip()
    base = raw.rstrip("*").strip()
    stars = len(raw) - len(raw.rstrip("*"))
    table = _names()
    base = table.aliases.get(_key(base), base)
    key = _key(base)
    if not base:
        raise UnmappedName("The party name is empty.")
    if stars >= 2 or key in table.organisations:
        return Actor(id=f"sipri:{slug(base)}", name=base, kind="organisation", state=None)
    if stars == 1 or key in table.non_state or key in table.unknown:
        if key in table.non_state:
            where = table.non_state[key]
        else:  # a group not in our table: the state named in SIPRI's parenthesis, if it is one
            inner = re.search(r"\(([^()/]+)\)\s*$", base)
            where = _state_code(inner.group(1)) if inner else None
        return Actor(id=f"sipri:{slug(base)}", name=base, kind="non-state", state=where)
    code = _state_code(base)
    if code is None:
        raise UnmappedName(f"{base!r} is not a state, organisation or non-state actor armstrace knows.")
    return Actor(id=code, name=table.display.get(code, base), kind="state")


def sipri_category(category: str | None, description: str = "") -> str | None:
    """Our lower-case armament category from SIPRI's column, or from the weapon description."""
    if category:
        cat = category.strip().casefold().replace("-", " ")
        return cat if cat in CATEGORIES else None
    return _names().descriptions.get(_key(description))


# --------------------------------------------------------------------------- reading


def _decode(data: bytes) -> str:
    """UTF-8 when it is valid (the current export), else Latin-1 (the legacy export)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.removeprefix("\ufeff")


def _split(text: str) -> list[str]:
    # Not str.splitlines(): Latin-1 text may hold \x85 or \x0c, which it would treat as breaks.
    return [line.removesuffix("\r") for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def _read(path: Path, limit: int | None = None) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read() if limit is None else handle.read(limit)
    except OSError as err:
        raise SipriFormatError(f"{path}: cannot be read ({err.strerror or err}).") from None
    return _decode(data)


def _fields(line: str) -> list[str]:
    return next(csv.reader([line]), [])


def _find_header(path: Path, lines: list[str]) -> tuple[int, Format, list[str]]:
    """The 0-based index, format and column names of the header row; SipriFormatError if none."""
    for index, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        names = [c.strip() for c in _fields(line.rstrip().removesuffix(";"))]
        if not names:
            continue
        if names[0] == "SIPRI AT Database ID":
            missing = [c for c in DELIVERIES_COLUMNS if c not in names]
            if missing:
                raise SipriFormatError(
                    f"{path}, line {index + 1}: the SIPRI header lacks the column(s) "
                    f"{', '.join(repr(m) for m in missing)}; re-export the trade register from SIPRI."
                )
            return index, "deliveries", names
        if names[:3] == ["Recipient", "Supplier", "Year of order"]:
            missing = [c for c in LEGACY_COLUMNS if c not in names]
            if missing:
                raise SipriFormatError(
                    f"{path}, line {index + 1}: the SIPRI header lacks the column(s) "
                    f"{', '.join(repr(m) for m in missing)}; re-export the trade register from SIPRI."
                )
            return index, "legacy", names
    raise SipriFormatError(
        f"{path}: not a SIPRI trade-register export — none of its first {HEADER_SEARCH_LINES} lines is "
        "a SIPRI header row (one starting 'SIPRI AT Database ID,Supplier,Recipient' or "
        "'Recipient,Supplier,Year of order'). Export the trade register as CSV from "
        "https://armstransfers.sipri.org and import that file."
    )


def detect_format(path: Path) -> Format:
    """'deliveries' or 'legacy', read from the header row (file names lie)."""
    head = _split(_read(path, limit=64 * 1024))
    return _find_header(path, head)[1]


def _first_year(preamble: list[str]) -> int | None:
    """The first delivery year a deliveries export was made for (its preamble's year range)."""
    for line in preamble:
        match = _YEAR_RANGE.search(line)
        if match:
            return int(match.group(1))
    return None


def _export_date(preamble: list[str]) -> str | None:
    for line in preamble:
        match = _EXPORT_DATE.search(line)
        if match:
            for fmt in ("%d %b %Y", "%d %B %Y"):
                try:
                    return datetime.strptime(match.group(1), fmt).date().isoformat()
                except ValueError:
                    continue
    return None


def _records(
    lines: list[str], start: int, width: int, strip_semicolon: bool, problems: list[ImportProblem]
) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) per record, rejoining records broken over lines inside free text."""
    index = start
    while index < len(lines):
        line = lines[index]
        number = index + 1
        index += 1
        if strip_semicolon:
            line = line.removesuffix(";")
        if not line.strip():
            continue
        fields = _fields(line)
        # A record broken by a line break inside its comments continues on the next line(s).
        while len(fields) < width and index < len(lines) and lines[index].strip():
            nxt = lines[index].removesuffix(";") if strip_semicolon else lines[index]
            joined = _fields(line + " " + nxt)
            if len(joined) > width:
                break
            line, fields = line + " " + nxt, joined
            index += 1
        if len(fields) < width:
            problems.append(
                ImportProblem(
                    number,
                    f"line {number} has {len(fields)} of the {width} columns; the row looks truncated "
                    "and was skipped.",
                )
            )
            continue
        yield number, [f.strip() for f in fields]


def _int(value: str) -> int | None:
    """A whole count, or None for SIPRI's empty 'not yet available'; ValueError otherwise."""
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"\d+(\.0+)?", value):
        raise ValueError(value)
    return int(float(value))


def _year(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not _YEAR.fullmatch(value):
        raise ValueError(value)
    return int(value)


def _yes(value: str) -> bool:
    return value.strip().casefold() in {"yes", "y", "true", "1", "?"}


def _q(flag: bool) -> str:
    return "?" if flag else ""


def _item(designation: str, description: str, category: str) -> Item:
    """'Polonez' + 'MLRS' → 'Polonez MLRS', system 'polonez'; generic designations get no system."""
    d_low, desc_low = designation.casefold(), description.casefold()
    text = designation if (not description or desc_low in d_low) else f"{designation} {description}"
    generic = not designation or d_low.startswith(desc_low) or d_low.startswith(("unidentified", "unknown"))
    return Item(text=text or description, system=None if generic else slug(designation), category=category)


def _what(designation: str, description: str, category: str = "") -> str:
    """'Polonez (MLRS, Artillery)', without repeating a description the designation already holds."""
    inner = [x for x in (description,) if x and x.casefold() not in designation.casefold()]
    inner += [category] if category else []
    return f"{designation} ({', '.join(inner)})" if inner else designation


def _quote(notes: list[str]) -> str:
    text = "; ".join(notes)
    return f"{text}; ? = SIPRI estimate" if "?" in text else text


class _Importer:
    """State shared by the two format readers: the name lookups and what went wrong."""

    def __init__(self, path: Path, export_date: str | None, first_year: int | None = None) -> None:
        self.path = path
        self.first_year = first_year  # the first delivery year the export was made for
        self.register = f"{REGISTER_TITLE} (export {export_date or 'date unknown'})"
        self.problems: list[ImportProblem] = []
        self.unmapped: Counter[str] = Counter()
        self._reported: set[str] = set()

    def actor(self, name: str, line: int, rows: int = 1) -> Actor | None:
        try:
            return sipri_state(name)
        except UnmappedName:
            self.unmapped[name] += rows
            if name not in self._reported:
                self._reported.add(name)
                self.problems.append(
                    ImportProblem(
                        line,
                        f"line {line}: {name!r} is not a state, organisation or non-state actor armstrace "
                        "knows; its deals were skipped. Add it to registers/sipri_names.yaml.",
                    )
                )
            return None

    def category(self, category: str | None, description: str, line: int) -> str:
        cat = sipri_category(category, description)
        if cat is None:
            what = f"armament category {category!r}" if category else f"weapon description {description!r}"
            if what not in self._reported:
                self._reported.add(what)
                self.problems.append(
                    ImportProblem(
                        line, f"line {line}: {what} has no armstrace category; filed under 'other'."
                    )
                )
            return "other"
        return cat

    def bad_value(self, line: int, column: str, value: str) -> None:
        self.problems.append(
            ImportProblem(line, f"line {line}: {column!r} is {value!r}, not a number or year; row skipped.")
        )


# --------------------------------------------------------------------------- deliveries format


@dataclass
class _Delivery:
    line: int
    year: int | None
    year_est: bool
    number: int | None
    number_est: bool
    tiv: str


def _read_deliveries(
    imp: _Importer, lines: list[str], header_at: int, header: list[str]
) -> tuple[list[Transfer], int, int]:
    col = {name: i for i, name in enumerate(header)}
    width = len(header)
    deals: dict[str, tuple[list[str], list[_Delivery]]] = {}
    rows = 0
    for number, fields in _records(lines, header_at + 1, width, True, imp.problems):
        if len(fields) > width:
            imp.problems.append(
                ImportProblem(
                    number, f"line {number} has {len(fields)} columns, expected {width}; row skipped."
                )
            )
            continue
        rows += 1
        deal_id = fields[col["SIPRI AT Database ID"]]
        if not deal_id:
            imp.problems.append(ImportProblem(number, f"line {number} has no SIPRI deal id; row skipped."))
            continue
        try:
            delivery = _Delivery(
                line=number,
                year=_year(fields[col["Delivery year"]]),
                year_est=_yes(fields[col["Delivery year is estimate"]]),
                number=_int(fields[col["Numbers delivered"]]),
                number_est=_yes(fields[col["Numbers delivered is estimate"]]),
                tiv=fields[col["TIV delivery values"]] if "TIV delivery values" in col else "",
            )
            _year(fields[col["Order date"]])
        except ValueError as err:
            imp.bad_value(number, "Delivery year / Numbers delivered / Order date", str(err))
            continue
        deals.setdefault(deal_id, (fields, []))[1].append(delivery)

    transfers: list[Transfer] = []
    for deal_id, (first, deliveries) in deals.items():
        transfer = _deliveries_transfer(imp, col, deal_id, first, deliveries)
        if transfer is not None:
            transfers.append(transfer)
    return transfers, rows, len(deals)


def _deliveries_transfer(
    imp: _Importer, col: dict[str, int], deal_id: str, row: list[str], deliveries: list[_Delivery]
) -> Transfer | None:
    line = deliveries[0].line
    supplier_name, recipient_name = row[col["Supplier"]], row[col["Recipient"]]
    supplier = imp.actor(supplier_name, line, len(deliveries))
    recipient = imp.actor(recipient_name, line, len(deliveries))
    if supplier is None or recipient is None:
        return None
    designation, description = row[col["Designation"]], row[col["Description"]]
    category = imp.category(row[col["Armament category"]], description, line)
    order_year = _year(row[col["Order date"]])
    order_est = _yes(row[col["Order date is estimate"]])

    delivered = sorted((d for d in deliveries if d.year is not None), key=lambda d: d.year or 0)
    status: Status
    if delivered:
        status = "delivered"
        years: tuple[int, int] | None = (delivered[0].year or 0, delivered[-1].year or 0)
        years_est = delivered[0].year_est or delivered[-1].year_est
    else:
        status = "ordered"
        years = (order_year, order_year) if order_year else None
        years_est = order_est
    numbers = [d.number for d in deliveries if d.number is not None]
    quantity = sum(numbers) if numbers else None
    quantity_est = any(d.number_est for d in deliveries if d.number is not None)

    what = _what(designation, description, row[col["Armament category"]])
    notes = [f"{supplier_name} to {recipient_name}: {what}"]
    if order_year:
        notes.append(f"order year {order_year}{_q(order_est)}")
    if delivered:
        notes.append(
            "delivered "
            + ", ".join(
                f"{'' if d.number is None else d.number}{_q(d.number_est)} in {d.year}{_q(d.year_est)}"
                for d in delivered
            )
        )
    second_hand = row[col["Status"]]
    if second_hand and second_hand != "New":
        notes.append(second_hand.lower())
    if "Local production" in col and _yes(row[col["Local production"]]):
        notes.append("produced in the recipient country (local production)")
    if imp.first_year and order_year and order_year < imp.first_year:
        notes.append(f"deliveries before {imp.first_year}, if any, are not in this export")
    return Transfer(
        id=stable_id("sipri", deal_id),
        supplier=supplier,
        recipient=recipient,
        item=_item(designation, description, category),
        status=status,
        years=years,
        quantity=quantity,
        confidence=0.9 if (years_est or quantity_est) else 1.0,
        source="register",
        evidence=[RegisterRow(register=imp.register, row=f"deal {deal_id}", quote=_quote(notes))],
        years_estimated=years_est,
    )


# --------------------------------------------------------------------------- legacy format


def _read_legacy(
    imp: _Importer, lines: list[str], header_at: int, header: list[str]
) -> tuple[list[Transfer], int, int]:
    col = {name: i for i, name in enumerate(header) if name}
    flag = {name: col[name] + 1 for name in LEGACY_FLAGGED if col[name] + 1 < len(header)}
    width = len(header)
    comments_at = col["Comments"]
    seen: Counter[tuple[str, ...]] = Counter()
    transfers: list[Transfer] = []
    rows = 0
    for number, fields in _records(lines, header_at + 1, width, False, imp.problems):
        if len(fields) > width:  # commas inside the free-text comments: give them back to it
            extra = len(fields) - width
            fields = [
                *fields[:comments_at],
                ",".join(fields[comments_at : comments_at + extra + 1]),
                *fields[comments_at + extra + 1 :],
            ]
        rows += 1
        transfer = _legacy_transfer(imp, col, flag, number, fields, seen)
        if transfer is not None:
            transfers.append(transfer)
    return transfers, rows, rows  # one record per deal


def _legacy_transfer(
    imp: _Importer,
    col: dict[str, int],
    flag: dict[str, int],
    line: int,
    row: list[str],
    seen: Counter[tuple[str, ...]],
) -> Transfer | None:
    def flagged(name: str) -> bool:
        return name in flag and row[flag[name]].strip() == "?"

    try:
        order_year = _year(row[col["Year of order"]])
        ordered = _int(row[col["Number ordered"]])
        delivered = _int(row[col["Number delivered"]])
        years_text = row[col["Year(s) of delivery"]]
        years_list = sorted(y for y in (_year(p) for p in re.split(r"[;,]", years_text)) if y is not None)
    except ValueError as err:
        imp.bad_value(
            line, "Year of order / Number ordered / Number delivered / Year(s) of delivery", str(err)
        )
        return None
    supplier_name, recipient_name = row[col["Supplier"]], row[col["Recipient"]]
    supplier = imp.actor(supplier_name, line)
    recipient = imp.actor(recipient_name, line)
    if supplier is None or recipient is None:
        return None
    designation, description = row[col["Weapon designation"]], row[col["Weapon description"]]
    category = imp.category(None, description, line)

    # SIPRI lists some distinct deals with identical key fields; number them in file order.
    key = (supplier_name, recipient_name, designation, str(order_year), row[col["Number ordered"]])
    seen[key] += 1
    parts: tuple[object, ...] = ("sipri-legacy", *key) + ((seen[key],) if seen[key] > 1 else ())

    order_est = flagged("Year of order")
    status: Status
    if years_list or (delivered or 0) > 0:
        status = "delivered"
        if years_list:  # the legacy export has no uncertainty flag for delivery years
            years: tuple[int, int] | None = (years_list[0], years_list[-1])
            years_est = False
        else:
            years = (order_year, order_year) if order_year else None
            years_est = order_est
    else:
        status = "ordered"
        years = (order_year, order_year) if order_year else None
        years_est = order_est
    if ordered is not None:
        quantity: int | None = ordered
        quantity_est = flagged("Number ordered")
    else:
        quantity = delivered if delivered else None
        quantity_est = flagged("Number delivered")

    notes = [f"{supplier_name} to {recipient_name}: {_what(designation, description)}"]
    if ordered is not None:
        notes.append(f"{ordered}{_q(flagged('Number ordered'))} ordered")
    if order_year:
        notes.append(f"order year {order_year}{_q(order_est)}")
    if years_list or delivered:
        notes.append(
            f"delivered {'' if delivered is None else delivered}{_q(flagged('Number delivered'))}"
            + (f" in {', '.join(str(y) for y in years_list)}" if years_list else "")
        )
    second_hand = row[col["status"]]
    if second_hand and second_hand != "New":
        notes.append(second_hand.lower())
    if row[col["Comments"]]:
        notes.append(f"comments: {row[col['Comments']]}")
    return Transfer(
        id=stable_id(*parts),
        supplier=supplier,
        recipient=recipient,
        item=_item(designation, description, category),
        status=status,
        years=years,
        quantity=quantity,
        confidence=0.9 if (years_est or quantity_est) else 1.0,
        source="register",
        evidence=[RegisterRow(register=imp.register, row=f"line {line}", quote=_quote(notes))],
        years_estimated=years_est,
    )


# --------------------------------------------------------------------------- entry point


def read_sipri(path: Path) -> RegisterImport:
    """Read either SIPRI export format into one transfer per deal, collecting row problems."""
    path = Path(path)
    lines = _split(_read(path))
    header_at, fmt, header = _find_header(path, lines)
    export_date = _export_date(lines[:header_at])
    imp = _Importer(path, export_date, _first_year(lines[:header_at]))
    if fmt == "deliveries":
        transfers, rows, deals = _read_deliveries(imp, lines, header_at, header)
    else:
        transfers, rows, deals = _read_legacy(imp, lines, header_at, header)
    if rows == 0:
        imp.problems.append(ImportProblem(header_at + 1, f"{path} has a SIPRI header but no data rows."))
    return RegisterImport(
        register=REGISTER,
        export_date=export_date,
        format=fmt,
        transfers=transfers,
        rows=rows,
        deals=deals,
        problems=imp.problems,
        unmapped=dict(imp.unmapped),
    )
