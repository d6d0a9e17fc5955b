"""Knowledge-base importers: ATOP alliances, UCDP/PRIO conflicts, TSS rivalries, written as a KB layer.

Small hand-written inputs in tmp_path cover each quirk of the real formats (ATOP's 0/0/0
exit and missing days, UCDP's semicolon/day-month-year form with a record broken over two
lines, TSS's P1816 and `ongoing`) and always run. The real files are read from
`../shared/data/` (or `$ARMSTRACE_SHARED_DATA`) when present; those tests skip otherwise.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
import textwrap
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from armstrace.kb import DATA_DIR, loader
from armstrace.kb.importers import (
    ImportInputError,
    ImportReport,
    check_layer,
    import_atop,
    import_rivalries,
    import_ucdp,
)
from armstrace.kb.importers.codes import mapper
from armstrace.kb.importers.ucdp import read_rows
from armstrace.kb.model import KnowledgeBase


def _shared_data() -> Path:
    env = os.environ.get("ARMSTRACE_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


SHARED = _shared_data()
ATOP_DIR = SHARED / "atop"
UCDP_FILE = SHARED / "conflicts" / "UcdpPrioConflict_v25_1.csv"
TSS_FILE = SHARED / "conflicts" / "tss_rivalries.csv"
CROSSWALK = SHARED / "crosswalks" / "countrycode_codelist.csv"


@pytest.fixture(scope="module")
def bundled() -> KnowledgeBase:
    return loader.load(DATA_DIR)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def _files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*.yaml"))
    }


def _layer(folder: Path, base: KnowledgeBase) -> KnowledgeBase:
    problems = check_layer(folder, base)
    assert problems == [], "\n".join(map(str, problems))
    return loader.load(folder, base=base)


# --- ATOP ---------------------------------------------------------------------------------------

ATOP_M = """
    atopid,member,yrent,moent,dayent,yrexit,moexit,dayexit,ineffect,phase,defense,offense,neutral,nonagg,consul,version
    9001,365,1997,8,29,0,0,0,1,0,1,0,0,1,1,5.1
    9001,371,1997,8,29,0,0,0,1,0,1,0,0,1,1,5.1
    9002,365,1992,5,15,2002,10,7,0,1,1,0,0,0,1,5.1
    9002,370,1992,5,15,2002,10,7,0,1,0,0,0,0,1,5.1
    9002,704,1992,5,15,1999,4,,0,1,0,0,0,0,1,5.1
    9002,365,2002,10,7,0,0,0,1,2,1,0,0,0,1,5.1
    9002,370,2002,10,7,0,0,0,1,2,1,0,0,0,1,5.1
    9003,2,1954,9,8,1975,4,30,0,0,1,0,0,0,1,5.1
    9003,817,1954,9,8,1975,4,30,0,0,0,0,0,0,1,5.1
    9004,200,1920,1,1,1930,1,1,0,0,1,0,0,0,0,5.1
    9004,220,1920,1,1,1930,1,1,0,0,1,0,0,0,0,5.1
    4220,371,1992,5,15,0,0,0,1,1,1,0,0,1,1,5.1
    4220,365,1992,5,15,0,0,0,1,1,1,0,0,1,1,5.1
    9005,365,1948,4,6,1992,1,20,0,0,0,0,1,1,1,5.1
    9005,375,1948,4,6,1992,1,20,0,0,0,0,1,1,1,5.1
"""
ATOP_A = """
    atopid,begyr,begmo,begday,endyr,endmo,endday,bilat,version
    9001,1997,8,29,0,0,0,1,5.1
    9002,1992,5,15,0,0,0,0,5.1
    9003,1954,9,8,1975,4,30,1,5.1
    9004,1920,1,1,1930,1,1,1,5.1
    4220,1992,5,15,0,0,0,0,5.1
    9005,1948,4,6,1992,1,20,1,5.1
"""
ATOP_PH = """
    atopid,atopidphase,phase,begyr,begmo,begday,endyr,endmo,endday,version
    9001,9001,0,1997,8,29,0,0,0,5.1
    9002,9002.1,1,1992,5,15,2002,10,7,5.1
    9002,9002.2,2,2002,10,7,0,0,0,5.1
    9003,9003,0,1954,9,8,1975,4,30,5.1
    9004,9004,0,1920,1,1,1930,1,1,5.1
    4220,4220.1,1,1992,5,15,0,0,0,5.1
    9005,9005,0,1948,4,6,1992,1,20,5.1
