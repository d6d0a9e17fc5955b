"""Rule `embargo-breach/1`: a delivery to a state under an arms embargo that binds the supplier.

An embargo binds only those its issuer can bind: a UN Security Council embargo binds
every state, an EU embargo the EU's member states, an OSCE embargo asks its
participating States (politically, not legally), and a national embargo binds the state
that declared it. The rule therefore needs to know who was in the EU or the OSCE in
which year; that is data (`data/eu_members.yaml`, `data/osce_participants.yaml`), with
its sources, not code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from armstrace.analyse.registry import register
from armstrace.analyse.rules.common import (
    FactBag,
    items_phrase,
    join_words,
    lower_severity,
    state_of,
    usable,
    verb,
    year_runs,
    years_of,
)
from armstrace.kb.model import Embargo, EmbargoTerm, KnowledgeBase
from armstrace.records import SEVERITIES, Actor, FactRef, Finding, Severity, Transfer

NAME = "embargo-breach/1"

#: Issuers whose members the rule knows, and the data file listing them with dates.
BLOC_FILES: dict[str, str] = {"eu": "eu_members.yaml", "osce": "osce_participants.yaml"}
DELIVERY_STATUSES = frozenset({"delivered", "service"})


@dataclass(frozen=True)
class BlocMember:
    state: str
    start: dt.date
    end: dt.date | None  # closed-open: the first day no longer a member


@dataclass(frozen=True)
class Bloc:
    """The members of an issuing organisation, with dates, and where that list comes from."""

    issuer: str
    title: str
    url: str
    members: dict[str, tuple[BlocMember, ...]]

    def member_in(self, state: str, year: int) -> BlocMember | None:
        for m in self.members.get(state, ()):
            if _covers(m.start, m.end, year):
                return m
        return None


def _covers(start: dt.date, end: dt.date | None, year: int) -> bool:
    """Whether a closed-open span of days holds on at least one day of `year`."""
    return start.year <= year and (end is None or (end - dt.timedelta(days=1)).year >= year)


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


@cache
def bloc(issuer: str) -> Bloc | None:
    """The packaged member list of an issuer (`eu`, `osce`), or None when the rule has none."""
    name = BLOC_FILES.get(issuer)
    if name is None:
        return None
    text = resources.files("armstrace.analyse.rules").joinpath("data", name).read_text("utf-8")
    data = yaml.safe_load(text)
    members: dict[str, list[BlocMember]] = {}
    for state, span in data["members"].items():
        where = f"{name}: {state}"
        end = span.get("end")
        members.setdefault(str(state), []).append(
            BlocMember(str(state), _date(span["start"], where), None if end is None else _date(end, where))
        )
    source = data["source"]
    return Bloc(
        issuer=issuer,
        title=str(source["title"]),
        url=str(source["url"]),
        members={k: tuple(v) for k, v in members.items()},
    )


@dataclass(frozen=True)
class Bond:
    """Why an embargo binds a supplier: a sentence for the explanation and, if any, the fact behind it."""

    reason: str
    fact: FactRef | None = None


def bond(embargo: Embargo, supplier: str, year: int, kb: KnowledgeBase) -> Bond | None:
    """Whether (and why) `embargo` binds or asks `supplier` in `year`; None when it does not."""
    name = kb.state_name(supplier)
    if embargo.issuer == "un-security-council":
        return Bond("UN Security Council arms embargoes bind every state")
    if embargo.issuer == "national":
        if embargo.issuer_state == supplier:
            return Bond(f"the embargo is {name}'s own")
        return None
    members = bloc(embargo.issuer)
    if members is None:
        return None  # an issuer whose membership the rule does not know: it cannot say who is bound
    m = members.member_in(supplier, year)
    if m is None:
        return None
    what = {"eu": "a member state of the EU", "osce": "an OSCE participating State"}[embargo.issuer]
    since = f"from {m.start.isoformat()}" + (f" until {m.end.isoformat()}" if m.end else "")
    fact = FactRef(
        fact=f"{embargo.issuer}-member/{supplier}",
        source=members.url,
        text=f"{name} was {what} {since} ({members.title}).",
    )
    return Bond(f"{name} was {what}", fact)


def terms_in(embargo: Embargo, year: int) -> list[EmbargoTerm]:
    """The embargo's terms in force on some day of `year` (its periods are closed-open)."""
    return [t for t in embargo.terms if _covers(t.period.start, t.period.end, year)]


def term_severity(embargo: Embargo, term: EmbargoTerm) -> Severity:
    """Binding: critical for the UN Security Council, high otherwise; voluntary: medium; partial: one less."""
    if term.binding:
        severity: Severity = "critical" if embargo.issuer == "un-security-council" else "high"
    else:
        severity = "medium"
    return lower_severity(severity) if term.scope == "partial" else severity


def _edge(term: EmbargoTerm, year: int) -> bool:
    """The year the term began or ended: a delivery dated only by year may fall outside it."""
    last = (term.period.end - dt.timedelta(days=1)).year if term.period.end else None
    return year in (term.period.start.year, last)


def target_of(actor: Actor) -> tuple[str, bool] | None:
    """(the state an embargo on it would name, whether the actor is non-state) or None.

    A delivery to a non-state actor is a delivery into the state it operates in, so an
    embargo on that state (or one on its non-governmental forces only) covers it; an
    organisation without a state is in no state and is never under a state embargo.
    """
    if actor.kind == "non-state":
        return (actor.state, True) if actor.state else None
    code = state_of(actor)
    return (code, False) if code else None


