"""English extraction: golden cases, evidence invariants, and the seed report."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armstrace.extract import extract_document, extract_text
from armstrace.extract.evaluate import STATUS_CLASS, Case, item_matches, load_cases, predicted_key
from armstrace.kb import default_kb
from armstrace.records import Document, DocumentSpan

CASES = Path(__file__).parent / "cases" / "en"
KNOWN_FAILURES = {
    line.split("#")[0].strip()
    for line in (CASES / "known-failures.txt").read_text(encoding="utf-8").splitlines()
    if line.split("#")[0].strip()
}
SEED = Path(__file__).resolve().parents[2] / "shared" / "examples" / "seed" / "000_69fe5b413ea5417e.txt"


def _params() -> list[object]:
    out: list[object] = []
    for case in load_cases(CASES):
        marks = [pytest.mark.xfail(strict=True, reason="known failure")] if case.id in KNOWN_FAILURES else []
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


@pytest.mark.parametrize("case", _params())
def test_golden_case(case: Case) -> None:
    """Each case: exactly the gold (supplier, recipient, status class) set, and each gold item found."""
    found = extract_text(case.text, default_kb(), path=case.id, language=case.language)
    assert {predicted_key(t) for t in found} == {g.key for g in case.transfers}
    for gold in case.transfers:
        assert any(predicted_key(t) == gold.key and item_matches(gold, t) for t in found), gold


def test_known_failures_name_real_cases() -> None:
    ids = {c.id for c in load_cases(CASES)}
    assert ids >= KNOWN_FAILURES


def test_every_evidence_quote_is_the_text_at_its_offsets_in_the_cases() -> None:
    kb = default_kb()
    checked = 0
    for case in load_cases(CASES):
        for t in extract_text(case.text, kb, path=case.id):
            for ev in t.evidence:
                assert isinstance(ev, DocumentSpan)
                assert case.text[ev.start : ev.end] == ev.quote
                checked += 1
    assert checked > 50


_SENTENCES = [
    "Belarus delivered Groza-S stations to Azerbaijan in 2019.",
    "Azerbaijan bought Polonez launchers from Belarus.",
    "The weather in Minsk was cold.",
    "Russia sold 12 Su-30SM fighters to Armenia in 2019-2020.",
    "Officials denied that Israel supplied Harop drones to Azerbaijan.",
    "The contract also covered training.",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(_SENTENCES), min_size=1, max_size=6),
    st.lists(st.sampled_from([" ", "\n", "\n\n", "  \n", "\f"]), min_size=6, max_size=6),
    st.integers(min_value=1, max_value=3),
)
def test_quotes_equal_page_text_at_offsets(sentences: list[str], seps: list[str], pages: int) -> None:
    text = "".join(s + seps[i % len(seps)] for i, s in enumerate(sentences))
    page_texts = [text] * pages
    doc = Document(
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        media_type="text/plain",
        pages=page_texts,
        paths=["generated.txt"],
        language="en",
    )
    for t in extract_document(doc, default_kb()):
        assert t.evidence
        for ev in t.evidence:
            assert isinstance(ev, DocumentSpan)
            assert page_texts[ev.page - 1][ev.start : ev.end] == ev.quote
            assert ev.quote.strip() == ev.quote


def test_status_classes_cover_every_status() -> None:
    assert set(STATUS_CLASS) == {"offered", "ordered", "delivered", "service", "cancelled", "denied"}


@pytest.mark.skipif(not SEED.exists(), reason="the seed report in ../shared/examples is not present")
def test_seed_report_transfers() -> None:
    """The acceptance case: Belarus → Azerbaijan, five kinds of support, nothing from Armenia or Russia."""
    text = SEED.read_text(encoding="utf-8")
    found = extract_text(text, default_kb(), path=str(SEED))
    assert found
    assert {t.supplier.code for t in found} == {"BY"}
    assert {t.recipient.code for t in found} == {"AZ"}
    items = " | ".join(t.item.text.lower() for t in found)
    assert "weapons" in items or "hardware" in items  # (a)
    assert any(t.status == "service" and "artillery" in t.item.text.lower() for t in found)  # (b)
    assert any(t.status == "ordered" and "targeting" in t.item.text.lower() for t in found)  # (c)
    assert "electronic warfare" in items  # (d)
    assert any(t.item.system == "groza-s" for t in found) and "drone" in items  # (e)
    for t in found:
        assert t.years is not None and 2018 <= t.years[0] <= t.years[1] <= 2022
        for ev in t.evidence:
            assert isinstance(ev, DocumentSpan)
            assert text[ev.start : ev.end] == ev.quote


def test_held_out_scores_beat_the_naive_baseline() -> None:
    """The honest figure: cases nobody working on the extractor has read."""
    from armstrace.extract.baseline import naive_extract
    from armstrace.extract.evaluate import evaluate

    kb = default_kb()
    cases = load_cases(Path(__file__).parent / "cases" / "en-heldout")
    assert len(cases) >= 40
    results = evaluate(
        cases,
        {
            "armstrace": lambda c: extract_text(c.text, kb, path=c.id),
            "naive": lambda c: naive_extract(c.text),
        },
    )
    ours, naive = results["armstrace"], results["naive"]
    assert ours.pair.f1 >= 0.8 and ours.pair.precision >= 0.9
    assert ours.pair_item.f1 >= 0.7
    assert ours.pair.f1 >= naive.pair.f1 + 0.4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the goods arrive; a gift; a participle after its goods with its agent; manufacture for a buyer
        (
            "Challenger 2 tanks gifted by the United Kingdom have arrived in Ukraine.",
            {("GB", "UA", "delivered")},
        ),
        (
            "Four Mi-171Sh helicopters bought from Russia arrived in Mali in 2021.",
            {("RU", "ML", "delivered")},
        ),
        (
            "Four submarines ordered by Egypt from Germany were handed over in 2021.",
            {("DE", "EG", "ordered")},
        ),
        ("The delegation arrived in Minsk from Baku.", set()),
    ],
)
def test_goods_that_arrive_and_reduced_passives(text: str, expected: set[tuple[str, str, str]]) -> None:
    found = extract_text(text, default_kb())
    assert {(t.supplier.code, t.recipient.code, t.status) for t in found} == expected
    for t in found:
        for ev in t.evidence:
            assert isinstance(ev, DocumentSpan) and text[ev.start : ev.end] == ev.quote
