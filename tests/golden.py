"""Shared helpers for golden-case tests: one test per case, known failures as strict xfails.

A folder's `known-failures.txt` lists the cases an extractor still gets wrong (one id per line,
`#` starts a comment); they run as strict xfails, so a fix shows up as a failing xfail.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from armstrace.extract import extract_text
from armstrace.extract.baseline import naive_extract
from armstrace.extract.evaluate import Case, SystemResult, evaluate, item_matches, load_cases, predicted_key
from armstrace.kb import default_kb
from armstrace.records import DocumentSpan

ROOT = Path(__file__).parent / "cases"


def known_failures(folder: Path) -> set[str]:
    path = folder / "known-failures.txt"
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()}


def case_params(folders: Iterable[Path]) -> list[object]:
    """Every case of the folders as a pytest parameter, its known failures marked strict xfail."""
    out: list[object] = []
    for folder in folders:
        known = known_failures(folder)
        for case in load_cases(folder):
            marks = [pytest.mark.xfail(strict=True, reason="known failure")] if case.id in known else []
            out.append(pytest.param(case, id=f"{folder.name}/{case.id}", marks=marks))
    return out


def check_case(case: Case) -> None:
    """Exactly the gold (supplier, recipient, status class) set, and each gold item found."""
    found = extract_text(case.text, default_kb(), path=case.id, language=case.language)
    assert {predicted_key(t) for t in found} == {g.key for g in case.transfers}
    for gold in case.transfers:
        assert any(predicted_key(t) == gold.key and item_matches(gold, t) for t in found), gold


def check_evidence(folders: Iterable[Path]) -> int:
    """Every evidence quote of every case is the case text at its offsets; returns how many were checked."""
    kb = default_kb()
    checked = 0
    for case in (c for folder in folders for c in load_cases(folder)):
        for t in extract_text(case.text, kb, path=case.id, language=case.language):
            for ev in t.evidence:
                assert isinstance(ev, DocumentSpan)
                assert case.text[ev.start : ev.end] == ev.quote
                checked += 1
    return checked


def score(folders: Iterable[Path], language: str) -> dict[str, SystemResult]:
    """armstrace and the naive baseline over the folders' cases, as a whole."""
    kb = default_kb()
    cases = [c for folder in folders for c in load_cases(folder)]
    assert {c.language for c in cases} == {language}
    return evaluate(
        cases,
        {
            "armstrace": lambda c: extract_text(c.text, kb, path=c.id, language=language),
            "naive": lambda c: naive_extract(c.text),
        },
    )
