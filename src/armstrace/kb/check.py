"""The knowledge base linter: every problem in a data folder, as a list.

Like followthemoney's `contrib/check_model.py`, it runs in CI (`tests/test_kb.py`)
and on demand: clean data gives an empty list. It reports what the loader finds
(unreadable files, unknown fields, duplicate ids, dangling source / state / maker
/ member references, facts without a source, periods that end before they start,
unknown categories, obligation types, statuses and intensities) and adds the
checks that need the whole knowledge base at once:
- two periods of the same state in the same alliance that overlap;
- two periods of the same intensity in the same conflict that overlap;
- two terms of the same arms embargo that overlap;
- one alias (under `normalise_name`) that names two different systems, organisations,
  alliances, equipment kinds or states.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from armstrace.kb.loader import KBProblem, Reading, read
from armstrace.kb.model import Fact, Period, normalise_name

__all__ = ["KBProblem", "check", "lint"]


def check(data_dir: Path) -> list[KBProblem]:
    """Every problem in the data folder, sorted by file and record; empty when the data is clean."""
    reading = read(data_dir)
    problems = reading.problems + lint(reading)
    return sorted(problems, key=lambda p: (p.file, p.id, p.message))


def lint(reading: Reading) -> list[KBProblem]:
    """The checks that look across records; `reading.problems` holds the per-record ones."""
    return [
        *_overlapping_memberships(reading),
        *_overlapping_conflicts(reading),
        *_overlapping_embargo_terms(reading),
        *_shared_aliases(reading),
    ]


def _overlap(a: Period, b: Period) -> bool:
    """Closed-open periods overlap when each starts before the other ends."""
    return (b.end is None or a.start < b.end) and (a.end is None or b.start < a.end)


def _overlaps(file: str, items: Sequence[tuple[str, Fact, Period]], what: str) -> list[KBProblem]:
    problems = []
    for i, (group, fact, period) in enumerate(items):
        for other_group, other, other_period in items[i + 1 :]:
            if group == other_group and _overlap(period, other_period):
                message = f"{what} {group} overlaps {other.id} ({_show(period)} and {_show(other_period)})"
                problems.append(KBProblem(file, fact.id, message))
    return problems


def _show(period: Period) -> str:
    return f"{period.start.isoformat()}..{period.end.isoformat() if period.end else 'open'}"


def _overlapping_memberships(reading: Reading) -> list[KBProblem]:
    problems = []
    for alliance in reading.kb.alliances.values():
        items = [(m.state, m.fact, m.period) for m in alliance.memberships]
        problems += _overlaps(reading.file_of("alliance", alliance.id), items, "membership period of")
    return problems


def _overlapping_conflicts(reading: Reading) -> list[KBProblem]:
    problems = []
    for conflict in reading.kb.conflicts.values():
        items = [(p.intensity, p.fact, p.period) for p in conflict.periods]
        problems += _overlaps(reading.file_of("conflict", conflict.id), items, "period of intensity")
    return problems


def _overlapping_embargo_terms(reading: Reading) -> list[KBProblem]:
    problems = []
    for embargo in reading.kb.embargoes.values():
        items = [(embargo.id, t.fact, t.period) for t in embargo.terms]
        problems += _overlaps(reading.file_of("embargo", embargo.id), items, "term of embargo")
    return problems


def _shared_aliases(reading: Reading) -> list[KBProblem]:
    kb = reading.kb
    groups: list[tuple[str, dict[str, Iterable[str]]]] = [
        ("system", {s.id: (s.id, s.name, *s.aliases) for s in kb.systems.values()}),
        ("organisation", {o.id: (o.id, o.name, *o.aliases) for o in kb.organisations.values()}),
        ("alliance", {a.id: (a.id, a.name, *a.aliases) for a in kb.alliances.values()}),
        ("equipment", {e.id: (*e.phrases, *e.phrases_ru) for e in kb.equipment.values()}),
        (
            "state",
            {
                s.code: (s.name, *s.names_en, *s.names_ru, *s.adjectives_en, *s.adjectives_ru, *s.capitals)
                for s in kb.states.values()
            },
        ),
    ]
    problems = []
    for kind, names in groups:
        owner: dict[str, tuple[str, str]] = {}  # normalised alias -> (record id, spelling)
        for record, spellings in names.items():
            for spelling in spellings:
                key = normalise_name(spelling)
                if not key:
                    continue
                first = owner.setdefault(key, (record, spelling))
                if first[0] != record:
                    message = f"alias {spelling!r} also names {kind} {first[0]!r} (as {first[1]!r})"
                    problems.append(KBProblem(reading.file_of(kind, record), record, message))
    return problems
