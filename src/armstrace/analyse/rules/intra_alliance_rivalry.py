"""Rule `intra-alliance-rivalry/1`: an ally arms one of two co-members that are rivals.

Inside NATO, Greece and Turkey are rivals that have come close to war; an ally that
arms one of them arms it against another ally. The rule finds that pattern in every
alliance of the knowledge base, year by year, because memberships and rivalries have dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from armstrace.analyse.registry import register
from armstrace.analyse.rules.common import (
    FactBag,
    KBIndex,
    items_phrase,
    lower_severity,
    state_transfers,
    verb,
    year_runs,
    years_of,
)
from armstrace.kb.model import INTENSITY_RANK, Alliance, Conflict, KnowledgeBase
from armstrace.records import Finding, Severity, Transfer

NAME = "intra-alliance-rivalry/1"
#: Lower than `ally-arms-adversary/1`: arming an ally is what alliances are for; the rivalry is the news.
SEVERITY_OF_INTENSITY: dict[str, Severity] = {"rivalry": "low", "crisis": "medium", "war": "high"}


@dataclass
class _Group:
    transfers: dict[str, Transfer] = field(default_factory=dict)
    years: set[int] = field(default_factory=set)
    intensity_years: dict[str, set[int]] = field(default_factory=dict)
    facts: FactBag = field(default_factory=FactBag)


class IntraAllianceRivalry:
    """A member of an alliance arms a co-member that is in conflict with a third co-member."""

    name = NAME
    title = "Ally arms one of two rival allies"
    doc = (
        "Fires when a state supplies (or offers, orders, services) arms to a state in a year in which "
        "supplier, recipient and a third state are all members of the same alliance (any obligation in "
        "force) and the recipient and the third state are in conflict. Severity follows the highest "
        "conflict intensity in those years and is lower than for arming an outside adversary, because "
        "arming allies is ordinary: rivalry gives low, crisis medium, war high; one step lower when "
        "every transfer was only offered. Only states count (an organisation that belongs to a state "
        "counts as its state; non-state actors and organisations without a state never do); denied or "
        "cancelled transfers and transfers without years are ignored. One finding per supplier, "
        "recipient, rival, alliance and conflict lists every transfer and fact behind it."
    )

    def run(self, transfers: Sequence[Transfer], kb: KnowledgeBase) -> list[Finding]:
        """From the recipient's adversaries each year to alliances that hold all three states."""
        index = KBIndex(kb)
        groups: dict[tuple[str, str, str, str, str], _Group] = {}
        for t, supplier, recipient in state_transfers(transfers):
            for year in years_of(t):
                adversaries = index.adversaries(recipient, year)
                if not adversaries:
                    continue
                shared = [
                    a
                    for a in index.alliances_of(supplier, year, defence=False)
                    if recipient in index.members(a, year)
                ]
                for conflict, rival, active in adversaries:
                    if rival == supplier:
                        continue
                    for alliance in shared:
                        if rival not in index.members(alliance, year):
                            continue
                        group = groups.setdefault(
                            (supplier, recipient, rival, alliance.id, conflict.id), _Group()
                        )
                        group.transfers[t.id] = t
                        group.years.add(year)
                        for p in active:
                            group.intensity_years.setdefault(p.intensity, set()).add(year)
                            group.facts.add(p.fact, p.period.start.isoformat())
                        for state in (supplier, recipient, rival):
                            for fact in index.member_facts(alliance, state, year):
                                group.facts.add(fact)
        return [self._finding(key, group, kb) for key, group in sorted(groups.items())]

    def _finding(self, key: tuple[str, str, str, str, str], group: _Group, kb: KnowledgeBase) -> Finding:
        supplier, recipient, rival, alliance_id, conflict_id = key
        top = max(group.intensity_years, key=lambda i: INTENSITY_RANK[i])
        severity = SEVERITY_OF_INTENSITY[top]
        if all(t.status == "offered" for t in group.transfers.values()):
            severity = lower_severity(severity)
        return Finding(
            rule=self.name,
            severity=severity,
            supplier=supplier,
            recipient=recipient,
            third_party=rival,
            alliance=alliance_id,
            conflict=conflict_id,
            years=(min(group.years), max(group.years)),
            transfers=sorted(group.transfers),
            facts=group.facts.refs(),
            explanation=explain(
                kb, supplier, recipient, rival, kb.alliances[alliance_id], kb.conflicts[conflict_id], group
            ),
        )


def explain(
    kb: KnowledgeBase,
    supplier: str,
    recipient: str,
    rival: str,
    alliance: Alliance,
    conflict: Conflict,
    group: _Group,
) -> str:
    """One paragraph a journalist can paste."""
    s, r, x = kb.state_name(supplier), kb.state_name(recipient), kb.state_name(rival)
    treaty = alliance.name if alliance.name.lower().startswith("the ") else f"the {alliance.name}"
    ts = sorted(group.transfers.values(), key=lambda t: (t.years or (0, 0), t.id))
    n = len(ts)
    levels = "; ".join(
        f"{i} in {year_runs(group.intensity_years[i])}"
        for i in sorted(group.intensity_years, key=lambda i: -INTENSITY_RANK[i])
    )
    return (
        f"{s} {verb(t.status for t in ts)} {r} ({n} transfer{'' if n == 1 else 's'}: {items_phrase(ts)}; "
        f"{year_runs(group.years)}) while {s}, {r} and {x} were all members of {treaty} and {r} was in "
        f"conflict with its fellow member {x} ({levels}). The memberships and conflict periods behind "
        f"this, each with its source, and the evidence for every transfer are listed with this finding."
    )


RULE = register(IntraAllianceRivalry())
