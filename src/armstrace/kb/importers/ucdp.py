"""`armstrace kb import ucdp FILE`: UCDP/PRIO Armed Conflict Dataset conflict-years as dated periods.

The UCDP/PRIO Armed Conflict Dataset (ACD) has one row per conflict and year, with the
intensity of that year (1: minor, 25-999 battle-related deaths; 2: war, 1,000 or more),
the type of conflict, the sides and their Gleditsch-Ward (GW) codes, the start of the
episode (`start_date2`, with its precision `start_prec2`) and, in an episode's last
year, its end (`ep_end` = 1, `ep_end_date`).

Two forms are read: UCDP's own CSV (`,`, ISO dates, lists quoted) and a re-saved one
(`;`, day-month-year dates) in which a record can be broken over two lines; such a
record is joined again and reported.

Only conflicts between states are kept: interstate conflicts (type 2) and
internationalised internal ones (type 4) in which a foreign state fights on a side.
Each pair of states on opposite sides, at least one of them a primary party, is a
dyad (two secondary parties backing opposite sides are not taken to fight each other).
Its conflict-years become periods of intensity `crisis` (minor) or `war`; consecutive
years of one intensity are one period. A period starts on the episode's start date
when that falls in its first year and is known at least to the month, else on 1 January;
it ends the day after the episode's end date, else on 31 December of its last year
(closed-open, as the bundled knowledge base codes year-level ends), and has no end
when the conflict is still active in the dataset's last year.

Each dyad becomes `conflicts/<a>-<b>.yaml` (ids from the states' English short names,
as in the bundled knowledge base). When the bundled knowledge base already has the
dyad, only periods that do not overlap its curated periods of the same intensity are
written, to `conflicts/<id>-ucdp.yaml`; the others are reported as skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from armstrace.kb.importers.codes import CodeMapper, mapper, parse_codes
from armstrace.kb.importers.common import bundled_kb, integer, read_text
from armstrace.kb.importers.writer import (
    ImportInputError,
    ImportReport,
    LayerWriter,
    check_layer,
    conflict_for,
    curated_clash,
    day_after,
    require_columns,
    span,
)
from armstrace.kb.model import KnowledgeBase, Period

IMPORTER = "ucdp"
WHAT = "the UCDP/PRIO Armed Conflict Dataset (UcdpPrioConflict_v*.csv)"
COLUMNS = (
    "conflict_id",
    "location",
    "side_a",
    "side_b",
    "territory_name",
    "year",
    "intensity_level",
    "type_of_conflict",
    "start_date2",
    "start_prec2",
    "ep_end",
    "ep_end_date",
    "gwno_a",
    "gwno_a_2nd",
    "gwno_b",
    "gwno_b_2nd",
    "version",
)
INTENSITY = {1: "crisis", 2: "war"}
LEVEL = {
    1: "a minor armed conflict (25-999 battle-related deaths a year)",
    2: "a war (1,000 or more battle-related deaths a year)",
}
STATE_TYPES = {2: "interstate", 4: "internationalised internal"}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_VERSION = re.compile(r"^\d+(\.\d+)*$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def parse_date(text: str) -> dt.date | None:
    """ISO (`2020-07-16`, UCDP's own form) or day-month-year (`16-7-2020`); None when blank."""
    text = text.strip()
    if not text:
        return None
    if m := _ISO.match(text):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _DMY.match(text):
        d, mo, y = (int(g) for g in m.groups())
    else:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD or D-M-YYYY)")
    return dt.date(y, mo, d)


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "").strip()


