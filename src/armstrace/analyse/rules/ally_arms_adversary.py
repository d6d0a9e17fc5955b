"""Rule `ally-arms-adversary/1`: a state arms the adversary of one of its defence allies.

This is the Belarus–Azerbaijan pattern: Belarus and Armenia were both bound by
the CSTO's mutual-defence clause while Belarus equipped Azerbaijan, with which
Armenia was at war. The rule works year by year, because memberships,
obligations and conflicts all have dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from armstrace.analyse.registry import register
from armstrace.analyse.rules.common import (
    IGNORED_STATUSES,
    SEVERITY_OF_INTENSITY,
    KBIndex,
    items_phrase,
    join_words,
    lower_severity,
    state_transfers,
    verb,
    year_runs,
    year_span,
    years_of,
)
from armstrace.kb.model import INTENSITY_RANK, Alliance, Conflict, Fact, KnowledgeBase, Period
from armstrace.records import FactRef, Finding, Transfer

NAME = "ally-arms-adversary/1"

MAX_ITEMS_NAMED = 5

__all__ = [
    "IGNORED_STATUSES",
    "NAME",
    "RULE",
    "SEVERITY_OF_INTENSITY",
    "AllyArmsAdversary",
    "explain",
    "join_words",
    "lower_severity",
    "year_runs",
    "year_span",
]


def _period_key(fact: Fact, period: Period) -> tuple[str, str]:
    return (period.start.isoformat(), fact.id)


@dataclass
class _Group:
    """Everything one finding needs, gathered over the years in which the rule fires."""

    transfers: dict[str, Transfer] = field(default_factory=dict)
    years: set[int] = field(default_factory=set)
    intensity_years: dict[str, set[int]] = field(default_factory=dict)
    supplier_facts: dict[str, tuple[tuple[str, str], Fact]] = field(default_factory=dict)
    third_facts: dict[str, tuple[tuple[str, str], Fact]] = field(default_factory=dict)
    obligation_facts: dict[str, tuple[tuple[str, str], Fact]] = field(default_factory=dict)
    conflict_facts: dict[str, tuple[tuple[str, str], Fact]] = field(default_factory=dict)

    def fact_refs(self) -> list[FactRef]:
        """The facts in reading order: supplier's membership, ally's, the obligation, the conflict."""
        out: dict[str, FactRef] = {}
        for bucket in (self.supplier_facts, self.third_facts, self.obligation_facts, self.conflict_facts):
            for _, fact in sorted(bucket.values(), key=lambda kf: kf[0]):
                out.setdefault(fact.id, FactRef(fact=fact.id, source=fact.source, text=fact.text))
        return list(out.values())


def _add(bucket: dict[str, tuple[tuple[str, str], Fact]], fact: Fact, period: Period) -> None:
    bucket.setdefault(fact.id, (_period_key(fact, period), fact))


class AllyArmsAdversary:
    """A state supplies arms to a state in conflict with one of its defence allies."""

    name = NAME
    title = "Ally arms an ally's adversary"
    doc = (
        "Fires when a state supplies (or offers, orders, services) arms to a recipient in a year in which "
        "the supplier and a third state are both members of an alliance with a defence obligation in "
        "force, and the third state is in conflict with the recipient. The recipient must not itself be "
        "a member of that alliance in that year. Transfers that are denied or cancelled are ignored, and "
        "so are transfers without years, because the rule cannot tell whether the alliance and the "
        "conflict were in force. Severity follows the highest conflict intensity in the years that "
        "overlap: rivalry gives medium, crisis high, war critical; it is one step lower when every "
        "transfer behind the finding was only offered. One finding is made per supplier, recipient, "
        "third state, alliance and conflict, listing every transfer and knowledge-base fact behind it."
    )

    def run(self, transfers: Sequence[Transfer], kb: KnowledgeBase) -> list[Finding]:
        """Check every transfer year by year against the defence alliances and conflicts of its parties.

        Works from the recipient's adversaries in each year to the supplier's defence allies
        among them (both looked up in a `KBIndex`), so a full register runs in well under a
        second however many alliances the knowledge base holds.
        """
        index = KBIndex(kb)
        groups: dict[tuple[str, str, str, str, str], _Group] = {}
        for transfer, supplier, recipient in state_transfers(transfers):
            for year in years_of(transfer):
                self._check_year(groups, index, transfer, supplier, recipient, year)
        return [self._finding(key, group, kb) for key, group in sorted(groups.items())]

    def _check_year(
        self,
        groups: dict[tuple[str, str, str, str, str], _Group],
        index: KBIndex,
        transfer: Transfer,
        supplier: str,
        recipient: str,
        year: int,
    ) -> None:
        adversaries = index.adversaries(recipient, year)
        if not adversaries:
            return
        allied = index.alliances_of(supplier, year, defence=True)
        for conflict, third, active in adversaries:
            if third == supplier:
                continue
            for alliance in allied:
                members = index.members(alliance, year)
                if third not in members or recipient in members:
                    continue
                group = groups.setdefault((supplier, recipient, third, alliance.id, conflict.id), _Group())
                group.transfers[transfer.id] = transfer
                group.years.add(year)
                for p in active:
                    group.intensity_years.setdefault(p.intensity, set()).add(year)
                    _add(group.conflict_facts, p.fact, p.period)
                for o in index.defence_terms(alliance, year):
                    _add(group.obligation_facts, o.fact, o.period)
                for m in alliance.memberships:
                    if m.status == "member" and m.period.contains_year(year):
                        if m.state == supplier:
                            _add(group.supplier_facts, m.fact, m.period)
                        elif m.state == third:
                            _add(group.third_facts, m.fact, m.period)

    def _finding(self, key: tuple[str, str, str, str, str], group: _Group, kb: KnowledgeBase) -> Finding:
        supplier, recipient, third, alliance_id, conflict_id = key
        top = max(group.intensity_years, key=lambda i: INTENSITY_RANK[i])
        severity = SEVERITY_OF_INTENSITY[top]
        if all(t.status == "offered" for t in group.transfers.values()):
            severity = lower_severity(severity)
        years = (min(group.years), max(group.years))
        return Finding(
            rule=self.name,
            severity=severity,
            supplier=supplier,
            recipient=recipient,
            third_party=third,
            alliance=alliance_id,
            conflict=conflict_id,
            years=years,
            transfers=sorted(group.transfers),
            facts=group.fact_refs(),
            explanation=explain(
                kb, supplier, recipient, third, kb.alliances[alliance_id], kb.conflicts[conflict_id], group
            ),
        )


def _intensity_phrase(group: _Group) -> str:
    all_years = group.years
    parts = []
    for intensity in sorted(group.intensity_years, key=lambda i: -INTENSITY_RANK[i]):
        years = group.intensity_years[intensity]
        when = "throughout" if years >= all_years and len(all_years) > 1 else f"in {year_runs(years)}"
        parts.append(f"{intensity} {when}")
    return "; ".join(parts)


def explain(
    kb: KnowledgeBase,
    supplier: str,
    recipient: str,
    third: str,
    alliance: Alliance,
    conflict: Conflict,
    group: _Group,
) -> str:
    """One paragraph a journalist can paste: who, what, when, which treaty, which conflict, what backs it."""
    s, r, x = kb.state_name(supplier), kb.state_name(recipient), kb.state_name(third)
    treaty = alliance.name if alliance.name.lower().startswith("the ") else f"the {alliance.name}"
    transfers = sorted(group.transfers.values(), key=lambda t: (t.years or (0, 0), t.id))
    items = items_phrase(transfers, MAX_ITEMS_NAMED)
    statuses = [t.status for t in transfers]
    count = f"{len(transfers)} transfer" + ("" if len(transfers) == 1 else "s")
    status_counts = join_words([f"{statuses.count(st)} {st}" for st in dict.fromkeys(sorted(statuses))])
    span = year_span(min(group.years), max(group.years))
    estimated = ", years partly estimated" if any(t.years_estimated for t in transfers) else ""
    parts = [f"{count}: {items}" if items else count]
    if len(set(statuses)) > 1:
        parts.append(status_counts)
    parts.append(span + estimated)
    n_facts = len(group.fact_refs())
    return (
        f"{s} {verb(statuses)} {r} ({'; '.join(parts)}) while {s} and {x} were both members "
        f"of {treaty}, whose members are bound to defend one another, and while {x} was in "
        f"conflict with {r} ({_intensity_phrase(group)}). "
        f"The {n_facts} knowledge-base facts behind this (memberships, the defence obligation and the "
        f"conflict, each with its source) and the evidence for every transfer are listed with this finding."
    )


RULE = register(AllyArmsAdversary())
