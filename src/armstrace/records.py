"""The core records that flow through the pipeline.

Every stage speaks in these types: ingest produces `Document`s, extraction and
register import produce `Transfer`s carrying `Evidence`, analysis produces
`Finding`s. They are plain dataclasses so that each stage can be read and
tested without a database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["offered", "ordered", "delivered", "service", "cancelled", "denied"]
STATUSES: tuple[Status, ...] = ("offered", "ordered", "delivered", "service", "cancelled", "denied")

ActorKind = Literal["state", "organisation", "non-state"]

Category = Literal[
    "aircraft",
    "air defence systems",
    "anti-submarine warfare",
    "armoured vehicles",
    "artillery",
    "engines",
    "missiles",
    "naval weapons",
    "satellites",
    "sensors",
    "ships",
    "other",
]
CATEGORIES: tuple[str, ...] = (
    "aircraft",
    "air defence systems",
    "anti-submarine warfare",
    "armoured vehicles",
    "artillery",
    "engines",
    "missiles",
    "naval weapons",
    "satellites",
    "sensors",
    "ships",
    "other",
)

Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")


def stable_id(*parts: object) -> str:
    """A short, deterministic id: the same inputs give the same id in every run."""
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()[:16]


@dataclass
class Document:
    """One unique piece of content, with every path it was found under."""

    sha256: str
    media_type: str
    pages: list[str]
    paths: list[str] = field(default_factory=list)
    language: str | None = None
    title: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return self.paths[0] if self.paths else self.sha256


@dataclass(frozen=True)
class DocumentSpan:
    """Evidence in a document: `quote == pages[page - 1][start:end]`, always."""

    doc: str
    path: str
    page: int
    start: int
    end: int
    quote: str
    kind: Literal["document"] = "document"

    def to_json(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "path": self.path,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class RegisterRow:
    """Evidence in a public register: its name, export and row (deal) id."""

    register: str
    row: str
    quote: str = ""
    kind: Literal["register"] = "register"

    def to_json(self) -> dict[str, Any]:
        return {"register": self.register, "row": self.row, "quote": self.quote}


@dataclass(frozen=True)
class FactRef:
    """Evidence in the knowledge base: a fact id and the source it rests on."""

    fact: str
    source: str
    text: str = ""
    kind: Literal["fact"] = "fact"

    def to_json(self) -> dict[str, Any]:
        return {"fact": self.fact, "source": self.source, "text": self.text}


Evidence = DocumentSpan | RegisterRow | FactRef


def evidence_from_json(data: dict[str, Any]) -> Evidence:
    if "doc" in data:
        return DocumentSpan(
            doc=data["doc"],
            path=data["path"],
            page=int(data["page"]),
            start=int(data["start"]),
            end=int(data["end"]),
            quote=data["quote"],
        )
    if "register" in data:
        return RegisterRow(register=data["register"], row=str(data["row"]), quote=data.get("quote", ""))
    return FactRef(fact=data["fact"], source=data["source"], text=data.get("text", ""))


@dataclass(frozen=True)
class Actor:
    """A state (id = ISO alpha-2), an organisation with its state, or a non-state actor."""

    id: str
    name: str
    kind: ActorKind = "state"
    state: str | None = None

    @property
    def code(self) -> str:
        """The code used in transfers: the state for a state-owned organisation.

        A non-state actor keeps its own id even when it operates in a state, so a
        delivery to an armed group is never read as a delivery to that state.
        """
        if self.kind == "organisation":
            return self.state or self.id
        return self.id


@dataclass(frozen=True)
class Item:
    """What was transferred: a named system from the catalogue or described equipment."""

    text: str
    system: str | None = None
    category: str = "other"


@dataclass
class Transfer:
    supplier: Actor
    recipient: Actor
    item: Item
    status: Status
    years: tuple[int, int] | None = None
    quantity: int | None = None
    value: float | None = None
    confidence: float = 0.5
    source: Literal["document", "register"] = "document"
    evidence: list[Evidence] = field(default_factory=list)
    years_estimated: bool = False
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = stable_id(
                self.source,
                self.supplier.code,
                self.recipient.code,
                self.item.system or self.item.text.lower(),
                self.status,
                [ev.to_json() for ev in self.evidence[:1]],
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "supplier": self.supplier.code,
            "supplier_name": self.supplier.name,
            "recipient": self.recipient.code,
            "recipient_name": self.recipient.name,
            "recipient_kind": self.recipient.kind,
            "item": self.item.text,
            "system": self.item.system,
            "category": self.item.category,
            "quantity": self.quantity,
            "value": self.value,
            "status": self.status,
            "years": list(self.years) if self.years else None,
            "years_estimated": self.years_estimated,
            "confidence": round(self.confidence, 3),
            "source": self.source,
            "evidence": [ev.to_json() for ev in self.evidence],
        }


@dataclass
class Finding:
    """The output of one versioned analysis rule, with the chain of evidence behind it."""

    rule: str
    severity: Severity
    supplier: str
    recipient: str
    explanation: str
    transfers: list[str]
    facts: list[FactRef]
    years: tuple[int, int] | None = None
    third_party: str | None = None
    alliance: str | None = None
    conflict: str | None = None
    id: str = ""
    embargo: str | None = None  # the embargo id, for rules about embargoes

    def __post_init__(self) -> None:
        if not self.id:
            key = (self.rule, self.supplier, self.recipient, self.third_party, self.alliance, self.conflict)
            # Only when set, so that the ids of findings without an embargo stay as they were.
            self.id = stable_id(*key, *((self.embargo,) if self.embargo else ()))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "severity": self.severity,
            "supplier": self.supplier,
            "recipient": self.recipient,
            "third_party": self.third_party,
            "alliance": self.alliance,
            "conflict": self.conflict,
            "embargo": self.embargo,
            "years": list(self.years) if self.years else None,
            "transfers": list(self.transfers),
            "facts": [f.fact for f in self.facts],
            "sources": sorted({f.source for f in self.facts}),
            "explanation": self.explanation,
        }