def read_rows(path: Path, report: ImportReport | None = None) -> list[Row]:
    """The conflict-year rows of either form, with broken records joined again."""
    text = read_text(path, WHAT)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    raw: list[tuple[int, list[str]]] = []
    try:
        for fields in reader:
            raw.append((reader.line_num, fields))
    except csv.Error as exc:
        raise ImportInputError(
            f"{path}:{reader.line_num}: not readable as CSV ({exc}); {WHAT} expected."
        ) from None
    if not raw:
        raise ImportInputError(f"{path}: is empty; {WHAT} expected.")
    header = [h.strip().lower() for h in raw[0][1]]
    require_columns(path, header, COLUMNS, WHAT)
    width = len(header)
    rows: list[Row] = []
    i = 1
    while i < len(raw):
        line, fields = raw[i]
        i += 1
        if not any(f.strip() for f in fields):
            continue
        fields = _trim(fields, width)
        if _broken(fields, header) and i < len(raw) and not raw[i][1][0].strip():
            fields = _join(fields, _trim(raw[i][1], width), width)
            if report is not None:
                report.notes.append(
                    f"{path.name}: the record broken over lines {line}-{raw[i][0]} was joined again"
                )
            i += 1
        if len(fields) != width:
            raise ImportInputError(
                f"{path}:{line}: {len(fields)} fields where the header has {width}; the record is damaged."
            )
        row = Row(line, dict(zip(header, fields, strict=True)))
        if integer(row["year"]) is None or not _VERSION.match(row["version"]):
            raise ImportInputError(
                f"{path}:{line}: no year or version in this record (year {row['year']!r}, version "
                f"{row['version']!r}); the record is damaged or the file is not {WHAT}."
            )
        rows.append(row)
    return rows


def _trim(fields: list[str], width: int) -> list[str]:
    """Drop empty padding after the last column (spreadsheets pad rows to the widest one)."""
    fields = list(fields)
    while len(fields) > width and not fields[-1].strip():
        fields.pop()
    return fields


def _broken(fields: list[str], header: list[str]) -> bool:
    """A record whose last column (`version`, always set) is empty is the first half of a broken one."""
    last = max((k for k, f in enumerate(fields) if f.strip()), default=-1)
    return last < header.index("version")


def _join(head: list[str], tail: list[str], width: int) -> list[str]:
    """Join the two halves of a broken record; repair comma-joined empty fields if the count is short.

    The shared file's broken record ends its first line inside a field and carries, in its
    second line, runs of empty fields still joined by the original `,` separators
    (`,710,` for `ep_end_prec`, `gwno_a`, `gwno_a_2nd`), so those are split again.
    """
    last = max(k for k, f in enumerate(head) if f.strip())
    head = head[: last + 1]
    joined = [*head[:-1], head[-1] + tail[0], *tail[1:]]
    while joined and not joined[-1].strip():  # the padding: the last column (`version`) is never empty
        joined.pop()
    while len(joined) < width:
        pos = next((k for k, f in enumerate(joined) if "," in f and "" in f.split(",")), None)
        if pos is None:
            break
        parts = joined[pos].split(",")
        joined[pos : pos + 1] = parts
    while len(joined) < width:
        joined.append("")
    return joined


# --- periods ----------------------------------------------------------------------------------


@dataclass
class Segment:
    """One conflict-year of one state dyad."""

    conflict_id: str
    year: int
    level: int
    period: Period
    open_end: bool
    start_exact: bool
    end_exact: bool
    role: str  # how the two states take part: "primary parties", "X a secondary party"
    where: str


@dataclass
class Run:
    """Consecutive conflict-years of one intensity: their span (no end: still active)."""

    segments: list[Segment]
    start: dt.date
    end: dt.date | None

    @classmethod
    def of(cls, segment: Segment) -> Run:
        return cls([segment], segment.period.start, None if segment.open_end else segment.period.end)

    def add(self, segment: Segment) -> None:
        self.segments.append(segment)
        self.start = min(self.start, segment.period.start)
        if self.end is not None:
            self.end = (
                None if segment.open_end or segment.period.end is None else max(self.end, segment.period.end)
            )

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)


def _year_period(row: Row, year: int, last_year: int) -> tuple[Period, bool, bool, bool]:
    """(period of this conflict-year, open end, start known to the month, end known to the day)."""
    start, start_exact = dt.date(year, 1, 1), False
    begun = parse_date(row["start_date2"])
    precision = integer(row["start_prec2"]) or 9
    if begun is not None and begun.year == year:
        if precision <= 2:
            start, start_exact = begun, True
        elif precision == 3:
            start, start_exact = begun.replace(day=1), True
    dec31 = dt.date(year, 12, 31)
    ended = parse_date(row["ep_end_date"]) if row["ep_end"] == "1" else None
    if ended is not None and ended.year == year:
        end, end_exact = min(day_after(ended), dec31), True
    else:
        end, end_exact = dec31, False
    if end <= start:
        end = day_after(start)
    open_end = row["ep_end"] != "1" and year == last_year
    return Period(start, end), open_end, start_exact, end_exact


