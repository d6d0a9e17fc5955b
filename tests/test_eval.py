"""The gold cases are well formed, the scorer counts what it says, the naive baseline is naive."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from armstrace.extract.baseline import naive_extract
from armstrace.extract.evaluate import (
    STATUS_CLASS,
    Case,
    CaseError,
    GoldTransfer,
    Scores,
    evaluate,
    load_cases,
    results_json,
    results_table,
    score,
)
from armstrace.records import STATUSES, Actor, DocumentSpan, Item, Status, Transfer

CASES = Path(__file__).parent / "cases" / "en"
CASE_FILES = sorted(CASES.glob("*.yaml"))
ORG_ID = re.compile(r"^[a-z][a-z0-9-]+$")


def known_code(code: str) -> bool:
    if len(code) == 2 and code.isupper():
        return pycountry.countries.get(alpha_2=code) is not None
    return bool(ORG_ID.match(code))


# --- the gold cases --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case_file_is_well_formed(path: Path) -> None:
    assert re.match(r"^\d{3}-[a-z0-9-]+\.yaml$", path.name), "name files NNN-short-slug.yaml"
    [case] = load_cases(path)
    assert case.id == path.stem
    assert case.description.strip()
    assert case.language == "en"
    assert case.text.strip()
    assert 1 <= len(re.findall(r"[.!?](?:\s|$)", case.text)) + case.text.count("\n") <= 12
    for gold in case.transfers:
        assert gold.status in STATUSES
        assert known_code(gold.supplier), gold.supplier
        assert known_code(gold.recipient), gold.recipient
        assert gold.supplier != gold.recipient
        assert all(k == k.lower() for k in gold.item), "keywords are written in lower case"
        if gold.years:
            assert 1950 <= gold.years[0] <= gold.years[1] <= 2030


def test_case_folder_covers_the_brief() -> None:
    cases = load_cases(CASES)
    assert len(cases) == len(CASE_FILES) >= 70
    assert sum(1 for c in cases if not c.transfers) >= 15
    statuses = Counter(g.status for c in cases for g in c.transfers)
    assert set(statuses) == set(STATUSES)
    assert min(statuses.values()) >= 3
    texts = [c.text for c in cases]
    assert len(set(texts)) == len(texts), "two cases share a text"


def test_loader_names_the_file_and_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "001-bad.yaml"
    bad.write_text(
        "description: x\ntext: Belarus sold drones to Azerbaijan.\ntransfers:\n"
        "  - {supplier: BY, recipient: AZ, status: sold, item: [drone]}\n",
        encoding="utf-8",
    )
    with pytest.raises(CaseError, match=r"001-bad\.yaml.*'sold' is not one of"):
        load_cases(bad)
    bad.write_text("description: x\ntext: ''\ntransfers: []\n", encoding="utf-8")
    with pytest.raises(CaseError, match="no text"):
        load_cases(tmp_path)
    with pytest.raises(CaseError, match="no such file"):
        load_cases(tmp_path / "missing.jsonl")


def test_gold_jsonl_with_file_reference(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    letter = "Minsk sold Baku twelve Groza-S stations in 2019.\n"
    (tmp_path / "docs" / "letter.txt").write_text(letter, encoding="utf-8")
    lines = [
        {
            "id": "letter",
            "file": "docs/letter.txt",
            "language": "en",
            "transfers": [{"supplier": "BY", "recipient": "AZ", "status": "delivered", "item": "groza-s"}],
        },
        {
            "id": "inline",
            "text": "Armenia and Azerbaijan both field tanks.",
            "language": "en",
            "transfers": [],
        },
    ]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n", encoding="utf-8")
    cases = load_cases(gold)
    assert [c.id for c in cases] == ["letter", "inline"]
    assert cases[0].text == letter
    assert cases[0].transfers == [GoldTransfer("BY", "AZ", "delivered", ("groza-s",))]
    assert cases[1].transfers == []

    gold.write_text(
        json.dumps({"id": "x", "file": "docs/none.txt", "transfers": []}) + "\n", encoding="utf-8"
    )
    with pytest.raises(CaseError, match=r"gold\.jsonl:1: cannot read the referenced file"):
        load_cases(gold)


# --- the scorer ------------------------------------------------------------------------------------


def tr(supplier: str, recipient: str, status: Status, text: str, system: str | None = None) -> Transfer:
    return Transfer(
        supplier=Actor(id=supplier, name=supplier),
        recipient=Actor(id=recipient, name=recipient),
        item=Item(text=text, system=system),
        status=status,
    )


def gold(supplier: str, recipient: str, status: str, *item: str) -> GoldTransfer:
    return GoldTransfer(supplier, recipient, status, tuple(item))


def case(cid: str, *transfers: GoldTransfer, language: str = "en") -> Case:
    return Case(id=cid, text=f"text of {cid}", language=language, transfers=list(transfers))


def run(cases: list[Case], predictions: dict[str, list[Transfer]]) -> tuple[Scores, Scores]:
    result = score(cases, lambda c: predictions.get(c.id, []), "test")
    return result.pair, result.pair_item


def test_perfect_predictions_score_one() -> None:
    cases = [
        case("a", gold("BY", "AZ", "delivered", "groza")),
        case("b", gold("RU", "AM", "service", "artillery")),
        case("neg"),
    ]
    preds = {
        "a": [tr("BY", "AZ", "delivered", "Groza-S stations")],
        "b": [tr("RU", "AM", "service", "artillery")],
    }
    pair, pair_item = run(cases, preds)
    assert (pair.tp, pair.fp, pair.fn) == (2, 0, 0)
    assert pair.f1 == pair_item.f1 == 1.0


def test_one_false_positive_lowers_precision_exactly() -> None:
    cases = [
        case("a", gold("BY", "AZ", "delivered", "groza")),
        case("b", gold("IL", "AZ", "delivered", "harop")),
    ]
    preds = {
        "a": [tr("BY", "AZ", "delivered", "Groza-S"), tr("BY", "AM", "delivered", "Groza-S")],
        "b": [tr("IL", "AZ", "delivered", "Harop")],
    }
    pair, pair_item = run(cases, preds)
    assert (pair.tp, pair.fp, pair.fn) == (2, 1, 0)
    assert pair.precision == pytest.approx(2 / 3)
    assert pair.recall == 1.0
    assert pair.f1 == pytest.approx(0.8)
    assert (pair_item.tp, pair_item.fp, pair_item.fn) == (2, 1, 0)


def test_status_classes() -> None:
    assert STATUS_CLASS["ordered"] == STATUS_CLASS["delivered"] == "transfer"
    assert STATUS_CLASS["cancelled"] == STATUS_CLASS["denied"] == "negated"
    cases = [
        case("ordered", gold("RU", "IN", "ordered", "t-90")),
        case("denied", gold("BY", "AZ", "denied", "groza")),
        case("cancelled", gold("TR", "PK", "cancelled", "t129")),
        case("offered", gold("RU", "DZ", "offered", "su-57")),
    ]
    preds = {
        "ordered": [tr("RU", "IN", "delivered", "T-90S tanks")],  # same class: right
        "denied": [tr("BY", "AZ", "delivered", "Groza-S")],  # a denial reported as a delivery: wrong
        "cancelled": [tr("TR", "PK", "denied", "T129")],  # same class: right
        "offered": [tr("RU", "DZ", "ordered", "Su-57E")],  # an offer is not an order
    }
    pair, pair_item = run(cases, preds)
    assert (pair.tp, pair.fp, pair.fn) == (2, 2, 2)
    assert (pair_item.tp, pair_item.fp, pair_item.fn) == (2, 2, 2)


def test_item_keywords_match_system_or_text() -> None:
    cases = [
        case("system", gold("BY", "AZ", "delivered", "groza-s")),
        case("text", gold("TR", "UA", "delivered", "tb2")),
        case("miss", gold("IL", "AZ", "delivered", "harop")),
    ]
    preds = {
        "system": [tr("BY", "AZ", "delivered", "counter-drone stations", system="groza-s")],
        "text": [tr("TR", "UA", "delivered", "Bayraktar TB2 drones")],
        "miss": [tr("IL", "AZ", "delivered", "Hermes 900 drones", system="hermes-900")],
    }
    pair, pair_item = run(cases, preds)
    assert (pair.tp, pair.fp, pair.fn) == (3, 0, 0)
    assert (pair_item.tp, pair_item.fp, pair_item.fn) == (2, 1, 1)
    result = score(cases, lambda c: preds[c.id], "x")
    miss = next(r for r in result.per_case if r.case == "miss")
    assert miss.misses == [cases[2].transfers[0]]
    assert [t.item.text for t in miss.false_alarms] == ["Hermes 900 drones"]


def test_duplicates_collapse_but_different_claims_do_not() -> None:
    cases = [
        case("a", gold("BY", "AZ", "delivered", "polonez"), gold("BY", "AZ", "delivered", "command post"))
    ]
    same = [tr("BY", "AZ", "delivered", "Polonez launchers"), tr("BY", "AZ", "ordered", "polonez launchers")]
    pair, pair_item = run(cases, {"a": same})
    assert (pair.tp, pair.fp, pair.fn) == (1, 0, 0)
    assert (pair_item.tp, pair_item.fp, pair_item.fn) == (1, 0, 1)

    # a second, different prediction of the already matched gold transfer is one false alarm
    different = [tr("BY", "AZ", "delivered", "Polonez launchers"), tr("BY", "AZ", "delivered", "Polonez-M")]
    _, pair_item = run(cases, {"a": different})
    assert (pair_item.tp, pair_item.fp, pair_item.fn) == (1, 1, 1)


def test_matching_is_one_to_one() -> None:
    cases = [
        case("a", gold("RU", "DZ", "delivered", "su-30"), gold("RU", "DZ", "delivered", "su-30", "mi-28"))
    ]
    _, pair_item = run(cases, {"a": [tr("RU", "DZ", "delivered", "Su-30MKA")]})
    assert (pair_item.tp, pair_item.fp, pair_item.fn) == (1, 0, 1)


def test_empty_scores_are_zero_not_errors() -> None:
    pair, pair_item = run([case("neg")], {})
    assert (pair.precision, pair.recall, pair.f1) == (0.0, 0.0, 0.0)
    assert (pair_item.tp, pair_item.fp, pair_item.fn) == (0, 0, 0)


def test_table_and_json_show_systems_side_by_side_and_languages() -> None:
    cases = [
        case("en1", gold("BY", "AZ", "delivered", "groza")),
        case("ru1", gold("RU", "AM", "delivered", "su-30"), language="ru"),
    ]
    perfect = {
        "en1": [tr("BY", "AZ", "delivered", "Groza-S")],
        "ru1": [tr("RU", "AM", "delivered", "Su-30SM")],
    }
    results = evaluate(cases, {"gold": lambda c: perfect[c.id], "empty": lambda c: []})
    table = results_table(results)
    headers = [str(col.header) for col in table.columns]
    assert headers[:2] == ["language", "level"]
    assert "gold F1" in headers and "empty F1" in headers
    languages = list(table.columns[0].cells)
    assert languages == ["en", "en", "ru", "ru", "all", "all"]
    assert results_table(results, by_language=False).row_count == 2
    console = Console(record=True, width=200)
    console.print(table)
    assert "1.000" in console.export_text()

    data = results_json(results)
    json.dumps(data)
    assert data["gold"]["pair"]["f1"] == 1.0
    assert data["empty"]["pair"]["fn"] == 2
    assert data["gold"]["by_language"]["ru"]["pair_item"]["tp"] == 1
    assert data["empty"]["cases"][1]["misses"][0]["item"] == ["su-30"]


# --- the naive baseline ----------------------------------------------------------------------------


def test_baseline_emits_first_state_to_second_with_the_sentence() -> None:
    text = "Belarus delivered Groza-S stations to Azerbaijan. In 2019 Armenia received tanks."
    [t] = naive_extract(text)
    assert (t.supplier.code, t.recipient.code, t.status, t.item.text) == ("BY", "AZ", "delivered", "stations")
    [ev] = t.evidence
    assert isinstance(ev, DocumentSpan)
    assert ev.quote == "Belarus delivered Groza-S stations to Azerbaijan."
    assert (ev.start, ev.page, ev.doc) == (0, 1, hashlib.sha256(text.encode()).hexdigest())


def test_baseline_is_naive_about_direction_status_and_negation() -> None:
    [t] = naive_extract("Azerbaijan bought drones from Israel.")
    assert (t.supplier.code, t.recipient.code) == ("AZ", "IL")
    [t] = naive_extract("Belarus denied having supplied weapons to Azerbaijan.")
    assert t.status == "delivered"


@pytest.mark.parametrize(
    "text",
    [
        "Belarus and Azerbaijan signed a trade deal.",  # no weapon word
        "Belarus delivered tanks to its own army.",  # one state
        "In 2019 Armenia received tanks.",  # "In" is not India
        "Minsk sold drones to Baku.",  # capitals are not states here
        "Russia and the Russian army tested missiles.",  # one distinct state
    ],
)
def test_baseline_needs_two_states_and_a_weapon_word(text: str) -> None:
    assert naive_extract(text) == []


def test_baseline_splits_sentences_and_paragraphs() -> None:
    text = "MINSK — Belarus sold 1.5 tons of gear to Serbia\n\nTurkey shipped\ndrones to Ukraine! Done."
    found = naive_extract(text)
    assert [(t.supplier.code, t.recipient.code) for t in found] == [("BY", "RS"), ("TR", "UA")]
    quotes = [t.evidence[0].quote for t in found if isinstance(t.evidence[0], DocumentSpan)]
    assert quotes == ["MINSK — Belarus sold 1.5 tons of gear to Serbia", "Turkey shipped\ndrones to Ukraine!"]


WORDS = st.sampled_from(
    [
        "Belarus", "Azerbaijan", "Armenia's", "Russian", "Israel", "Turkey", "the", "sold", "drones",
        "Groza-S", "to", "from", "In", "2019", "1.5", "artillery", "systems", "Minsk", "U.S.", "—", "é",
    ]
)  # fmt: skip
SEPARATORS = st.sampled_from([" ", " ", " ", "\n", "\n\n", ". ", "! ", "? ", ", ", "  "])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(WORDS, SEPARATORS), max_size=40), st.text(alphabet=" \n.", max_size=3))
def test_baseline_quotes_equal_text_at_offsets(parts: list[tuple[str, str]], tail: str) -> None:
    text = "".join(w + s for w, s in parts) + tail
    doc = hashlib.sha256(text.encode("utf-8")).hexdigest()
    for t in naive_extract(text):
        assert t.supplier.code != t.recipient.code
        for ev in t.evidence:
            assert isinstance(ev, DocumentSpan)
            assert ev.doc == doc
            assert 0 <= ev.start < ev.end <= len(text)
            assert ev.quote == text[ev.start : ev.end]
            assert ev.quote == ev.quote.strip()


def test_baseline_on_the_gold_cases_is_measurable_and_weak() -> None:
    cases = load_cases(CASES)
    result = evaluate(cases, {"naive": lambda c: naive_extract(c.text)})["naive"]
    for res, c in zip(result.per_case, cases, strict=True):
        for t in res.predicted:
            ev = t.evidence[0]
            assert isinstance(ev, DocumentSpan) and ev.quote == c.text[ev.start : ev.end]
    # co-occurrence finds some pairs but cannot tell direction, status or item
    assert 0.0 < result.pair.recall < 0.6
    assert result.pair_item.f1 < result.pair.f1
