"""The SIPRI trade-register importer, on excerpts (always) and on the full exports (when present).

The excerpts in tests/fixtures/sipri/ are unmodified SIPRI lines; see the README there.
Information from the SIPRI Arms Transfers Database.
"""

from __future__ import annotations

import csv
import os
import time
from collections import Counter
from pathlib import Path

import pycountry
import pytest

from armstrace.records import CATEGORIES, RegisterRow, Transfer, stable_id
from armstrace.registers import (
    RegisterImport,
    SipriFormatError,
    UnmappedName,
    detect_format,
    read_sipri,
    sipri_state,
)
from armstrace.registers.sipri import _names, sipri_category

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sipri"
DELIVERIES_EXCERPT = FIXTURES / "deliveries_excerpt.csv"
LEGACY_EXCERPT = FIXTURES / "legacy_excerpt.csv"


def _shared_data() -> Path:
    env = os.environ.get("ARMSTRACE_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


SHARED = _shared_data() / "sipri"
FULL_DELIVERIES = SHARED / "trade_register_2026-02_deliveries_1995-2024.csv"
FULL_LEGACY = SHARED / "trade_register_legacy_format_all_years.csv"
FULL_NAMES = SHARED / "sipri_names.csv"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the full SIPRI exports live outside the repository (see data README)")
    return path


def _quote(transfer: Transfer) -> str:
    evidence = transfer.evidence[0]
    assert isinstance(evidence, RegisterRow)
    return evidence.quote


def _by_row(result: RegisterImport) -> dict[str, Transfer]:
    rows: dict[str, Transfer] = {}
    for transfer in result.transfers:
        evidence = transfer.evidence[0]
        assert isinstance(evidence, RegisterRow)
        rows[evidence.row] = transfer
    return rows


# --------------------------------------------------------------------------- names


def test_sipri_state_maps_states_groups_and_organisations() -> None:
    turkey = sipri_state("Turkiye")
    assert (turkey.id, turkey.kind, turkey.name) == ("TR", "state", "Türkiye")
    assert sipri_state("Turkey").id == "TR"

    hezbollah = sipri_state("Hezbollah (Lebanon)*")
    assert (hezbollah.id, hezbollah.kind, hezbollah.state) == ("sipri:hezbollah-lebanon", "non-state", "LB")

    nato = sipri_state("NATO**")
    assert (nato.id, nato.kind, nato.state) == ("sipri:nato", "organisation", None)
    assert sipri_state("United Nations").kind == "organisation"  # SIPRI's country list drops the stars


def test_historical_states_keep_their_own_codes() -> None:
    names = ("Soviet Union", "Yugoslavia", "Czechoslovakia", "East Germany (GDR)")
    assert {n: sipri_state(n).id for n in names} == {
        "Soviet Union": "SU",
        "Yugoslavia": "YU",
        "Czechoslovakia": "CS",
        "East Germany (GDR)": "DD",
    }
    assert sipri_state("South Yemen").id == "YD"


def test_entities_without_a_state_are_never_filed_under_one() -> None:
    for name in ("Northern Cyprus", "Biafra", "Katanga", "unknown supplier(s)", "Viet Minh (France)*"):
        actor = sipri_state(name)
        assert actor.kind == "non-state", name
        assert actor.state is None, name
        assert actor.code.startswith("sipri:"), name
    assert sipri_state("PLO (Israel)*").code != "IL"


def test_renamed_groups_keep_one_id_across_exports() -> None:
    assert sipri_state("PKK (Turkey)").id == sipri_state("PKK (Turkiye)*").id == "sipri:pkk-turkiye"
    assert sipri_state("Libya HoR*").id == sipri_state("HoR (Libya)*").id


def test_unseen_names_fall_back_sensibly() -> None:
    assert sipri_state("Bosnia and Herzegovina").id == "BA"  # via countrynames
    assert sipri_state("Some rebels (Chad)*").state == "TD"  # SIPRI's parenthesis
    assert sipri_state("Some rebels (Israel/Palestine)*").state is None
    with pytest.raises(UnmappedName, match="Atlantis"):
        sipri_state("Atlantis")


def test_name_table_codes_are_real_iso_codes() -> None:
    table = _names()
    historical = {"SU", "YU", "CS", "DD", "YD"}
    user_assigned = {"XK"}
    for code in {*table.states.values(), *(c for c in table.non_state.values() if c)}:
        known = pycountry.countries.get(alpha_2=code) is not None
        assert known or code in historical | user_assigned, code
    assert table.states["norway"] == "NO"  # not YAML's false


def test_categories_follow_sipri_spelling_and_descriptions() -> None:
    assert sipri_category("Air-defence systems") == "air defence systems"
    assert sipri_category("Naval weapons") == "naval weapons"
    assert sipri_category("Other") == "other"
    assert sipri_category(None, "APC") == "armoured vehicles"
    assert sipri_category(None, "SONAR") == "sensors"
    assert set(_names().descriptions.values()) <= set(CATEGORIES)


# --------------------------------------------------------------------------- deliveries excerpt


@pytest.fixture(scope="module")
def deliveries() -> RegisterImport:
    return read_sipri(DELIVERIES_EXCERPT)


def test_deliveries_excerpt_header_and_counts(deliveries: RegisterImport) -> None:
    assert detect_format(DELIVERIES_EXCERPT) == "deliveries"
    assert deliveries.register == "sipri-trade-register"
    assert deliveries.format == "deliveries"
    assert deliveries.export_date == "2026-02-12"
    lines = DELIVERIES_EXCERPT.read_text("utf-8").splitlines()[12:]
    assert deliveries.rows == len(lines) == 23
    assert deliveries.deals == len({line.split(",")[0] for line in lines}) == len(deliveries.transfers)
    assert deliveries.problems == []
    assert deliveries.unmapped == {}


def test_multi_year_deal_is_one_transfer(deliveries: RegisterImport) -> None:
    tos = _by_row(deliveries)["deal 56308"]
    assert tos.id == stable_id("sipri", "56308")
    assert (tos.supplier.code, tos.recipient.code) == ("RU", "AZ")
    assert tos.item.text == "TOS-1 multiple rocket launcher"
    assert tos.item.system == "tos-1"
    assert tos.item.category == "artillery"
    assert tos.status == "delivered"
    assert tos.years == (2013, 2017)
    assert tos.quantity == 36  # no number ordered in this format: the delivered sum
    assert tos.years_estimated  # 2017 is flagged as an estimate
    assert tos.confidence == 0.9
    assert tos.source == "register"
    evidence = tos.evidence[0]
    assert isinstance(evidence, RegisterRow)
    assert evidence.register == "SIPRI Arms Transfers Database (export 2026-02-12)"
    assert "6? in 2015?" in evidence.quote and "12? in 2014" in evidence.quote


def test_rows_out_of_year_order_and_first_year_estimate(deliveries: RegisterImport) -> None:
    vena = _by_row(deliveries)["deal 56310"]
    assert vena.years == (2012, 2014)
    assert vena.years_estimated  # the 2012 delivery is an estimate
    assert _quote(vena).index("2012") < _quote(vena).index("2013")


def test_polonez_without_estimates(deliveries: RegisterImport) -> None:
    polonez = _by_row(deliveries)["deal 61802"]
    assert (polonez.supplier.code, polonez.recipient.code) == ("BY", "AZ")
    assert polonez.item.text == "Polonez multiple rocket launcher"
    assert polonez.item.system == "polonez"
    assert polonez.years == (2018, 2018)
    assert not polonez.years_estimated
    assert polonez.confidence == 1.0
    assert polonez.quantity == 6


def test_second_hand_local_production_and_range_notes(deliveries: RegisterImport) -> None:
    rows = _by_row(deliveries)
    buk = rows["deal 56311"]
    assert buk.item.category == "air defence systems"
    assert "second hand but modernized" in _quote(buk)
    assert "local production" in _quote(rows["deal 31772"])  # the `Yes;` of the last column
    assert "local production" not in _quote(buk)
    assert "deliveries before 1995, if any, are not in this export" in _quote(rows["deal 28614"])


def test_non_state_and_organisation_recipients(deliveries: RegisterImport) -> None:
    rows = _by_row(deliveries)
    osce = rows["deal 58109"].to_json()
    assert (osce["recipient"], osce["recipient_kind"]) == ("sipri:osce", "organisation")
    assert rows["deal 39867"].recipient.id == "sipri:united-nations"
    hor = rows["deal 58761"].recipient
    assert (hor.kind, hor.state) == ("non-state", "LY")
    assert rows["deal 35623"].recipient.id == "sipri:hezbollah-lebanon"
    unknown = rows["deal 68203"]
    assert (unknown.supplier.kind, unknown.supplier.state) == ("non-state", None)
    assert not unknown.years_estimated  # SIPRI left the estimate flags empty
    assert rows["deal 55100"].recipient.id == "TR"


def test_ids_are_stable_across_runs(deliveries: RegisterImport) -> None:
    again = read_sipri(DELIVERIES_EXCERPT)
    assert [t.id for t in again.transfers] == [t.id for t in deliveries.transfers]
    assert len({t.id for t in deliveries.transfers}) == len(deliveries.transfers)


# --------------------------------------------------------------------------- legacy excerpt


@pytest.fixture(scope="module")
def legacy() -> RegisterImport:
    return read_sipri(LEGACY_EXCERPT)


def test_legacy_excerpt_header_and_counts(legacy: RegisterImport) -> None:
    assert detect_format(LEGACY_EXCERPT) == "legacy"
    assert legacy.format == "legacy"
    assert legacy.export_date == "2025-03-13"
    assert legacy.rows == legacy.deals == len(legacy.transfers) == 15  # 18 lines, 3 records broken in two
    assert legacy.problems == []
    assert legacy.unmapped == {}


def test_legacy_multi_line_records(legacy: RegisterImport) -> None:
    btr = next(t for t in legacy.transfers if t.item.system == "btr-3")
    assert btr.years == (2010, 2012)
    assert btr.quantity == 14
    assert "redesign for other engines" in _quote(btr)
    un = next(t for t in legacy.transfers if t.recipient.id == "sipri:united-nations")
    assert un.quantity == 3 and un.years == (2016, 2016)
    engine = next(t for t in legacy.transfers if t.recipient.id == "CI")
    assert engine.recipient.name == "Côte d'Ivoire"
    assert engine.status == "ordered"
    assert engine.years == (2024, 2024)
    assert engine.years_estimated  # the order year carries a `?`
    assert engine.item.system is None  # 'vehicle engine' names no system
    assert "Cummins (275hp) diesel engine" in _quote(engine)


def test_legacy_year_lists_flags_and_latin1(legacy: RegisterImport) -> None:
    malyutka = next(t for t in legacy.transfers if t.item.system == "malyutka")
    assert malyutka.supplier.id == "SU"
    assert malyutka.years == (1979, 1990)
    assert malyutka.quantity == 6000
    assert malyutka.confidence == 0.9  # number ordered carries a `?`
    assert malyutka.item.category == "missiles"
    alize = next(t for t in legacy.transfers if t.recipient.id == "IN")
    assert alize.item.text == "Alizé anti-submarine aircraft"
    javelin = next(t for t in legacy.transfers if t.recipient.id == "AL")
    assert javelin.status == "ordered"
    assert javelin.quantity is None  # SIPRI: number ordered not yet available


def test_legacy_identical_looking_deals_get_distinct_stable_ids(legacy: RegisterImport) -> None:
    radars = [t for t in legacy.transfers if t.item.system == "9lv"]
    assert len(radars) == 2
    assert radars[0].id != radars[1].id
    again = read_sipri(LEGACY_EXCERPT)
    assert [t.id for t in again.transfers] == [t.id for t in legacy.transfers]


# --------------------------------------------------------------------------- bad input


def test_a_file_that_is_not_sipri(tmp_path: Path) -> None:
    other = tmp_path / "budget.csv"
    other.write_text("year,amount\n2020,5\n", encoding="utf-8")
    with pytest.raises(SipriFormatError) as err:
        detect_format(other)
    message = str(err.value)
    assert str(other) in message and "not a SIPRI trade-register export" in message
    with pytest.raises(SipriFormatError):
        read_sipri(other)
    binary = tmp_path / "scan.pdf"
    binary.write_bytes(b"%PDF-1.7\n\xff\xfe\x00garbage")
    with pytest.raises(SipriFormatError, match=r"scan\.pdf"):
        read_sipri(binary)


def test_a_missing_file_is_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(SipriFormatError, match=r"missing\.csv: cannot be read"):
        read_sipri(tmp_path / "missing.csv")


def test_a_header_without_needed_columns(tmp_path: Path) -> None:
    broken = tmp_path / "cut.csv"
    broken.write_text("SIPRI AT Database ID,Supplier,Recipient\n1,Belarus,Azerbaijan\n", encoding="utf-8")
    expected = r"line 1: the SIPRI header lacks the column\(s\) 'Designation'"
    with pytest.raises(SipriFormatError, match=expected):
        read_sipri(broken)


def test_a_truncated_last_row(tmp_path: Path) -> None:
    data = DELIVERIES_EXCERPT.read_bytes()
    cut = tmp_path / "truncated.csv"
    cut.write_bytes(data[: len(data) - 40])  # the download stopped inside the last row
    result = read_sipri(cut)
    assert [p.line for p in result.problems] == [35]
    assert "truncated" in result.problems[0].message and "line 35" in result.problems[0].message
    assert len(result.transfers) == 13 - 1  # deal 31772 was only in the lost row


def test_a_truncated_middle_row_and_a_bad_year(tmp_path: Path) -> None:
    lines = DELIVERIES_EXCERPT.read_bytes().split(b"\r\n")
    lines[12] = lines[12][:30]  # line 13: deal 61802 cut short
    lines[13] = lines[13].replace(b",2011,Yes,Second hand", b",20x1,Yes,Second hand")  # line 14
    damaged = tmp_path / "damaged.csv"
    damaged.write_bytes(b"\r\n".join(lines))
    result = read_sipri(damaged)
    by_line = {p.line: p.message for p in result.problems}
    assert set(by_line) == {13, 14}
    assert "truncated" in by_line[13]
    assert "'20x1'" in by_line[14]
    rows = _by_row(result)
    assert "deal 61802" not in rows
    assert rows["deal 57092"].years == (2012, 2012)  # its other row survived
    assert rows["deal 56308"].years == (2013, 2017)


def test_an_unknown_party_is_counted_not_forced(tmp_path: Path) -> None:
    text = LEGACY_EXCERPT.read_bytes().replace(b"Thailand,Ukraine", b"Atlantis,Ukraine")
    odd = tmp_path / "odd.csv"
    odd.write_bytes(text)
    result = read_sipri(odd)
    assert result.unmapped == {"Atlantis": 1}
    assert len(result.transfers) == 14
    assert any("'Atlantis'" in p.message and "sipri_names.yaml" in p.message for p in result.problems)


def test_header_only_file(tmp_path: Path) -> None:
    head = b"\r\n".join(DELIVERIES_EXCERPT.read_bytes().split(b"\r\n")[:12]) + b"\r\n"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(head)
    result = read_sipri(empty)
    assert result.transfers == [] and result.rows == 0
    assert result.problems and "no data rows" in result.problems[0].message


# --------------------------------------------------------------------------- the full exports


@pytest.fixture(scope="module")
def full_deliveries() -> tuple[RegisterImport, float]:
    path = _need(FULL_DELIVERIES)
    start = time.perf_counter()
    result = read_sipri(path)
    return result, time.perf_counter() - start


def test_full_deliveries_one_transfer_per_deal(full_deliveries: tuple[RegisterImport, float]) -> None:
    result, _ = full_deliveries
    with FULL_DELIVERIES.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[12:]
    ids = {row[0] for row in rows if row}
    assert result.rows == sum(1 for row in rows if row) == 25024
    assert len(result.transfers) == result.deals == len(ids) == 12571
    assert {t.id for t in result.transfers} == {stable_id("sipri", i) for i in ids}
    assert result.problems == []
    assert result.unmapped == {}


def test_full_deliveries_every_party_is_placed(full_deliveries: tuple[RegisterImport, float]) -> None:
    result, _ = full_deliveries
    for transfer in result.transfers:
        for actor in (transfer.supplier, transfer.recipient):
            if actor.kind == "state":
                assert len(actor.id) == 2 and actor.id.isupper(), actor
            else:
                assert actor.id.startswith("sipri:"), actor
        assert transfer.item.category in CATEGORIES
    kinds = Counter(t.recipient.kind for t in result.transfers)
    assert kinds["non-state"] > 0 and kinds["organisation"] > 0


def test_full_deliveries_belarus_and_russia_to_azerbaijan(
    full_deliveries: tuple[RegisterImport, float],
) -> None:
    result, _ = full_deliveries
    to_az = [t for t in result.transfers if t.recipient.code == "AZ"]
    for supplier in ("BY", "RU"):
        deals = [t for t in to_az if t.supplier.code == supplier]
        assert deals, supplier
        assert all(t.years and 1995 <= t.years[0] <= t.years[1] <= 2025 for t in deals)
    assert any(t.item.system == "polonez" for t in to_az)
    assert any(t.recipient.code == "TR" and t.recipient.name == "Türkiye" for t in result.transfers)


def test_full_legacy_every_record() -> None:
    result = read_sipri(_need(FULL_LEGACY))
    assert result.format == "legacy"
    assert result.rows == result.deals == len(result.transfers) == 29515
    assert result.problems == []
    assert result.unmapped == {}
    assert len({t.id for t in result.transfers}) == 29515
    rows = _by_row(result)
    broken = {  # the records broken over two lines, by their first line
        "line 5432": ("CI", 12, "Puma M-36 APC from South Africa"),
        "line 21488": ("SA", 12, "Avante-2000 frigate from Spain"),
        "line 25178": ("TH", 14, "redesign for other engines"),
        "line 27955": ("sipri:united-nations", 3, "UN peacekeeping forces in Mali"),
    }
    for row, (recipient, quantity, tail) in broken.items():
        transfer = rows[row]
        assert (transfer.recipient.code, transfer.quantity) == (recipient, quantity), row
        quote = _quote(transfer)
        assert quote.endswith(tail) or f"{tail}; " in quote, row
    assert any("Alizé" in t.item.text for t in result.transfers)
    assert any(t.supplier.id == "SU" for t in result.transfers)


def test_every_name_in_sipri_country_list_maps() -> None:
    with _need(FULL_NAMES).open(encoding="utf-8") as handle:
        names = [row["string_name"] for row in csv.DictReader(handle)]
    assert len(names) > 200
    for name in names:
        sipri_state(name)  # raises UnmappedName otherwise