def _segments(
    rows: list[Row], codes: CodeMapper, kb: KnowledgeBase, report: ImportReport
) -> dict[tuple[str, str], list[Segment]]:
    years = [y for r in rows if (y := integer(r["year"])) is not None]
    last_year = max(years) if years else 0
    out: dict[tuple[str, str], list[Segment]] = {}
    for row in rows:
        kind, year, level = (
            integer(row["type_of_conflict"]),
            integer(row["year"]),
            integer(row["intensity_level"]),
        )
        if kind is None or year is None or level not in INTENSITY:
            raise ImportInputError(f"line {row.line}: no type, year or intensity (1/2) in this conflict-year")
        if kind not in STATE_TYPES:
            report.count_read("conflict-years without foreign states (types 1 and 3)")
            continue
        try:
            period, open_end, start_exact, end_exact = _year_period(row, year, last_year)
        except ValueError as exc:
            raise ImportInputError(f"line {row.line}: {exc}") from None
        try:
            sides = {
                side: [(c, True) for c in parse_codes(row[f"gwno_{side}"])]
                + [(c, False) for c in parse_codes(row[f"gwno_{side}_2nd"])]
                for side in ("a", "b")
            }
        except ValueError:
            raise ImportInputError(
                f"line {row.line}: the GW codes of the sides ({row['gwno_a']!r}, {row['gwno_b']!r}, ...) "
                "are not "
                "comma-separated numbers; the record is damaged"
            ) from None
        mapped: dict[str, list[tuple[str, bool, Period]]] = {"a": [], "b": []}
        for side, items in sides.items():
            for code, primary in items:
                for piece in codes.map(code, period):
                    if piece.iso is None:
                        report.unmapped_code(f"GW {code} ({piece.name})", f"UCDP {row['conflict_id']}")
                    else:
                        mapped[side].append((piece.iso, primary, piece.period))
        found = False
        for a, a_primary, a_period in mapped["a"]:
            for b, b_primary, b_period in mapped["b"]:
                if a == b or not (a_primary or b_primary):
                    continue
                start = max(a_period.start, b_period.start)
                ends = [e for e in (a_period.end, b_period.end) if e is not None]
                end = min(ends) if ends else None
                if end is not None and end <= start:
                    continue
                secondary = [kb.state_name(s) for s, p in ((a, a_primary), (b, b_primary)) if not p]
                role = (
                    "both primary parties"
                    if not secondary
                    else f"{secondary[0]} fighting as a secondary party"
                )
                where = f"over {row['territory_name']}" if row["territory_name"] else ""
                segment = Segment(
                    row["conflict_id"],
                    year,
                    level,
                    Period(start, end),
                    open_end,
                    start_exact,
                    end_exact,
                    role,
                    where,
                )
                out.setdefault(tuple(sorted((a, b))), []).append(segment)  # type: ignore[arg-type]
                found = True
        if found:
            report.count_read(f"{STATE_TYPES[kind]} conflict-years")
        else:
            report.count_read("conflict-years with no pair of states on opposite sides")
    return out


def _runs(segments: list[Segment]) -> list[Run]:
    """Consecutive (or overlapping) conflict-years of one intensity, over all UCDP conflicts of a dyad."""
    runs: list[Run] = []
    for level in sorted({s.level for s in segments}):
        current: Run | None = None
        for seg in sorted(
            (s for s in segments if s.level == level), key=lambda s: (s.period.start, s.conflict_id)
        ):
            if current is not None and (current.end is None or seg.period.start <= day_after(current.end)):
                current.add(seg)
                continue
            if current is not None:
                runs.append(current)
            current = Run.of(seg)
        if current is not None:
            runs.append(current)
    return sorted(runs, key=lambda r: (r.start, r.segments[0].level))


def _years(years: list[int]) -> str:
    years = sorted(set(years))
    parts, start = [], years[0]
    for prev, year in zip(years, [*years[1:], None], strict=True):
        if year != prev + 1 if year is not None else True:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
            if year is not None:
                start = year
    return ", ".join(parts)


