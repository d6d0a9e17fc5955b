"""Arms embargoes in the knowledge base: the bundled files load and lint clean; bad data is caught."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import textwrap
from pathlib import Path

import pytest
from rich.console import Console

from armstrace.kb import DATA_DIR, check, load
from armstrace.kb.model import KnowledgeBase
from armstrace.present.kbview import export_json, show

EMBARGO_DIR = DATA_DIR / "embargoes"


def _shared_data() -> Path:
    env = os.environ.get("ARMSTRACE_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load(DATA_DIR)


def test_every_embargo_file_loads_and_the_kb_lints_clean(kb: KnowledgeBase) -> None:
    files = sorted(p.stem for p in EMBARGO_DIR.glob("*.yaml") if p.name != "sources.yaml")
    assert sorted(kb.embargoes) == files
    assert len(files) >= 60
    assert check() == []


def test_embargo_facts_are_sourced_and_dated(kb: KnowledgeBase) -> None:
    for embargo in kb.embargoes.values():
        assert embargo.issuer in {"un-security-council", "eu", "osce"}, embargo.id
        assert embargo.target in kb.states and embargo.terms, embargo.id
        for term in embargo.terms:
            source = kb.sources[term.fact.source]
            assert source.kind in {"decision", "statement", "reference"}, term.fact.id
            assert term.fact.text and term.fact.period == term.period
            assert term.scope == "all-arms" or term.note, term.fact.id  # a partial term says what it covers
        ends = [t.period.end for t in embargo.terms]
        if None in ends:
            assert embargo.lifted is None, embargo.id
        else:
            assert embargo.lifted is not None and embargo.lifted.period is not None, embargo.id
            assert embargo.lifted.period.start == max(e for e in ends if e is not None)
            assert embargo.lifted.source in kb.sources
    facts = kb.facts()
    assert "un-iran-2007/end" in facts and "osce-armenia-1992/1" in facts


def test_the_required_embargoes_are_there(kb: KnowledgeBase) -> None:
    targets = {(e.issuer, e.target) for e in kb.embargoes.values()}
    un = {
        "YU",
        "IQ",
        "LY",
        "SO",
        "SD",
        "SS",
        "CD",
        "LR",
        "SL",
        "CI",
        "ER",
        "IR",
        "KP",
        "CF",
        "YE",
        "AF",
        "RW",
        "ET",
    }
    eu = un - {"RW"} | {"CN", "MM", "ZW", "BY", "RU", "SY", "VE", "GN", "UZ"}
    assert {("un-security-council", t) for t in un} <= targets
    assert {("eu", t) for t in eu} <= targets
    assert {("osce", "AM"), ("osce", "AZ")} <= targets


def test_osce_armenia_azerbaijan_is_voluntary_and_ongoing(kb: KnowledgeBase) -> None:
    for code in ("AM", "AZ"):
        (embargo,) = [e for e in kb.embargoes.values() if e.issuer == "osce" and e.target == code]
        term = embargo.term_in(2020)
        assert term is not None and not term.binding
        assert term.period.start == dt.date(1992, 2, 28) and term.period.end is None
        assert embargo.lifted is None


def test_eu_belarus_covers_2021(kb: KnowledgeBase) -> None:
    embargo = kb.embargoes["eu-belarus-2011"]
    term = embargo.term_in(2021)
    assert term is not None and term.binding and term.scope == "all-arms"
    assert embargo.term_in(2010) is None
    assert kb.sources[term.fact.source].date == dt.date(2011, 6, 20)


def test_un_iran_embargo_ends_in_2020(kb: KnowledgeBase) -> None:
    embargo = kb.embargoes["un-iran-2007"]
    assert embargo.lifted is not None and embargo.lifted.period == embargo.lifted.period.__class__(
        dt.date(2020, 10, 18)
    )
    assert max(t.period.end for t in embargo.terms if t.period.end) == dt.date(2020, 10, 18)
    assert embargo.term_in(2021) is None
    first, second, third = sorted(embargo.terms, key=lambda t: t.period.start)
    assert not first.binding and second.binding and third.binding  # 1747 asked for restraint; 1929 banned
    assert all(t.scope == "partial" for t in embargo.terms)
    assert kb.embargoes["eu-iran-2007"].term_in(2022) is not None  # the EU kept its own


def test_state_and_non_state_embargoes_are_split(kb: KnowledgeBase) -> None:
    somalia = kb.embargoes["un-somalia-1992"]
    assert somalia.lifted is not None and somalia.lifted.period is not None
    assert somalia.lifted.period.start == dt.date(2023, 12, 1)
    assert kb.embargoes["un-somalia-al-shabaab-2023"].non_state_only
    drc = kb.embargoes["un-drc-2003"]
    assert drc.non_state_only and drc.term_in(2010) is not None
    assert kb.embargoes["un-rwanda-non-state-1995"].term_in(2008) is not None
    assert kb.embargoes["un-rwanda-non-state-1995"].term_in(2009) is None
    assert kb.embargoes["eu-china-1989"].term_in(2024) is not None
    assert not kb.embargoes["eu-china-1989"].terms[0].binding


def test_embargo_targets_appear_in_the_sipri_register(kb: KnowledgeBase) -> None:
    path = _shared_data() / "sipri" / "trade_register_legacy_format_all_years.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent: the SIPRI exports live outside the repository")
    from armstrace.registers.sipri import sipri_state

    text = path.read_bytes().decode("latin-1")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Recipient"))
    recipients = set()
    for row in csv.reader(io.StringIO("\n".join(lines[start + 1 :]))):
        if row and row[0].strip():
            actor = sipri_state(row[0].strip())
            if actor.code:
                recipients.add(actor.code)
    missing = {e.target for e in kb.embargoes.values()} - recipients
    assert not missing, f"embargo targets never recorded as SIPRI recipients: {sorted(missing)}"


def test_kb_show_and_export_embargoes(kb: KnowledgeBase) -> None:
    console = Console(record=True, width=200)
    console.print(show(kb, "osce-azerbaijan-1992"))
    text = console.export_text()
    assert "OSCE" in text and "voluntary" in text and "csce-cso-1992-02-28" in text
    console = Console(record=True, width=200)
    console.print(show(kb, "un-iran-2007"))
    text = console.export_text()
    assert "Ended:" in text and "2020-10-18" in text and "partial" in text
    data = export_json(kb)
    assert data["embargoes"]["eu-belarus-2011"]["terms"][0]["period"]["start"] == "2011-06-20"


# --- broken embargo data is caught -----------------------------------------------------------------

BASE = {
    "sources.yaml": """
        sources:
          - {id: act, title: A resolution, kind: decision, date: 2000-01-01}
          - {id: data, title: A dataset, kind: dataset}
        """,
    "states.yaml": """
        states:
          - {code: AM, name: Armenia, sources: [data]}
          - {code: AZ, name: Azerbaijan, sources: [data]}
        """,
}
GOOD = """
    id: test-embargo
    name: Test embargo
    issuer: un-security-council
    target: AZ
    terms:
      - {id: test-embargo/1, start: 2000-01-01, end: 2005-01-01, binding: true, source: act}
      - {id: test-embargo/2, change: modified, start: 2005-01-01, end: 2010-01-01, binding: true,
         scope: partial, scope_note: heavy weapons only, source: act}
    lifted: {id: test-embargo/end, date: 2010-01-01, source: act}
