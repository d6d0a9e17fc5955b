"""Analysis: from transfers and knowledge-base facts to findings.

Each rule is a registered plugin (see `registry.py`); `analyse` runs them and
puts the most serious findings first.
"""

from __future__ import annotations

from collections.abc import Sequence

from armstrace.analyse import registry as _registry
from armstrace.analyse.registry import (
    DuplicateRuleError,
    Registry,
    Rule,
    RuleError,
    UnknownRuleError,
    get,
    register,
    rules,
)
from armstrace.kb.model import KnowledgeBase
from armstrace.records import SEVERITIES, Finding, Transfer

__all__ = [
    "DuplicateRuleError",
    "Registry",
    "Rule",
    "RuleError",
    "UnknownRuleError",
    "analyse",
    "get",
    "register",
    "rules",
    "sort_findings",
]

_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Most serious first, then by supplier and recipient, so that reports read the same every run."""
    return sorted(
        findings,
        key=lambda f: (
            -_SEVERITY_RANK[f.severity],
            f.supplier,
            f.recipient,
            f.third_party or "",
            f.alliance or "",
            f.conflict or "",
            f.rule,
            f.id,
        ),
    )


def analyse(
    transfers: Sequence[Transfer], kb: KnowledgeBase, *, rules: Sequence[str] | None = None
) -> list[Finding]:
    """Run every registered rule (or only the named ones) and return their findings, worst first."""
    selected = list(_registry.rules().values()) if rules is None else [_registry.get(n) for n in rules]
    findings: list[Finding] = []
    seen: set[str] = set()
    for rule in selected:
        if rule.name in seen:
            continue
        seen.add(rule.name)
        findings.extend(rule.run(transfers, kb))
    return sort_findings(findings)
