"""The custody manifest: `armstrace manifest --format csv|json`, one row per ingested path."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from armstrace.ingest import ingest_paths
from armstrace.present.cli import app
from armstrace.present.cli_ingest import MANIFEST_FIELDS
from armstrace.store import Store, make_engine, resolve_db
from armstrace.store.migrations import MIGRATIONS, migrate
from runner_plugins import bundle

LETTER = "Письмо о поставке станций «Гроза-С» в Азербайджан, 2018 год."


@pytest.fixture(autouse=True)
def plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARMSTRACE_PLUGINS", "runner_plugins")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _case(tmp_path: Path) -> tuple[Path, Path]:
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "letter.txt").write_text(LETTER, encoding="utf-8")
    (leak / "crash.bin").write_bytes(b"SEGV")
    (leak / "mail.bundle").write_text(bundle({"attachment.txt": "Bill of sale, 2019."}), encoding="utf-8")
    db = tmp_path / "case.db"
    with Store(resolve_db(str(db))) as store:
        ingest_paths([leak], store, progress=False, workers=2)
    return leak, db


def _manifest(db: Path, fmt: str) -> str:
    result = CliRunner().invoke(app, ["manifest", "--db", str(db), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_manifest_json_has_one_row_per_path_with_its_custody(tmp_path: Path) -> None:
    leak, db = _case(tmp_path)
    rows = json.loads(_manifest(db, "json"))
    assert [list(row) for row in rows] == [list(MANIFEST_FIELDS)] * 4
    by_name = {Path(row["path"]).name: row for row in rows}
    assert sorted(by_name) == ["attachment.txt", "crash.bin", "letter.txt", "mail.bundle"]

    letter = by_name["letter.txt"]
    data = (leak / "letter.txt").read_bytes()
    assert letter["path"] == str(leak / "letter.txt")
    assert letter["chain"] == [str(leak / "letter.txt")]
    assert (letter["sha256"], letter["size"]) == (_sha(data), len(data))
    assert (letter["media_type"], letter["status"], letter["reason"]) == ("text/plain", "ok", "")
    assert letter["parent"] is None
    assert letter["first_ingested_at"] == letter["last_ingested_at"]
    assert letter["first_ingested_at"].startswith("20")

    attachment = by_name["attachment.txt"]
    assert attachment["chain"] == [str(leak / "mail.bundle"), "attachment.txt"]
    assert attachment["path"] == str(leak / "mail.bundle" / "attachment.txt")
    assert (
        attachment["parent"] == by_name["mail.bundle"]["sha256"] == _sha((leak / "mail.bundle").read_bytes())
    )
    assert attachment["sha256"] == _sha(b"Bill of sale, 2019.")

    crash = by_name["crash.bin"]
    assert (crash["status"], crash["sha256"], crash["media_type"]) == ("failed", _sha(b"SEGV"), None)
    assert "crashed (signal SIGSEGV)" in crash["reason"]


def test_manifest_csv_has_the_same_rows_with_the_chain_as_json(tmp_path: Path) -> None:
    _, db = _case(tmp_path)
    as_json = json.loads(_manifest(db, "json"))
    reader = csv.DictReader(io.StringIO(_manifest(db, "csv")))
    assert tuple(reader.fieldnames or ()) == MANIFEST_FIELDS
    rows = list(reader)
    assert len(rows) == len(as_json)
    for row, expected in zip(rows, as_json, strict=True):
        assert json.loads(row["chain"]) == expected["chain"]
        assert int(row["size"]) == expected["size"]
        for key in ("path", "sha256", "media_type", "status", "reason", "parent", "first_ingested_at"):
            assert row[key] == (expected[key] or ""), key


def test_first_ingest_time_is_kept_and_the_last_one_moves_when_a_file_changes(tmp_path: Path) -> None:
    leak, db = _case(tmp_path)
    before = {row["path"]: row for row in json.loads(_manifest(db, "json"))}
    (leak / "letter.txt").write_text(LETTER + "\nПриложение: спецификация.", encoding="utf-8")
    with Store(resolve_db(str(db))) as store:
        ingest_paths([leak], store, progress=False)
    after = {row["path"]: row for row in json.loads(_manifest(db, "json"))}
    letter = str(leak / "letter.txt")
    assert after[letter]["first_ingested_at"] == before[letter]["first_ingested_at"]
    assert after[letter]["last_ingested_at"] > before[letter]["last_ingested_at"]
    assert after[letter]["sha256"] != before[letter]["sha256"]
    crash = str(leak / "crash.bin")
    assert after[crash] == before[crash]  # unchanged and not retried: untouched


def test_a_database_from_before_custody_is_upgraded_with_its_files_kept(tmp_path: Path) -> None:
    url = resolve_db(str(tmp_path / "old.db"))
    engine = make_engine(url)
    with engine.begin() as conn:
        migrate(conn, MIGRATIONS[:2])
        conn.execute(
            text(
                "INSERT INTO files (path, sha256, size, status, reason, updated_at) "
                "VALUES ('leak/a.pdf', :sha, 10, 'ok', '', '2024-06-01T10:00:00')"
            ),
            {"sha": "a" * 64},
        )
    engine.dispose()
    rows = json.loads(_manifest(tmp_path / "old.db", "json"))
    assert rows == [
        {
            "path": "leak/a.pdf",
            "chain": ["leak/a.pdf"],
            "sha256": "a" * 64,
            "size": 10,
            "media_type": None,
            "status": "ok",
            "reason": "",
            "first_ingested_at": "2024-06-01T10:00:00",
            "last_ingested_at": "2024-06-01T10:00:00",
            "parent": None,
        }
    ]
    with sqlite3.connect(tmp_path / "old.db") as conn:
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] >= 3
    conn.close()


def test_manifest_of_a_missing_database_folder_is_a_sentence(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["manifest", "--db", str(tmp_path / "nowhere" / "x.db")])
    assert result.exit_code == 2
    assert "nowhere" in result.output and "Traceback" not in result.output
