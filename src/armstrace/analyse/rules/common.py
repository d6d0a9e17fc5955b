"""What the bundled rules share: which transfers a rule may use, and indexes over the knowledge base.

Every rule asks the same questions many thousand times over a full register ("which
defence alliances was this state in, in 2018?", "with whom was it in conflict?"); the
`KBIndex` answers each once and remembers, so a rule's cost grows with the transfers,
not with transfers × alliances × years.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from armstrace.kb.model import Alliance, Conflict, ConflictPeriod, Fact, KnowledgeBase, ObligationTerm
from armstrace.records import SEVERITIES, Actor, FactRef, Severity, Transfer

IGNORED_STATUSES = frozenset({"denied", "cancelled"})
#: (conflict, the other side, the conflict's periods active in the year asked about)
Adversary = tuple[Conflict, str, tuple[ConflictPeriod, ...]]
SEVERITY_OF_INTENSITY: dict[str, Severity] = {"rivalry": "medium", "crisis": "high", "war": "critical"}


def lower_severity(severity: Severity, steps: int = 1) -> Severity:
    """`steps` steps down, never below `low`."""
    return SEVERITIES[max(0, SEVERITIES.index(severity) - steps)]


def state_of(actor: Actor) -> str | None:
    """The state an actor stands for in the analysis, or None when it is not a state.

    A state is itself; an organisation that belongs to a state (an export agency, an
    army) stands for that state. A non-state actor (SIPRI's `*`) never does, even when
    it operates in a state, and neither does an organisation without a state (SIPRI's
    `**`: NATO, the UN, an armed group's umbrella): arming a rebel group is not arming
    the government it fights, and no treaty binds an international organisation the way
    it binds a member.
    """
    if actor.kind == "state":
        return actor.id
    if actor.kind == "organisation":
        return actor.state
    return None


def usable(transfer: Transfer) -> bool:
    """Whether a rule can date the transfer and it is not denied or cancelled."""
    return transfer.status not in IGNORED_STATUSES and transfer.years is not None


def state_transfers(transfers: Iterable[Transfer]) -> Iterator[tuple[Transfer, str, str]]:
    """(transfer, supplier state, recipient state) of each usable transfer between two different
    states: only states have allies and adversaries (see `state_of`)."""
    for t in transfers:
        if not usable(t):
            continue
        supplier, recipient = state_of(t.supplier), state_of(t.recipient)
        if supplier is None or recipient is None or supplier == recipient:
            continue
        yield t, supplier, recipient


def years_of(transfer: Transfer) -> range:
    """Every year a usable transfer covers, first to last."""
    assert transfer.years is not None
    first, last = sorted(transfer.years)
    return range(first, last + 1)


def year_span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def year_runs(years: Iterable[int]) -> str:
    """`{2018, 2019, 2021}` → `2018–2019 and 2021`: consecutive years collapsed into spans."""
    ordered = sorted(set(years))
    runs: list[tuple[int, int]] = []
    for y in ordered:
        if runs and runs[-1][1] == y - 1:
            runs[-1] = (runs[-1][0], y)
        else:
            runs.append((y, y))
    return join_words([year_span(a, b) for a, b in runs])


def join_words(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def items_phrase(transfers: Iterable[Transfer], limit: int = 5) -> str:
    """`Polonez MLRS, Groza-S and 3 other items`: what the transfers carried, each item once."""
    items: list[str] = []
    seen: set[str] = set()
    for t in transfers:
        text = " ".join(t.item.text.split())
        if text and text.lower() not in seen:
            seen.add(text.lower())
            items.append(text)
    named = items[:limit]
    if len(items) > len(named):
        named.append(f"{len(items) - len(named)} other items")
    return join_words(named)


def verb(statuses: Iterable[str]) -> str:
    """The verb a sentence about these transfers may honestly use."""
    found = set(statuses)
    if found <= {"offered"}:
        return "offered arms to"
    if found <= {"offered", "ordered"}:
        return "agreed to supply"
    return "supplied"


@dataclass
class FactBag:
    """Facts collected for one finding, cited in a stable order (by period start, then id)."""

    facts: dict[str, tuple[str, Fact]] = field(default_factory=dict)

    def add(self, fact: Fact, start: str = "") -> None:
        key = start or (fact.period.start.isoformat() if fact.period else "")
        self.facts.setdefault(fact.id, (key, fact))

    def refs(self) -> list[FactRef]:
        ordered = sorted(self.facts.values(), key=lambda kf: (kf[0], kf[1].id))
        return [FactRef(fact=f.id, source=f.source, text=f.text) for _, f in ordered]


class KBIndex:
    """Memoised, year-level answers about alliances and conflicts of one knowledge base.

    Built per rule run (cheap: nothing is computed until asked), so it never outlives
    a knowledge base that a caller changes.
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._alliances_of: dict[str, list[Alliance]] = {}
        for alliance in kb.alliances.values():
            for state in {m.state for m in alliance.memberships if m.status == "member"}:
                self._alliances_of.setdefault(state, []).append(alliance)
        self._conflicts_of: dict[str, list[Conflict]] = {}
        for conflict in kb.conflicts.values():
            for side in set(conflict.sides):
                self._conflicts_of.setdefault(side, []).append(conflict)
        self._members: dict[tuple[str, int], frozenset[str]] = {}
        self._terms: dict[tuple[str, int], tuple[ObligationTerm, ...]] = {}
        self._allied: dict[tuple[str, int, bool], tuple[Alliance, ...]] = {}
        self._active: dict[tuple[str, int], tuple[Adversary, ...]] = {}

    def members(self, alliance: Alliance, year: int) -> frozenset[str]:
        key = (alliance.id, year)
        found = self._members.get(key)
        if found is None:
            found = self._members[key] = frozenset(alliance.members_in(year))
        return found

    def obligations(self, alliance: Alliance, year: int) -> tuple[ObligationTerm, ...]:
        """The obligation terms of an alliance in force in a year."""
        key = (alliance.id, year)
        found = self._terms.get(key)
        if found is None:
            found = self._terms[key] = tuple(o for o in alliance.obligations if o.period.contains_year(year))
        return found

    def defence_terms(self, alliance: Alliance, year: int) -> list[ObligationTerm]:
        return [o for o in self.obligations(alliance, year) if o.type == "defence"]

    def alliances_of(self, state: str, year: int, *, defence: bool) -> tuple[Alliance, ...]:
        """Alliances `state` is in during `year` with an obligation (a defence one, if asked) in force."""
        key = (state, year, defence)
        found = self._allied.get(key)
        if found is None:
            found = self._allied[key] = tuple(
                a
                for a in self._alliances_of.get(state, ())
                if state in self.members(a, year)
                and (self.defence_terms(a, year) if defence else self.obligations(a, year))
            )
        return found

    def adversaries(self, state: str, year: int) -> tuple[Adversary, ...]:
        """(conflict, the other side, its periods active in the year) for every conflict of `state`."""
        key = (state, year)
        found = self._active.get(key)
        if found is None:
            out = []
            for conflict in self._conflicts_of.get(state, ()):
                active = tuple(p for p in conflict.periods if p.period.contains_year(year))
                if active:
                    a, b = conflict.sides
                    out.append((conflict, b if a == state else a, active))
            found = self._active[key] = tuple(out)
        return found

    def member_facts(self, alliance: Alliance, state: str, year: int) -> list[Fact]:
        return [
            m.fact
            for m in alliance.memberships
            if m.state == state and m.status == "member" and m.period.contains_year(year)
        ]