"""


def _atop_dir(root: Path) -> Path:
    folder = root / "atop"
    _write(folder / "atop5_1m.csv", ATOP_M)
    _write(folder / "atop5_1a.csv", ATOP_A)
    _write(folder / "atop5_1aph.csv", ATOP_PH)
    return folder


def test_atop_fixture_writes_alliances_the_loader_reads(tmp_path: Path, bundled: KnowledgeBase) -> None:
    out = tmp_path / "layer"
    report = import_atop(_atop_dir(tmp_path), out, base=bundled)
    assert report.problems == []
    kb = _layer(out, bundled)
    assert {"atop-9001", "atop-9002", "atop-9005"} <= set(kb.alliances)
    assert report.read["member rows"] == 15

    pact = kb.alliances["atop-9001"]  # exit 0/0/0: in force at the end of ATOP's coverage -> open end
    assert pact.kind == "bilateral" and pact.atop_id == 9001
    assert {m.state for m in pact.memberships} == {"RU", "AM"}
    assert all(m.period.end is None and m.period.start == dt.date(1997, 8, 29) for m in pact.memberships)
    assert pact.obligations_in(2020) == {"defence", "non-aggression", "consultation"}
    assert all(o.fact.source == "atop-5.1" for o in pact.obligations)

    cst = kb.alliances["atop-9002"]  # two phases: one membership per uninterrupted spell
    ru = [m for m in cst.memberships if m.state == "RU"]
    assert len(ru) == 1 and ru[0].period == loader.Period(dt.date(1992, 5, 15), None)
    (uz,) = [m for m in cst.memberships if m.state == "UZ"]
    assert uz.period.end == dt.date(1999, 5, 1)  # no exit day: to the end of the month
    assert "not the day" in uz.fact.note
    defence = [o for o in cst.obligations if o.type == "defence"]
    assert len(defence) == 1 and defence[0].period.end is None  # phases 1 and 2 join
    assert "Russia" in defence[0].fact.text and "Belarus" in defence[0].fact.text
    assert "Uzbekistan" not in defence[0].fact.text  # asymmetric: named members only
    (consultation,) = [o for o in cst.obligations if o.type == "consultation"]
    assert "every member" in consultation.fact.text

    finland = kb.alliances["atop-9005"]  # COW 365 is the Soviet Union, then Russia
    assert finland.kind == "multilateral" and "bilateral" in finland.note
    assert finland.membership_on("SU", dt.date(1991, 1, 1)) is not None
    assert finland.membership_on("RU", dt.date(1992, 1, 1)) is not None
    assert finland.membership_on("SU", dt.date(1992, 1, 1)) is None

    skipped = {what.split()[1]: why for what, why in report.skipped}
    assert "bundled" in skipped["4220"]  # the CSTO is curated
    assert "1950" in skipped["9004"]
    assert "fewer than two" in skipped["9003"]
    assert any("817" in code for code in report.unmapped)  # South Vietnam is reported, not dropped silently


def test_atop_since_option(tmp_path: Path, bundled: KnowledgeBase) -> None:
    report = import_atop(_atop_dir(tmp_path), tmp_path / "layer", since=1900, base=bundled)
    assert "atop-9004" in loader.load(tmp_path / "layer", base=bundled).alliances
    assert report.counts["alliances"] == 4


def test_atop_rerun_is_identical_and_removes_stale_files(tmp_path: Path, bundled: KnowledgeBase) -> None:
    folder, out = _atop_dir(tmp_path), tmp_path / "layer"
    import_atop(folder, out, since=1900, base=bundled)
    first = _files(out)
    import_atop(folder, out, since=1900, base=bundled)
    assert _files(out) == first
    (out / "alliances" / "mine.yaml").write_text("id: x\n", encoding="utf-8")  # not the importer's: kept
    report = import_atop(folder, out, since=1950, base=bundled)
    assert report.removed == ["alliances/atop-9004.yaml"]
    assert (out / "alliances" / "mine.yaml").exists()


def test_a_dataset_version_the_bundled_kb_lacks_gets_its_own_source(
    tmp_path: Path, bundled: KnowledgeBase
) -> None:
    folder = _atop_dir(tmp_path)
    for name in ("atop5_1m.csv", "atop5_1a.csv", "atop5_1aph.csv"):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace(",5.1", ",5.0"), encoding="utf-8")
    report = import_atop(folder, tmp_path / "layer", base=bundled)
    assert report.dataset == "ATOP v5.0"
    sources = yaml.safe_load((tmp_path / "layer" / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    assert [s["id"] for s in sources] == ["atop-5.0"]
    kb = _layer(tmp_path / "layer", bundled)
    assert kb.alliances["atop-9001"].memberships[0].fact.source == "atop-5.0"


def test_atop_bad_input_is_a_user_error(tmp_path: Path, bundled: KnowledgeBase) -> None:
    with pytest.raises(ImportInputError, match="no ATOP member-level file"):
        import_atop(tmp_path, tmp_path / "out", base=bundled)
    folder = _atop_dir(tmp_path)
    _write(folder / "atop5_1m.csv", "rivalry,start,end\nArmenia-Azerbaijan,1991,ongoing\n")
    with pytest.raises(ImportInputError, match=r"atop5_1m\.csv: this does not look like .*missing column"):
        import_atop(folder, tmp_path / "out", base=bundled)


# --- UCDP ---------------------------------------------------------------------------------------

UCDP_HEADER = (
    "conflict_id;location;side_a;side_a_id;side_a_2nd;side_b;side_b_id;side_b_2nd;incompatibility;territory_name;"
    "year;intensity_level;cumulative_intensity;type_of_conflict;start_date;start_prec;start_date2;start_prec2;"
    "ep_end;ep_end_date;ep_end_prec;gwno_a;gwno_a_2nd;gwno_b;gwno_b_2nd;gwno_loc;region;version"
)
UCDP_ROWS = [
    # Ecuador-Peru: two consecutive minor years join into one crisis period with dated ends.
    "900;Ecuador, Peru;Government of Ecuador;1;;Government of Peru;2;;1;Cordillera del Condor;1994;1;0;2;"
    "3-3-1994;1;3-3-1994;1;0;;;130;;135;;130, 135;5;25.1",
    "900;Ecuador, Peru;Government of Ecuador;1;;Government of Peru;2;;1;Cordillera del Condor;1995;1;0;2;"
    "3-3-1994;1;3-3-1994;1;1;28-2-1995;;130;;135;;130, 135;5;25.1",
    # Internationalised: Armenia fights as a secondary party against Azerbaijan; Turkey backs Azerbaijan.
    "901;Azerbaijan;Government of Azerbaijan;3;Government of Turkey;Rebels;4;Government of Armenia;1;"
    "Karabakh;"
    "2019;1;1;4;1-1-1991;1;31-12-2019;5;0;;;373;640;;371;373;1;25.1",
    "901;Azerbaijan;Government of Azerbaijan;3;Government of Turkey;Rebels;4;Government of Armenia;1;"
    "Karabakh;"
    "2020;2;1;4;1-1-1991;1;31-12-2019;5;1;10-11-2020;;373;640;;371;373;1;25.1",
    # Internal conflict without foreign states: ignored.
    "903;Chad;Government of Chad;5;;FACT;6;;2;;2021;1;0;3;11-4-2021;1;11-4-2021;1;1;30-4-2021;;"
    "483;;;;483;4;25.1",
    # Still active in the last year of the data: open end.
    "904;Afghanistan, Pakistan;Government of Afghanistan;7;;Government of Pakistan;8;;1;Durand line;"
    "2024;1;0;2;12-8-2024;1;12-8-2024;1;0;;;700;;770;;700, 770;3;25.1",
]
# Djibouti-Eritrea, broken over two lines as in the shared file: the first line ends inside
# `territory_name` and is padded with empty fields; the second carries `,`-joined empty fields.
UCDP_BROKEN = (
    "902;Djibouti, Eritrea;Government of Djibouti;9;;Government of Eritrea;10;;1;Ras Doumeira"
    + ";" * 18
    + "\n"
    ";2008;1;0;2;10-6-2008;1;10-6-2008;1;1;13-6-2008;,522,;531,;522, 531;4;25.1" + ";" * 12
)


def _ucdp_semicolon(root: Path) -> Path:
    text = (
        "\r\n".join([UCDP_HEADER, *UCDP_ROWS[:4], UCDP_BROKEN.replace("\n", "\r\n"), *UCDP_ROWS[4:]]) + "\r\n"
    )
    path = root / "semicolon" / "UcdpPrioConflict_v25_1.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def _iso(value: str) -> str:
    d, m, y = value.split("-")
    return f"{y}-{int(m):02d}-{int(d):02d}"


def _ucdp_comma(root: Path) -> Path:
    """The same rows in UCDP's own form: commas, ISO dates, quoted lists."""
    header = UCDP_HEADER.split(";")
    broken = (
        "902;Djibouti, Eritrea;Government of Djibouti;9;;Government of Eritrea;10;;1;Ras Doumeira;2008;1;0;2;"
        "10-6-2008;1;10-6-2008;1;1;13-6-2008;;522;;531;;522, 531;4;25.1"
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for line in [*UCDP_ROWS[:4], broken, *UCDP_ROWS[4:]]:
        fields = line.split(";")
        for key in ("start_date", "start_date2", "ep_end_date"):
            k = header.index(key)
            fields[k] = _iso(fields[k]) if fields[k] else ""
        writer.writerow(fields)
    path = root / "comma" / "UcdpPrioConflict_v25_1.csv"
    path.parent.mkdir(parents=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_ucdp_reads_the_broken_record(tmp_path: Path) -> None:
    rows = read_rows(_ucdp_semicolon(tmp_path))
    assert len(rows) == 7
    (djibouti,) = [r for r in rows if r["conflict_id"] == "902"]
    assert djibouti["territory_name"] == "Ras Doumeira" and djibouti["year"] == "2008"
    assert (djibouti["gwno_a"], djibouti["gwno_b"], djibouti["gwno_loc"]) == ("522", "531", "522, 531")
    assert djibouti["ep_end_date"] == "13-6-2008" and djibouti["version"] == "25.1"


def test_ucdp_fixture_dyads_and_periods(tmp_path: Path, bundled: KnowledgeBase) -> None:
    out = tmp_path / "layer"
    report = import_ucdp(_ucdp_semicolon(tmp_path), out, base=bundled)
    assert any("broken over lines" in n for n in report.notes)
    kb = _layer(out, bundled)

    (ecuador,) = kb.conflicts_of("EC", "PE")
    assert ecuador.id == "ecuador-peru" and ecuador.sides == ("EC", "PE")
    (period,) = ecuador.periods  # 1994 and 1995 joined
    assert (period.intensity, period.period.start, period.period.end) == (
        "crisis",
        dt.date(1994, 3, 3),
        dt.date(1995, 3, 1),
    )
    assert period.fact.source == "ucdp-prio-acd-25.1" and "900" in period.fact.text

    (djibouti,) = kb.conflicts_of("DJ", "ER")
    assert djibouti.periods[0].period == loader.Period(dt.date(2008, 6, 10), dt.date(2008, 6, 14))

    (afghanistan,) = kb.conflicts_of("AF", "PK")
    assert (
        afghanistan.periods[0].period.end is None
        and "still active" in afghanistan.periods[0].fact.note.lower()
    )

    # Armenia-Azerbaijan is curated: the 2020 war overlaps the curated war and is skipped; the
    # 2019 crisis does not and goes into an extra record of the same dyad.
    extra = kb.conflicts["armenia-azerbaijan-ucdp"]
    assert [(p.intensity, p.period.start.year) for p in extra.periods] == [("crisis", 2019)]
    assert any("armenia-azerbaijan/war/2020" in what for what, _ in report.skipped)
    assert not kb.conflicts_of("TR", "AM") or all(
        c.id == "armenia-turkey" for c in kb.conflicts_of("TR", "AM")
    )  # two secondary parties are not a dyad
    assert not kb.conflicts_of("TD", "LY")  # the internal conflict is left out


def test_ucdp_without_the_curated_conflicts_gives_the_2020_war(
    tmp_path: Path, bundled: KnowledgeBase
) -> None:
    bare = dataclasses.replace(bundled, conflicts={})
    import_ucdp(_ucdp_semicolon(tmp_path), tmp_path / "layer", base=bare)
    kb = _layer(tmp_path / "layer", bare)
    conflict = kb.conflicts["armenia-azerbaijan"]
    assert conflict.sides == ("AM", "AZ")
    assert conflict.intensity_in(2020) == "war" and conflict.intensity_in(2019) == "crisis"
    (war,) = [p for p in conflict.periods if p.intensity == "war"]
    assert (war.period.start, war.period.end) == (dt.date(2020, 1, 1), dt.date(2020, 11, 11))


def test_ucdp_both_forms_give_the_same_layer(tmp_path: Path, bundled: KnowledgeBase) -> None:
    import_ucdp(_ucdp_semicolon(tmp_path), tmp_path / "a", base=bundled)
    import_ucdp(_ucdp_comma(tmp_path), tmp_path / "b", base=bundled)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_ucdp_rerun_is_identical(tmp_path: Path, bundled: KnowledgeBase) -> None:
    file = _ucdp_semicolon(tmp_path)
    import_ucdp(file, tmp_path / "layer", base=bundled)
    first = _files(tmp_path / "layer")
    report = import_ucdp(file, tmp_path / "layer", base=bundled)
    assert _files(tmp_path / "layer") == first and report.removed == []


def test_ucdp_bad_input_is_a_user_error(tmp_path: Path, bundled: KnowledgeBase) -> None:
    wrong = _write(tmp_path / "tss_rivalries.csv", "rivalry,start,end\nArmenia-Azerbaijan,1991,ongoing\n")
    with pytest.raises(ImportInputError, match=r"tss_rivalries\.csv: this does not look like the UCDP"):
        import_ucdp(wrong, tmp_path / "out", base=bundled)
    with pytest.raises(ImportInputError, match="not found"):
        import_ucdp(tmp_path / "missing.csv", tmp_path / "out", base=bundled)


# --- rivalries ----------------------------------------------------------------------------------

TSS = """
    rivalry,start,end,positional,spatial,ideological,interventionary,principal,aprin,note
    Ecuador-Peru,1830,1998,,1,,,,,
    China-Russia,P1816,1949,1,1,,,,,
    Algeria-Morocco,1962,ongoing,1,1,,,,,
    Bulgaria-Yugoslavia,1878,1855,,1,,,,,
    Ottoman E-Venice,P1494,1717,1,1,,,,1,
    Armenia-Azerbaijan,1991,ongoing,,1,,1,,,
    Greece-Turkey 1,1827,1930,,1,,,,,
    Dominican Rep-Haiti,1845,1993,,1,,,,,
"""


def test_rivalries_fixture(tmp_path: Path, bundled: KnowledgeBase) -> None:
    file = _write(tmp_path / "tss_rivalries.csv", TSS)
    report = import_rivalries(file, tmp_path / "layer", base=bundled)
    kb = _layer(tmp_path / "layer", bundled)

    (algeria,) = kb.conflicts_of("DZ", "MA")  # `ongoing`: open end
    (period,) = algeria.periods
    assert (period.intensity, period.period.start, period.period.end) == (
        "rivalry",
        dt.date(1962, 1, 1),
        None,
    )
    assert period.fact.source == "tss-rivalries-2022" and "ongoing" in period.fact.text

    (ecuador,) = kb.conflicts_of("EC", "PE")
    assert ecuador.periods[0].period.end == dt.date(1998, 12, 31)  # year-level end

    (china_russia,) = kb.conflicts_of("CN", "RU")  # P1816: under way in 1816; Russia, then the USSR
    assert china_russia.periods[0].period.start == dt.date(1816, 1, 1)
    assert "P1816" in china_russia.periods[0].fact.note
    (china_ussr,) = kb.conflicts_of("CN", "SU")
    assert china_ussr.periods[0].period.start == dt.date(1922, 12, 30)

    assert kb.conflicts_of("DO", "HT")  # the authors' abbreviations
    assert kb.conflicts["greece-turkey-tss"].periods[0].period.start.year == 1827  # curated dyad, no overlap
    reasons = report.skipped_by_reason()
    assert any("Bulgaria-Yugoslavia" in w for w in reasons["ends before it starts in the file"])
    assert any("Armenia" in w for why, ws in reasons.items() if "curated" in why for w in ws)
    assert "Ottoman Empire" in report.unmapped and "Venice" in report.unmapped


def test_rivalries_bad_input_is_a_user_error(tmp_path: Path, bundled: KnowledgeBase) -> None:
    bad = _write(tmp_path / "tss.csv", "rivalry,start,end\nEcuador-Peru,about 1830,1998\n")
    with pytest.raises(ImportInputError, match=r"tss\.csv:2: Ecuador-Peru: start 'about 1830' is not a year"):
        import_rivalries(bad, tmp_path / "out", base=bundled)
    ucdp = _ucdp_semicolon(tmp_path)
    with pytest.raises(ImportInputError, match="missing column"):
        import_rivalries(ucdp, tmp_path / "out", base=bundled)


def test_importers_share_one_layer_folder(tmp_path: Path, bundled: KnowledgeBase) -> None:
    """UCDP and TSS periods of one dyad go into one file; each import replaces only its own."""
    out = tmp_path / "layer"
    tss = _write(tmp_path / "tss_rivalries.csv", TSS)
    ucdp = _ucdp_semicolon(tmp_path)
    import_ucdp(ucdp, out, base=bundled)
    import_rivalries(tss, out, base=bundled)
    both = _files(out)
    conflict = yaml.safe_load(both["conflicts/ecuador-peru.yaml"])
    assert sorted(p["intensity"] for p in conflict["periods"]) == ["crisis", "rivalry"]
    import_ucdp(ucdp, out, base=bundled)
    assert _files(out) == both
    # A rivalries file without Ecuador-Peru takes away only the rivalry period.
    import_rivalries(
        _write(tmp_path / "other.csv", "rivalry,start,end\nAlgeria-Morocco,1962,ongoing\n"), out, base=bundled
    )
    conflict = yaml.safe_load((out / "conflicts" / "ecuador-peru.yaml").read_text(encoding="utf-8"))
    assert [p["intensity"] for p in conflict["periods"]] == ["crisis"]
    _layer(out, bundled)


# --- the command line ---------------------------------------------------------------------------


def test_cli_import_then_show_and_check(tmp_path: Path) -> None:
    from armstrace.present.cli import app

    runner = CliRunner()
    out = tmp_path / "kb"
    tss = _write(tmp_path / "tss_rivalries.csv", TSS)
    result = runner.invoke(app, ["kb", "import", "rivalries", str(tss), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "read 8 rivalries" in result.output and "passes its checks" in result.output
    assert "skipped 1: ends before it starts" in result.output
    ucdp = _ucdp_semicolon(tmp_path)
    result = runner.invoke(app, ["kb", "import", "ucdp", str(ucdp), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "conflicts" / "ecuador-peru.yaml").is_file()

    env = {"ARMSTRACE_KB": str(out)}
    shown = runner.invoke(app, ["kb", "show", "armenia-azerbaijan"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "armenia-azerbaijan-ucdp" in shown.output  # the imported record of the same dyad
    shown = runner.invoke(app, ["kb", "show", "ecuador-peru"], env=env)
    assert (
        shown.exit_code == 0 and "ucdp-prio-acd-25.1" in shown.output and "tss-rivalries-2022" in shown.output
    )
    listed = runner.invoke(app, ["kb", "list", "conflicts"], env=env)
    assert "algeria-morocco" in listed.output
    checked = runner.invoke(app, ["kb", "check"], env=env)
    assert checked.exit_code == 0, checked.output

    bad = runner.invoke(app, ["kb", "import", "atop", str(tmp_path), "--out", str(out)])
    assert bad.exit_code == 2 and "no ATOP member-level file" in " ".join(bad.output.split())


# --- the real files -----------------------------------------------------------------------------


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared datasets live outside the repository (see ../shared/data)")
    return path


@pytest.fixture(scope="module")
def real_layer(
    tmp_path_factory: pytest.TempPathFactory, bundled: KnowledgeBase
) -> tuple[Path, dict[str, ImportReport]]:
    _need(ATOP_DIR)
    _need(UCDP_FILE)
    _need(TSS_FILE)
    out = tmp_path_factory.mktemp("real") / "armstrace-kb"
    reports = {
        "atop": import_atop(ATOP_DIR, out, base=bundled),
        "ucdp": import_ucdp(UCDP_FILE, out, base=bundled),
        "rivalries": import_rivalries(TSS_FILE, out, base=bundled),
    }
    return out, reports


def test_real_layers_load_and_check_clean(
    real_layer: tuple[Path, dict[str, ImportReport]], bundled: KnowledgeBase
) -> None:
    out, _ = real_layer
    kb = _layer(out, bundled)
    assert len(kb.alliances) > 500 and len(kb.conflicts) > 300
    facts = kb.facts()
    assert all(f.source in kb.sources for f in facts.values())


def test_real_atop_members_match_the_member_file(
    real_layer: tuple[Path, dict[str, ImportReport]], bundled: KnowledgeBase
) -> None:
    out, reports = real_layer
    report = reports["atop"]
    kb = loader.load(out, base=bundled)
    codes = mapper(bundled, "cow")
    with (ATOP_DIR / "atop5_1m.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert report.read["member rows"] == len(rows)
    expected: dict[str, set[str]] = {}
    for r in rows:
        entry = dt.date(int(r["yrent"]), int(r["moent"]), int(r["dayent"] or 1))
        exit = (
            None
            if r["yrexit"] == "0"
            else dt.date(int(r["yrexit"]), int(r["moexit"]), int(r["dayexit"] or 1))
        )
        for piece in codes.map(
            int(r["member"]), loader.Period(entry, exit if exit and exit > entry else None)
        ):
            if piece.iso:
                expected.setdefault(f"atop-{r['atopid']}", set()).add(piece.iso)
    imported = [a for a in kb.alliances.values() if a.id.startswith("atop-")]
    assert len(imported) == report.counts["alliances"]
    for alliance in imported:
        assert {m.state for m in alliance.memberships} == expected[alliance.id], alliance.id
    # The Russia-Armenia treaty of 1997 (ATOP 4890) is curated; its 1991 predecessor (ATOP 4130) is imported.
    assert kb.alliances["ru-am-1997"].members_in(2020) == {"RU", "AM"}
    assert any("4890" in what for what, _ in report.skipped)
    assert kb.alliances["atop-4130"].members_in(1995) == {"RU", "AM"}
    # Warsaw Pact: Soviet Union, Poland, ... from 1955
    warsaw = [a for a in imported if {"SU", "PL", "DD", "CS"} <= a.members_in(1980)]
    assert warsaw and all(a.fact is not None and a.fact.source == "atop-5.1" for a in warsaw)


def test_real_ucdp_periods(real_layer: tuple[Path, dict[str, ImportReport]], bundled: KnowledgeBase) -> None:
    out, reports = real_layer
    kb = loader.load(out, base=bundled)
    extra = kb.conflicts["india-pakistan-ucdp"]
    years = {p.period.start.year for p in extra.periods}
    assert {1964, 1989, 1994} <= years  # UCDP's India-Pakistan years outside the curated periods
    assert all(p.fact.source == "ucdp-prio-acd-25.1" for p in extra.periods)
    skipped = [what for what, _ in reports["ucdp"].skipped]
    assert any("armenia-azerbaijan/war/2020" in w for w in skipped)
    assert kb.conflicts["iraq-kuwait"].intensity_in(1990) == "war"


def test_real_ucdp_alone_gives_the_armenia_azerbaijan_war_of_2020(
    tmp_path: Path, bundled: KnowledgeBase
) -> None:
    bare = dataclasses.replace(bundled, conflicts={})
    import_ucdp(_need(UCDP_FILE), tmp_path / "layer", base=bare)
    kb = loader.load(tmp_path / "layer", base=bare)
    conflict = kb.conflicts["armenia-azerbaijan"]
    assert conflict.intensity_in(2020) == "war"
    assert conflict.intensity_in(1993) == "war"
    india = kb.conflicts["india-pakistan"]
    assert india.intensity_in(1971) == "war" and india.intensity_in(2019) == "crisis"
    assert india.intensity_in(2010) is None


def test_real_crosswalk_agrees(tmp_path: Path, bundled: KnowledgeBase) -> None:
    report = import_rivalries(_need(TSS_FILE), tmp_path / "a", crosswalk=_need(CROSSWALK), base=bundled)
    plain = import_rivalries(TSS_FILE, tmp_path / "b", base=bundled)
    assert report.counts == plain.counts
