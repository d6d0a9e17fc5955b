"""The register side: SIPRI transfers in the store, and the rules over them.

Each rule is tested on a knowledge base and transfers built by hand; the acceptance tests at
the end read the real 2026 SIPRI register from ../shared/data and skip when it is absent.
Information from the SIPRI Arms Transfers Database (the fixtures are excerpts of it).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from armstrace.analyse import analyse
from armstrace.analyse.registry import get, rules
from armstrace.analyse.rules.both_sides import WINDOW_YEARS
from armstrace.analyse.rules.common import KBIndex, state_of
from armstrace.analyse.rules.embargo_breach import bloc
from armstrace.kb.model import (
    Alliance,
    Conflict,
    ConflictPeriod,
    Embargo,
    EmbargoTerm,
    Fact,
    KnowledgeBase,
    Membership,
    ObligationTerm,
    Period,
    State,
)
from armstrace.present.cli import app
from armstrace.records import Actor, Finding, Item, RegisterRow, Status, Transfer, stable_id
from armstrace.registers.sipri import read_sipri
from armstrace.store import Store, resolve_db

FIXTURES = Path(__file__).parent / "fixtures" / "sipri"
DELIVERIES = FIXTURES / "deliveries_excerpt.csv"
LEGACY = FIXTURES / "legacy_excerpt.csv"
REGISTER_2026 = (
    Path(__file__).resolve().parents[2] / "shared/data/sipri/trade_register_2026-02_deliveries_1995-2024.csv"
)
needs_register = pytest.mark.skipif(
    not REGISTER_2026.exists(),
    reason=f"the real SIPRI register is not at {REGISTER_2026} (it may not be copied into the repository)",
)


# --------------------------------------------------------------------------- building blocks


def d(year: int, month: int = 1, day: int = 1) -> dt.date:
    return dt.date(year, month, day)


def fact(id: str, start: dt.date, end: dt.date | None = None) -> Fact:
    return Fact(id=id, source="test-source", text=id, period=Period(start, end))


def alliance(
    id: str, members: dict[str, tuple[dt.date, dt.date | None]], *, defence: bool = True, start: int = 1949
) -> Alliance:
    kind = "defence" if defence else "consultation"
    term = ObligationTerm(fact=fact(f"{id}/{kind}", d(start)), type=kind, period=Period(d(start)))
    return Alliance(
        id=id,
        name=id.upper(),
        kind="multilateral" if len(members) > 2 else "bilateral",
        obligations=[term],
        memberships=[
            Membership(fact=fact(f"{id}/member/{s}", a, b), state=s, status="member", period=Period(a, b))
            for s, (a, b) in members.items()
        ],
    )


def conflict(a: str, b: str, *periods: tuple[str, dt.date, dt.date | None]) -> Conflict:
    cid = f"{a.lower()}-{b.lower()}"
    return Conflict(
        id=cid,
        name=f"{a}–{b}",
        sides=(a, b),
        periods=[
            ConflictPeriod(fact=fact(f"{cid}/{i}/{s.year}", s, e), intensity=i, period=Period(s, e))  # type: ignore[arg-type]
            for i, s, e in periods
        ],
    )


NAMES = {
    "AM": "Armenia", "AZ": "Azerbaijan", "BY": "Belarus", "RU": "Russia", "IL": "Israel", "TR": "Turkey",
    "GR": "Greece", "US": "United States", "FR": "France", "PL": "Poland", "SD": "Sudan", "DE": "Germany",
    "CN": "China", "LY": "Libya",
}  # fmt: skip


def kb_with(
    alliances: Sequence[Alliance] = (), conflicts: Sequence[Conflict] = (), embargoes: Sequence[Embargo] = ()
) -> KnowledgeBase:
    return KnowledgeBase(
        states={c: State(code=c, name=n) for c, n in NAMES.items()},
        alliances={a.id: a for a in alliances},
        conflicts={c.id: c for c in conflicts},
        embargoes={e.id: e for e in embargoes},
    )


def state(code: str) -> Actor:
    return Actor(id=code, name=NAMES.get(code, code))


def register_transfer(
    supplier: Actor | str,
    recipient: Actor | str,
    years: tuple[int, int] | None,
    *,
    deal: str,
    item: str = "T-72 tank",
    system: str | None = "t-72",
    category: str = "armoured vehicles",
    status: Status = "delivered",
    source: str = "register",
) -> Transfer:
    s = state(supplier) if isinstance(supplier, str) else supplier
    r = state(recipient) if isinstance(recipient, str) else recipient
    return Transfer(
        id=stable_id("sipri", deal),
        supplier=s,
        recipient=r,
        item=Item(text=item, system=system, category=category),
        status=status,
        years=years,
        source=source,  # type: ignore[arg-type]
        evidence=[
            RegisterRow(register="SIPRI Arms Transfers Database (export 2026-02-12)", row=f"deal {deal}")
        ],
    )


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, [(f.rule, f.supplier, f.recipient, f.third_party) for f in findings]
    return findings[0]


# --------------------------------------------------------------------------- the store


def dump(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT * FROM transfers ORDER BY id").fetchall()


def test_upsert_is_idempotent_and_keeps_other_imports(tmp_path: Path) -> None:
    db = tmp_path / "inv.db"
    deliveries, legacy = read_sipri(DELIVERIES), read_sipri(LEGACY)
    with Store(resolve_db(str(db))) as store:
        first = store.upsert_transfers(deliveries.transfers)
        assert (first.added, first.updated, first.unchanged) == (len(deliveries.transfers), 0, 0)
        before = dump(db)
        again = store.upsert_transfers(deliveries.transfers)
        assert (again.added, again.updated, again.unchanged) == (0, 0, len(deliveries.transfers))
        assert dump(db) == before
        store.upsert_transfers(legacy.transfers)
        assert len(store.transfers()) == len(deliveries.transfers) + len(legacy.transfers)


def test_a_newer_export_updates_the_deals_it_covers_and_keeps_the_rest(tmp_path: Path) -> None:
    newer = tmp_path / "newer.csv"
    lines = DELIVERIES.read_text("utf-8").splitlines(keepends=True)
    header = next(i for i, line in enumerate(lines) if line.startswith("SIPRI AT Database ID"))
    kept = [line for line in lines[header + 1 :] if line.startswith("61802,")]  # the Polonez deal only
    newer.write_text(
        "".join(lines[:header]).replace("12 Feb 2026", "12 Mar 2026") + lines[header] + "".join(kept), "utf-8"
    )
    db = str(tmp_path / "inv.db")
    runner = CliRunner()
    assert runner.invoke(app, ["import", "sipri", str(DELIVERIES), "--db", db]).exit_code == 0
    result = runner.invoke(app, ["import", "sipri", str(DELIVERIES), "--db", db])
    assert result.exit_code == 0 and "0 new, 0 updated" in result.output
    result = runner.invoke(app, ["import", "sipri", str(newer), "--db", db])
    assert result.exit_code == 0, result.output
    assert "0 new, 1 updated, 0 unchanged" in result.output
    with Store(resolve_db(db)) as store:
        stored = {t.id: t for t in store.transfers()}
    assert len(stored) == len(read_sipri(DELIVERIES).transfers)
    polonez = stored[stable_id("sipri", "61802")]
    assert "2026-03-12" in polonez.evidence[0].register  # type: ignore[union-attr]
    assert "2026-02-12" in stored[stable_id("sipri", "57092")].evidence[0].register  # type: ignore[union-attr]


def test_findings_with_an_embargo_round_trip_through_the_store(tmp_path: Path) -> None:
    finding = Finding(
        rule="embargo-breach/1",
        severity="high",
        supplier="FR",
        recipient="SD",
        explanation="x",
        transfers=["a"],
        facts=[],
        years=(2005, 2006),
        embargo="eu-sudan-1994",
    )
    plain = Finding(
        rule="r/1", severity="low", supplier="FR", recipient="SD", explanation="", transfers=[], facts=[]
    )
    assert finding.id != Finding(**{**finding.__dict__, "id": "", "embargo": "un-sudan-2004"}).id
    assert plain.id == stable_id("r/1", "FR", "SD", None, None, None)  # ids without an embargo are unchanged
    with Store(resolve_db(str(tmp_path / "f.db"))) as store:
        store.replace_findings([finding])
        assert store.findings()[0].embargo == "eu-sudan-1994"
    assert json.loads(json.dumps(finding.to_json()))["embargo"] == "eu-sudan-1994"


# --------------------------------------------------------------------------- shared helpers


def test_only_states_and_state_organisations_count_as_states() -> None:
    assert state_of(state("BY")) == "BY"
    assert state_of(Actor(id="by-sakb", name="SAMI", kind="organisation", state="BY")) == "BY"
    assert state_of(Actor(id="sipri:nato", name="NATO", kind="organisation")) is None
    assert state_of(Actor(id="sipri:hezbollah", name="Hezbollah", kind="non-state", state="LB")) is None


def test_the_index_answers_like_the_alliance_itself() -> None:
    csto = alliance("csto", {"AM": (d(1994), d(2024, 2, 22)), "BY": (d(1994), None), "RU": (d(1994), None)})
    kb = kb_with([csto], [conflict("AM", "AZ", ("rivalry", d(1991), None))])
    index = KBIndex(kb)
    for year in (1993, 1994, 2010, 2024, 2025):
        assert index.members(csto, year) == csto.members_in(year)
    assert index.alliances_of("BY", 2010, defence=True) == (csto,)
    assert [other for _, other, _ in index.adversaries("AZ", 2010)] == ["AM"]
    assert index.adversaries("AZ", 1990) == ()


# --------------------------------------------------------------------------- ally-arms-adversary/1


def test_ally_arms_adversary_uses_bilateral_pacts_and_register_transfers() -> None:
    pact = alliance("ru-am-1997", {"RU": (d(1997, 8, 29), None), "AM": (d(1997, 8, 29), None)})
    kb = kb_with([pact], [conflict("AM", "AZ", ("war", d(2020, 9, 27), d(2020, 11, 10)))])
    deals = [
        register_transfer("RU", "AZ", (2019, 2020), deal="1"),
        register_transfer("RU", "AZ", (2020, 2021), deal="2", item="TOS-1A", system="tos-1a"),
        register_transfer("RU", "AZ", (2015, 2016), deal="3"),  # no conflict period in these years
    ]
    f = only(get("ally-arms-adversary/1").run(deals, kb))
    assert (f.supplier, f.recipient, f.third_party, f.alliance, f.severity) == (
        "RU",
        "AZ",
        "AM",
        "ru-am-1997",
        "critical",
    )
    assert f.transfers == sorted([deals[0].id, deals[1].id]) and f.years == (2020, 2020)
    assert {"ru-am-1997/defence", "ru-am-1997/member/RU", "ru-am-1997/member/AM"} <= {x.fact for x in f.facts}


def test_ally_arms_adversary_reads_state_organisations_and_ignores_non_state_parties() -> None:
    csto = alliance("csto", {"AM": (d(1994), None), "BY": (d(1994), None)})
    kb = kb_with([csto], [conflict("AM", "AZ", ("crisis", d(2016, 4, 2), d(2016, 4, 6)))])
    agency = Actor(
        id="by-sami", name="State Authority for Military Industry", kind="organisation", state="BY"
    )
    group = Actor(id="sipri:karabakh", name="Nagorno-Karabakh*", kind="non-state", state="AZ")
    found = get("ally-arms-adversary/1").run(
        [
            register_transfer(agency, "AZ", (2016, 2016), deal="1"),
            register_transfer("BY", group, (2016, 2016), deal="2"),
            register_transfer(
                Actor(id="sipri:nato", name="NATO", kind="organisation"), "AZ", (2016, 2016), deal="3"
            ),
        ],
        kb,
    )
    assert [(f.supplier, f.recipient, f.severity) for f in found] == [("BY", "AZ", "high")]


# --------------------------------------------------------------------------- both-sides/1


def test_both_sides_finds_a_supplier_of_both_parties_around_a_war() -> None:
    kb = kb_with(conflicts=[conflict("AM", "AZ", ("war", d(2020, 9, 27), d(2020, 11, 10)))])
    to_am = register_transfer("RU", "AM", (2016, 2016), deal="1")
    to_az = register_transfer("RU", "AZ", (2023, 2025), deal="2")
    too_early = register_transfer("RU", "AM", (2010, 2014), deal="3")  # more than five years before
    f = only(get("both-sides").run([to_am, to_az, too_early], kb))
    assert (f.rule, f.supplier, f.recipient, f.third_party, f.conflict) == (
        "both-sides/1",
        "RU",
        "AM",
        "AZ",
        "am-az",
    )
    assert f.severity == "critical" and f.transfers == sorted([to_am.id, to_az.id])
    assert f.years == (2016, 2025) and "Russia supplied Armenia in 2016" in f.explanation
    assert 2020 - WINDOW_YEARS == 2015


def test_both_sides_severity_follows_the_period_and_offers_lower_it() -> None:
    kb = kb_with(
        conflicts=[conflict("GR", "TR", ("rivalry", d(1955), None), ("crisis", d(1996, 1, 1), d(1996, 2, 1)))]
    )
    far = [
        register_transfer("US", "GR", (1980, 1980), deal="1"),
        register_transfer("US", "TR", (2015, 2015), deal="2"),
    ]
    assert only(get("both-sides/1").run(far, kb)).severity == "medium"
    near = [
        register_transfer("DE", "GR", (1999, 1999), deal="3"),
        register_transfer("DE", "TR", (1994, 1994), deal="4"),
    ]
    assert only(get("both-sides/1").run(near, kb)).severity == "high"
    offers = [
        register_transfer("FR", "GR", (1999, 1999), deal="5", status="offered", source="document"),
        register_transfer("FR", "TR", (1994, 1994), deal="6", status="offered", source="document"),
    ]
    assert only(get("both-sides/1").run(offers, kb)).severity == "medium"


def test_both_sides_ignores_parties_non_state_recipients_and_dead_transfers() -> None:
    kb = kb_with(conflicts=[conflict("AM", "AZ", ("war", d(2020, 9, 27), d(2020, 11, 10)))])
    rebels = Actor(id="sipri:nk", name="Nagorno-Karabakh*", kind="non-state", state="AZ")
    transfers = [
        register_transfer("AM", "AZ", (2020, 2020), deal="1"),  # a party is not a supplier of both sides
        register_transfer("AZ", "AM", (2020, 2020), deal="2"),
        register_transfer("IL", "AZ", (2020, 2020), deal="3"),
        register_transfer("IL", rebels, (2020, 2020), deal="4"),  # not Azerbaijan
        register_transfer("TR", "AZ", (2020, 2020), deal="5"),
        register_transfer("TR", "AM", (2020, 2020), deal="6", status="cancelled"),
        register_transfer("TR", "AM", None, deal="7"),
    ]
    assert get("both-sides/1").run(transfers, kb) == []


# --------------------------------------------------------------------------- embargo-breach/1


def embargo(
    id: str,
    issuer: str,
    target: str,
    start: dt.date,
    end: dt.date | None = None,
    *,
    binding: bool = True,
    scope: str = "all-arms",
    issuer_state: str | None = None,
    non_state_only: bool = False,
) -> Embargo:
    term = EmbargoTerm(
        fact=fact(f"{id}/term", start, end),
        period=Period(start, end),
        binding=binding,
        scope=scope,  # type: ignore[arg-type]
    )
    return Embargo(
        id=id,
        name=f"the {id} embargo",
        issuer=issuer,
        target=target,
        terms=[term],
        issuer_state=issuer_state,
        non_state_only=non_state_only,
    )


def test_un_embargoes_bind_every_state() -> None:
    kb = kb_with(embargoes=[embargo("un-sd", "un-security-council", "SD", d(2004, 7, 30))])
    transfers = [
        register_transfer("CN", "SD", (2006, 2008), deal="1"),
        register_transfer("RU", "SD", (2001, 2002), deal="2"),  # before the embargo
        register_transfer(Actor(id="sipri:x", name="rebels", kind="non-state"), "SD", (2006, 2006), deal="3"),
    ]
    f = only(get("embargo-breach/1").run(transfers, kb))
    assert (f.supplier, f.recipient, f.embargo, f.severity, f.years) == (
        "CN",
        "SD",
        "un-sd",
        "critical",
        (2006, 2008),
    )
    assert f.transfers == [transfers[0].id] and [x.fact for x in f.facts] == ["un-sd/term"]
    assert "UN Security Council arms embargoes bind every state" in f.explanation


def test_eu_embargoes_bind_member_states_in_the_years_they_were_members() -> None:
    kb = kb_with(embargoes=[embargo("eu-sd", "eu", "SD", d(1994, 3, 15))])
    transfers = [
        register_transfer("FR", "SD", (2000, 2000), deal="1"),
        register_transfer("PL", "SD", (2001, 2002), deal="2"),  # Poland joined the EU in 2004
        register_transfer("PL", "SD", (2008, 2008), deal="3"),
        register_transfer("RU", "SD", (2008, 2008), deal="4"),
    ]
    found = {(f.supplier, f.severity): f for f in get("embargo-breach/1").run(transfers, kb)}
    assert set(found) == {("FR", "high"), ("PL", "high")}
    assert found["PL", "high"].transfers == [transfers[2].id]
    assert "eu-member/PL" in {x.fact for x in found["PL", "high"].facts}
    members = bloc("eu")
    assert members is not None and members.member_in("GB", 2020) and not members.member_in("GB", 2021)


def test_osce_embargoes_are_voluntary_and_partial_scope_lowers_severity() -> None:
    osce = embargo("osce-am-az", "osce", "AZ", d(1992, 2, 28), binding=False)
    partial = embargo("un-ly", "un-security-council", "LY", d(2011, 2, 26), scope="partial")
    kb = kb_with(embargoes=[osce, partial])
    found = get("embargo-breach/1").run(
        [
            register_transfer("BY", "AZ", (2018, 2018), deal="1"),  # OSCE participant: asked to comply
            register_transfer("IL", "AZ", (2018, 2018), deal="2"),  # not an OSCE participating State
            register_transfer("RU", "LY", (2015, 2015), deal="3"),
        ],
        kb,
    )
    assert {(f.supplier, f.embargo, f.severity) for f in found} == {
        ("BY", "osce-am-az", "medium"),
        ("RU", "un-ly", "high"),
    }


def test_national_embargoes_bind_only_their_issuer() -> None:
    kb = kb_with(embargoes=[embargo("us-cn", "national", "CN", d(1989, 6, 5), issuer_state="US")])
    transfers = [
        register_transfer("US", "CN", (2000, 2000), deal="1"),
        register_transfer("RU", "CN", (2000, 2000), deal="2"),
    ]
    f = only(get("embargo-breach/1").run(transfers, kb))
    assert (f.supplier, f.severity) == (
        "US",
        "high",
    ) and "the embargo is United States's own" in f.explanation


def test_non_state_targets_edge_years_and_orders() -> None:
    groups_only = embargo("un-ly-groups", "un-security-council", "LY", d(2011, 2, 26), non_state_only=True)
    sd = embargo("un-sd", "un-security-council", "SD", d(2004, 7, 30), d(2010, 1, 1))
    kb = kb_with(embargoes=[groups_only, sd])
    militia = Actor(id="sipri:hor-libya", name="HoR (Libya)*", kind="non-state", state="LY")
    found = get("embargo-breach/1").run(
        [
            register_transfer("BY", militia, (2015, 2015), deal="1"),
            register_transfer("BY", "LY", (2015, 2015), deal="2"),  # the government: not covered
            register_transfer("CN", "SD", (2004, 2004), deal="3"),  # the year the embargo began
            register_transfer("RU", "SD", (2006, 2006), deal="4", status="ordered"),
            register_transfer("DE", "SD", (2010, 2010), deal="5"),  # ended on 1 January 2010
        ],
        kb,
    )
    assert {(f.supplier, f.recipient, f.severity) for f in found} == {
        ("BY", "sipri:hor-libya", "critical"),
        ("CN", "SD", "high"),
        ("RU", "SD", "high"),
    }


# --------------------------------------------------------------------------- intra-alliance-rivalry/1


def test_intra_alliance_rivalry_needs_all_three_in_the_alliance() -> None:
    nato = alliance(
        "nato",
        {
            "US": (d(1949), None),
            "GR": (d(1952, 2, 18), None),
            "TR": (d(1952, 2, 18), None),
            "FR": (d(1949), None),
        },
    )
    kb = kb_with(
        [nato], [conflict("GR", "TR", ("rivalry", d(1955), None), ("crisis", d(1996, 1, 1), d(1996, 2, 1)))]
    )
    transfers = [
        register_transfer("US", "TR", (1995, 1997), deal="1"),
        register_transfer("FR", "GR", (2010, 2010), deal="2"),
        register_transfer("US", "GR", (1950, 1950), deal="3"),  # before Greece and Turkey joined
        register_transfer("GR", "TR", (2000, 2000), deal="4"),  # the rival itself
    ]
    found = {
        (f.supplier, f.recipient, f.third_party): f for f in get("intra-alliance-rivalry").run(transfers, kb)
    }
    assert set(found) == {("US", "TR", "GR"), ("FR", "GR", "TR")}
    assert found["US", "TR", "GR"].severity == "medium" and found["FR", "GR", "TR"].severity == "low"
    assert {"nato/member/US", "nato/member/TR", "nato/member/GR"} <= {
        x.fact for x in found["US", "TR", "GR"].facts
    }


# --------------------------------------------------------------------------- registry and CLI


def test_every_rule_is_registered_and_a_bare_name_gives_the_latest_version() -> None:
    names = set(rules())
    assert {
        "ally-arms-adversary/1",
        "both-sides/1",
        "embargo-breach/1",
        "intra-alliance-rivalry/1",
        "corroboration/1",
    } <= names
    for name in names:
        assert get(name.split("/")[0]).name == name
        assert get(name).doc and get(name).title


def test_rules_documented_in_docs_rules_md() -> None:
    text = (Path(__file__).parents[1] / "docs" / "rules.md").read_text("utf-8")
    for name in rules():
        assert f"`{name}`" in text, f"{name} has no section in docs/rules.md"


def test_findings_command_filters_the_new_rules(tmp_path: Path) -> None:
    db = str(tmp_path / "inv.db")
    runner = CliRunner()
    assert runner.invoke(app, ["import", "sipri", str(DELIVERIES), "--db", db]).exit_code == 0
    result = runner.invoke(
        app, ["findings", "--db", db, "--format", "jsonl", "--rule", "ally-arms-adversary"]
    )
    assert result.exit_code == 0, result.output
    found = [json.loads(line) for line in result.output.splitlines()]
    assert {(f["supplier"], f["recipient"], f["third_party"]) for f in found} >= {
        ("BY", "AZ", "AM"),
        ("RU", "AZ", "AM"),
    }
    result = runner.invoke(
        app,
        [
            "findings",
            "--db",
            db,
            "-f",
            "jsonl",
            "--rule",
            "ally-arms-adversary",
            "--supplier",
            "by",
            "--since",
            "2015",
        ],
    )
    filtered = [json.loads(line) for line in result.output.splitlines()]
    assert filtered and all(f["supplier"] == "BY" and f["years"][1] >= 2015 for f in filtered)
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0 and "both-sides/1" in result.output and "corroboration/1" in result.output
    result = runner.invoke(app, ["findings", "--db", db, "--rule", "no-such-rule"])
    assert result.exit_code == 2 and "no analysis rule named" in result.output


# --------------------------------------------------------------------------- the real register


@pytest.fixture(scope="module")
def register_2026() -> list[Transfer]:
    if not REGISTER_2026.exists():
        pytest.skip(f"the real SIPRI register is not at {REGISTER_2026}")
    return read_sipri(REGISTER_2026).transfers


@needs_register
def test_one_transfer_per_distinct_deal_id(register_2026: list[Transfer]) -> None:
    deal_ids = set()
    for line in REGISTER_2026.read_text("utf-8").splitlines():
        head = line.split(",", 1)[0]
        if head.isdigit():
            deal_ids.add(head)
    assert len(register_2026) == len(deal_ids) == 12571
    assert {t.id for t in register_2026} == {stable_id("sipri", i) for i in deal_ids}


@needs_register
def test_shipped_kb_flags_belarus_and_russia_but_not_israel_or_turkey(register_2026: list[Transfer]) -> None:
    from armstrace.kb import DATA_DIR, loader

    kb = loader.load(DATA_DIR)  # the shipped knowledge base alone, without the user's layers
    found = get("ally-arms-adversary/1").run(register_2026, kb)
    az = {(f.supplier, f.third_party, f.alliance) for f in found if f.recipient == "AZ"}
    assert ("BY", "AM", "csto") in az and ("RU", "AM", "csto") in az
    assert not {s for s, _, _ in az} & {"IL", "TR"}
    by_az = next(f for f in found if (f.supplier, f.recipient, f.alliance) == ("BY", "AZ", "csto"))
    assert stable_id("sipri", "61802") in by_az.transfers  # the Polonez deal, delivered 2018
    both = get("both-sides/1").run(register_2026, kb)
    ru = [f for f in both if f.supplier == "RU" and {f.recipient, f.third_party} == {"AM", "AZ"}]
    assert len(ru) == 1 and ru[0].severity == "critical"


@needs_register
def test_all_rules_run_over_the_full_register(register_2026: list[Transfer]) -> None:
    """Speed is measured in bench/bench_rules.py, never asserted here."""
    from armstrace.kb import DATA_DIR, loader

    kb = loader.load(DATA_DIR)
    found = analyse(register_2026, kb)
    assert {f.rule for f in found} >= {"ally-arms-adversary/1", "both-sides/1", "intra-alliance-rivalry/1"}


@needs_register
def test_importing_the_full_register(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    result = CliRunner().invoke(app, ["import", "sipri", str(REGISTER_2026), "--db", db])
    assert result.exit_code == 0 and "12571 new" in result.output
    again = CliRunner().invoke(app, ["import", "sipri", str(REGISTER_2026), "--db", db])
    assert again.exit_code == 0 and "12571 unchanged" in again.output