"""


def _kb_dir(root: Path, embargo: str) -> Path:
    for name, text in {**BASE, "embargoes/test-embargo.yaml": embargo}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_a_clean_embargo_loads(tmp_path: Path) -> None:
    assert check(_kb_dir(tmp_path, GOOD)) == []
    embargo = load(tmp_path).embargoes["test-embargo"]
    assert [t.change for t in embargo.terms] == ["imposed", "modified"]
    assert embargo.terms[1].note == "heavy weapons only"
    assert embargo.terms[0].fact.text.startswith(
        "Test embargo: binding embargo on all arms, in force from 2000-01-01"
    )


BROKEN = {
    "overlapping terms": (
        ("end: 2005-01-01, binding", "end: 2006-01-01, binding"),
        "term of embargo test-embargo overlaps",
    ),
    "inverted period": (
        ("start: 2000-01-01, end: 2005-01-01", "start: 2006-01-01, end: 2005-01-01"),
        "on or before it starts",
    ),
    "unknown target": (("target: AZ", "target: XX"), "unknown state code 'XX'"),
    "unknown source": (
        ("scope_note: heavy weapons only, source: act", "scope_note: heavy weapons only, source: nope"),
        "unknown source id 'nope'",
    ),
    "unknown issuer": (("issuer: un-security-council", "issuer: nato"), "unknown embargo issuer 'nato'"),
    "partial without a note": (
        ("scope: partial, scope_note: heavy weapons only,", "scope: partial,"),
        "must say what it covers",
    ),
    "binding not said": (
        ("end: 2005-01-01, binding: true, source: act", "end: 2005-01-01, source: act"),
        "legally binding",
    ),
    "lifted on another day": (("date: 2010-01-01", "date: 2011-01-01"), "not on the day its last term ends"),
    "ended without saying how": (
        ("lifted: {id: test-embargo/end, date: 2010-01-01, source: act}\n", ""),
        "no 'lifted' fact",
    ),
    "national without issuer state": (("issuer: un-security-council", "issuer: national"), "issuer_state"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_embargo_is_reported(tmp_path: Path, case: str) -> None:
    (old, new), fragment = BROKEN[case]
    text = textwrap.dedent(GOOD)
    assert old in text, old
    problems = check(_kb_dir(tmp_path, text.replace(old, new)))
    assert any(fragment in p.message and p.file == "embargoes/test-embargo.yaml" for p in problems), (
        "\n".join(map(str, problems))
    )
