"""The investigation database, on real SQLite files."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, inspect, text

from armstrace.errors import UserError
from armstrace.records import Actor, DocumentSpan, FactRef, Finding, Item, RegisterRow, Transfer
from armstrace.records import Document as Doc
from armstrace.store import FILE_STATUSES, Store, StoreError, make_engine, resolve_db, schema
from armstrace.store.migrations import LATEST, MIGRATIONS, Migration, current_version, migrate


def _url(tmp_path: Path, name: str = "case.db") -> str:
    return resolve_db(str(tmp_path / name))


def _rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        count: int = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    conn.close()
    return count


def _doc(text: str = "Письмо о поставке", path: str = "leak/a.txt") -> Doc:
    return Doc(
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        media_type="text/plain",
        pages=[text, "вторая страница"],
        paths=[path],
        language="ru",
        title="Письмо",
        metadata={"encoding": "cp1251"},
    )


# -- resolve_db -----------------------------------------------------------


def test_resolve_db_defaults_to_env_then_local_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARMSTRACE_DB", raising=False)
    assert resolve_db(None) == "sqlite:///armstrace.db"
    monkeypatch.setenv("ARMSTRACE_DB", "/data/leak.db")
    assert resolve_db(None) == "sqlite:////data/leak.db"
    assert resolve_db("cases/x.db") == "sqlite:///cases/x.db"
    assert resolve_db("postgresql://u:p@host/db") == "postgresql://u:p@host/db"


# -- migrations -----------------------------------------------------------


def test_database_at_version_1_is_upgraded_when_opened(tmp_path: Path) -> None:
    url = _url(tmp_path)
    engine = make_engine(url)
    with engine.begin() as conn:
        assert migrate(conn, MIGRATIONS[:1]) == 1
        conn.execute(
            text(
                "INSERT INTO documents (sha256, media_type, metadata, n_pages, size, created_at) "
                "VALUES ('abc', 'text/plain', '{}', 0, 3, '2024-06-01')"
            )
        )
    with engine.connect() as conn:
        assert current_version(conn) == 1
        assert not inspect(conn).has_table("transfers")
    engine.dispose()

    with Store(url) as store:
        assert store.version == LATEST >= 2
        assert store.has_document("abc")  # data written at version 1 survives the upgrade
        assert store.transfers() == []
    assert _rows(tmp_path / "case.db", "schema_version") == LATEST


def test_migrated_schema_matches_the_tables_the_store_queries(tmp_path: Path) -> None:
    url = _url(tmp_path)
    Store(url).close()
    engine = make_engine(url)
    with engine.connect() as conn:
        inspector = inspect(conn)
        for table in schema.metadata.sorted_tables:
            found = {col["name"] for col in inspector.get_columns(table.name)}
            assert found == set(table.columns.keys()), table.name
    engine.dispose()


def test_failed_migration_step_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    url = _url(tmp_path)
    Store(url).close()

    def broken(conn: Connection) -> None:
        conn.execute(text("CREATE TABLE half_made (x INTEGER)"))
        raise RuntimeError("step 3 went wrong")

    engine = make_engine(url)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        migrate(conn, (*MIGRATIONS, Migration(LATEST + 1, "broken", broken)))
    with engine.connect() as conn:
        assert current_version(conn) == LATEST
        assert not inspect(conn).has_table("half_made")
    engine.dispose()


def test_database_from_a_newer_armstrace_is_refused_with_a_sentence(tmp_path: Path) -> None:
    url = _url(tmp_path)
    Store(url).close()
    with sqlite3.connect(tmp_path / "case.db") as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01')")
    conn.close()
    with pytest.raises(StoreError, match=r"case\.db was written by a newer armstrace \(schema version 99"):
        Store(url)


def test_a_file_that_is_not_a_database_is_refused_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("these are my notes, not a database\n" * 50)
    with pytest.raises(StoreError, match=r"notes\.db cannot be opened as an armstrace database") as caught:
        Store(_url(tmp_path, "notes.db"))
    assert isinstance(caught.value, UserError)  # the CLI prints it as a sentence, not a traceback


def test_a_database_in_a_missing_folder_is_refused_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="nowhere"):
        Store(_url(tmp_path, "nowhere/case.db"))


# -- documents and files ----------------------------------------------------


def test_same_document_twice_is_one_document_with_both_paths(tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    with Store(_url(tmp_path)) as store:
        doc = _doc()
        assert store.add_document(doc, size=120) is True
        again = _doc(path="copy/b.txt")
        assert store.add_document(again, size=120) is False
        assert store.add_document(again, size=120) is False
        store.add_path(doc.sha256, "third/c.txt")
        stored = store.document(doc.sha256)
    assert stored is not None
    assert stored.paths == ["leak/a.txt", "copy/b.txt", "third/c.txt"]
    assert stored.pages == doc.pages
    assert (stored.language, stored.title, stored.metadata) == ("ru", "Письмо", {"encoding": "cp1251"})
    assert (_rows(db, "documents"), _rows(db, "pages"), _rows(db, "paths")) == (1, 2, 3)


def test_documents_survive_reopening_and_iterate_in_order(tmp_path: Path) -> None:
    first, second = _doc("первый"), _doc("second", path="b.txt")
    with Store(_url(tmp_path)) as store:
        store.add_document(first, size=1)
        store.add_document(second, size=1)
    with Store(_url(tmp_path)) as store:
        assert [d.sha256 for d in store.documents()] == [first.sha256, second.sha256]
        assert store.count_documents() == 2
        assert store.page_count(first.sha256) == 2
        assert store.document("0" * 64) is None
        assert not store.has_document("0" * 64)
        with pytest.raises(ValueError, match="no document"):
            store.add_path("0" * 64, "x.txt")


def test_record_file_keeps_one_row_per_path_with_the_last_outcome(tmp_path: Path) -> None:
    with Store(_url(tmp_path)) as store:
        store.record_file("a.pdf", sha256=None, size=10, status="failed", reason="damaged")
        store.record_file("a.pdf", sha256="f" * 64, size=12, status="ok", reason="")
        store.record_file("b.png", sha256="e" * 64, size=5, status="unsupported", reason="PNG image")
        records = store.files()
        with pytest.raises(ValueError, match="unknown file status"):
            store.record_file("c", sha256=None, size=0, status="fine", reason="")
    assert [(r.path, r.status, r.sha256) for r in records] == [
        ("a.pdf", "ok", "f" * 64),
        ("b.png", "unsupported", "e" * 64),
    ]
    assert set(FILE_STATUSES) >= {r.status for r in records}


# -- transfers, reviews, findings ---------------------------------------------


def _transfers(doc: str) -> list[Transfer]:
    belarus = Actor("BY", "Belarus")
    agency = Actor("by-export-agency", "State Authority for Military Industry", "organisation", "BY")
    azerbaijan = Actor("AZ", "Azerbaijan")
    militia = Actor("some-militia", "A militia", "non-state", None)
    span = DocumentSpan(doc=doc, path="leak/a.pdf", page=2, start=10, end=30, quote="станции Гроза-С")
    return [
        Transfer(
            supplier=agency,
            recipient=azerbaijan,
            item=Item("Groza-S counter-drone mobile stations", "groza-s", "other"),
            status="ordered",
            years=(2018, 2022),
            quantity=3,
            value=1.5e6,
            confidence=0.8123456,
            evidence=[span, FactRef("fact-1", "sipri", "a fact")],
            years_estimated=True,
        ),
        Transfer(
            supplier=belarus,
            recipient=militia,
            item=Item("artillery targeting equipment", None, "sensors"),
            status="delivered",
            evidence=[DocumentSpan(doc=doc, path="leak/a.pdf", page=1, start=0, end=5, quote="Текст")],
        ),
    ]


def test_transfers_round_trip_with_actors_items_and_evidence(tmp_path: Path) -> None:
    stored = _transfers("d" * 64)
    with Store(_url(tmp_path)) as store:
        store.replace_transfers("d" * 64, stored)
        back = store.transfers()
    assert back == stored
    assert back[0].supplier.kind == "organisation" and back[0].supplier.state == "BY"
    assert back[0].confidence == 0.8123456
    assert back[1].recipient.kind == "non-state"


def test_replace_transfers_is_idempotent_and_scoped_to_its_document(tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    register = Transfer(
        supplier=Actor("RU", "Russia"),
        recipient=Actor("AM", "Armenia"),
        item=Item("Iskander", "iskander", "missiles"),
        status="delivered",
        years=(2016, 2016),
        source="register",
        evidence=[RegisterRow("sipri-trade-register", "12345", "4 Iskander-E")],
    )
    with Store(_url(tmp_path)) as store:
        store.replace_transfers("d" * 64, _transfers("d" * 64))
        store.replace_transfers("d" * 64, _transfers("d" * 64))
        store.replace_transfers("e" * 64, _transfers("e" * 64)[:1])
        store.replace_transfers(None, [register], source="register")
        store.replace_transfers(None, [register], source="register")
        assert _rows(db, "transfers") == 4
        store.replace_transfers("d" * 64, _transfers("d" * 64)[1:])  # re-extraction found less
        ids = {t.id for t in store.transfers()}
    assert _rows(db, "transfers") == 3
    assert ids == {_transfers("d" * 64)[1].id, _transfers("e" * 64)[0].id, register.id}


def test_the_same_transfer_twice_in_one_batch_is_stored_once_with_all_evidence(tmp_path: Path) -> None:
    first = _transfers("d" * 64)[1]
    twin = Transfer(
        supplier=first.supplier,
        recipient=first.recipient,
        item=first.item,
        status=first.status,
        evidence=[*first.evidence, DocumentSpan("d" * 64, "leak/a.pdf", 3, 1, 4, "abc")],
    )
    assert twin.id == first.id
    with Store(_url(tmp_path)) as store:
        store.replace_transfers("d" * 64, [first, twin])
        (back,) = store.transfers()
    assert len(back.evidence) == 2
    assert len(first.evidence) == 1  # the caller's object is not changed


def test_reviews_are_kept_in_order_and_checked(tmp_path: Path) -> None:
    with Store(_url(tmp_path)) as store:
        store.add_review("t1", "confirmed", "matches the bill of sale")
        store.add_review("t1", "rejected", "a later denial")
        store.add_review("t2", "confirmed")
        with pytest.raises(ValueError, match="unknown verdict"):
            store.add_review("t1", "maybe")
        assert [r.verdict for r in store.reviews("t1")] == ["confirmed", "rejected"]
        assert len(store.reviews()) == 3


def _findings() -> list[Finding]:
    return [
        Finding(
            rule="ally-arms-adversary/1",
            severity="high",
            supplier="BY",
            recipient="AZ",
            explanation="Belarus, Armenia's CSTO ally, supplied Azerbaijan.",
            transfers=["t1", "t2"],
            facts=[
                FactRef("csto-am-member", "csto-charter", "Armenia is a member"),
                FactRef("am-az-war", "ucdp"),
            ],
            years=(2018, 2022),
            third_party="AM",
            alliance="csto",
            conflict="armenia-azerbaijan",
        ),
        Finding(
            rule="both-sides/1",
            severity="medium",
            supplier="RU",
            recipient="AZ",
            explanation="Russia armed both sides.",
            transfers=["t3"],
            facts=[],
        ),
    ]


def test_findings_round_trip_and_a_new_run_replaces_the_old(tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    with Store(_url(tmp_path)) as store:
        store.replace_findings(_findings())
        assert store.findings() == _findings()
        store.replace_findings(_findings())
        assert _rows(db, "findings") == 2
        store.replace_findings(_findings()[1:])
        assert [f.rule for f in store.findings()] == ["both-sides/1"]


@pytest.mark.parametrize("opener", [Store, lambda url: Store(url).__enter__()])
def test_store_can_be_used_directly_or_as_context_manager(
    tmp_path: Path, opener: Callable[[str], Store]
) -> None:
    store = opener(_url(tmp_path))
    try:
        assert store.add_document(_doc(), size=3)
    finally:
        store.close()
    assert _rows(tmp_path / "case.db", "documents") == 1
