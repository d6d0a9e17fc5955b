"""Numeric state codes of the datasets (COW, Gleditsch-Ward) to the knowledge base's ISO codes.

ATOP names states by Correlates of War (COW) code, UCDP/PRIO by Gleditsch-Ward (GW)
code. Most codes are the same number in both lists and appear in the bundled
knowledge base as a state's `cow` field; this module adds what a plain lookup gets
wrong:

- codes whose ISO state changes with the date: COW/GW 365 is Russia, then the Soviet
  Union from 30 December 1922 to 26 December 1991, then Russia again; 345 is Serbia,
  then Yugoslavia from 1 December 1918 (the Federal Republic of Yugoslavia from 1992)
  to 4 February 2003, then Serbia (Serbia and Montenegro, 2003-2006, has no state of
  its own in the knowledge base, whose `CS` is Czechoslovakia); 816 is Vietnam only
  from reunification (2 July 1976);
- codes of one list that the other does not use or uses for another state (GW 260 and
  COW 260 West Germany, GW 340 Serbia, GW 678 North Yemen then Yemen, GW 970-973 for
  Kiribati, Nauru, Tonga and Tuvalu, which are other states' COW codes);
- states with no ISO code in the knowledge base (South Vietnam, South Yemen, North
  Vietnam before 1976, Hyderabad, Tibet, Abkhazia, South Ossetia): these map to
  nothing, and the importers report them instead of dropping them silently.

With a countrycode crosswalk (`countrycode_codelist.csv`), codes the table and the
knowledge base do not know are looked up there too (COW column `cown`, GW column
`gwn`, ISO column `iso2c`); only codes of states the knowledge base has are used.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from armstrace.kb.model import KnowledgeBase, Period

System = Literal["cow", "gw"]

USSR_START = dt.date(1922, 12, 30)
USSR_END = dt.date(1991, 12, 26)
YUGOSLAVIA_START = dt.date(1918, 12, 1)
FRY_END = dt.date(2003, 2, 4)
VIETNAM_UNIFIED = dt.date(1976, 7, 2)


@dataclass(frozen=True)
class Span:
    """What one code means from `start` (inclusive) to `end` (exclusive); `iso=None`: no state in the KB."""

    start: dt.date | None
    end: dt.date | None
    iso: str | None
    name: str
    note: str = ""


_RUSSIAN_EMPIRE = Span(
    None, USSR_START, "RU", "Russia", "COW/GW 365 is coded Russia before the Soviet Union (30 December 1922)"
)
_SU = Span(
    USSR_START,
    USSR_END,
    "SU",
    "Soviet Union",
    "COW/GW 365 is the Soviet Union from 30 December 1922 until its dissolution on 26 December 1991",
)
_RU = Span(USSR_END, None, "RU", "Russia", "COW/GW 365 is Russia from 26 December 1991")
_SERBIA_KINGDOM = Span(
    None, YUGOSLAVIA_START, "RS", "Serbia", "code 345 is coded Serbia before Yugoslavia (1 December 1918)"
)
_YU = Span(
    YUGOSLAVIA_START,
    FRY_END,
    "YU",
    "Yugoslavia",
    "code 345 is Yugoslavia from 1 December 1918 (from 1992 the Federal Republic of Yugoslavia) until it "
    "became Serbia and Montenegro on 4 February 2003",
)
_RS = Span(
    FRY_END,
    None,
    "RS",
    "Serbia",
    "code 345 is coded Serbia from 4 February 2003 (Serbia and Montenegro until June 2006, "
    "which has no state "
    "of its own here)",
)
_NORTH_VIETNAM = Span(
    None, VIETNAM_UNIFIED, None, "Vietnam before reunification in 1976 (North Vietnam, earlier states)"
)
_VIETNAM = Span(VIETNAM_UNIFIED, None, "VN", "Vietnam")
_WEST_GERMANY = Span(
    None,
    None,
    "DE",
    "West Germany",
    "West Germany (German Federal Republic) is coded DE, the ISO code it held",
)
_NORTH_YEMEN = Span(
    None,
    None,
    "YE",
    "Yemen Arab Republic",
    "North Yemen is coded YE, the ISO code it held before unification in 1990",
)

COMMON: dict[int, tuple[Span, ...]] = {
    365: (_RUSSIAN_EMPIRE, _SU, _RU),
    345: (_SERBIA_KINGDOM, _YU, _RS),
    816: (_NORTH_VIETNAM, _VIETNAM),
    817: (Span(None, None, None, "Republic of Vietnam (South Vietnam)"),),
    680: (Span(None, None, None, "People's Democratic Republic of Yemen (South Yemen)"),),
    260: (_WEST_GERMANY,),
}
COW_ONLY: dict[int, tuple[Span, ...]] = {
    678: (_NORTH_YEMEN,),
}
GW_ONLY: dict[int, tuple[Span, ...]] = {
    260: (Span(None, None, "DE", "Germany", "GW 260 is West Germany and, from 1990, Germany"),),
    255: (Span(None, None, "DE", "Germany (before 1945)"),),
    340: (Span(None, None, "RS", "Serbia"),),
    678: (Span(None, None, "YE", "Yemen", "GW 678 is North Yemen and, from 1990, unified Yemen (ISO YE)"),),
    970: (Span(None, None, "KI", "Kiribati"),),
    971: (Span(None, None, "NR", "Nauru"),),
    972: (Span(None, None, "TO", "Tonga"),),
    973: (Span(None, None, "TV", "Tuvalu"),),
    751: (Span(None, None, None, "Hyderabad"),),
    711: (Span(None, None, None, "Tibet"),),
    396: (Span(None, None, None, "Abkhazia"),),
    397: (Span(None, None, None, "South Ossetia"),),
}
#: Codes that are different states in the two lists: never read GW codes through COW here.
GW_NOT_COW = frozenset({255, 946, 947, 955, 970, 971, 972, 973, 679})


@dataclass(frozen=True)
class Mapped:
    """One piece of a dated code: the ISO state (None: none in the KB) for a sub-period."""

    iso: str | None
    period: Period
    name: str
    note: str = ""


@dataclass
class CodeMapper:
    """Maps (code, period) to ISO states of the knowledge base, splitting periods where the state changes."""

    kb: KnowledgeBase
    system: System
    crosswalk: dict[int, str] = field(default_factory=dict)  # code -> ISO alpha-2 from the crosswalk
    crosswalk_names: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_cow: dict[int, str] = {}
        for state in sorted(self.kb.states.values(), key=lambda s: (s.historical, s.code)):
            if state.cow is not None:
                self._by_cow.setdefault(state.cow, state.code)

    def spans(self, code: int) -> tuple[Span, ...]:
        special = {**COMMON, **(GW_ONLY if self.system == "gw" else COW_ONLY)}
        if code in special:
            return special[code]
        if not (self.system == "gw" and code in GW_NOT_COW) and code in self._by_cow:
            iso = self._by_cow[code]
            return (Span(None, None, iso, self.kb.state_name(iso)),)
        if code in self.crosswalk and self.crosswalk[code] in self.kb.states:
            iso = self.crosswalk[code]
            return (
                Span(None, None, iso, self.kb.state_name(iso), "code read from the countrycode crosswalk"),
            )
        return (Span(None, None, None, self.crosswalk_names.get(code, f"{self.system.upper()} code {code}")),)

    def map(self, code: int, period: Period) -> list[Mapped]:
        """The ISO state(s) of `code` over `period`, one piece per state, in date order."""
        out = []
        for span in self.spans(code):
            start = period.start if span.start is None else max(period.start, span.start)
            ends = [d for d in (period.end, span.end) if d is not None]
            end = min(ends) if ends else None
            if end is not None and end <= start:
                continue
            out.append(Mapped(span.iso, Period(start, end), span.name, span.note))
        return out

    def name(self, code: int) -> str:
        spans = self.spans(code)
        return " / ".join(s.name for s in spans)


def read_crosswalk(path: Path, system: System) -> tuple[dict[int, str], dict[int, str]]:
    """(code -> ISO alpha-2, code -> English name) from a countrycode codelist CSV."""
    from armstrace.kb.importers.writer import ImportInputError, require_columns

    column = "cown" if system == "cow" else "gwn"
    codes: dict[int, str] = {}
    names: dict[int, str] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            require_columns(
                path, reader.fieldnames, (column, "iso2c", "country.name.en"), "a countrycode codelist"
            )
            for row in reader:
                raw = (row.get(column) or "").strip()
                if not raw:
                    continue
                try:
                    code = int(float(raw))
                except ValueError:
                    continue
                names.setdefault(code, (row.get("country.name.en") or "").strip())
                iso = (row.get("iso2c") or "").strip()
                if iso:
                    codes.setdefault(code, iso)
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportInputError(f"{path}: cannot be read as a countrycode codelist: {exc}") from None
    return codes, names


def mapper(kb: KnowledgeBase, system: System, crosswalk: Path | None = None) -> CodeMapper:
    if crosswalk is None:
        return CodeMapper(kb, system)
    codes, names = read_crosswalk(crosswalk, system)
    return CodeMapper(kb, system, codes, names)


def parse_codes(text: str) -> list[int]:
    """`"200,  2"` -> [200, 2]; blanks ignored."""
    return [int(part) for part in (p.strip() for p in text.split(",")) if part]


def unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
