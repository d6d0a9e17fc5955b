"""`armstrace kb import atop DIR`: ATOP v5.1 alliances as knowledge-base alliances.

Reads the three ATOP files of one release from a folder:
- `atop5_1m.csv`, member level: one row per member and alliance phase, with the
  member's COW code, entry date (`yrent/moent/dayent`, signature), exit date
  (`yrexit/moexit/dayexit`; `0/0/0` = still in force at the end of ATOP's coverage,
  31 December 2018) and its obligations as 0/1 columns (`defense`, `offense`,
  `neutral`, `nonagg`, `consul`);
- `atop5_1a.csv`, alliance level: the alliance's first signature date and `bilat`;
- `atop5_1aph.csv`, phase level: the dates of each phase (`atopidphase` = atopid +
  phase/10), which bound the obligation periods.

Each alliance becomes `alliances/atop-<atopid>.yaml`. A member's rows over
consecutive phases become one membership period (the CSTO's two phases are one
spell per member), an exit of `0/0/0` an open end. COW codes become ISO codes of the
bundled knowledge base (`codes.py`: the Soviet Union and Russia are both 365 and are
split at 26 December 1991); members with no ISO state are reported. The model keeps
obligations per alliance, so an obligation that only some members undertake is
written once, with the members who undertake it named in its text.

Alliances the bundled knowledge base already covers (by `atop_id`: the CSTO, NATO,
the Russia–Armenia treaty, ...) are skipped and reported, and so are alliances that
ended before `since` (1950 by default).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from armstrace.kb.importers.codes import CodeMapper, mapper
from armstrace.kb.importers.common import bundled_kb, integer, read_rows, safe_date
from armstrace.kb.importers.writer import (
    ImportInputError,
    ImportReport,
    LayerWriter,
    check_layer,
    day_after,
    require_columns,
)
from armstrace.kb.model import OBLIGATIONS, KnowledgeBase, Period

IMPORTER = "atop"
#: ATOP column -> obligation type of the knowledge base.
OBLIGATION_COLUMNS = {
    "defense": "defence",
    "offense": "offence",
    "neutral": "neutrality",
    "nonagg": "non-aggression",
    "consul": "consultation",
}
MEMBER_COLUMNS = (
    "atopid",
    "member",
    "yrent",
    "moent",
    "dayent",
    "yrexit",
    "moexit",
    "dayexit",
    "phase",
    "version",
    *OBLIGATION_COLUMNS,
)
ALLIANCE_COLUMNS = ("atopid", "begyr", "begmo", "begday", "bilat")
PHASE_COLUMNS = ("atopid", "atopidphase", "phase", "begyr", "begmo", "begday", "endyr", "endmo", "endday")
COVERAGE_END = "31 December 2018"


@dataclass
class _Row:
    line: int
    atopid: int
    cow: int
    phase: int
    entry: dt.date
    exit: dt.date | None
    obligations: frozenset[str]
    notes: tuple[str, ...] = ()


@dataclass
class _Spell:
    state: str
    period: Period
    phases: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def find_files(folder: Path) -> tuple[Path, Path, Path]:
    """The member, alliance and phase files of one ATOP release in `folder`."""
    if not folder.is_dir():
        raise ImportInputError(
            f"{folder}: not a folder. Give the folder holding ATOP's atop5_1m.csv, atop5_1a.csv and "
            "atop5_1aph.csv."
        )

    def one(pattern: str, what: str) -> Path:
        found = sorted(p for p in folder.glob(pattern) if p.is_file())
        if not found:
            raise ImportInputError(f"{folder}: no ATOP {what} file ({pattern}) in this folder.")
        if len(found) > 1:
            raise ImportInputError(
                f"{folder}: several ATOP {what} files ({', '.join(p.name for p in found)}); "
                "keep one release per folder."
            )
        return found[0]

    return (
        one("atop*m.csv", "member-level"),
        one("atop*a.csv", "alliance-level"),
        one("atop*aph.csv", "phase-level"),
    )


def _date(y: str, m: str, d: str, what: str, exit: bool = False) -> tuple[dt.date | None, str]:
    """A date of ATOP's three columns, and a note when the day had to be filled in."""
    year, month, day = integer(y), integer(m), integer(d)
    if exit and year == 0:
        return None, ""
    if year is None or not month:
        raise ValueError(f"{what} has no year or month")
    if not day:
        if exit:  # closed-open end: the first day of the next month, so the whole month is covered
            end = dt.date(year + (month == 12), month % 12 + 1, 1)
            return (
                end,
                f"ATOP gives the {what} month ({year}-{month:02d}) but not the day; "
                "the period runs to its end",
            )
        return dt.date(
            year, month, 1
        ), f"ATOP gives the {what} month ({year}-{month:02d}) but not the day; the 1st is used"
    value = safe_date(year, month, day)
    if value is None:
        raise ValueError(f"{what} {year}-{month}-{day} is not a date")
    return value, ""


