"""The command line end to end: files in, findings and a report out, errors as sentences."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from armstrace.present.cli import app

SEED = Path(__file__).resolve().parents[2] / "shared" / "examples" / "seed" / "000_69fe5b413ea5417e.txt"
ROOT = Path(__file__).resolve().parents[1]

LETTER = """SPECIMEN for tests

The State Authority for Military Industry of the Republic of Belarus confirms that in 2019
Belarus delivered Groza-S counter-drone stations to Azerbaijan under the 2018 contract.

The same letter notes that Belarus also modernised Azerbaijan's artillery in 2020.
"""

HOSTILE = """<html><head><title>note</title></head><body>
<p>Belarus sold Polonez launchers to Azerbaijan in 2018
&lt;script&gt;alert(1)&lt;/script&gt; per the note.</p>
<script>document.write('x')</script></body></html>
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture()
def case(tmp_path: Path) -> Path:
    folder = tmp_path / "leak"
    folder.mkdir()
    (folder / "letter.txt").write_text(LETTER, encoding="utf-8")
    (folder / "note.html").write_text(HOSTILE, encoding="utf-8")
    (folder / "copy-of-letter.txt").write_text(LETTER, encoding="utf-8")
    (folder / "blob.bin").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(200))
    return folder


def test_ingest_transfers_findings_report(case: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "inv.db")
    code, output = run("ingest", str(case), "--db", db, "--no-progress")
    assert code == 0, output
    assert "unsupported" in output and "blob.bin" in output

    code, output = run("transfers", "--db", db, "--format", "jsonl")
    assert code == 0, output
    transfers = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    pairs = {(t["supplier"], t["recipient"], t["status"]) for t in transfers}
    assert ("BY", "AZ", "delivered") in pairs
    assert ("BY", "AZ", "service") in pairs
    assert any(t["system"] == "groza-s" for t in transfers)
    assert any(t["system"] == "polonez" for t in transfers)
    letters = [t for t in transfers if t["system"] == "groza-s"]
    # the same content under two paths is one document: its transfers are not doubled
    assert len(letters) == 1

    code, output = run("findings", "--db", db, "--format", "jsonl")
    assert code == 0, output
    findings = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    by_rule = {f["rule"]: f for f in findings}
    # the alliance contradiction, and the delivery into the OSCE's (voluntary) embargo on the parties
    assert sorted(f["rule"] for f in findings) == ["ally-arms-adversary/1", "embargo-breach/1"]
    assert by_rule["embargo-breach/1"]["recipient"] == "AZ"
    assert by_rule["embargo-breach/1"]["severity"] in ("low", "medium")
    finding = by_rule["ally-arms-adversary/1"]
    assert finding["rule"] == "ally-arms-adversary/1"
    assert (finding["supplier"], finding["recipient"], finding["third_party"]) == ("BY", "AZ", "AM")
    assert finding["alliance"] == "csto" and finding["conflict"] == "armenia-azerbaijan"
    assert set(finding["transfers"]) <= {t["id"] for t in transfers}
    assert finding["facts"] and "Collective Security Treaty Organization" in finding["explanation"]

    report = tmp_path / "report.html"
    code, output = run("report", "--db", db, "--out", str(report))
    assert code == 0, output
    html = report.read_text(encoding="utf-8")
    assert "ally-arms-adversary/1" in html and "<mark>" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?://", html)

    # ingesting again changes nothing
    code, _ = run("ingest", str(case), "--db", db, "--no-progress")
    assert code == 0
    code, again = run("transfers", "--db", db, "--format", "jsonl")
    assert sorted(json.loads(line)["id"] for line in again.splitlines() if line.startswith("{")) == sorted(
        t["id"] for t in transfers
    )


def test_findings_filters(case: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "inv.db")
    assert run("ingest", str(case), "--db", db, "--no-progress")[0] == 0
    code, output = run("findings", "--db", db, "--format", "jsonl", "--supplier", "RU")
    assert code == 0 and not [line for line in output.splitlines() if line.startswith("{")]
    code, output = run(
        "findings", "--db", db, "--format", "jsonl", "--rule", "ally-arms-adversary/1", "--since", "2019"
    )
    assert code == 0 and len([line for line in output.splitlines() if line.startswith("{")]) == 1


