"""Rule `both-sides/1`: one supplier arms both parties of a conflict.

Arming both sides of a war is the second pattern analysts look for after an ally
arming an adversary. The rule looks at each dated period of each conflict in the
knowledge base with a window of years around it, because arms bought just before a
war (or restocked just after) are bought for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from armstrace.analyse.registry import register
from armstrace.analyse.rules.common import (
    SEVERITY_OF_INTENSITY,
    FactBag,
    items_phrase,
    lower_severity,
    state_transfers,
    verb,
    year_span,
)
from armstrace.kb.model import INTENSITY_RANK, Conflict, ConflictPeriod, KnowledgeBase
from armstrace.records import Finding, Transfer

NAME = "both-sides/1"
#: Years before the start and after the end of an active period that still count as "around" it.
WINDOW_YEARS = 5


def window(period: ConflictPeriod, last_year: int) -> tuple[int, int]:
    """The years around an active period: five before its start to five after its end (or `last_year`)."""
    end = period.period.end.year if period.period.end is not None else last_year
    return period.period.start.year - WINDOW_YEARS, max(end, period.period.start.year) + WINDOW_YEARS


def _overlap(transfer: Transfer, span: tuple[int, int]) -> tuple[int, int] | None:
    assert transfer.years is not None
    first, last = sorted(transfer.years)
    lo, hi = max(first, span[0]), min(last, span[1])
    return (lo, hi) if lo <= hi else None


@dataclass
class _Side:
    transfers: dict[str, Transfer] = field(default_factory=dict)
    years: set[int] = field(default_factory=set)


@dataclass
class _Group:
    sides: dict[str, _Side] = field(default_factory=dict)
    periods: dict[str, ConflictPeriod] = field(default_factory=dict)
    hits: dict[str, tuple[int, int]] = field(default_factory=dict)  # period fact id → transfers to a, b


class BothSides:
    """A supplier delivers to both parties of a conflict within the window of one active period."""

    name = NAME
    title = "Supplier arms both sides of a conflict"
    doc = (
        "Fires when the same state supplies (or offers, orders, services) arms to both parties of a "
        "conflict in the knowledge base, each within the window of one and the same active period of "
        f"the conflict: from {WINDOW_YEARS} years before the period starts to {WINDOW_YEARS} years "
        "after it ends (an open period runs to the last year of the transfers). Severity follows the "
        "most intense period whose window holds transfers to both sides: war gives critical, crisis "
        "high, rivalry medium; it is one step lower when every transfer behind the finding was only "
        "offered. Only states count as supplier and parties: a non-state actor or an organisation "
        "without a state is neither; an organisation that belongs to a state (an army, an export "
        "agency) counts as its state. A party to the conflict arming its own side is ignored, as are "
        "denied or cancelled transfers and transfers without years. One finding per supplier and "
        "conflict lists the transfers to each side."
    )

    def run(self, transfers: Sequence[Transfer], kb: KnowledgeBase) -> list[Finding]:
        """Index transfers by recipient state, then look at each conflict's two sides."""
        to_state: dict[str, dict[str, list[Transfer]]] = {}  # recipient → supplier → transfers
        last_year = 0
        for t, supplier, recipient in state_transfers(transfers):
            to_state.setdefault(recipient, {}).setdefault(supplier, []).append(t)
            last_year = max(last_year, *(t.years or ()))
        findings: list[Finding] = []
        for conflict in sorted(kb.conflicts.values(), key=lambda c: c.id):
            a, b = conflict.sides
            to_a, to_b = to_state.get(a, {}), to_state.get(b, {})
            for supplier in sorted(set(to_a) & set(to_b) - {a, b}):
                group = self._group(conflict, to_a[supplier], to_b[supplier], last_year)
                if group is not None:
                    findings.append(self._finding(kb, supplier, conflict, group))
        return findings

    def _group(
        self, conflict: Conflict, to_a: list[Transfer], to_b: list[Transfer], last_year: int
    ) -> _Group | None:
        a, b = conflict.sides
        group = _Group()
        for period in conflict.periods:
            span = window(period, last_year)
            hits_a = [(t, o) for t in to_a if (o := _overlap(t, span)) is not None]
            hits_b = [(t, o) for t in to_b if (o := _overlap(t, span)) is not None]
            if not (hits_a and hits_b):
                continue
            group.periods[period.fact.id] = period
            group.hits[period.fact.id] = (len(hits_a), len(hits_b))
            for side, hits in ((a, hits_a), (b, hits_b)):
                bucket = group.sides.setdefault(side, _Side())
                for t, (lo, hi) in hits:
                    bucket.transfers[t.id] = t
                    bucket.years.update(range(lo, hi + 1))
        return group if group.periods else None

    def _finding(self, kb: KnowledgeBase, supplier: str, conflict: Conflict, group: _Group) -> Finding:
        a, b = conflict.sides
        top = max(group.periods.values(), key=lambda p: (INTENSITY_RANK[p.intensity], p.period.start))
        severity = SEVERITY_OF_INTENSITY[top.intensity]
        every = [t for side in group.sides.values() for t in side.transfers.values()]
        if all(t.status == "offered" for t in every):
            severity = lower_severity(severity)
        years = [y for side in group.sides.values() for y in side.years]
        facts = FactBag()
        for p in group.periods.values():
            facts.add(p.fact, p.period.start.isoformat())
        return Finding(
            rule=self.name,
            severity=severity,
            supplier=supplier,
            recipient=a,
            third_party=b,
            conflict=conflict.id,
            years=(min(years), max(years)),
            transfers=sorted({t.id for t in every}),
            facts=facts.refs(),
            explanation=explain(kb, supplier, conflict, group, top),
        )


def _side_phrase(kb: KnowledgeBase, side: str, bucket: _Side) -> str:
    ts = sorted(bucket.transfers.values(), key=lambda t: (t.years or (0, 0), t.id))
    n = len(ts)
    years = year_span(min(bucket.years), max(bucket.years))
    return (
        f"{verb(t.status for t in ts)} {kb.state_name(side)} in {years} "
        f"({n} transfer{'' if n == 1 else 's'}: {items_phrase(ts)})"
    )


def explain(kb: KnowledgeBase, supplier: str, conflict: Conflict, group: _Group, top: ConflictPeriod) -> str:
    """One paragraph a journalist can paste: who armed whom on each side, and around which period."""
    a, b = conflict.sides
    s = kb.state_name(supplier)
    end = top.period.end.year if top.period.end else None
    when = year_span(top.period.start.year, end) if end else f"from {top.period.start.year}"
    others = len(group.periods) - 1
    more = f" and {others} other period{'' if others == 1 else 's'} of the conflict" if others else ""
    n_a, n_b = group.hits[top.fact.id]
    return (
        f"{s} {_side_phrase(kb, a, group.sides[a])}, and {_side_phrase(kb, b, group.sides[b])}, "
        f"while the two were in conflict ({conflict.name}: {top.intensity} {when}{more}). Within "
        f"{WINDOW_YEARS} years of the {top.intensity} {when}, {n_a} of these transfers went to "
        f"{kb.state_name(a)} and {n_b} to {kb.state_name(b)}. The conflict periods behind this, each "
        f"with its source, and the evidence for every transfer are listed with this finding."
    )


RULE = register(BothSides())