def _dict_rows(path: Path, needed: tuple[str, ...], what: str) -> list[tuple[int, dict[str, str]]]:
    header, rows = read_rows(path, what)
    require_columns(path, header, needed, what)
    keys = [h.lower() for h in header]
    return [(i + 2, dict(zip(keys, row, strict=False))) for i, row in enumerate(rows)]


def _member_rows(path: Path, report: ImportReport) -> tuple[list[_Row], str]:
    rows = _dict_rows(path, MEMBER_COLUMNS, "an ATOP member-level file (atop5_1m.csv)")
    out: list[_Row] = []
    versions: set[str] = set()
    for line, r in rows:
        try:
            atopid, cow, phase = integer(r["atopid"]), integer(r["member"]), integer(r["phase"]) or 0
            if atopid is None or cow is None:
                raise ValueError("no atopid or member code")
            entry, entry_note = _date(r["yrent"], r["moent"], r["dayent"], "entry")
            exit, exit_note = _date(r["yrexit"], r["moexit"], r["dayexit"], "exit", exit=True)
        except ValueError as exc:
            raise ImportInputError(f"{path}:{line}: {exc}; is this ATOP's member-level file?") from None
        assert entry is not None
        if exit is not None and exit <= entry:
            exit = day_after(entry)
            exit_note = "ATOP's exit date is not after the entry date; the period is taken as one day"
        flags = frozenset(kind for col, kind in OBLIGATION_COLUMNS.items() if r[col].strip() == "1")
        versions.add(r["version"].strip())
        out.append(
            _Row(line, atopid, cow, phase, entry, exit, flags, tuple(n for n in (entry_note, exit_note) if n))
        )
    report.read["member rows"] = len(out)
    versions.discard("")
    if len(versions) != 1:
        raise ImportInputError(
            f"{path}: expected one ATOP version in the 'version' column, found {sorted(versions)}."
        )
    return out, versions.pop()


def _alliance_rows(path: Path, report: ImportReport) -> dict[int, dict[str, str]]:
    rows = _dict_rows(path, ALLIANCE_COLUMNS, "an ATOP alliance-level file (atop5_1a.csv)")
    report.read["alliances"] = len(rows)
    return {atopid: r for _, r in rows if (atopid := integer(r["atopid"])) is not None}


def _phase_rows(path: Path, report: ImportReport) -> dict[tuple[int, int], Period]:
    rows = _dict_rows(path, PHASE_COLUMNS, "an ATOP phase-level file (atop5_1aph.csv)")
    report.read["phases"] = len(rows)
    out: dict[tuple[int, int], Period] = {}
    for line, r in rows:
        atopid, phase = integer(r["atopid"]), integer(r["phase"]) or 0
        try:
            start, _ = _date(r["begyr"], r["begmo"], r["begday"], "phase start")
            end, _ = _date(r["endyr"], r["endmo"], r["endday"], "phase end", exit=True)
        except ValueError as exc:
            raise ImportInputError(f"{path}:{line}: {exc}") from None
        if atopid is not None and start is not None:
            out[(atopid, phase)] = Period(start, end if end is None or end > start else day_after(start))
    return out


def _source(kb: KnowledgeBase, version: str) -> tuple[str, dict[str, Any] | None]:
    source_id = f"atop-{version}"
    if source_id in kb.sources:
        return source_id, None
    return source_id, {
        "id": source_id,
        "title": f"Alliance Treaty Obligations and Provisions (ATOP) dataset, version {version} "
        "(member, alliance and phase level)",
        "kind": "dataset",
        "publisher": "Leeds, Ritter, Mitchell & Long (2002); ATOP project",
        "version": version,
        "url": "http://www.atopdata.org",
    }


def _merge(spells: list[_Spell]) -> list[_Spell]:
    """One period per uninterrupted spell: consecutive phases (end == next start, or the next day) join."""
    out: list[_Spell] = []
    for spell in sorted(spells, key=lambda s: (s.period.start, s.period.end or dt.date.max)):
        last = out[-1] if out else None
        if last is not None and (last.period.end is None or spell.period.start <= day_after(last.period.end)):
            ends = [last.period.end, spell.period.end]
            end = None if None in ends else max(e for e in ends if e is not None)
            last.period = Period(last.period.start, end)
            last.phases += [p for p in spell.phases if p not in last.phases]
            last.notes += [n for n in spell.notes if n not in last.notes]
        else:
            out.append(_Spell(spell.state, spell.period, list(spell.phases), list(spell.notes)))
    return out


