"""Transfers and findings to and from the JSON kept in the store.

The stored JSON is the public JSONL form (`to_json()`) plus what that form
drops: both actors in full (an organisation's id and state, not only the
state code), the unrounded confidence and the facts behind a finding. So what
goes in comes back out equal.
"""

from __future__ import annotations

from typing import Any

from armstrace.records import Actor, FactRef, Finding, Item, Transfer, evidence_from_json


def _actor_to_data(actor: Actor) -> dict[str, Any]:
    return {"id": actor.id, "name": actor.name, "kind": actor.kind, "state": actor.state}


def _actor_from_data(full: dict[str, Any] | None, code: str, name: str, kind: str) -> Actor:
    if full is not None:
        return Actor(id=full["id"], name=full["name"], kind=full["kind"], state=full.get("state"))
    # Public JSONL carries only the code and name: a state unless it says otherwise.
    if kind == "state":
        return Actor(id=code, name=name)
    return Actor(id=code, name=name, kind="non-state" if kind == "non-state" else "organisation", state=None)


def transfer_to_data(transfer: Transfer) -> dict[str, Any]:
    data = transfer.to_json()
    data["confidence"] = transfer.confidence
    data["supplier_actor"] = _actor_to_data(transfer.supplier)
    data["recipient_actor"] = _actor_to_data(transfer.recipient)
    return data


def transfer_from_data(data: dict[str, Any]) -> Transfer:
    """A `Transfer` from stored JSON, or from one line of the public JSONL."""
    years = data.get("years")
    return Transfer(
        supplier=_actor_from_data(
            data.get("supplier_actor"), data["supplier"], data["supplier_name"], "state"
        ),
        recipient=_actor_from_data(
            data.get("recipient_actor"),
            data["recipient"],
            data["recipient_name"],
            data.get("recipient_kind", "state"),
        ),
        item=Item(text=data["item"], system=data.get("system"), category=data.get("category") or "other"),
        status=data["status"],
        years=(int(years[0]), int(years[1])) if years else None,
        quantity=data.get("quantity"),
        value=data.get("value"),
        confidence=float(data.get("confidence", 0.5)),
        source=data.get("source", "document"),
        evidence=[evidence_from_json(ev) for ev in data.get("evidence", [])],
        years_estimated=bool(data.get("years_estimated", False)),
        id=data["id"],
    )


def finding_to_data(finding: Finding) -> dict[str, Any]:
    data = finding.to_json()
    data["facts"] = [fact.to_json() for fact in finding.facts]
    return data


def finding_from_data(data: dict[str, Any]) -> Finding:
    years = data.get("years")
    return Finding(
        rule=data["rule"],
        severity=data["severity"],
        supplier=data["supplier"],
        recipient=data["recipient"],
        explanation=data.get("explanation", ""),
        transfers=list(data.get("transfers", [])),
        facts=[
            FactRef(fact=f["fact"], source=f.get("source", ""), text=f.get("text", ""))
            if isinstance(f, dict)
            else FactRef(fact=str(f), source="")
            for f in data.get("facts", [])
        ],
        years=(int(years[0]), int(years[1])) if years else None,
        third_party=data.get("third_party"),
        alliance=data.get("alliance"),
        conflict=data.get("conflict"),
        id=data["id"],
        embargo=data.get("embargo"),
    )
