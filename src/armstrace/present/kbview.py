"""Views of the knowledge base for people (`kb show`) and for programs (`kb export`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from armstrace.errors import UserError
from armstrace.kb.model import Alliance, Conflict, KnowledgeBase, Period


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
    return Group(head, periods)


def show(kb: KnowledgeBase, ident: str) -> RenderableType:
    key = ident.lower()
    if key in kb.alliances:
        return _alliance(kb, kb.alliances[key])
    for alliance in kb.alliances.values():
        if key in (a.lower() for a in alliance.aliases):
            return _alliance(kb, alliance)
    if key in kb.conflicts:
        return _conflict(kb, kb.conflicts[key])
    known = ", ".join(sorted([*kb.alliances, *kb.conflicts]))
    raise UserError(f"no alliance or conflict called {ident!r} in the knowledge base. Known: {known}.")


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
        "alliances": plain(kb.alliances),
        "conflicts": plain(kb.conflicts),
    }
