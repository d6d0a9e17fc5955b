"""`armstrace kb import rivalries FILE`: Thompson, Sakuwa & Suhas strategic rivalries as `rivalry` periods.

The file (`tss_rivalries.csv`, converted from the authors' spreadsheet) has one row per
rivalry: a free-text dyad (`Armenia-Azerbaijan`; a trailing number tells apart two
rivalries of one pair, `Britain-France 2`), a start year (`P1816` = already under way
in 1816, the start of the authors' coverage for that pair), an end year or `ongoing`
(still under way at the end of their data, 2020), and 0/1 flags for the kind of
rivalry (positional, spatial, ideological, interventionary).

Names are the authors' short forms: most are the bundled knowledge base's state names
or their English variants (`Britain`, `DRC`, `USSR`); the rest are mapped here
(`E. Germany`, `N. Yemen`, `Dominican Rep`, the misspelt `Eguatorial Guinea`), and
historical polities with no state in the knowledge base (`Ottoman E`, `Prussia`,
`Venice`, `Austria (Hungary)`, `S. Vietnam`) are reported. Russia and the USSR, and
Serbia and Yugoslavia, are coded by date as in the ATOP and UCDP imports (the Soviet
Union until 26 December 1991; Yugoslavia until 4 February 2003).

A rivalry runs from 1 January of its start year to 31 December of its end year
(closed-open, as the bundled knowledge base codes year-level ends) or has no end when
ongoing. Dyads the bundled knowledge base already has get only the periods that do not
overlap its curated rivalry periods, in `conflicts/<id>-tss.yaml`; rows whose end is
before their start are reported and left out.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from armstrace.kb.importers.codes import CodeMapper, Mapped, mapper
from armstrace.kb.importers.common import bundled_kb, read_rows
from armstrace.kb.importers.writer import (
    ImportInputError,
    ImportReport,
    LayerWriter,
    check_layer,
    conflict_for,
    curated_clash,
    require_columns,
    span,
)
from armstrace.kb.model import KnowledgeBase, Period, normalise_name

IMPORTER = "rivalries"
WHAT = "the Thompson, Sakuwa & Suhas strategic rivalries file (tss_rivalries.csv)"
SOURCE_ID = "tss-rivalries-2022"
COVERAGE_END = 2020
KINDS = ("positional", "spatial", "ideological", "interventionary")
#: The authors' short forms that are not a name of a state in the knowledge base: COW code or None.
ALIASES: dict[str, tuple[str, int | str | None]] = {
    "ottoman e": ("Ottoman Empire", None),
    "austria hungary": ("Austria(-Hungary)", None),
    "prussia": ("Prussia", None),
    "venice": ("Venice", None),
    "dominican rep": ("Dominican Republic", "DO"),
    "eguatorial guinea": ("Equatorial Guinea", "GQ"),
    "e germany": ("East Germany", 265),
    "w germany": ("West Germany", 260),
    "n yemen": ("North Yemen", 678),
    "s yemen": ("South Yemen", 680),
    "n vietnam": ("North Vietnam", 816),
    "s vietnam": ("South Vietnam", 817),
}
_YEAR = re.compile(r"^(P)?(\d{3,4})$")
_NUMBER = re.compile(r"\s+\d+$")


class _Names:
    """A TSS short name -> a state of the knowledge base, by date (via its COW code where it has one)."""

    def __init__(self, kb: KnowledgeBase, codes: CodeMapper) -> None:
        self.kb = kb
        self.codes = codes
        self.by_name: dict[str, str | None] = {}
        for state in sorted(kb.states.values(), key=lambda s: (s.historical, s.code)):
            for name in (state.name, *state.names_en):
                key = normalise_name(name)
                if key in self.by_name and self.by_name[key] != state.code:
                    self.by_name[key] = None  # names two states: not usable
                else:
                    self.by_name.setdefault(key, state.code)

    def known(self, name: str) -> bool:
        key = normalise_name(name)
        return key in ALIASES or self.by_name.get(key) is not None

    def map(self, name: str, period: Period) -> list[Mapped]:
        key = normalise_name(name)
        if key in ALIASES:
            label, target = ALIASES[key]
            if target is None:
                return [Mapped(None, period, label)]
            if isinstance(target, str):
                return [Mapped(target, period, label)]
            return self.codes.map(target, period)
        code = self.by_name.get(key)
        if code is None:
            return [Mapped(None, period, name)]
        cow = self.kb.states[code].cow
        if cow is not None and cow in (365, 345, 816):  # codes whose state changes with the date
            return self.codes.map(cow, period)
        return [Mapped(code, period, self.kb.state_name(code))]


def _split(rivalry: str, names: _Names) -> tuple[str, str] | None:
    """`"Turkey-Syria 2"` -> ("Turkey", "Syria"): the split at a hyphen where both halves are known names."""
    base = _NUMBER.sub("", rivalry.strip())
    cuts = [m.start() for m in re.finditer("-", base)]
    candidates = [(base[:c].strip(), base[c + 1 :].strip()) for c in cuts]
    for a, b in candidates:
        if names.known(a) and names.known(b):
            return a, b
    return candidates[0] if len(candidates) == 1 else None


def _year(value: str, what: str) -> tuple[int | None, bool]:
    """(year, given as 'P<year>') of a start or end; (None, False) for `ongoing`."""
    value = value.strip()
    if what == "end" and value.lower() == "ongoing":
        return None, False
    m = _YEAR.match(value)
    if not m:
        raise ValueError(f"{what} {value!r} is not a year, P<year>{' or ongoing' if what == 'end' else ''}")
    return int(m.group(2)), bool(m.group(1))


def import_rivalries(
    file: Path, out_dir: Path, crosswalk: Path | None = None, base: KnowledgeBase | None = None
) -> ImportReport:
    """Write the rivalries of a TSS file into the layer `out_dir`; return what was done."""
    kb = base if base is not None else bundled_kb()
    header, rows = read_rows(file, WHAT)
    require_columns(file, header, ("rivalry", "start", "end"), WHAT)
    keys = [h.lower() for h in header]
    report = ImportReport(dataset="TSS strategic rivalries (2022)", out_dir=out_dir)
    report.counts = dict.fromkeys(("conflicts", "periods"), 0)
    report.read["rivalries"] = len(rows)
    names = _Names(kb, mapper(kb, "cow", crosswalk))
    writer = LayerWriter(out_dir, IMPORTER, f"TSS strategic rivalries ({file.name})", "tss-rivalries-")
    if SOURCE_ID not in kb.sources:
        writer.add_source(
            {
                "id": SOURCE_ID,
                "title": "Strategic rivalries 1494-2020 (Thompson, Sakuwa & Suhas, "
                "Analyzing Strategic Rivalries "
                "in World Politics)",
                "kind": "dataset",
                "publisher": "Thompson, Sakuwa & Suhas (2022), Springer",
                "version": "2022",
            }
        )
    periods: dict[tuple[str, str], list[tuple[Period, dict[str, Any]]]] = {}
    for line, fields in enumerate(rows, 2):
        row = dict(zip(keys, (f.strip() for f in fields), strict=False))
        label = row.get("rivalry", "")
        if not label:
            raise ImportInputError(f"{file}:{line}: a row without a rivalry name; {WHAT} expected.")
        try:
            start_year, before = _year(row.get("start", ""), "start")
            end_year, _ = _year(row.get("end", ""), "end")
        except ValueError as exc:
            raise ImportInputError(f"{file}:{line}: {label}: {exc}; {WHAT} expected.") from None
        assert start_year is not None
        if end_year is not None and end_year < start_year:
            report.skip(f"{label} ({row['start']}-{row['end']})", "ends before it starts in the file")
            continue
        pair = _split(label, names)
        if pair is None:
            report.unmapped_code(label, "rivalry name not understood")
            continue
        whole = Period(dt.date(start_year, 1, 1), dt.date(end_year, 12, 31) if end_year is not None else None)
        kinds = [k for k in KINDS if row.get(k, "") == "1"]
        side_a, side_b = (names.map(n, whole) for n in pair)
        for a in side_a:
            for b in side_b:
                if a.iso is None or b.iso is None:
                    for m in (a, b):
                        if m.iso is None:
                            report.unmapped_code(m.name, f"{label} {span(whole)}")
                    continue
                start = max(a.period.start, b.period.start)
                ends = [e for e in (a.period.end, b.period.end) if e is not None]
                end = min(ends) if ends else None
                if a.iso == b.iso or (end is not None and end <= start):
                    continue
                record = _record(kb, label, row, Period(start, end), whole, before, kinds, (a, b))
                periods.setdefault(tuple(sorted((a.iso, b.iso))), []).append((Period(start, end), record))  # type: ignore[arg-type]
    for pair in sorted(periods):
        conflict_id, name, (first, second), curated = conflict_for(kb, *pair, "tss", "TSS rivalries")
        written = 0
        for period, record in sorted(periods[pair], key=lambda p: p[0].start):
            clash = curated_clash(curated, "rivalry", period)
            if clash is not None:
                report.skip(
                    f"{curated[0].name} rivalry {span(period)} (vs {clash})",
                    "overlaps a curated rivalry period in the bundled knowledge base",
                )
                continue
            record = {"id": f"{conflict_id}/rivalry/{period.start.isoformat()}", **record}
            writer.add_period(conflict_id, name, (first, second), record)
            report.count("periods")
            written += 1
        if written:
            report.count("conflicts")
    writer.write(report)
    report.problems = check_layer(out_dir, kb)
    return report


def _record(
    kb: KnowledgeBase,
    label: str,
    row: dict[str, str],
    period: Period,
    whole: Period,
    before: bool,
    kinds: list[str],
    sides: tuple[Mapped, Mapped],
) -> dict[str, Any]:
    a, b = (kb.state_name(m.iso) for m in sides if m.iso)
    what = f"a {' and '.join(kinds)} strategic rivalry" if kinds else "a strategic rivalry"
    until = (
        f" until {row['end']}"
        if row["end"].lower() != "ongoing"
        else f", ongoing at the end of their data ({COVERAGE_END})"
    )
    text = f"Thompson, Sakuwa and Suhas list {a}–{b} as {what} from {row['start'].lstrip('P')}{until}."
    notes = [f"TSS row {label!r}: {row['start']}-{row['end']}; years only (1 January to 31 December)"]
    if before:
        notes.append(f"P{row['start'].lstrip('P')} means the rivalry was already under way in that year")
    if period != whole:
        notes.append(
            "this period is the part of the rivalry in which "
            + " and ".join(f"{m.name} is coded {m.iso}" for m in sides if m.note)
            + " ("
            + "; ".join(m.note for m in sides if m.note)
            + ")"
        )
    if row.get("note"):
        notes.append(f"the authors' note: {row['note']}")
    record: dict[str, Any] = {"intensity": "rivalry", "start": period.start}
    if period.end is not None:
        record["end"] = period.end
    record["source"] = SOURCE_ID
    record["text"] = text
    record["note"] = "; ".join(notes) + "."
    return record
