"""Terminal tables of transfers and findings (rich).

Every cell is a `rich.text.Text`, never a markup string: document text is
hostile input, and `[bold]` or `[link=…]` in a quote must print as typed.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from armstrace.kb.model import KnowledgeBase
from armstrace.records import Actor, DocumentSpan, Evidence, FactRef, Finding, RegisterRow, Transfer

SEVERITY_STYLE: dict[str, str] = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
}
STATUS_STYLE: dict[str, str] = {
    "delivered": "green",
    "service": "green",
    "ordered": "blue",
    "offered": "magenta",
    "cancelled": "dim",
    "denied": "dim",
}


def shorten(text: str, limit: int = 80) -> str:
    """Collapse whitespace and cut to `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def years_text(years: tuple[int, int] | None) -> str:
    if years is None:
        return ""
    first, last = years
    return str(first) if first == last else f"{first}–{last}"


def state_or_actor_name(actor: Actor, kb: KnowledgeBase) -> str:
    """The state's name from the knowledge base when there is one, otherwise the actor's own name."""
    code = actor.code
    if code in kb.states:
        return kb.state_name(code)
    return actor.name or code


def actor_label(actor: Actor, kb: KnowledgeBase) -> str:
    """`Belarus (BY)`, or `Beltechexport (BY)` for an organisation, so the state is always visible."""
    name = actor.name if actor.kind != "state" and actor.name else state_or_actor_name(actor, kb)
    return name if name == actor.code else f"{name} ({actor.code})"


def evidence_text(evidence: Evidence) -> str:
    """One line for an evidence item: the quote, or where it is when there is no quote."""
    if isinstance(evidence, DocumentSpan):
        return evidence.quote
    if isinstance(evidence, RegisterRow):
        ref = f"{evidence.register}, row {evidence.row}"
        return f"{ref}: {evidence.quote}" if evidence.quote else ref
    if isinstance(evidence, FactRef):
        return evidence.text or evidence.fact
    raise TypeError(f"unknown evidence type {type(evidence).__name__}")


def transfers_table(transfers: Sequence[Transfer], kb: KnowledgeBase) -> Table:
    """A table of transfers with the first piece of evidence, for `armstrace transfers`."""
    table = Table(title=f"{len(transfers)} transfers", show_lines=False)
    for column in ("id", "supplier", "recipient", "item", "status", "years", "source", "evidence"):
        table.add_column(column, overflow="fold")
    for t in transfers:
        quote = shorten(evidence_text(t.evidence[0]), 60) if t.evidence else ""
        table.add_row(
            Text(t.id[:8]),
            Text(actor_label(t.supplier, kb)),
            Text(actor_label(t.recipient, kb)),
            Text(shorten(t.item.text, 50)),
            Text(t.status, style=STATUS_STYLE.get(t.status, "")),
            Text(years_text(t.years) + ("?" if t.years and t.years_estimated else "")),
            Text(t.source),
            Text(quote, style="italic"),
        )
    return table


def findings_table(findings: Sequence[Finding], kb: KnowledgeBase) -> Table:
    """A table of findings, worst first as given, for `armstrace findings`."""
    table = Table(title=f"{len(findings)} findings")
    columns = ("severity", "rule", "supplier → recipient", "third party", "alliance", "conflict", "years")
    for column in columns:
        table.add_column(column, overflow="fold")
    table.add_column("transfers", justify="right")
    for f in findings:
        alliance = kb.alliances.get(f.alliance) if f.alliance else None
        conflict = kb.conflicts.get(f.conflict) if f.conflict else None
        table.add_row(
            Text(f.severity, style=SEVERITY_STYLE.get(f.severity, "")),
            Text(f.rule),
            Text(f"{kb.state_name(f.supplier)} → {kb.state_name(f.recipient)}"),
            Text(kb.state_name(f.third_party) if f.third_party else ""),
            Text(alliance.name if alliance else (f.alliance or "")),
            Text(conflict.name if conflict else (f.conflict or f.embargo or "")),
            Text(years_text(f.years)),
            Text(str(len(f.transfers))),
        )
    return table
