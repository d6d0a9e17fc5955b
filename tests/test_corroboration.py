"""`corroboration/1` and designation matching: is a transfer from the documents in the public record?"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from armstrace.analyse.match import Matcher, designation_score, squash, transliterate
from armstrace.analyse.registry import get
from armstrace.kb.model import EquipmentKind, KnowledgeBase, State, WeaponSystem
from armstrace.records import Actor, DocumentSpan, Item, RegisterRow, Status, Transfer, stable_id

NAME = "corroboration/1"


def make_kb() -> KnowledgeBase:
    systems = [
        WeaponSystem(id="polonez", name="Polonez", category="artillery", aliases=("Полонез", "Polonez MLRS")),
        WeaponSystem(id="groza-s", name="Groza-S", category="other", aliases=("Гроза-С", "Groza S")),
        WeaponSystem(id="groza-r", name="Groza-R", category="other", aliases=("Гроза-Р",)),
    ]
    equipment = EquipmentKind(
        id="artillery-targeting",
        name="artillery targeting equipment",
        category="sensors",
        phrases=("artillery targeting equipment",),
    )
    return KnowledgeBase(
        states={c: State(code=c, name=n) for c, n in {"BY": "Belarus", "AZ": "Azerbaijan"}.items()},
        systems={s.id: s for s in systems},
        equipment={equipment.id: equipment},
    )


def actor(code: str) -> Actor:
    return Actor(id=code, name={"BY": "Belarus", "AZ": "Azerbaijan"}.get(code, code))


def doc_transfer(
    text: str,
    years: tuple[int, int],
    *,
    system: str | None = None,
    category: str = "other",
    status: Status = "delivered",
    supplier: Actor | None = None,
    n: int = 0,
) -> Transfer:
    quote = f"Belarus delivered {text} to Azerbaijan"
    return Transfer(
        supplier=supplier or actor("BY"),
        recipient=actor("AZ"),
        item=Item(text=text, system=system, category=category),
        status=status,
        years=years,
        source="document",
        evidence=[
            DocumentSpan(
                doc="a" * 64, path="leak/letter.pdf", page=1, start=n, end=n + len(quote), quote=quote
            )
        ],
    )


def sipri(
    deal: str, designation: str, years: tuple[int, int], category: str, recipient: str = "AZ"
) -> Transfer:
    return Transfer(
        id=stable_id("sipri", deal),
        supplier=actor("BY"),
        recipient=actor(recipient),
        item=Item(text=designation, system=designation.lower(), category=category),
        status="delivered",
        years=years,
        source="register",
        confidence=1.0,
        evidence=[
            RegisterRow(register="SIPRI Arms Transfers Database (export 2026-02-12)", row=f"deal {deal}")
        ],
    )


REGISTER = [
    sipri("61802", "Polonez", (2018, 2018), "artillery"),
    sipri("57092", "T-72M1", (2011, 2012), "armoured vehicles"),
    sipri("70001", "Groza", (2021, 2021), "other"),
    sipri("70002", "Vostok-E", (2019, 2019), "sensors"),
    sipri("61803", "Polonez", (2018, 2018), "artillery", recipient="AM"),
]


# --------------------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("a", "b", "matches"),
    [
        ("Полонез", "Polonez", True),
        ("Groza-S", "Groza", True),
        ("Гроза-С", "Groza", True),
        ("Су-30СМ", "Su-30SM", True),
        ("T-72B", "T-72", True),
        ("Bayraktar TB2", "Bayraktar-TB2", True),
        ("T-72", "T-90", False),
        ("S-300", "S-400", False),
        ("Polonez", "Groza", False),
    ],
)
def test_designations_match_across_scripts_and_variants(a: str, b: str, matches: bool) -> None:
    assert (designation_score(a, b) > 0) is matches


def test_transliteration_follows_the_usual_latin_spelling() -> None:
    assert transliterate("Гроза-С") == "groza s"
    assert transliterate("«Щит»") == "shchit"
    assert squash("Полонез-М") == "polonezm"


@given(st.text(max_size=30))
def test_a_designation_always_matches_itself(text: str) -> None:
    if squash(text):
        assert designation_score(text, text) == 1.0
    assert squash(squash(text)) == squash(text)


def test_two_known_systems_match_only_when_they_are_the_same() -> None:
    matcher = Matcher(make_kb())
    groza_s = Item(text="Гроза-С", category="other")
    assert matcher.compatible(groza_s, Item(text="Groza-S station", system="groza-s")) == ("system", 1.0)
    assert matcher.compatible(groza_s, Item(text="Groza-R", system="groza-r")) is None
    described = Item(text="artillery targeting equipment", category="sensors")
    assert matcher.designations(described) == (None, ())
    assert matcher.compatible(described, Item(text="Vostok-E", system="vostok-e", category="sensors")) == (
        "category",
        0.5,
    )


# --------------------------------------------------------------------------- the rule


def run(*docs: Transfer) -> dict[str, object]:
    return {f.transfers[0]: f for f in get(NAME).run([*docs, *REGISTER], make_kb())}


def test_a_cyrillic_designation_is_found_in_the_register() -> None:
    polonez = doc_transfer("РСЗО «Полонез»", (2017, 2017), system="polonez", category="artillery")
    f = run(polonez)[polonez.id]
    assert f.severity == "low"  # type: ignore[attr-defined]
    assert f.transfers == [polonez.id, stable_id("sipri", "61802")]  # type: ignore[attr-defined]
    assert f.explanation.startswith("Publicly recorded (SIPRI deal 61802)")  # type: ignore[attr-defined]


def test_a_variant_matches_the_base_designation_within_a_year() -> None:
    groza = doc_transfer("Groza-S counter-drone stations", (2020, 2020), system="groza-s")
    f = run(groza)[groza.id]
    assert f.transfers == [groza.id, stable_id("sipri", "70001")]  # type: ignore[attr-defined]
    late = doc_transfer("Groza-S counter-drone stations", (2023, 2024), system="groza-s")
    assert run(late)[late.id].transfers == [late.id]  # type: ignore[attr-defined]


def test_what_the_register_lacks_is_not_in_the_public_record() -> None:
    buk = doc_transfer("Buk-MB3K", (2021, 2021), system="buk-mb3k", category="air defence systems")
    f = run(buk)[buk.id]
    assert f.severity == "medium" and f.transfers == [buk.id]  # type: ignore[attr-defined]
    assert f.explanation.startswith("Not in the public record")  # type: ignore[attr-defined]
    offer = doc_transfer("Polonez", (2022, 2022), system="polonez", status="offered")
    assert run(offer)[offer.id].severity == "low"  # type: ignore[attr-defined]


def test_described_equipment_matches_by_category_only() -> None:
    targeting = doc_transfer("artillery targeting equipment", (2019, 2020), category="sensors")
    f = run(targeting)[targeting.id]
    assert f.transfers == [targeting.id, stable_id("sipri", "70002")]  # type: ignore[attr-defined]
    assert "same armament category only" in f.explanation  # type: ignore[attr-defined]


def test_documents_about_one_item_form_one_finding_and_parties_must_agree() -> None:
    a = doc_transfer("Polonez", (2018, 2018), system="polonez", category="artillery", n=0)
    b = doc_transfer("Полонез", (2018, 2018), system="polonez", category="artillery", n=100)
    agency = Actor(id="by-sami", name="SAMI", kind="organisation", state="BY")
    c = doc_transfer("Polonez", (2018, 2018), system="polonez", category="artillery", supplier=agency, n=200)
    found = get(NAME).run([a, b, c, *REGISTER], make_kb())
    assert len(found) == 1
    assert found[0].transfers == [*sorted([a.id, b.id, c.id]), stable_id("sipri", "61802")]
    rebels = Actor(id="militia", name="some militia", kind="non-state", state="AZ")
    odd = Transfer(
        supplier=actor("BY"),
        recipient=rebels,
        item=Item(text="Polonez", system="polonez"),
        status="delivered",
        years=(2018, 2018),
        source="document",
    )
    assert get(NAME).run([odd, *REGISTER], make_kb())[0].severity == "medium"


def test_register_only_input_gives_no_findings_and_dead_transfers_are_skipped() -> None:
    assert get(NAME).run(REGISTER, make_kb()) == []
    denied = doc_transfer("Polonez", (2018, 2018), system="polonez", status="denied")
    assert get(NAME).run([denied, *REGISTER], make_kb()) == []