def _period_record(
    conflict_id: str, run: Run, kb: KnowledgeBase, sides: tuple[str, str], source: str, version: str
) -> dict[str, Any]:
    level = run.segments[0].level
    intensity = INTENSITY[level]
    period = run.period
    first = min(run.segments, key=lambda s: (s.period.start, not s.start_exact))
    last = max(run.segments, key=lambda s: (s.period.end or dt.date.max, s.open_end))
    conflicts = sorted({s.conflict_id for s in run.segments}, key=lambda c: (len(c), c))
    roles = sorted({s.role for s in run.segments})
    wheres = sorted({s.where for s in run.segments if s.where})
    a, b = (kb.state_name(s) for s in sides)
    text = (
        f"UCDP/PRIO records {LEVEL[level]} between {a} and {b} in {_years([s.year for s in run.segments])} "
        f"(conflict{'s' if len(conflicts) > 1 else ''} {', '.join(conflicts)}"
        f"{', ' + '; '.join(wheres) if wheres else ''}; {'; '.join(roles)})."
    )
    notes = []
    if not first.start_exact:
        notes.append("start is year-level (UCDP gives no start date in that year precise to the month)")
    if period.end is None:
        notes.append(f"still active in {last.year}, the last year of UCDP/PRIO ACD {version}: no end")
    elif not last.end_exact:
        notes.append("end is year-level (31 December)")
    record: dict[str, Any] = {
        "id": f"{conflict_id}/{intensity}/{period.start.isoformat()}",
        "intensity": intensity,
        "start": period.start,
    }
    if period.end is not None:
        record["end"] = period.end
    record["source"] = source
    record["text"] = text
    if notes:
        joined = "; ".join(notes)
        record["note"] = joined[0].upper() + joined[1:] + "."
    return record


def _source(kb: KnowledgeBase, version: str) -> tuple[str, dict[str, Any] | None]:
    source_id = f"ucdp-prio-acd-{version}"
    if source_id in kb.sources:
        return source_id, None
    return source_id, {
        "id": source_id,
        "title": f"UCDP/PRIO Armed Conflict Dataset, version {version}",
        "kind": "dataset",
        "publisher": "Uppsala Conflict Data Program and PRIO; Gleditsch et al. (2002), Davies et al.",
        "version": version,
        "url": "https://ucdp.uu.se/downloads/",
    }


def import_ucdp(
    file: Path, out_dir: Path, crosswalk: Path | None = None, base: KnowledgeBase | None = None
) -> ImportReport:
    """Write the state dyads of a UCDP/PRIO ACD file into the layer `out_dir`; return what was done."""
    kb = base if base is not None else bundled_kb()
    report = ImportReport(dataset="UCDP/PRIO ACD", out_dir=out_dir)
    report.counts = dict.fromkeys(("conflicts", "periods"), 0)
    try:
        rows = read_rows(file, report)
    except ImportInputError as exc:
        raise exc if str(file) in exc.message else ImportInputError(f"{file}: {exc.message}") from None
    report.read["conflict-years"] = len(rows)
    versions = sorted({r["version"] for r in rows if r["version"]})
    if len(versions) != 1:
        raise ImportInputError(f"{file}: expected one version in the 'version' column, found {versions}.")
    version = versions[0]
    report.dataset = f"UCDP/PRIO ACD {version}"
    codes = mapper(kb, "gw", crosswalk)
    source_id, source = _source(kb, version)
    writer = LayerWriter(out_dir, IMPORTER, f"UCDP/PRIO ACD {version} ({file.name})", "ucdp-prio-acd-")
    if source is not None:
        writer.add_source(source)
    try:
        by_dyad = _segments(rows, codes, kb, report)
    except ImportInputError as exc:
        raise ImportInputError(f"{file}: {exc.message}") from None
    for pair in sorted(by_dyad):
        conflict_id, name, (side_a, side_b), curated = conflict_for(
            kb, *pair, "ucdp", f"UCDP/PRIO ACD {version}"
        )
        written = 0
        for run in _runs(by_dyad[pair]):
            record = _period_record(conflict_id, run, kb, (side_a, side_b), source_id, version)
            clash = curated_clash(curated, record["intensity"], run.period)
            if clash is not None:
                report.skip(
                    f"{curated[0].name} {record['intensity']} {span(run.period)} (vs {clash})",
                    "overlaps a curated period of the same intensity in the bundled knowledge base",
                )
                continue
            writer.add_period(conflict_id, name, (side_a, side_b), record)
            report.count("periods")
            written += 1
        if written:
            report.count("conflicts")
    writer.write(report)
    report.problems = check_layer(out_dir, kb)
    return report
