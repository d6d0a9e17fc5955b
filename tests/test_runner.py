"""The ingest runner: worker processes under time and memory limits, files inside files, custody.

The hostile parsers are real: they hang with SIGALRM blocked, spin, SIGSEGV
themselves, `os._exit`, and allocate until RLIMIT_AS stops them
(`runner_plugins.py`, loaded in the workers through `$ARMSTRACE_PLUGINS`).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from armstrace.ingest import FileOutcome, ingest_paths
from armstrace.records import Document
from armstrace.store import Store, resolve_db
from runner_plugins import bundle

GOOD = {
    "good-1.txt": "Belarus delivered Groza-S counter-drone stations to Azerbaijan in 2019.",
    "good-2.txt": "Письмо о поставке станций «Гроза-С» в Азербайджан, 2018 год.",
    "sub/good-3.md": "# Note\n\nArtillery modernisation for Azerbaijan in 2020.\n",
}
BAD = {
    "hang.bin": b"HANG",
    "spin.bin": b"SPIN",
    "segv.bin": b"SEGV",
    "exit.bin": b"EXIT",
    "hog.bin": b"HOG:",
}
MB = 2**20


@pytest.fixture(autouse=True)
def plugins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Load the test formats in the workers, and log every parse to a file."""
    log = tmp_path / "parsed.log"
    monkeypatch.setenv("ARMSTRACE_PLUGINS", "runner_plugins")
    monkeypatch.setenv("ARMSTRACE_TEST_LOG", str(log))
    return log


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(resolve_db(str(tmp_path / "case.db"))) as opened:
        yield opened


def _parsed(log: Path) -> list[str]:
    """The files the workers parsed with a test format, by name, in order."""
    if not log.exists():
        return []
    return [Path(line.split(" ", 2)[2]).name for line in log.read_text().splitlines()]


def _leak(root: Path) -> Path:
    leak = root / "leak"
    for name, text in GOOD.items():
        (leak / name).parent.mkdir(parents=True, exist_ok=True)
        (leak / name).write_text(text, encoding="utf-8")
    for name, data in BAD.items():
        (leak / name).write_bytes(data)
    return leak


def _by_name(outcomes: list[FileOutcome]) -> dict[str, FileOutcome]:
    return {Path(o.path).name: o for o in outcomes}


