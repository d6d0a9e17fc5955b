"""Views of the knowledge base for people (`kb show`) and for programs (`kb export`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from armstrace.errors import UserError
from armstrace.kb.model import Alliance, Conflict, Embargo, KnowledgeBase, Period


def _period(period: Period) -> str:
    return f"{period.start.isoformat()} – {period.end.isoformat() if period.end else 'in force'}"


def _alliance(kb: KnowledgeBase, alliance: Alliance) -> RenderableType:
    head = Text(f"{alliance.name} ({alliance.id}, {alliance.kind})", style="bold")
    obligations = Table("obligation", "period", "fact", "source", title="Obligations")
    for o in alliance.obligations:
        obligations.add_row(o.type, _period(o.period), o.fact.id, o.fact.source)
    members = Table("state", "status", "period", "fact", "source", title="Members")
    for m in sorted(alliance.memberships, key=lambda m: (kb.state_name(m.state), m.period.start)):
        members.add_row(
            f"{kb.state_name(m.state)} ({m.state})", m.status, _period(m.period), m.fact.id, m.fact.source
        )
    return Group(head, obligations, members)


def _conflict(kb: KnowledgeBase, conflict: Conflict) -> RenderableType:
    a, b = conflict.sides
    head = Text(f"{conflict.name} ({conflict.id}): {kb.state_name(a)} – {kb.state_name(b)}", style="bold")
    periods = Table("intensity", "period", "fact", "source", "note", title="Periods")
    for p in sorted(conflict.periods, key=lambda p: p.period.start):
        periods.add_row(p.intensity, _period(p.period), p.fact.id, p.fact.source, p.fact.text)
    parts: list[RenderableType] = [head, periods]
    # Imported layers add the same dyad as records of their own (`<id>-ucdp`, `<id>-tss`): show them too.
    others = [c for c in kb.conflicts_of(a, b) if c.id != conflict.id]
    for other in sorted(others, key=lambda c: c.id):
        title = f"Also recorded: {other.name} ({other.id})"
        table = Table("intensity", "period", "fact", "source", "note", title=title)
        for p in sorted(other.periods, key=lambda p: p.period.start):
            table.add_row(p.intensity, _period(p.period), p.fact.id, p.fact.source, p.fact.text)
        parts.append(table)
    return Group(*parts)


ISSUERS = {
    "un-security-council": "UN Security Council",
    "eu": "European Union",
    "osce": "OSCE",
    "ecowas": "ECOWAS",
    "au": "African Union",
    "arab-league": "League of Arab States",
    "national": "national",
}


def _embargo(kb: KnowledgeBase, embargo: Embargo) -> RenderableType:
    issuer = ISSUERS.get(embargo.issuer, embargo.issuer)
    if embargo.issuer_state:
        issuer = f"{kb.state_name(embargo.issuer_state)} ({issuer})"
    target = f"{kb.state_name(embargo.target)} ({embargo.target})"
    if embargo.non_state_only:
        target += ", non-governmental forces only"
    head = Text(f"{embargo.name} ({embargo.id}): issued by {issuer}, on {target}", style="bold")
    terms = Table("change", "period", "binding", "scope", "fact", "source", title="Terms")
    for t in sorted(embargo.terms, key=lambda t: t.period.start):
        scope = "all arms" if t.scope == "all-arms" else f"partial: {t.note}"
        binding = "binding" if t.binding else "voluntary"
        terms.add_row(t.change, _period(t.period), binding, scope, t.fact.id, t.fact.source)
    parts: list[RenderableType] = [head, terms]
    for t in sorted(embargo.terms, key=lambda t: t.period.start):
        parts.append(Text(f"{t.fact.id}: {t.fact.text}" + (f" Note: {t.fact.note}" if t.fact.note else "")))
    if embargo.lifted is not None:
        lifted = embargo.lifted
        parts.append(Text(f"Ended: {lifted.text} ({lifted.id}, source {lifted.source})"))
    else:
        parts.append(Text("In force (no end recorded)."))
    if embargo.note:
        parts.append(Text(f"Note: {embargo.note}", style="dim"))
    return Group(*parts)


def show(kb: KnowledgeBase, ident: str) -> RenderableType:
    key = ident.lower()
    if key in kb.alliances:
        return _alliance(kb, kb.alliances[key])
    for alliance in kb.alliances.values():
        if key in (a.lower() for a in alliance.aliases):
            return _alliance(kb, alliance)
    if key in kb.conflicts:
        return _conflict(kb, kb.conflicts[key])
    if key in kb.embargoes:
        return _embargo(kb, kb.embargoes[key])
    ids = sorted([*kb.alliances, *kb.conflicts, *kb.embargoes])
    more = f", ... ({len(ids)} in all; `armstrace kb list` shows them)" if len(ids) > 60 else ""
    known = ", ".join(ids[:60]) + more
    raise UserError(
        f"no alliance, conflict or embargo called {ident!r} in the knowledge base. Known: {known}."
    )


def export_json(kb: KnowledgeBase) -> dict[str, Any]:
    """The whole knowledge base as plain data (dates as ISO strings)."""

    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value

    return {
        "sources": plain(kb.sources),
        "states": plain(kb.states),
        "organisations": plain(kb.organisations),
        "systems": plain(kb.systems),
        "equipment": plain(kb.equipment),
        "places": plain(kb.places),
        "alliances": plain(kb.alliances),
        "conflicts": plain(kb.conflicts),
        "embargoes": plain(kb.embargoes),
    }
