"""Rule `corroboration/1`: is a transfer found in the documents already in the public record?

A journalist with a leak needs to know first which transfers are news. Each transfer
extracted from documents is compared with the register transfers (SIPRI) of the same
supplier and recipient: a compatible system (across scripts and spellings, see
`analyse/match.py`) or, when one side names no system, the same category, in years that
overlap give or take one. The answer is a finding either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from armstrace.analyse.match import Matcher, squash
from armstrace.analyse.registry import register
from armstrace.analyse.rules.common import items_phrase, join_words, state_of, usable, year_span
from armstrace.kb.model import KnowledgeBase
from armstrace.records import Actor, Finding, RegisterRow, Severity, Transfer, stable_id

NAME = "corroboration/1"
#: Years by which a document's dates and a register's may differ and still describe one deal.
YEAR_SLACK = 1
MAX_DEALS_NAMED = 5


def party_key(actor: Actor) -> tuple[str, ...]:
    """What must be equal for two transfers to have the same party.

    States (and organisations of a state) by code. A non-state actor by the state it
    operates in, because armed groups have no codes that a document and SIPRI share; an
    organisation without a state by its id.
    """
    code = state_of(actor)
    if code is not None:
        return ("state", code)
    if actor.kind == "non-state":
        return ("non-state", actor.state or "")
    return ("organisation", actor.id)


def deal_label(transfer: Transfer) -> str:
    """`SIPRI deal 12345` for the current export, the register and row otherwise."""
    for ev in transfer.evidence:
        if isinstance(ev, RegisterRow):
            if ev.row.startswith("deal "):
                return f"SIPRI deal {ev.row.removeprefix('deal ')}"
            return f"{ev.register}, {ev.row}"
    return f"register transfer {transfer.id}"


def _years_meet(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return min(a) - YEAR_SLACK <= max(b) and min(b) <= max(a) + YEAR_SLACK


@dataclass
class _Match:
    register: Transfer
    kind: str
    score: float


@dataclass
class _Group:
    documents: dict[str, Transfer] = field(default_factory=dict)
    matches: dict[str, _Match] = field(default_factory=dict)


class Corroboration:
    """Each document transfer is either publicly recorded (with the SIPRI deals) or not."""

    name = NAME
    title = "Is it in the public record?"
    doc = (
        "For every transfer found in documents, looks for register transfers (SIPRI) with the same "
        "supplier and recipient (states by code; a non-state actor by the state it operates in), a "
        "compatible item and years that overlap give or take one year. Items are compatible when they "
        "are the same knowledge-base system, or their designations match across scripts and spellings "
        "(`Полонез` and `Polonez`, `Groza-S` and `Groza`, never `T-72` and `T-90`), or, only when one "
        "of them names no system, when they are in the same armament category. Matches by system are "
        "preferred: category matches are reported only when there is no system match. A match gives a "
        "low-severity finding 'publicly recorded (SIPRI deal …)' listing the matched register "
        "transfers; no match gives a medium-severity finding 'not in the public record', the one a "
        "journalist most needs (low when the documents only record an offer, which SIPRI does not "
        "list). Document transfers of the same supplier, recipient and item form one finding. The "
        "rule says nothing until a register has been imported: no public record, no answer. Denied "
        "or cancelled transfers and transfers without years are ignored."
    )

    def run(self, transfers: Sequence[Transfer], kb: KnowledgeBase) -> list[Finding]:
        """Index register transfers by their parties, then look up each document transfer."""
        register_by_pair: dict[tuple[tuple[str, ...], tuple[str, ...]], list[Transfer]] = {}
        documents: list[Transfer] = []
        for t in transfers:
            if not usable(t):
                continue
            if t.source == "register":
                register_by_pair.setdefault((party_key(t.supplier), party_key(t.recipient)), []).append(t)
            else:
                documents.append(t)
        if not documents or not register_by_pair:
            return []  # no register imported: there is no public record to compare with
        matcher = Matcher(kb)
        groups: dict[tuple[str, str, str], _Group] = {}
        for t in documents:
            system, names = matcher.designations(t.item)
            item_key = system.id if system else (squash(names[0]) if names else f"~{t.item.text.lower()}")
            group = groups.setdefault((t.supplier.code, t.recipient.code, item_key), _Group())
            group.documents[t.id] = t
            self._match(t, register_by_pair, matcher, group)
        return [self._finding(key, group, kb) for key, group in sorted(groups.items())]

    def _match(
        self,
        t: Transfer,
        register_by_pair: dict[tuple[tuple[str, ...], tuple[str, ...]], list[Transfer]],
        matcher: Matcher,
        group: _Group,
    ) -> None:
        assert t.years is not None
        candidates = register_by_pair.get((party_key(t.supplier), party_key(t.recipient)), [])
        found: list[_Match] = []
        for r in candidates:
            if r.years is None or not _years_meet(t.years, r.years):
                continue
            how = matcher.compatible(t.item, r.item)
            if how is not None:
                found.append(_Match(r, how[0], how[1]))
        if any(m.kind == "system" for m in found):
            found = [m for m in found if m.kind == "system"]
        for m in found:
            known = group.matches.get(m.register.id)
            if known is None or (known.kind == "system", known.score) < (m.kind == "system", m.score):
                group.matches[m.register.id] = m
        # A group keeps its best kind of match: system matches found for one transfer win.
        if any(m.kind == "system" for m in group.matches.values()):
            group.matches = {k: m for k, m in group.matches.items() if m.kind == "system"}

    def _finding(self, key: tuple[str, str, str], group: _Group, kb: KnowledgeBase) -> Finding:
        supplier, recipient, item_key = key
        docs = sorted(group.documents.values(), key=lambda t: (t.years or (0, 0), t.id))
        matches = sorted(
            group.matches.values(), key=lambda m: (-m.score, m.register.years or (0, 0), m.register.id)
        )
        years = [y for t in docs for y in (t.years or ())]
        offered_only = all(t.status == "offered" for t in docs)
        severity: Severity = "low" if matches or offered_only else "medium"
        return Finding(
            id=stable_id(self.name, supplier, recipient, item_key),
            rule=self.name,
            severity=severity,
            supplier=supplier,
            recipient=recipient,
            years=(min(years), max(years)),
            transfers=[t.id for t in docs] + [m.register.id for m in matches],
            facts=[],
            explanation=explain(kb, docs, matches),
        )


def _party(kb: KnowledgeBase, actor: Actor) -> str:
    code = state_of(actor)
    return kb.state_name(code) if code else actor.name


def explain(kb: KnowledgeBase, docs: list[Transfer], matches: list[_Match]) -> str:
    """Leads with the answer ("Publicly recorded (SIPRI deal …)" or "Not in the public record")."""
    first = docs[0]
    s, r = _party(kb, first.supplier), _party(kb, first.recipient)
    years = [y for t in docs for y in (t.years or ())]
    n = len(docs)
    what = (
        f"{n} transfer{'' if n == 1 else 's'} found in documents ({items_phrase(docs)}, "
        f"{', '.join(sorted({t.status for t in docs}))}, {year_span(min(years), max(years))}) from {s} to {r}"
    )
    if not matches:
        offered = all(t.status == "offered" for t in docs)
        tail = (
            " The documents record only an offer, which SIPRI does not list."
            if offered
            else " If the documents are authentic, this is a transfer the public record does not show."
        )
        return (
            f"Not in the public record: no register transfer from {s} to {r} with a compatible item in "
            f"{year_span(min(years) - YEAR_SLACK, max(years) + YEAR_SLACK)} matches the {what}.{tail}"
        )
    labels = [deal_label(m.register) for m in matches]
    named = labels[:MAX_DEALS_NAMED] + (
        [f"{len(labels) - MAX_DEALS_NAMED} more"] if len(labels) > MAX_DEALS_NAMED else []
    )
    by = "the same system" if matches[0].kind == "system" else "the same armament category only"
    recorded = items_phrase(m.register for m in matches)
    return (
        f"Publicly recorded ({join_words(named)}): the {what} match{'es' if n == 1 else ''} register "
        f"transfers of {recorded} by {by}, in overlapping years. The register rows are listed with "
        f"this finding next to the document evidence."
    )


RULE = register(Corroboration())
