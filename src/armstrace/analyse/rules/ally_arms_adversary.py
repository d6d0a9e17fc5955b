"""Rule `ally-arms-adversary/1`: a state arms the adversary of one of its defence allies.

This is the Belarus–Azerbaijan pattern: Belarus and Armenia were both bound by
the CSTO's mutual-defence clause while Belarus equipped Azerbaijan, with which
Armenia was at war. The rule works year by year, because memberships,
obligations and conflicts all have dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from armstrace.analyse.registry import register
from armstrace.kb.model import INTENSITY_RANK, Alliance, Conflict, Fact, KnowledgeBase, Period
from armstrace.records import SEVERITIES, FactRef, Finding, Severity, Transfer

NAME = "ally-arms-adversary/1"

IGNORED_STATUSES = frozenset({"denied", "cancelled"})
SEVERITY_OF_INTENSITY: dict[str, Severity] = {"rivalry": "medium", "crisis": "high", "war": "critical"}
MAX_ITEMS_NAMED = 5


def lower_severity(severity: Severity) -> Severity:
    """One step down, never below `low`."""
    return SEVERITIES[max(0, SEVERITIES.index(severity) - 1)]


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
        """Check every transfer year by year against every alliance and conflict in the knowledge base."""
        groups: dict[tuple[str, str, str, str, str], _Group] = {}
        for transfer in transfers:
            if transfer.status in IGNORED_STATUSES or transfer.years is None:
                continue
            supplier, recipient = transfer.supplier.code, transfer.recipient.code
            if supplier == recipient:
                continue
            first, last = sorted(transfer.years)
            for alliance in kb.alliances.values():
                for year in range(first, last + 1):
                    self._check_year(groups, transfer, supplier, recipient, alliance, year, kb)
        return [self._finding(key, group, kb) for key, group in sorted(groups.items())]

    def _check_year(
        self,
        groups: dict[tuple[str, str, str, str, str], _Group],
        transfer: Transfer,
        supplier: str,
        recipient: str,
        alliance: Alliance,
        year: int,
        kb: KnowledgeBase,
    ) -> None:
        defence = [o for o in alliance.obligations if o.type == "defence" and o.period.contains_year(year)]
        if not defence:
            return
        members = alliance.members_in(year)
        if supplier not in members or recipient in members:
            return
        for third in sorted(members - {supplier, recipient}):
            for conflict in kb.conflicts_of(third, recipient):
                active = [p for p in conflict.periods if p.period.contains_year(year)]
                if not active:
                    continue
                group = groups.setdefault((supplier, recipient, third, alliance.id, conflict.id), _Group())
                group.transfers[transfer.id] = transfer
                group.years.add(year)
                for p in active:
                    group.intensity_years.setdefault(p.intensity, set()).add(year)
                    _add(group.conflict_facts, p.fact, p.period)
                for o in defence:
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


def _verb(statuses: set[str]) -> str:
    if statuses <= {"offered"}:
        return "offered arms to"
    if statuses <= {"offered", "ordered"}:
        return "agreed to supply"
    return "supplied"


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
    items: list[str] = []
    for t in transfers:
        text = " ".join(t.item.text.split())
        if text and text.lower() not in {i.lower() for i in items}:
            items.append(text)
    named = items[:MAX_ITEMS_NAMED]
    if len(items) > len(named):
        named.append(f"{len(items) - len(named)} other items")
    statuses = [t.status for t in transfers]
    count = f"{len(transfers)} transfer" + ("" if len(transfers) == 1 else "s")
    status_counts = join_words([f"{statuses.count(st)} {st}" for st in dict.fromkeys(sorted(statuses))])
    span = year_span(min(group.years), max(group.years))
    estimated = ", years partly estimated" if any(t.years_estimated for t in transfers) else ""
    parts = [f"{count}: {join_words(named)}" if named else count]
    if len(set(statuses)) > 1:
        parts.append(status_counts)
    parts.append(span + estimated)
    n_facts = len(group.fact_refs())
    return (
        f"{s} {_verb(set(statuses))} {r} ({'; '.join(parts)}) while {s} and {x} were both members "
        f"of {treaty}, whose members are bound to defend one another, and while {x} was in "
        f"conflict with {r} ({_intensity_phrase(group)}). "
        f"The {n_facts} knowledge-base facts behind this (memberships, the defence obligation and the "
        f"conflict, each with its source) and the evidence for every transfer are listed with this finding."
    )


RULE = register(AllyArmsAdversary())
