"""The offline HTML report: one self-contained file a journalist can send to an editor.

It loads nothing from the network (inline CSS, no scripts, no remote images or
fonts) and escapes every piece of document text, because leaked files are
hostile input. Each finding carries its full chain of evidence: the
knowledge-base facts with their sources, and for each transfer the quoted
passage in context with document, page, character offsets and sha256.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from armstrace.analyse.registry import UnknownRuleError, get
from armstrace.kb.model import Fact, KnowledgeBase, Period
from armstrace.present.tables import actor_label, years_text
from armstrace.records import (
    SEVERITIES,
    STATUSES,
    Document,
    DocumentSpan,
    Evidence,
    FactRef,
    Finding,
    RegisterRow,
    Transfer,
)

TEMPLATES = Path(__file__).parent / "templates"
CONTEXT_CHARS = 200
SHA_SHORT = 12


@dataclass(frozen=True)
class EvidenceView:
    """One piece of evidence, ready for the template (all text still raw; Jinja escapes it)."""

    kind: str
    quote: str
    before: str = ""
    after: str = ""
    cut_before: bool = False
    cut_after: bool = False
    context: str = "none"  # "shown", "unavailable" (document not given), "mismatch" (offsets disagree)
    path: str = ""
    page: int = 0
    start: int = 0
    end: int = 0
    sha256: str = ""
    register: str = ""
    row: str = ""
    fact: str = ""
    source: str = ""

    @property
    def sha_short(self) -> str:
        return self.sha256[:SHA_SHORT]


@dataclass(frozen=True)
class TransferView:
    id: str
    supplier: str
    recipient: str
    item: str
    system: str
    category: str
    quantity: str
    status: str
    years: str
    source: str
    confidence: str
    evidence: list[EvidenceView]


@dataclass(frozen=True)
class SourceView:
    id: str
    title: str
    kind: str = ""
    publisher: str = ""
    version: str = ""
    date: str = ""
    url: str = ""
    known: bool = True


@dataclass(frozen=True)
class FactView:
    id: str
    text: str
    period: str
    source: SourceView


@dataclass(frozen=True)
class FindingView:
    id: str
    severity: str
    rule: str
    rule_title: str
    explanation: str
    years: str
    supplier: str
    recipient: str
    third_party: str
    alliance: str
    conflict: str
    facts: list[FactView]
    transfers: list[TransferView]
    missing_transfers: list[str] = field(default_factory=list)


def _period_text(period: Period | None) -> str:
    if period is None:
        return ""
    if period.end is None:
        return f"since {period.start.isoformat()}"
    return f"{period.start.isoformat()} – {period.end.isoformat()}"


def _document_view(span: DocumentSpan, documents: Mapping[str, Document] | None) -> EvidenceView:
    """The quote with up to CONTEXT_CHARS of page text either side, when the document is at hand."""
    doc = None
    if documents is not None:
        doc = documents.get(span.doc) or documents.get(span.path)
    view = EvidenceView(
        kind="document",
        quote=span.quote,
        context="unavailable",
        path=span.path,
        page=span.page,
        start=span.start,
        end=span.end,
        sha256=span.doc,
    )
    if doc is None or not 1 <= span.page <= len(doc.pages):
        return view
    text = doc.pages[span.page - 1]
    if text[span.start : span.end] != span.quote:
        return replace(view, context="mismatch")
    lo = max(0, span.start - CONTEXT_CHARS)
    hi = min(len(text), span.end + CONTEXT_CHARS)
    return replace(
        view,
        context="shown",
        before=text[lo : span.start],
        after=text[span.end : hi],
        cut_before=lo > 0,
        cut_after=hi < len(text),
    )


def _evidence_view(evidence: Evidence, documents: Mapping[str, Document] | None) -> EvidenceView:
    if isinstance(evidence, DocumentSpan):
        return _document_view(evidence, documents)
    if isinstance(evidence, RegisterRow):
        return EvidenceView(
            kind="register", quote=evidence.quote, register=evidence.register, row=evidence.row
        )
    return EvidenceView(kind="fact", quote=evidence.text, fact=evidence.fact, source=evidence.source)


def _transfer_view(t: Transfer, kb: KnowledgeBase, documents: Mapping[str, Document] | None) -> TransferView:
    return TransferView(
        id=t.id,
        supplier=actor_label(t.supplier, kb),
        recipient=actor_label(t.recipient, kb),
        item=t.item.text,
        system=t.item.system or "",
        category=t.item.category,
        quantity="" if t.quantity is None else str(t.quantity),
        status=t.status,
        years=years_text(t.years) + (" (estimated)" if t.years and t.years_estimated else ""),
        source=t.source,
        confidence=f"{t.confidence:.2f}",
        evidence=[_evidence_view(ev, documents) for ev in t.evidence],
    )


def _source_view(source_id: str, kb: KnowledgeBase) -> SourceView:
    src = kb.sources.get(source_id)
    if src is None:
        return SourceView(id=source_id, title=source_id, known=False)
    return SourceView(
        id=src.id,
        title=src.title,
        kind=src.kind,
        publisher=src.publisher,
        version=src.version,
        date=src.date.isoformat() if src.date else "",
        url=src.url,
    )


def _fact_view(ref: FactRef, kb: KnowledgeBase, facts: Mapping[str, Fact]) -> FactView:
    fact = facts.get(ref.fact)
    text = ref.text or (fact.text if fact else "") or ref.fact
    period = _period_text(fact.period if fact else None)
    return FactView(id=ref.fact, text=text, period=period, source=_source_view(ref.source, kb))


def _rule_title(name: str) -> str:
    try:
        return get(name).title
    except UnknownRuleError:
        return ""


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_report(
    findings: Sequence[Finding],
    transfers: Sequence[Transfer],
    documents: Mapping[str, Document] | None,
    kb: KnowledgeBase,
    *,
    title: str,
    generated_at: dt.datetime,
) -> str:
    """The report as one HTML string; the same inputs always give the same bytes."""
    by_id = {t.id: t for t in transfers}
    views = {t.id: _transfer_view(t, kb, documents) for t in transfers}
    all_facts = kb.facts()
    finding_views = []
    for f in findings:
        alliance = kb.alliances.get(f.alliance) if f.alliance else None
        conflict = kb.conflicts.get(f.conflict) if f.conflict else None
        finding_views.append(
            FindingView(
                id=f.id,
                severity=f.severity,
                rule=f.rule,
                rule_title=_rule_title(f.rule),
                explanation=f.explanation,
                years=years_text(f.years),
                supplier=kb.state_name(f.supplier),
                recipient=kb.state_name(f.recipient),
                third_party=kb.state_name(f.third_party) if f.third_party else "",
                alliance=alliance.name if alliance else (f.alliance or ""),
                conflict=conflict.name if conflict else (f.conflict or ""),
                facts=[_fact_view(ref, kb, all_facts) for ref in f.facts],
                transfers=[views[tid] for tid in f.transfers if tid in by_id],
                missing_transfers=[tid for tid in f.transfers if tid not in by_id],
            )
        )
    severity_counts = Counter(f.severity for f in findings)
    status_counts = Counter(t.status for t in transfers)
    source_counts = Counter(t.source for t in transfers)
    template = _environment().get_template("report.html.j2")
    return template.render(
        title=title,
        generated_at=generated_at.isoformat(sep=" ", timespec="minutes"),
        findings=finding_views,
        transfers=[views[t.id] for t in transfers],
        severity_counts=[(s, severity_counts[s]) for s in reversed(SEVERITIES)],
        status_counts=[(s, status_counts[s]) for s in STATUSES if status_counts[s]],
        source_counts=sorted(source_counts.items()),
        n_documents=len({ev.doc for t in transfers for ev in t.evidence if isinstance(ev, DocumentSpan)}),
    )


def write_report(
    findings: Sequence[Finding],
    transfers: Sequence[Transfer],
    documents: Mapping[str, Document] | None,
    kb: KnowledgeBase,
    *,
    title: str,
    generated_at: dt.datetime,
    out: Path,
) -> Path:
    """Render and write the report; written to a temporary file first so a killed run leaves no half file."""
    html = render_report(findings, transfers, documents, kb, title=title, generated_at=generated_at)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, out)
    return out