def _snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row that says what was ingested, without the times it happened."""
    queries = {
        "documents": "SELECT sha256, media_type, language, title, metadata, n_pages, size FROM documents",
        "pages": "SELECT doc, number, text FROM pages",
        "paths": "SELECT doc, path FROM paths",
        "files": "SELECT path, sha256, size, status, reason, mtime_ns, media_type, pages, chain, parent "
        "FROM files",
        "transfers": "SELECT id, doc, data FROM transfers",
    }
    with sqlite3.connect(db) as conn:
        snapshot = {table: sorted(conn.execute(sql).fetchall()) for table, sql in queries.items()}
    conn.close()
    return snapshot


def _hostile_run(leak: Path, store: Store, **options: object) -> list[FileOutcome]:
    settings: dict[str, object] = {"progress": False, "timeout": 1.0, "memory_limit": 1024 * MB, "workers": 2}
    settings.update(options)
    return ingest_paths([leak], store, **settings)  # type: ignore[arg-type]


def test_hanging_crashing_and_greedy_parsers_cost_only_their_own_file(
    tmp_path: Path, store: Store, plugins: Path
) -> None:
    leak = _leak(tmp_path)
    started = time.monotonic()
    outcomes = _hostile_run(leak, store)
    elapsed = time.monotonic() - started

    found = _by_name(outcomes)
    assert {name: o.status for name, o in found.items()} == {
        "good-1.txt": "ok",
        "good-2.txt": "ok",
        "good-3.md": "ok",
        "hang.bin": "timeout",
        "spin.bin": "timeout",
        "segv.bin": "failed",
        "exit.bin": "failed",
        "hog.bin": "too-large",
    }
    assert found["hang.bin"].reason == "reading it as hang took longer than 1 seconds"
    assert found["spin.bin"].reason == "reading it as spin took longer than 1 seconds"
    assert "the segv reader crashed (signal SIGSEGV)" in found["segv.bin"].reason
    assert "the exit reader crashed (exit status 3)" in found["exit.bin"].reason
    assert "more memory than a worker may use (1024 MB, --memory-limit)" in found["hog.bin"].reason
    for name, data in BAD.items():  # a bad file still has its custody recorded
        assert found[name].sha256 == hashlib.sha256(data).hexdigest()
        assert found[name].size == len(data)

    assert store.count_documents() == 3
    for name, text in GOOD.items():
        outcome = found[Path(name).name]
        assert outcome.new and outcome.sha256
        doc = store.document(outcome.sha256)
        assert doc is not None and doc.pages == [text] and doc.paths == [str(leak / name)]
    assert [Path(o.path).relative_to(leak).as_posix() for o in outcomes] == sorted(
        [*GOOD, *BAD], key=lambda n: (n.count("/"), n)
    )
    # the hang is killed at timeout + grace (2 s), not waited for; two workers share the rest
    assert elapsed < 12, elapsed
    assert sorted(_parsed(plugins)) == sorted(BAD)


def test_ingesting_again_reads_nothing_and_changes_nothing(
    tmp_path: Path, store: Store, plugins: Path
) -> None:
    leak = _leak(tmp_path)
    first = _hostile_run(leak, store)
    before = _snapshot(tmp_path / "case.db")
    plugins.unlink()

    seen: list[Document] = []
    again = _hostile_run(leak, store, on_document=seen.append)

    assert _snapshot(tmp_path / "case.db") == before
    assert _parsed(plugins) == [] and seen == []
    assert all(o.skipped and not o.new for o in again)
    assert [(o.path, o.status, o.reason, o.sha256) for o in again] == [
        (o.path, o.status, o.reason, o.sha256) for o in first
    ]


def test_retry_failed_reads_only_the_files_that_did_not_go_well(
    tmp_path: Path, store: Store, plugins: Path
) -> None:
    leak = _leak(tmp_path)
    _hostile_run(leak, store)
    plugins.unlink()
    (leak / "new.txt").write_text("A file added since the last run.")

    outcomes = _hostile_run(leak, store, retry_failed=True)
    found = _by_name(outcomes)
    assert sorted(_parsed(plugins)) == sorted(BAD)  # only the bad ones went to a parser again
    assert {name for name, o in found.items() if not o.skipped} == {*BAD, "new.txt"}
    assert found["new.txt"].status == "ok" and found["new.txt"].new
    assert found["segv.bin"].status == "failed"

    # without --retry-failed, a bad file with unchanged content is not read again
    plugins.unlink()
    outcomes = _hostile_run(leak, store)
    assert _parsed(plugins) == []
    assert _by_name(outcomes)["hang.bin"].status == "timeout"


def test_a_file_that_is_fixed_is_read_again_without_retry(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "report.bin"
    path.write_bytes(b"SEGV")
    (first,) = _hostile_run(path, store)
    path.write_bytes(b"SLOW:the fixed report")
    (second,) = _hostile_run(path, store)
    assert (first.status, second.status, second.skipped) == ("failed", "ok", False)
    assert [r.status for r in store.files()] == ["ok"]


def test_originals_are_never_modified(tmp_path: Path, store: Store) -> None:
    leak = _leak(tmp_path)
    (leak / "box.bundle").write_text(bundle({"a.txt": "inside", "b.txt": "also inside"}))
    before = {
        p: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode) for p in leak.rglob("*") if p.is_file()
    }
    for p in before:
        p.chmod(0o444)  # a read-only original can be read: nothing asks to write to it
    _hostile_run(leak, store)
    for p, (data, mtime, mode) in before.items():
        p.chmod(mode)
        assert (p.read_bytes(), p.stat().st_mtime_ns) == (data, mtime), p
    assert {p.name for p in leak.rglob("*")} == {p.name for p in before} | {"sub"}  # nothing new beside them


def test_files_inside_files_are_documents_with_their_chain_and_parent(tmp_path: Path, store: Store) -> None:
    leak = tmp_path / "leak"
    leak.mkdir()
    letter = "Письмо № 12 о поставке станций «Гроза-С»."
    (leak / "leak.bundle").write_text(
        bundle(
            {
                "letters/12.txt": letter,
                "mail.bundle": bundle({"attachment.txt": "Bill of sale, 2019.", "copy-of-12.txt": letter}),
            }
        )
    )
    outcomes = _hostile_run(leak, store)
    by_path = {Path(o.path).relative_to(leak).as_posix(): o for o in outcomes}
    assert list(by_path) == [
        "leak.bundle",
        "leak.bundle/letters/12.txt",
        "leak.bundle/mail.bundle",
        "leak.bundle/mail.bundle/attachment.txt",
        "leak.bundle/mail.bundle/copy-of-12.txt",
    ]
    assert all(o.status == "ok" for o in outcomes)
    top, letter_outcome, mail, attachment, copy = by_path.values()
    assert letter_outcome.chain == (str(leak / "leak.bundle"), "letters/12.txt")
    assert attachment.chain == (str(leak / "leak.bundle"), "mail.bundle", "attachment.txt")
    assert (letter_outcome.parent, mail.parent, attachment.parent) == (top.sha256, top.sha256, mail.sha256)

    assert attachment.sha256 is not None and letter_outcome.sha256 is not None
    stored = store.document(attachment.sha256)
    assert stored is not None and stored.metadata["parent"] == mail.sha256
    assert stored.paths == [str(leak / "leak.bundle" / "mail.bundle" / "attachment.txt")]
    # the same letter inside the archive and attached to the mail: one document, two paths
    assert copy.sha256 == letter_outcome.sha256 and not copy.new
    same = store.document(letter_outcome.sha256)
    assert same is not None and len(same.paths) == 2
    assert store.count_documents() == 4

    records = {Path(r.path).name: r for r in store.files()}
    assert records["attachment.txt"].chain == attachment.chain
    assert records["attachment.txt"].parent == mail.sha256
    assert records["attachment.txt"].mtime_ns is None  # not a file on disk
    assert records["leak.bundle"].mtime_ns == (leak / "leak.bundle").stat().st_mtime_ns


def test_nesting_is_limited_and_deeper_files_are_too_large(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "russian-doll.bundle"
    inner: str = "the innermost text"
    for level in range(4, 0, -1):
        inner = bundle({f"level-{level}": inner})
    path.write_text(inner)
    outcomes = _hostile_run(path, store, max_depth=2)
    assert [(len(o.chain) - 1, o.status) for o in outcomes] == [
        (0, "ok"),
        (1, "ok"),
        (2, "ok"),
        (3, "too-large"),
    ]
    assert outcomes[-1].reason == "nested too deep: more than 2 levels of files inside files"
    assert outcomes[-1].sha256 is not None  # its hash is known though its content was not read
    assert store.count_documents() == 3


def test_files_inside_one_file_are_limited_in_number(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "many.bundle"
    path.write_text(bundle({f"note-{n:02}.txt": f"note number {n}" for n in range(10)}))
    outcomes = _hostile_run(path, store, max_children=4)
    assert len(outcomes) == 5
    assert outcomes[0].status == "partial"
    assert (
        "6 file(s) inside it were not read: over the limit of 4 files inside one file" in outcomes[0].reason
    )
    assert [Path(o.path).name for o in outcomes[1:]] == [f"note-{n:02}.txt" for n in range(4)]


def test_a_crash_inside_an_archive_costs_only_that_member(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "mixed.bundle"
    path.write_text(bundle({"a.txt": "first", "boom.bin": "SEGV", "z.txt": "last"}))
    outcomes = _hostile_run(path, store)
    assert [(Path(o.path).name, o.status) for o in outcomes] == [
        ("mixed.bundle", "ok"),
        ("a.txt", "ok"),
        ("boom.bin", "failed"),
        ("z.txt", "ok"),
    ]
    # --retry-failed reads the archive again to reach the member, and only that member is re-read
    again = _hostile_run(path, store, retry_failed=True)
    assert [(Path(o.path).name, o.skipped) for o in again] == [
        ("mixed.bundle", False),
        ("a.txt", True),
        ("boom.bin", False),
        ("z.txt", True),
    ]


def test_one_worker_still_isolates_each_file(tmp_path: Path, store: Store, plugins: Path) -> None:
    leak = _leak(tmp_path)
    outcomes = _hostile_run(leak, store, workers=1)
    assert _by_name(outcomes)["segv.bin"].status == "failed"
    assert sum(o.ok for o in outcomes) == 3
    pids = {line.split(" ", 1)[0] for line in plugins.read_text().splitlines()}
    assert str(os.getpid()) not in pids  # nothing was parsed in this process


def test_workers_that_cannot_start_are_a_sentence_not_a_hang(tmp_path: Path, store: Store) -> None:
    from armstrace.errors import IngestError

    (tmp_path / "a.txt").write_text("text")
    with pytest.raises(IngestError, match=r"cannot start its worker processes.*--memory-limit"):
        ingest_paths([tmp_path / "a.txt"], store, progress=False, memory_limit=8 * MB)


def test_page_level_ocr_gets_the_cores_the_other_workers_leave(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARMSTRACE_OCR_WORKERS", raising=False)
    cores = len(os.sched_getaffinity(0))
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "scan.bin").write_bytes(b"OCR? lone")
    (outcome,) = ingest_paths([lone], store, progress=False, workers=cores)
    assert outcome.sha256 is not None
    doc = store.document(outcome.sha256)
    assert doc is not None and doc.pages == [str(cores)]  # alone: every core

    many = tmp_path / "many"
    many.mkdir()
    for n in range(4 * cores):
        (many / f"scan-{n:03}.bin").write_bytes(f"OCR? {n}".encode())
    outcomes = ingest_paths([many], store, progress=False, workers=cores)
    shares = []
    for o in outcomes:
        assert o.sha256 is not None
        stored = store.document(o.sha256)
        assert stored is not None
        shares.append(int(stored.pages[0]))
    assert shares[0] == 1  # with every worker busy on its own file, one core each: no oversubscription
    assert max(shares) <= cores

    monkeypatch.setenv("ARMSTRACE_OCR_WORKERS", "1")  # the user's setting is a ceiling
    (lone / "other.bin").write_bytes(b"OCR? capped")
    capped = {Path(o.path).name: o for o in ingest_paths([lone], store, progress=False)}["other.bin"]
    assert capped.sha256 is not None
    stored = store.document(capped.sha256)
    assert stored is not None and stored.pages == ["1"]