def test_transfers_csv(case: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "inv.db")
    assert run("ingest", str(case), "--db", db, "--no-progress")[0] == 0
    code, output = run("transfers", "--db", db, "--format", "csv")
    assert code == 0
    header = output.splitlines()[0]
    assert header.startswith("id,supplier,supplier_name,recipient")


@pytest.mark.skipif(not SEED.exists(), reason="the seed report in ../shared/examples is not present")
def test_extract_seed_jsonl_is_stateless(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = run("extract", str(SEED), "--format", "jsonl")
    assert code == 0, output
    rows = [json.loads(line) for line in output.splitlines()]
    assert rows and {(r["supplier"], r["recipient"]) for r in rows} == {("BY", "AZ")}
    text = SEED.read_text(encoding="utf-8")
    for r in rows:
        for ev in r["evidence"]:
            assert text[ev["start"] : ev["end"]] == ev["quote"]
    assert not list(tmp_path.iterdir())  # no database written


@pytest.mark.parametrize(
    "args",
    [
        ("ingest", "/no/such/folder"),
        ("extract", "/no/such/file.txt"),
        ("findings", "--rule", "no-such-rule/1"),
        ("eval", "/no/such/gold.jsonl"),
        ("kb", "show", "no-such-alliance"),
    ],
)
def test_user_errors_are_sentences(args: tuple[str, ...], tmp_path: Path) -> None:
    code, output = run(*args, *(["--db", str(tmp_path / "x.db")] if args[0] == "findings" else []))
    assert code == 2, output
    assert "Traceback" not in output
    assert "error" in output.lower()


def test_not_a_database(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    code, output = run("transfers", "--db", str(bad))
    assert code == 2 and "Traceback" not in output and "bad.db" in output


def test_bad_gold_file(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "x", "text": "Belarus sold arms.", "transfers": [{"supplier": "BY"}]}\n')
    code, output = run("eval", str(gold))
    assert code == 2 and "Traceback" not in output and "gold.jsonl" in output


def test_kb_commands() -> None:
    code, output = run("kb", "check")
    assert code == 0 and "OK" in output
    code, output = run("kb", "show", "csto")
    assert code == 0 and "Armenia" in output and "1994" in output
    code, output = run("kb", "export", "--format", "json")
    data = json.loads(output)
    assert code == 0 and "csto" in data["alliances"] and "AM" in data["states"]


def test_every_command_is_documented_in_the_readme() -> None:
    """Like datasette's test_docs: a command nobody can find in the README does not exist."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    def commands(*group: str) -> list[str]:
        code, output = run(*group, "--help")
        assert code == 0
        return re.findall(r"│ (\w[\w-]*)\s{2,}", output.split("Commands")[-1])

    top = commands()
    assert {"extract", "ingest", "transfers", "findings", "report", "eval", "kb", "import"} <= set(top)
    for command in top:
        subs = commands(command) if command in ("kb", "import") else []
        for sub in subs:
            assert f"armstrace {command} {sub}" in readme, f"'{command} {sub}' is not in the README"
        if not subs:
            assert f"armstrace {command}" in readme, f"'{command}' is not in the README"


def test_extract_reads_inside_archives(tmp_path: Path) -> None:
    import zipfile

    leak = tmp_path / "leak.zip"
    with zipfile.ZipFile(leak, "w") as zf:
        zf.writestr(
            "letters/a.txt", "Belarus delivered Groza-S counter-drone stations to Azerbaijan in 2021.\n"
        )
    code, output = run("extract", str(leak), "--format", "jsonl")
    assert code == 0, output
    rows = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert [(r["supplier"], r["recipient"], r["system"]) for r in rows] == [("BY", "AZ", "groza-s")]
    assert rows[0]["evidence"][0]["path"].endswith("leak.zip/letters/a.txt")