@dataclass
class _Group:
    transfers: dict[str, Transfer] = field(default_factory=dict)
    years: set[int] = field(default_factory=set)
    inside_years: set[int] = field(default_factory=set)  # years not at the edge of a term
    severity_rank: int = 0
    bonds: dict[str, Bond] = field(default_factory=dict)
    facts: FactBag = field(default_factory=FactBag)
    scopes: dict[str, str] = field(default_factory=dict)  # scope → note


class EmbargoBreach:
    """A state supplies arms into an embargo that binds (or, voluntarily, asks) it."""

    name = NAME
    title = "Delivery into an arms embargo"
    doc = (
        "Fires when a state supplies (or offers, orders, services) arms to a state in a year in which an "
        "arms embargo on that state is in force and binds the supplier: UN Security Council embargoes "
        "bind every state; EU embargoes bind the EU's member states in that year; OSCE embargoes are "
        "voluntary and ask the OSCE participating States; a national embargo binds the state that "
        "declared it. Embargoes of other issuers (ECOWAS, the African Union, the Arab League) do not "
        "fire until the rule has their member lists. A delivery to a non-state actor counts as a "
        "delivery into the state it operates in; an embargo that covers only non-governmental forces "
        "fires only for those. Severity: a binding embargo gives critical (UN Security Council) or high "
        "(others), a voluntary one medium; one step lower when the term in force was partial, when "
        "nothing behind the finding was delivered or serviced (only offered or ordered), and when every "
        "year involved is the year the embargo began or ended (SIPRI dates deliveries by year only). "
        "Denied or cancelled transfers, transfers without years and non-state suppliers are ignored. "
        "One finding per supplier, recipient and embargo lists every transfer and the embargo terms."
    )

    def run(self, transfers: Sequence[Transfer], kb: KnowledgeBase) -> list[Finding]:
        """Look up each transfer's recipient among the embargo targets, year by year."""
        by_target: dict[str, list[Embargo]] = {}
        for embargo in kb.embargoes.values():
            by_target.setdefault(embargo.target, []).append(embargo)
        if not by_target:
            return []
        groups: dict[tuple[str, str, str], _Group] = {}
        for t in transfers:
            if not usable(t):
                continue
            supplier, target = state_of(t.supplier), target_of(t.recipient)
            if supplier is None or target is None or target[0] not in by_target or supplier == target[0]:
                continue
            state, non_state = target
            for embargo in by_target[state]:
                if embargo.non_state_only and not non_state:
                    continue
                for year in years_of(t):
                    self._check(groups, kb, t, supplier, embargo, year)
        return [self._finding(key, group, kb) for key, group in sorted(groups.items())]

    def _check(
        self,
        groups: dict[tuple[str, str, str], _Group],
        kb: KnowledgeBase,
        t: Transfer,
        supplier: str,
        embargo: Embargo,
        year: int,
    ) -> None:
        terms = terms_in(embargo, year)
        if not terms:
            return
        why = bond(embargo, supplier, year, kb)
        if why is None:
            return
        group = groups.setdefault((supplier, t.recipient.code, embargo.id), _Group())
        group.transfers[t.id] = t
        group.years.add(year)
        if not any(_edge(term, year) for term in terms):
            group.inside_years.add(year)
        group.bonds.setdefault(why.reason, why)
        for term in terms:
            group.severity_rank = max(group.severity_rank, SEVERITIES.index(term_severity(embargo, term)))
            group.facts.add(term.fact, term.period.start.isoformat())
            group.scopes.setdefault(term.scope, term.note)

    def _finding(self, key: tuple[str, str, str], group: _Group, kb: KnowledgeBase) -> Finding:
        supplier, recipient, embargo_id = key
        embargo = kb.embargoes[embargo_id]
        severity: Severity = SEVERITIES[group.severity_rank]
        if not any(t.status in DELIVERY_STATUSES for t in group.transfers.values()):
            severity = lower_severity(severity)
        if not group.inside_years:
            severity = lower_severity(severity)
        facts = group.facts.refs()
        facts += [b.fact for b in group.bonds.values() if b.fact is not None]
        return Finding(
            rule=self.name,
            severity=severity,
            supplier=supplier,
            recipient=recipient,
            embargo=embargo_id,
            years=(min(group.years), max(group.years)),
            transfers=sorted(group.transfers),
            facts=facts,
            explanation=explain(kb, supplier, recipient, embargo, group),
        )


def explain(kb: KnowledgeBase, supplier: str, recipient: str, embargo: Embargo, group: _Group) -> str:
    """One paragraph a journalist can paste: who, what, when, which embargo, and why it bound the supplier."""
    ts = sorted(group.transfers.values(), key=lambda t: (t.years or (0, 0), t.id))
    s = kb.state_name(supplier)
    # a non-state recipient (an armed group) is named as itself; a state's organs by the state
    r = next(
        (t.recipient.name for t in ts if t.recipient.code == recipient and t.recipient.kind == "non-state"),
        kb.state_name(recipient),
    )
    n = len(ts)
    scope = "; ".join(
        "all arms" if sc == "all-arms" else f"partial: {note}" if note else "partial"
        for sc, note in sorted(group.scopes.items())
    )
    edge = (
        " Every year involved is a year in which the embargo began or ended, and SIPRI dates deliveries "
        "by year only, so the delivery may fall outside it."
        if not group.inside_years
        else ""
    )
    return (
        f"{s} {verb(t.status for t in ts)} {r} ({n} transfer{'' if n == 1 else 's'}: {items_phrase(ts)}; "
        f"{year_runs(group.years)}) while the {embargo.name} was in force ({scope}), and "
        f"{join_words(sorted(group.bonds))}.{edge} The embargo terms behind this, each with its source, "
        f"and the evidence for every transfer are listed with this finding."
    )


RULE = register(EmbargoBreach())