def _names(kb: KnowledgeBase, codes: list[str]) -> str:
    names = [kb.state_name(c) for c in codes]
    if len(names) <= 2:
        return "–".join(names)
    if len(names) <= 4:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return ", ".join(names[:3]) + f" and {len(names) - 3} others"


def _words(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def import_atop(
    folder: Path,
    out_dir: Path,
    since: int = 1950,
    crosswalk: Path | None = None,
    base: KnowledgeBase | None = None,
) -> ImportReport:
    """Write the ATOP alliances of `folder` into the layer `out_dir`; return what was done."""
    kb = base if base is not None else bundled_kb()
    member_file, alliance_file, phase_file = find_files(folder)
    report = ImportReport(dataset="ATOP", out_dir=out_dir)
    report.counts = dict.fromkeys(("alliances", "members", "membership periods", "obligations"), 0)
    rows, version = _member_rows(member_file, report)
    report.dataset = f"ATOP v{version}"
    alliances = _alliance_rows(alliance_file, report)
    phases = _phase_rows(phase_file, report)
    codes = mapper(kb, "cow", crosswalk)
    source_id, source = _source(kb, version)
    writer = LayerWriter(
        out_dir,
        IMPORTER,
        f"ATOP v{version} ({member_file.name}, {alliance_file.name}, {phase_file.name})",
        "atop-",
    )
    if source is not None:
        writer.add_source(source)
    covered = {a.atop_id: a.id for a in kb.alliances.values() if a.atop_id is not None}
    by_alliance: dict[int, list[_Row]] = {}
    for row in rows:
        by_alliance.setdefault(row.atopid, []).append(row)
    since_day = dt.date(since, 1, 1)
    for atopid, members in by_alliance.items():
        what = f"ATOP {atopid}"
        if atopid in covered:
            report.skip(
                f"{what} as {covered[atopid]!r} ({len(members)} member rows)",
                "already in the bundled knowledge base",
            )
            continue
        if all(r.exit is not None and r.exit <= since_day for r in members):
            report.skip(what, f"no membership reaches {since}")
            continue
        record = _alliance(kb, codes, atopid, members, alliances.get(atopid), phases, source_id, report)
        if record is not None:
            writer.add_alliance(record)
    writer.write(report)
    report.problems = check_layer(out_dir, kb)
    return report


def _alliance(
    kb: KnowledgeBase,
    codes: CodeMapper,
    atopid: int,
    rows: list[_Row],
    alliance_row: dict[str, str] | None,
    phases: dict[tuple[int, int], Period],
    source: str,
    report: ImportReport,
) -> dict[str, Any] | None:
    aid = f"atop-{atopid}"
    spells: dict[str, list[_Spell]] = {}
    holders: dict[tuple[int, str], list[str]] = {}  # (phase, obligation) -> member names
    unmapped: list[str] = []
    unmapped_names: set[str] = set()
    for row in rows:
        pieces = codes.map(row.cow, Period(row.entry, row.exit))
        for piece in pieces:
            if piece.iso is None:
                label = f"COW {row.cow} ({piece.name})"
                report.unmapped_code(label, aid)
                if label not in unmapped:
                    unmapped.append(label)
                unmapped_names.add(piece.name)
                continue
            notes = list(row.notes) + ([piece.note] if piece.note and len(pieces) > 1 else [])
            spells.setdefault(piece.iso, []).append(_Spell(piece.iso, piece.period, [row.phase], notes))
        for obligation in row.obligations:
            names = holders.setdefault((row.phase, obligation), [])
            for name in [kb.state_name(p.iso) if p.iso else p.name for p in pieces]:
                if name not in names:
                    names.append(name)
    if len(spells) < 2:
        report.skip(f"ATOP {atopid}", "fewer than two members with a state in the knowledge base")
        return None
    merged = {state: _merge(items) for state, items in spells.items()}
    states = list(merged)  # order of first appearance in the member file
    all_names = {kb.state_name(s) for s in states} | unmapped_names

    first_entry = min(r.entry for r in rows)
    founded, founded_note = first_entry, ""
    bilat = False
    if alliance_row is not None:
        bilat = alliance_row.get("bilat", "").strip() == "1"
        try:
            day, founded_note = _date(
                alliance_row["begyr"], alliance_row["begmo"], alliance_row["begday"], "signature"
            )
            founded = day or first_entry
        except ValueError:
            founded_note = "the alliance-level file gives no usable date; the first member entry is used"
    else:
        founded_note = (
            f"ATOP {atopid} is missing from the alliance-level file; the first member entry is used"
        )
    kind = "bilateral" if bilat and len(states) == 2 else "multilateral"
    notes = [
        f"Imported from ATOP (atopid {atopid}); dates are ATOP's (signature, not entry into force), and an "
        f"open end means ATOP records the alliance in force for that member on {COVERAGE_END}, "
        "the end of its coverage."
    ]
    if bilat and len(states) != 2:
        notes.append(
            f"ATOP codes it bilateral; it has {len(states)} member states here because a member's code "
            "covers "
            "successive states (or successor states took over the treaty), so it is recorded as multilateral."
        )
    if unmapped:
        notes.append(f"Members with no state in the knowledge base are left out: {', '.join(unmapped)}.")

    record: dict[str, Any] = {
        "id": aid,
        "name": f"ATOP {atopid}: {_names(kb, states)} ({founded.year})",
        "kind": kind,
        "atop_id": atopid,
        "note": " ".join(notes),
        "founded": {
            "id": f"{aid}/founded",
            "date": founded,
            "source": source,
            "text": f"ATOP dates alliance {atopid} from its signature on {founded.isoformat()}.",
        },
    }
    if founded_note:
        record["founded"]["note"] = founded_note
    record["obligations"] = _obligations(aid, atopid, rows, phases, holders, all_names, source, report)
    members = []
    for state in states:
        periods = []
        for n, spell in enumerate(merged[state], 1):
            period: dict[str, Any] = {
                "id": f"{aid}/member/{state}/{n}",
                "status": "member",
                "start": spell.period.start,
            }
            if spell.period.end is not None:
                period["end"] = spell.period.end
            period["source"] = source
            if spell.notes:
                period["note"] = "; ".join(spell.notes) + "."
            periods.append(period)
            report.count("membership periods")
        members.append({"state": state, "periods": periods})
    record["members"] = members
    report.count("alliances")
    report.count("members", len(states))
    return record


def _obligations(
    aid: str,
    atopid: int,
    rows: list[_Row],
    phases: dict[tuple[int, int], Period],
    holders: dict[tuple[int, str], list[str]],
    all_names: set[str],
    source: str,
    report: ImportReport,
) -> list[dict[str, Any]]:
    phase_ids = sorted({r.phase for r in rows})
    spans: dict[int, Period] = {}
    for phase in phase_ids:
        if (atopid, phase) in phases:
            spans[phase] = phases[(atopid, phase)]
        else:  # no phase row: the span of the phase's member rows
            in_phase = [r for r in rows if r.phase == phase]
            ends = [r.exit for r in in_phase]
            spans[phase] = Period(
                min(r.entry for r in in_phase),
                None if None in ends else max(e for e in ends if e is not None),
            )
    out = []
    for kind in OBLIGATIONS:
        runs: list[tuple[Period, list[int], list[str]]] = []
        for phase in sorted((p for p in phase_ids if (p, kind) in holders), key=lambda p: spans[p].start):
            period, names = spans[phase], holders[(phase, kind)]
            if runs and (runs[-1][0].end is None or period.start <= day_after(runs[-1][0].end)):
                last_period, last_phases, last_names = runs[-1]
                ends = [last_period.end, period.end]
                end = None if None in ends else max(e for e in ends if e is not None)
                runs[-1] = (
                    Period(last_period.start, end),
                    [*last_phases, phase],
                    [*last_names, *(n for n in names if n not in last_names)],
                )
            else:
                runs.append((period, [phase], list(names)))
        for n, (period, run_phases, names) in enumerate(runs, 1):
            column = next(c for c, k in OBLIGATION_COLUMNS.items() if k == kind)
            who = "every member" if set(names) >= all_names else f"{_words(names)} only"
            where = (
                ""
                if run_phases == [0]
                else f" in phase{'s' if len(run_phases) > 1 else ''} "
                + ", ".join(f"{atopid}.{p}" for p in run_phases)
            )
            term: dict[str, Any] = {
                "id": f"{aid}/obligation/{kind}/{n}",
                "type": kind,
                "start": period.start,
            }
            if period.end is not None:
                term["end"] = period.end
            term["source"] = source
            term["text"] = f"ATOP codes a {kind} obligation ({column} = 1){where}, undertaken by {who}."
            out.append(term)
            report.count("obligations")
    return out
