"""The rule registry and `ally-arms-adversary/1`, on a knowledge base and transfers built by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from armstrace.analyse import analyse, sort_findings
from armstrace.analyse.registry import DuplicateRuleError, Registry, RuleError, UnknownRuleError, get, rules
from armstrace.analyse.rules.ally_arms_adversary import RULE, AllyArmsAdversary, year_runs
from armstrace.kb.model import (
    Alliance,
    Conflict,
    ConflictPeriod,
    Fact,
    KnowledgeBase,
    Membership,
    ObligationTerm,
    Period,
    Source,
    State,
)
from armstrace.records import Actor, DocumentSpan, Finding, Item, Severity, Status, Transfer


def d(year: int, month: int = 1, day: int = 1) -> dt.date:
    return dt.date(year, month, day)


def member(state: str, start: dt.date, end: dt.date | None = None) -> Membership:
    fact = Fact(
        id=f"csto-member-{state.lower()}",
        source="cst-1992",
        text=f"{state} is a member of the CSTO",
        period=Period(start, end),
    )
    return Membership(fact=fact, state=state, status="member", period=Period(start, end))


def make_kb() -> KnowledgeBase:
    """CSTO with BY, AM, RU (and AZ in 1994–1999, as in history); AM–AZ rivalry and the 2020 war."""
    sources = {
        "cst-1992": Source(
            id="cst-1992", title="Collective Security Treaty", kind="treaty", date=d(1992, 5, 15)
        ),
        "ucdp": Source(
            id="ucdp",
            title="UCDP/PRIO Armed Conflict Dataset",
            kind="dataset",
            publisher="Uppsala University",
            version="24.1",
            url="https://ucdp.uu.se/downloads/",
        ),
    }
    states = {
        code: State(code=code, name=name)
        for code, name in {
            "BY": "Belarus",
            "AM": "Armenia",
            "AZ": "Azerbaijan",
            "RU": "Russia",
            "IL": "Israel",
            "TR": "Turkey",
        }.items()
    }
    defence_fact = Fact(
        id="csto-art4-defence",
        source="cst-1992",
        text="Article 4: aggression against one member is aggression against all",
        period=Period(d(1994, 4, 20)),
    )
    az_fact = Fact(
        id="csto-member-az",
        source="cst-1992",
        text="AZ is a member",
        period=Period(d(1994, 4, 20), d(1999, 4, 2)),
    )
    csto = Alliance(
        id="csto",
        name="Collective Security Treaty Organization",
        kind="multilateral",
        obligations=[ObligationTerm(fact=defence_fact, type="defence", period=Period(d(1994, 4, 20)))],
        memberships=[
            member("BY", d(1994, 4, 20)),
            member("AM", d(1994, 4, 20)),
            member("RU", d(1994, 4, 20)),
            Membership(
                fact=az_fact, state="AZ", status="member", period=Period(d(1994, 4, 20), d(1999, 4, 2))
            ),
        ],
    )
    rivalry = Fact(
        id="am-az-rivalry", source="ucdp", text="Armenia–Azerbaijan rivalry", period=Period(d(1991))
    )
    war = Fact(
        id="am-az-war-2020",
        source="ucdp",
        text="Second Karabakh war",
        period=Period(d(2020, 9, 27), d(2020, 11, 10)),
    )
    am_az = Conflict(
        id="armenia-azerbaijan",
        name="Armenia–Azerbaijan",
        sides=("AM", "AZ"),
        periods=[
            ConflictPeriod(fact=rivalry, intensity="rivalry", period=rivalry.period or Period(d(1991))),
            ConflictPeriod(fact=war, intensity="war", period=Period(d(2020, 9, 27), d(2020, 11, 10))),
        ],
    )
    return KnowledgeBase(
        sources=sources, states=states, alliances={"csto": csto}, conflicts={am_az.id: am_az}
    )


def state(code: str) -> Actor:
    return Actor(id=code, name=code)


def transfer(
    supplier: str,
    recipient: str,
    item: str,
    status: Status,
    years: tuple[int, int] | None,
    n: int = 0,
) -> Transfer:
    quote = f"{item} for {recipient} #{n}"
    span = DocumentSpan(
        doc="ab" * 32, path="cache/letter.pdf", page=1, start=n * 100, end=n * 100 + len(quote), quote=quote
    )
    return Transfer(
        supplier=state(supplier),
        recipient=state(recipient),
        item=Item(text=item),
        status=status,
        years=years,
        evidence=[span],
    )


@pytest.fixture
def kb() -> KnowledgeBase:
    return make_kb()


def by_az(kb: KnowledgeBase) -> list[Transfer]:
    return [
        transfer("BY", "AZ", "Groza-S counter-drone stations", "delivered", (2018, 2022), 1),
        transfer("BY", "AZ", "artillery targeting equipment", "ordered", (2019, 2020), 2),
        transfer("BY", "AZ", "electronic-warfare equipment", "service", (2021, 2021), 3),
        transfer("BY", "AZ", "Polonez rocket launchers", "denied", (2020, 2020), 4),
        transfer("BY", "AZ", "radar parts", "cancelled", (2020, 2020), 5),
        transfer("BY", "AZ", "spare parts", "delivered", None, 6),
    ]


def findings_for(findings: list[Finding], supplier: str, recipient: str) -> list[Finding]:
    return [f for f in findings if f.supplier == supplier and f.recipient == recipient]


def test_one_grouped_critical_finding_for_belarus_to_azerbaijan(kb: KnowledgeBase) -> None:
    transfers = by_az(kb)
    findings = analyse(transfers, kb)
    found = findings_for(findings, "BY", "AZ")
    assert len(found) == 1
    f = found[0]
    assert f.rule == "ally-arms-adversary/1"
    assert (f.third_party, f.alliance, f.conflict) == ("AM", "csto", "armenia-azerbaijan")
    assert f.severity == "critical"
    assert f.years == (2018, 2022)
    counted = [t.id for t in transfers[:3]]
    assert f.transfers == sorted(counted)
    facts = [ref.fact for ref in f.facts]
    assert facts == [
        "csto-member-by",
        "csto-member-am",
        "csto-art4-defence",
        "am-az-rivalry",
        "am-az-war-2020",
    ]
    assert all(ref.source and ref.text for ref in f.facts)
    assert f.facts[-1].source == "ucdp"


def test_denied_cancelled_and_undated_transfers_are_not_evidence(kb: KnowledgeBase) -> None:
    transfers = by_az(kb)
    f = findings_for(analyse(transfers, kb), "BY", "AZ")[0]
    ignored = {t.id for t in transfers[3:]}
    assert ignored.isdisjoint(f.transfers)
    assert analyse(transfers[3:], kb) == []


def test_explanation_reads_as_a_paragraph_with_names_items_years_and_conflict(kb: KnowledgeBase) -> None:
    f = analyse(by_az(kb), kb)[0]
    text = f.explanation
    assert text.startswith("Belarus supplied Azerbaijan (3 transfers: ")
    for part in (
        "Groza-S counter-drone stations",
        "artillery targeting equipment",
        "electronic-warfare equipment",
        "2018–2022",
        "Belarus and Armenia were both members of the Collective Security Treaty Organization",
        "bound to defend one another",
        "Armenia was in conflict with Azerbaijan (war in 2020; rivalry throughout)",
        "evidence",
    ):
        assert part in text, part
    assert "Polonez" not in text
    assert "BY" not in text and "csto" not in text


def test_supplier_with_no_alliance_to_the_adversary_gives_no_finding(kb: KnowledgeBase) -> None:
    assert analyse([transfer("IL", "AZ", "Harop loitering munitions", "delivered", (2019, 2019))], kb) == []


def test_other_ally_as_supplier_is_flagged_and_ally_without_conflict_is_not_a_third_party(
    kb: KnowledgeBase,
) -> None:
    transfers = [*by_az(kb), transfer("RU", "AZ", "Smerch rocket launchers", "delivered", (2019, 2020), 9)]
    findings = analyse(transfers, kb)
    assert {(f.supplier, f.third_party) for f in findings} == {("BY", "AM"), ("RU", "AM")}
    ru = findings_for(findings, "RU", "AZ")[0]
    assert ru.severity == "critical"
    assert ru.facts[0].fact == "csto-member-ru"


def test_rivalry_years_only_give_medium(kb: KnowledgeBase) -> None:
    [f] = analyse([transfer("BY", "AZ", "artillery modernisation", "service", (2018, 2019))], kb)
    assert f.severity == "medium"
    assert f.years == (2018, 2019)
    assert [ref.fact for ref in f.facts][-1] == "am-az-rivalry"
    assert "am-az-war-2020" not in [ref.fact for ref in f.facts]
    assert "(rivalry throughout)" in f.explanation


def test_offers_only_lower_severity_one_step(kb: KnowledgeBase) -> None:
    [war] = analyse([transfer("BY", "AZ", "Groza-S", "offered", (2020, 2020))], kb)
    assert war.severity == "high"
    assert war.explanation.startswith("Belarus offered arms to Azerbaijan")
    [rivalry] = analyse([transfer("BY", "AZ", "Groza-S", "offered", (2018, 2018))], kb)
    assert rivalry.severity == "low"
    mixed = [transfer("BY", "AZ", "Groza-S", "offered", (2020, 2020), 1)]
    mixed.append(transfer("BY", "AZ", "radar", "ordered", (2018, 2018), 2))
    [f] = analyse(mixed, kb)
    assert f.severity == "critical"


def test_recipient_in_the_same_alliance_gives_no_finding(kb: KnowledgeBase) -> None:
    # Azerbaijan was itself a member of the Collective Security Treaty in 1994–1999.
    # (`intra-alliance-rivalry/1` does flag those years: it is about rivals inside one alliance.)
    only = ["ally-arms-adversary/1"]
    assert analyse([transfer("BY", "AZ", "tanks", "delivered", (1995, 1998))], kb, rules=only) == []
    [f] = analyse([transfer("BY", "AZ", "tanks", "delivered", (1998, 2001))], kb, rules=only)
    assert f.years == (2000, 2001)


def test_no_defence_obligation_no_finding(kb: KnowledgeBase) -> None:
    kb.alliances["csto"].obligations = []
    assert analyse(by_az(kb), kb) == []


def test_organisation_supplier_counts_as_its_state(kb: KnowledgeBase) -> None:
    agency = Actor(id="beltechexport", name="Beltechexport", kind="organisation", state="BY")
    t = Transfer(
        supplier=agency,
        recipient=state("AZ"),
        item=Item(text="radar"),
        status="delivered",
        years=(2020, 2020),
    )
    [f] = analyse([t], kb)
    assert f.supplier == "BY"


def test_findings_are_sorted_by_severity_then_parties(kb: KnowledgeBase) -> None:
    def finding(severity: Severity, supplier: str, recipient: str) -> Finding:
        return Finding("x/1", severity, supplier, recipient, explanation="", transfers=[], facts=[])

    fs = [finding("low", "AA", "BB"), finding("critical", "ZZ", "AA"), finding("critical", "BY", "AZ")]
    fs.append(finding("medium", "AA", "AA"))
    ordered = [(f.severity, f.supplier) for f in sort_findings(fs)]
    assert ordered == [("critical", "BY"), ("critical", "ZZ"), ("medium", "AA"), ("low", "AA")]


def test_finding_ids_are_stable_across_runs(kb: KnowledgeBase) -> None:
    assert [f.id for f in analyse(by_az(kb), kb)] == [f.id for f in analyse(by_az(kb), kb)]
    assert [f.to_json() for f in analyse(by_az(kb), kb)] == [f.to_json() for f in analyse(by_az(kb), kb)]


def test_registry_lists_the_bundled_rule_with_words_for_people() -> None:
    catalogue = rules()
    assert "ally-arms-adversary/1" in catalogue
    rule = catalogue["ally-arms-adversary/1"]
    assert rule is RULE
    assert rule.title and "without years" in rule.doc
    assert get("ally-arms-adversary") is RULE


def test_registering_the_same_name_twice_raises() -> None:
    with pytest.raises(DuplicateRuleError, match="already registered"):
        from armstrace.analyse.registry import register

        register(AllyArmsAdversary())
    registry = Registry()
    registry.register(AllyArmsAdversary())
    with pytest.raises(DuplicateRuleError, match="ally-arms-adversary/2"):
        registry.register(AllyArmsAdversary())
    assert list(registry.rules()) == ["ally-arms-adversary/1"]


def test_rule_names_must_carry_a_version() -> None:
    class Unversioned(AllyArmsAdversary):
        name = "ally-arms-adversary"

    with pytest.raises(RuleError, match="not valid"):
        Registry().register(Unversioned())


def test_unknown_rule_names_are_reported_with_the_known_ones(kb: KnowledgeBase) -> None:
    with pytest.raises(UnknownRuleError, match="Known rules: ally-arms-adversary/1"):
        analyse(by_az(kb), kb, rules=["no-such-rule/1"])
    assert len(analyse(by_az(kb), kb, rules=["ally-arms-adversary/1"])) == 1


def test_year_runs_collapse_consecutive_years() -> None:
    assert year_runs([2021, 2018, 2019]) == "2018–2019 and 2021"
    assert year_runs([2020]) == "2020"
