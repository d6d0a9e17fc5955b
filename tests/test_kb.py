"""The knowledge base: the bundled data loads and lints clean, broken data is caught, facts hold.

The lint test is the CI gate for the data (like followthemoney's check_model). The broken-data
cases build a small, clean knowledge base in tmp_path, break one thing, and expect the linter
to name the file, the record and the problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import textwrap
from pathlib import Path

import pytest
import yaml

from armstrace.kb import DATA_DIR, KBError, KBProblem, check, default_kb, load
from armstrace.kb.model import KnowledgeBase
from armstrace.records import CATEGORIES

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


# --- the bundled knowledge base ---------------------------------------------------------------


def test_bundled_kb_lints_clean() -> None:
    problems = check()
    assert problems == [], "\n".join(str(p) for p in problems)


def test_bundled_kb_has_the_expected_shape(kb: KnowledgeBase) -> None:
    assert len(kb.states) >= 250  # ISO 3166-1, Kosovo and four historical states
    assert {"SU", "YU", "CS", "DD"} <= {s.code for s in kb.states.values() if s.historical}
    assert {"csto", "nato", "ru-am-1997", "tr-az-2010", "ru-az-2022"} <= set(kb.alliances)
    assert len(kb.conflicts) >= 13
    assert 40 <= len(kb.systems) <= 80
    assert all(s.category in CATEGORIES for s in kb.systems.values())
    facts = kb.facts()
    assert all(f.source in kb.sources for f in facts.values())
    assert all(f.period is not None and f.text for f in facts.values())


def test_default_load_is_cached() -> None:
    assert load() is default_kb() is load(None)


def test_states_carry_names_codes_and_sources(kb: KnowledgeBase) -> None:
    by = kb.states["BY"]
    assert by.name == "Belarus" and by.alpha3 == "BLR" and by.cow == 370
    assert {"Belarusian", "Belarussian", "Byelorussian"} <= set(by.adjectives_en)
    assert {"Беларусь", "Белоруссия"} <= set(by.names_ru)
    assert "белорусский" in by.adjectives_ru
    assert {"Minsk", "Минск"} <= set(by.capitals)
    assert {"iso-3166-1", "cow-codes"} <= set(by.sources)
    assert {"Azerbaijani", "Azeri"} <= set(kb.states["AZ"].adjectives_en)
    assert {"USA", "the US", "United States"} <= {kb.states["US"].name, *kb.states["US"].names_en}
    assert {"UK", "Britain"} <= set(kb.states["GB"].names_en)
    assert {"Turkey", "Turkiye"} <= set(kb.states["TR"].names_en)
    assert kb.states["RU"].name == "Russia" and kb.states["RU"].cow == 365
    assert kb.states["SU"].historical and "USSR" in kb.states["SU"].names_en
    assert kb.states["XK"].cow == 347 and "iso-3166-1" not in kb.states["XK"].sources


# --- specific facts ---------------------------------------------------------------------------


def test_armenia_in_csto_until_its_2024_freeze(kb: KnowledgeBase) -> None:
    csto = kb.alliances["csto"]
    assert {"AM", "BY", "RU", "KZ", "KG", "TJ"} <= csto.members_in(2020)
    assert "AM" in csto.members_in(2018)
    after = csto.membership_on("AM", dt.date(2024, 3, 1))
    assert after is not None and after.status == "suspended"
    assert after.fact.source in kb.sources and kb.sources[after.fact.source].kind == "statement"
    before = csto.membership_on("AM", dt.date(2024, 2, 21))
    assert before is not None and before.status == "member"
    assert "AM" not in csto.members_in(2025)
    assert "defence" in csto.obligations_in(2020)


def test_azerbaijan_left_the_tashkent_treaty_in_1999(kb: KnowledgeBase) -> None:
    csto = kb.alliances["csto"]
    assert "AZ" in csto.members_in(1999)
    assert "AZ" not in csto.members_in(2000)
    assert "AZ" not in csto.members_in(2020)
    left = csto.membership_on("AZ", dt.date(2000, 1, 1))
    assert left is not None and left.status == "left" and left.period.start == dt.date(1999, 4, 20)


def test_armenia_azerbaijan_war_in_2020_and_rivalry_in_2018(kb: KnowledgeBase) -> None:
    (conflict,) = kb.conflicts_of("AZ", "AM")
    assert conflict.intensity_in(2020) == "war"
    assert conflict.intensity_in(2018) == "rivalry"
    assert conflict.intensity_in(2022) == "crisis"
    assert conflict.intensity_in(1990) is None


def test_nato_enlargement_to_finland_and_sweden(kb: KnowledgeBase) -> None:
    nato = kb.alliances["nato"]
    assert "FI" not in nato.members_in(2022) and "FI" in nato.members_in(2023)
    assert "SE" not in nato.members_in(2023) and "SE" in nato.members_in(2024)
    assert "NO" in nato.members_in(1950)  # a bare NO in YAML would have been read as false
    assert len(nato.members_in(2024)) == 32


def test_bilateral_alliances(kb: KnowledgeBase) -> None:
    assert kb.alliances["ru-am-1997"].members_in(2020) == {"RU", "AM"}
    assert kb.alliances["tr-az-2010"].obligations_in(2022) == {"defence", "non-aggression", "consultation"}
    assert kb.alliances["ru-az-2022"].obligations_in(2022) == {"consultation"}
    assert kb.alliances["ru-az-2022"].note


def test_systems_and_organisations_resolve_by_alias(kb: KnowledgeBase) -> None:
    groza = kb.system_named("Гроза-С")
    assert groza is not None and groza.id == "groza-s"
    assert kb.system_named("Groza-S") is groza and kb.system_named("«ГРОЗА С»") is groza
    assert groza.maker == "by-kb-radar" and kb.organisations["by-kb-radar"].state == "BY"
    polonez = kb.system_named("Полонез")
    assert polonez is not None and polonez.category == "artillery"
    bsvt = kb.organisation_named("Белспецвнештехника")
    assert bsvt is not None and bsvt.kind == "export-agency" and bsvt.state == "BY"
    assert kb.system_named("no such system") is None


def test_equipment_phrases(kb: KnowledgeBase) -> None:
    phrases = {p: e.category for e in kb.equipment.values() for p in e.phrases}
    assert phrases["artillery targeting equipment"] == "sensors"
    assert phrases["counter-drone stations"] == "other"
    assert phrases["electronic warfare gear"] == "other"
    assert phrases["armored vehicles"] == phrases["armoured vehicles"] == "armoured vehicles"
    assert phrases["air defense systems"] == phrases["air defence systems"] == "air defence systems"


# --- data cross-checks against the shared datasets ---------------------------------------------


def _atop_entries(atopid: str) -> set[tuple[int, dt.date]]:
    path = SHARED / "atop" / "atop5_1m.csv"
    if not path.is_file():
        pytest.skip(f"ATOP data not found at {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["atopid"] == atopid]
    out = set()
    for r in rows:
        out.add((int(r["member"]), dt.date(int(r["yrent"]), int(r["moent"]), int(r["dayent"]))))
        if r["yrexit"] != "0":
            out.add((int(r["member"]), dt.date(int(r["yrexit"]), int(r["moexit"]), int(r["dayexit"]))))
    return out


def test_csto_dates_citing_atop_match_atop(kb: KnowledgeBase) -> None:
    dates = _atop_entries("4220")
    checked = 0
    for m in kb.alliances["csto"].memberships:
        if m.fact.source != "atop-5.1":
            continue
        cow = kb.states[m.state].cow
        assert cow is not None
        assert (cow, m.period.start) in dates, m.fact.id
        if m.period.end is not None and m.period.end.year <= 2018:  # ATOP's coverage ends in 2018
            assert (cow, m.period.end) in dates, m.fact.id
        checked += 1
    assert checked >= 10


def test_states_yaml_is_the_generators_output() -> None:
    crosswalk = SHARED / "crosswalks" / "countrycode_codelist.csv"
    if not crosswalk.is_file():
        pytest.skip(f"countrycode crosswalk not found at {crosswalk}")
    spec = importlib.util.spec_from_file_location("gen_states", REPO / "scripts" / "gen_states.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    committed = yaml.safe_load((DATA_DIR / "states.yaml").read_text(encoding="utf-8"))["states"]
    assert gen.build(crosswalk) == committed, "states.yaml is stale: run python scripts/gen_states.py"


# --- broken data is caught ----------------------------------------------------------------------

CLEAN = {
    "sources.yaml": """
        sources:
          - {id: treaty, title: A treaty, kind: treaty}
          - {id: data, title: A dataset, kind: dataset, date: 2020-01-01}
        """,
    "states.yaml": """
        states:
          - {code: AM, name: Armenia, cow: 371, sources: [data]}
          - {code: AZ, name: Azerbaijan, cow: 373, sources: [data]}
          - {code: BY, name: Belarus, cow: 370, sources: [data]}
        """,
    "organisations.yaml": """
        organisations:
          - {id: by-radar, name: KB Radar, state: BY, kind: defence-firm, aliases: [КБ Радар], source: data}
        """,
    "systems.yaml": """
        systems:
          - {id: groza-s, name: Groza-S, category: other, aliases: [Гроза-С], maker: by-radar,
             origin: BY, source: data}
          - {id: polonez, name: Polonez, category: artillery, aliases: [Полонез], origin: BY, source: data}
        """,
    "equipment.yaml": """
        equipment:
          - {id: ew, name: electronic warfare, category: other, phrases: [electronic warfare]}
        """,
    "alliances/pact.yaml": """
        id: pact
        name: Test Pact
        kind: multilateral
        founded: {id: pact/founded, date: 1992-05-15, source: treaty}
        obligations:
          - {id: pact/obligation/defence/1, type: defence, start: 1994-04-20, source: treaty}
        members:
          - state: AM
            periods:
              - {id: pact/member/AM/1, status: member, start: 1992-05-15, end: 2024-02-22, source: data}
              - {id: pact/member/AM/2, status: suspended, start: 2024-02-22, source: treaty}
          - state: BY
            periods:
              - {id: pact/member/BY/1, status: member, start: 1994-01-03, source: data}
        """,
    "conflicts/am-az.yaml": """
        id: am-az
        name: Armenia–Azerbaijan
        sides: [AM, AZ]
        periods:
          - {id: am-az/rivalry/1991, intensity: rivalry, start: 1991-01-01, source: data}
          - {id: am-az/war/2020, intensity: war, start: 2020-09-27, end: 2020-11-10, source: data}
        """,
}


def write_kb(root: Path, **changes: str) -> Path:
    """Write the clean test KB with some files replaced; keys use '__' for '/'."""
    files = dict(CLEAN)
    files.update({name.replace("__", "/"): text for name, text in changes.items()})
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def replace(name: str, old: str, new: str) -> dict[str, str]:
    text = CLEAN[name]
    assert old in text, old
    return {name.replace("/", "__"): text.replace(old, new)}


def test_clean_test_kb_has_no_problems(tmp_path: Path) -> None:
    assert check(write_kb(tmp_path)) == []
    kb = load(tmp_path)
    assert kb.alliances["pact"].members_in(2020) == {"AM", "BY"}
    assert (
        kb.alliances["pact"].memberships[0].fact.text
        == "Armenia: member of Test Pact from 1992-05-15 until 2024-02-22."
    )


BROKEN = {
    "dangling source": (
        replace(
            "alliances/pact.yaml",
            "AM/2, status: suspended, start: 2024-02-22, source: treaty",
            "AM/2, status: suspended, start: 2024-02-22, source: nope",
        ),
        ("alliances/pact.yaml", "pact/member/AM/2", "unknown source id 'nope'"),
    ),
    "inverted period": (
        replace(
            "conflicts/am-az.yaml", "start: 2020-09-27, end: 2020-11-10", "start: 2020-11-10, end: 2020-09-27"
        ),
        ("conflicts/am-az.yaml", "am-az/war/2020", "ends (2020-09-27) on or before it starts"),
    ),
    "overlapping membership": (
        replace(
            "alliances/pact.yaml",
            "AM/2, status: suspended, start: 2024-02-22",
            "AM/2, status: suspended, start: 2020-01-01",
        ),
        ("alliances/pact.yaml", "pact/member/AM/1", "membership period of AM overlaps pact/member/AM/2"),
    ),
    "overlapping conflict periods of one intensity": (
        replace(
            "conflicts/am-az.yaml", "am-az/war/2020, intensity: war", "am-az/war/2020, intensity: rivalry"
        ),
        ("conflicts/am-az.yaml", "am-az/rivalry/1991", "period of intensity rivalry overlaps am-az/war/2020"),
    ),
    "unsourced fact": (
        replace(
            "alliances/pact.yaml",
            "{id: pact/obligation/defence/1, type: defence, start: 1994-04-20, source: treaty}",
            "{id: pact/obligation/defence/1, type: defence, start: 1994-04-20}",
        ),
        ("alliances/pact.yaml", "pact/obligation/defence/1", "has no source"),
    ),
    "duplicate alias": (
        replace("systems.yaml", "aliases: [Полонез]", "aliases: [Полонез, ГРОЗА С]"),
        ("systems.yaml", "polonez", "alias 'ГРОЗА С' also names system 'groza-s'"),
    ),
    "duplicate id": (
        replace("systems.yaml", "{id: polonez,", "{id: groza-s,"),
        ("systems.yaml", "groza-s", "duplicate system id 'groza-s'"),
    ),
    "duplicate fact id": (
        replace("conflicts/am-az.yaml", "{id: am-az/war/2020", "{id: am-az/rivalry/1991"),
        ("conflicts/am-az.yaml", "am-az/rivalry/1991", "duplicate fact id"),
    ),
    "unknown state": (
        replace("conflicts/am-az.yaml", "sides: [AM, AZ]", "sides: [AM, XX]"),
        ("conflicts/am-az.yaml", "am-az", "unknown state code 'XX'"),
    ),
    "unknown alliance member": (
        replace("alliances/pact.yaml", "- state: BY", "- state: ZZ"),
        ("alliances/pact.yaml", "pact", "unknown alliance member state code 'ZZ'"),
    ),
    "unknown maker": (
        replace("systems.yaml", "maker: by-radar", "maker: by-nobody"),
        ("systems.yaml", "groza-s", "unknown maker organisation id 'by-nobody'"),
    ),
    "unknown SIPRI category": (
        replace("systems.yaml", "category: artillery", "category: rockets"),
        ("systems.yaml", "polonez", "unknown SIPRI category 'rockets'"),
    ),
    "unknown obligation type": (
        replace("alliances/pact.yaml", "type: defence", "type: friendship"),
        ("alliances/pact.yaml", "pact/obligation/defence/1", "unknown obligation type 'friendship'"),
    ),
    "unknown field": (
        replace(
            "systems.yaml",
            "maker: by-radar,\n             origin: BY, source: data}",
            "maker: by-radar,\n             origin: BY, sorce: data}",
        ),
        ("systems.yaml", "groza-s", "unknown field 'sorce'"),
    ),
    "state code read as a boolean": (
        replace("conflicts/am-az.yaml", "sides: [AM, AZ]", "sides: [AM, NO]"),
        ("conflicts/am-az.yaml", "am-az", "list of non-empty texts"),
    ),
    "invalid YAML": (
        {"systems.yaml": "systems: [\n"},
        ("systems.yaml", "", "is not valid YAML"),
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_data_is_reported(tmp_path: Path, case: str) -> None:
    changes, (file, record, fragment) = BROKEN[case]
    problems = check(write_kb(tmp_path, **changes))
    matching = [p for p in problems if p.file == file and p.id == record and fragment in p.message]
    assert matching, f"expected {file}: {record}: ...{fragment}... in\n" + "\n".join(map(str, problems))


def test_load_raises_a_kberror_naming_the_file(tmp_path: Path) -> None:
    write_kb(tmp_path, **BROKEN["dangling source"][0])
    with pytest.raises(KBError) as excinfo:
        load(tmp_path)
    message = str(excinfo.value)
    assert "alliances/pact.yaml: pact/member/AM/2: unknown source id 'nope'" in message
    assert excinfo.value.problems == [
        KBProblem("alliances/pact.yaml", "pact/member/AM/2", "unknown source id 'nope' in field 'source'")
    ]


def test_missing_folder_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    problems = check(tmp_path / "missing")
    assert len(problems) == 1 and "does not exist" in problems[0].message


def test_places_name_their_state_and_source(kb: KnowledgeBase) -> None:
    """Towns place unlisted firms: each has a known state, names in both scripts and a source."""
    assert len(kb.places) >= 300
    assert kb.places["by-orsha"].state == "BY" and "оршанский" in kb.places["by-orsha"].adjectives_ru
    for place in kb.places.values():
        assert place.state in kb.states and place.source in kb.sources and place.names
        assert all(a == a.lower() for a in place.adjectives_ru)
