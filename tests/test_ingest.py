"""Ingest: real files built in tmp_path, real PDFs from PyMuPDF, a real SQLite store."""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymupdf as _pymupdf
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from armstrace.ingest import (
    FileOutcome,
    guess_language,
    ingest_paths,
    iter_files,
    read_file,
    status_counts,
    summary_table,
)
from armstrace.ingest.formats import FormatError, Parsed, detect, formats, register, unregister
from armstrace.ingest.formats.text import TextFormat
from armstrace.records import Document
from armstrace.store import Store, resolve_db

pymupdf: Any = _pymupdf  # PyMuPDF's annotations are partial

RUSSIAN = "Письмо о поставке станций «Гроза-С» в Азербайджан, 2018 год.\nПодпись: директор."
ENGLISH = "Bill of sale: artillery targeting equipment for Azerbaijan, 2019."


def _pdf(pages: list[str], **metadata: str) -> bytes:
    doc = pymupdf.open()
    for text in pages:
        doc.new_page().insert_text((72, 72), text)
    if metadata:
        doc.set_metadata(metadata)
    data: bytes = doc.tobytes()
    doc.close()
    return data


def _encrypted_pdf() -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret contract")
    data: bytes = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="x", owner_pw="y")
    doc.close()
    return data


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256))


def _read(path: Path) -> tuple[Document, FileOutcome]:
    doc, outcome = read_file(path)
    assert doc is not None, outcome.reason
    return doc, outcome


def _rows(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("documents", "pages", "paths", "files", "transfers")
        }
    conn.close()
    return counts


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(resolve_db(str(tmp_path / "case.db"))) as opened:
        yield opened


# -- plain text ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (RUSSIAN.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + RUSSIAN.encode("utf-8"), "utf-8"),
        (RUSSIAN.encode("utf-16"), "utf-16-le"),
        (RUSSIAN.encode("cp1251"), "cp1251"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "cp1251"],
)
def test_russian_text_decodes_from_every_common_encoding(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "letter.txt"
    path.write_bytes(data)
    doc, outcome = _read(path)
    assert doc.pages == [RUSSIAN]
    assert doc.metadata["encoding"] == encoding
    assert doc.language == "ru"
    assert (outcome.status, outcome.pages, doc.media_type) == ("ok", 1, "text/plain")


def test_western_legacy_text_falls_back_to_latin_1(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes("Café in Zürich: déjà vu, 2020.".encode("latin-1"))
    doc, _ = _read(path)
    assert doc.pages == ["Café in Zürich: déjà vu, 2020."]
    assert (doc.metadata["encoding"], doc.language) == ("latin-1", "en")


def test_crlf_becomes_lf_and_form_feeds_split_pages(tmp_path: Path) -> None:
    path = tmp_path / "printout.txt"
    path.write_bytes(b"page one\r\nline two\r\fpage two\fpage three\f")
    doc, outcome = _read(path)
    assert doc.pages == ["page one\nline two\n", "page two", "page three"]
    assert outcome.pages == 3


def test_text_with_nul_bytes_is_not_text() -> None:
    with pytest.raises(FormatError, match="NUL") as caught:
        TextFormat().read(b"abc\x00def", Path("x.txt"))
    assert caught.value.status == "unsupported"


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00\f\r\ufeff")))
def test_any_utf8_text_without_form_feeds_comes_back_unchanged(text: str) -> None:
    parsed = TextFormat().read(text.encode("utf-8"), Path("x.txt"))
    assert parsed.pages == [text]


def test_language_guess_is_by_share_of_cyrillic_letters() -> None:
    assert guess_language([RUSSIAN]) == "ru"
    assert guess_language([ENGLISH]) == "en"
    assert guess_language(["Поставка " + "Groza-S"]) == "ru"
    assert guess_language(["12345 --- 2018"]) is None


# -- markdown and HTML -----------------------------------------------------------


def test_markdown_is_kept_as_written_with_its_heading_as_title(tmp_path: Path) -> None:
    source = "# Notes on the Groza-S deal\n\n*Belarus* sold **three** stations.\r\n"
    path = tmp_path / "notes.md"
    path.write_text(source, encoding="utf-8", newline="")
    doc, _ = _read(path)
    assert doc.pages == [source.replace("\r\n", "\n")]
    assert (doc.media_type, doc.title) == ("text/markdown", "Notes on the Groza-S deal")


def test_markdown_extension_does_not_make_binary_content_text(tmp_path: Path) -> None:
    path = tmp_path / "picture.md"
    path.write_bytes(_png())
    doc, outcome = read_file(path)
    assert doc is None
    assert outcome.status == "failed"  # read as the (damaged) PNG it is, not as Markdown
    assert "PNG image" in outcome.reason


HTML = """<!DOCTYPE html>
<html lang="en"><head>
  <title>Leaked   note</title>
  <meta name="author" content="Reporter">
  <style>body { color: red; } .secret-style {}</style>
  <script>var trackingCode = 1;</script>
</head>
<body>
  <script>alert(1)</script>
  <noscript>Enable JavaScript</noscript>
  <h1>Export   licence</h1>
  <p>Belarus agreed
     to supply<br>artillery targeting equipment.</p>
  <div>Second block</div><div>Third block</div>
  <!-- a comment that is not text -->
  <table><tr><td>Groza-S</td><td>3 units</td></tr></table>
  <pre>line one
line two</pre>
</body></html>"""


def test_html_keeps_visible_text_only_with_blocks_on_their_own_lines(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    doc, _ = _read(path)
    (text,) = doc.pages
    for hidden in ("alert(1)", "trackingCode", "color: red", "secret-style", "Enable JavaScript", "comment"):
        assert hidden not in text
    assert "Leaked" not in text  # the title is metadata, not body text
    assert (doc.title, doc.metadata["title"], doc.metadata["author"]) == (
        "Leaked note",
        "Leaked note",
        "Reporter",
    )
    assert doc.media_type == "text/html"
    assert text.splitlines() == [
        "Export licence",
        "",
        "Belarus agreed to supply",
        "artillery targeting equipment.",
        "",
        "Second block",
        "Third block",
        "",
        "Groza-S 3 units",
        "",
        "line one",
        "line two",
    ]


def test_html_is_detected_by_content_whatever_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "saved-page.txt"
    path.write_bytes(b"\xef\xbb\xbf  <!-- saved --><html><body><p>Hi</p></body></html>")
    doc, _ = _read(path)
    assert (doc.media_type, doc.pages) == ("text/html", ["Hi"])


def test_html_in_cp1251_declared_by_meta_charset_decodes(tmp_path: Path) -> None:
    source = '<html><head><meta charset="windows-1251"></head><body><p>Поставка станций</p></body></html>'
    path = tmp_path / "news.htm"
    path.write_bytes(source.encode("cp1251"))
    doc, _ = _read(path)
    assert doc.pages == ["Поставка станций"]
    assert doc.language == "ru"


# -- PDF --------------------------------------------------------------------------


def test_pdf_pages_come_out_in_order_with_metadata(tmp_path: Path) -> None:
    path = tmp_path / "contract.pdf"
    path.write_bytes(_pdf(["First page", "Second page", "Third page"], title="Contract 12", author="Agency"))
    doc, outcome = _read(path)
    assert [page.strip() for page in doc.pages] == ["First page", "Second page", "Third page"]
    assert (doc.media_type, doc.title, doc.metadata["author"]) == ("application/pdf", "Contract 12", "Agency")
    assert (outcome.status, outcome.pages, outcome.reason) == ("ok", 3, "")


def test_encrypted_pdf_is_reported_as_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(_encrypted_pdf())
    doc, outcome = read_file(path)
    assert doc is None
    assert outcome.status == "encrypted"
    assert "password" in outcome.reason
    assert outcome.message.startswith(f"{path} was not ingested (encrypted):")


def test_corrupt_pdf_fails_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(_pdf(["A page"])[:40])
    doc, outcome = read_file(path)
    assert doc is None
    assert outcome.status == "failed"
    assert "damaged" in outcome.reason


def test_truncated_pdf_that_can_be_repaired_is_partial(tmp_path: Path) -> None:
    data = _pdf(["Page one text", "Page two text", "Page three text"])
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) - 200])
    doc, outcome = _read(path)
    assert outcome.status == "partial"
    assert "repaired" in outcome.reason
    assert doc.pages[0].strip() == "Page one text"


def test_pdf_without_text_layer_is_partial_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    doc = pymupdf.open()
    doc.new_page()
    path.write_bytes(doc.tobytes())
    doc.close()
    _, outcome = _read(path)
    assert outcome.status == "partial"
    assert "OCR" in outcome.reason


# -- what cannot be read ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"Rar!\x1a\x07\x01\x00" + bytes(32), "RAR archive"),
        (bytes(range(256)) * 4, "binary content of an unknown kind"),
    ],
    ids=["rar", "unknown"],
)
def test_binary_files_are_unsupported_and_named(tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "attachment.bin"
    path.write_bytes(data)
    doc, outcome = read_file(path)
    assert doc is None
    assert outcome.status == "unsupported"
    assert expected in outcome.reason
    assert outcome.sha256 is not None


def test_zero_byte_file_fails_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.touch()
    doc, outcome = read_file(path)
    assert doc is None
    assert (outcome.status, outcome.reason) == ("failed", "the file is empty (0 bytes)")


def test_file_over_the_size_limit_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("x" * 5000)
    doc, outcome = read_file(path, max_bytes=1000)
    assert doc is None
    assert outcome.status == "too-large"
    assert outcome.size == 5000


def test_missing_file_fails_with_a_reason(tmp_path: Path) -> None:
    _, outcome = read_file(tmp_path / "gone.txt")
    assert (outcome.status, outcome.reason) == ("failed", "no such file or folder")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    _, outcome = read_file(fifo)  # reading it would block forever
    assert outcome.status == "unsupported"
    assert "not a regular file" in outcome.reason


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_fails_with_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "private.txt"
    path.write_text("secret")
    path.chmod(0)
    try:
        _, outcome = read_file(path)
    finally:
        path.chmod(0o600)
    assert outcome.status == "failed"
    assert "permission denied" in outcome.reason.lower()


# -- plugins ---------------------------------------------------------------------------


class _Exploding:
    name = "exploding"
    media_types: tuple[str, ...] = ("application/x-exploding",)

    def sniff(self, head: bytes, path: Path) -> bool:
        return head.startswith(b"BOOM")

    def read(self, data: bytes, path: Path) -> Parsed:
        raise KeyError("the parser has a bug")


class _Endless:
    name = "endless"
    media_types: tuple[str, ...] = ("application/x-endless",)

    def sniff(self, head: bytes, path: Path) -> bool:
        return head.startswith(b"SLOW")

    def read(self, data: bytes, path: Path) -> Parsed:
        while True:
            with contextlib.suppress(Exception):  # a careless parser cannot swallow the deadline
                sum(range(1000))


@pytest.fixture
def plugins() -> Iterator[None]:
    register(_Exploding())
    register(_Endless())
    yield
    unregister("exploding")
    unregister("endless")


def test_registered_format_is_asked_before_plain_text(plugins: None) -> None:
    names = [f.name for f in formats()]
    assert names[:2] == ["endless", "exploding"]
    assert names[-1] == "text"
    fmt = detect(b"BOOM and some text", Path("x.txt"))
    assert fmt is not None and fmt.name == "exploding"


def test_a_parser_bug_and_a_hang_do_not_stop_the_batch(tmp_path: Path, store: Store, plugins: None) -> None:
    folder = tmp_path / "leak"
    folder.mkdir()
    (folder / "a-boom.dat").write_bytes(b"BOOM!")
    (folder / "b-slow.dat").write_bytes(b"SLOW!")
    (folder / "c-good.txt").write_text(ENGLISH)
    outcomes = ingest_paths([folder], store, progress=False, timeout=0.2)
    assert [(Path(o.path).name, o.status) for o in outcomes] == [
        ("a-boom.dat", "failed"),
        ("b-slow.dat", "timeout"),
        ("c-good.txt", "ok"),
    ]
    assert "exploding reader failed unexpectedly: KeyError" in outcomes[0].reason
    assert "0.2 seconds" in outcomes[1].reason
    assert store.count_documents() == 1


# -- the pipeline ------------------------------------------------------------------------


def _leak(root: Path) -> Path:
    """A folder with good and bad files side by side, and hidden things to skip."""
    leak = root / "leak"
    (leak / "letters").mkdir(parents=True)
    (leak / ".git").mkdir()
    (leak / ".git" / "HEAD").write_text("ref: refs/heads/main")
    (leak / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (leak / "letters" / "letter-cp1251.txt").write_bytes(RUSSIAN.encode("cp1251"))
    (leak / "letters" / "letter-utf8.txt").write_text(ENGLISH, encoding="utf-8")
    (leak / "letters" / "bom.txt").write_bytes(b"\xef\xbb\xbf" + "Нота МИД".encode())
    (leak / "notes.md").write_text("# Notes\n\nGroza-S for Azerbaijan.\n")
    (leak / "news.html").write_text(HTML)
    (leak / "contract.pdf").write_bytes(_pdf(["Contract page 1", "Contract page 2", "Contract page 3"]))
    (leak / "locked.pdf").write_bytes(_encrypted_pdf())
    (leak / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj garbage")
    (leak / "photo.png").write_bytes(_png())
    (leak / "empty.txt").touch()
    return leak


EXPECTED = [
    ("broken.pdf", "failed"),
    ("contract.pdf", "ok"),
    ("empty.txt", "failed"),
    ("locked.pdf", "encrypted"),
    ("news.html", "ok"),
    ("notes.md", "ok"),
    ("photo.png", "failed"),
    ("letters/bom.txt", "ok"),
    ("letters/letter-cp1251.txt", "ok"),
    ("letters/letter-utf8.txt", "ok"),
]


def test_iter_files_walks_sorted_and_skips_hidden(tmp_path: Path) -> None:
    leak = _leak(tmp_path)
    found = [p.relative_to(leak).as_posix() for p in iter_files([leak])]
    assert found == [name for name, _ in EXPECTED]
    assert list(iter_files([leak / ".DS_Store"])) == [leak / ".DS_Store"]  # named by the user: kept


def test_a_batch_with_bad_files_ingests_every_good_file(tmp_path: Path, store: Store) -> None:
    leak = _leak(tmp_path)
    seen: list[Document] = []
    outcomes = ingest_paths([leak], store, on_document=seen.append, progress=False)

    assert [(Path(o.path).relative_to(leak).as_posix(), o.status) for o in outcomes] == EXPECTED
    assert all(o.reason for o in outcomes if not o.ok)
    good = [o for o in outcomes if o.ok]
    assert all(o.new and o.sha256 for o in good)
    assert len(seen) == len(good) == store.count_documents() == 6

    contract = next(o for o in outcomes if o.path.endswith("contract.pdf"))
    assert contract.sha256 is not None
    stored = store.document(contract.sha256)
    assert stored is not None
    assert [p.strip() for p in stored.pages] == ["Contract page 1", "Contract page 2", "Contract page 3"]
    assert stored.paths == [str(leak / "contract.pdf")]

    cp1251 = next(d for d in seen if d.path.endswith("letter-cp1251.txt"))
    assert store.document(cp1251.sha256) == cp1251
    assert cp1251.language == "ru"

    records = {Path(r.path).name: r for r in store.files()}
    assert len(records) == len(EXPECTED)
    assert records["photo.png"].status == "failed" and "PNG image is damaged" in records["photo.png"].reason
    assert records["locked.pdf"].status == "encrypted"


def test_ingesting_again_changes_nothing(tmp_path: Path, store: Store) -> None:
    leak = _leak(tmp_path)
    db = tmp_path / "case.db"
    ingest_paths([leak], store, progress=False)
    before = _rows(db)
    seen: list[Document] = []
    again = ingest_paths([leak], store, on_document=seen.append, progress=False)
    assert _rows(db) == before
    assert seen == []
    assert not any(o.new for o in again)
    assert [(Path(o.path).relative_to(leak).as_posix(), o.status) for o in again] == EXPECTED
    contract = next(o for o in again if o.path.endswith("contract.pdf"))
    assert contract.pages == 3


def test_same_content_under_two_paths_is_one_document_with_two_paths(tmp_path: Path, store: Store) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "letter.txt").write_text(RUSSIAN)
    (tmp_path / "b" / "copy of letter.txt").write_text(RUSSIAN)
    seen: list[Document] = []
    outcomes = ingest_paths([tmp_path / "a", tmp_path / "b"], store, on_document=seen.append, progress=False)
    assert [o.new for o in outcomes] == [True, False]
    assert outcomes[0].sha256 == outcomes[1].sha256 is not None
    assert len(seen) == 1
    (doc,) = list(store.documents())
    assert doc.paths == [str(tmp_path / "a" / "letter.txt"), str(tmp_path / "b" / "copy of letter.txt")]
    assert _rows(tmp_path / "case.db")["files"] == 2


def test_paths_are_stored_as_the_user_gave_them(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "leak" / "sub").mkdir(parents=True)
    (tmp_path / "leak" / "sub" / "a.txt").write_text(ENGLISH)
    (outcome,) = ingest_paths([Path("leak")], store, progress=False)
    assert outcome.path == os.path.join("leak", "sub", "a.txt")
    assert [r.path for r in store.files()] == [outcome.path]
    assert outcome.sha256 is not None
    stored = store.document(outcome.sha256)
    assert stored is not None and stored.paths == [outcome.path]


def test_a_document_whose_processing_failed_is_processed_again_next_run(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "letter.txt"
    path.write_text(ENGLISH)
    calls: list[str] = []

    def flaky(doc: Document) -> None:
        calls.append(doc.sha256)
        if len(calls) == 1:
            raise ValueError("the extractor crashed")

    (first,) = ingest_paths([path], store, on_document=flaky, progress=False)
    assert first.status == "failed"
    assert "processing it failed: ValueError: the extractor crashed" in first.reason
    assert store.count_documents() == 1  # the text is kept

    (unchanged,) = ingest_paths([path], store, on_document=flaky, progress=False)
    assert (unchanged.status, unchanged.skipped, len(calls)) == ("failed", True, 1)  # a plain re-run skips it

    (second,) = ingest_paths([path], store, on_document=flaky, progress=False, retry_failed=True)
    assert (second.status, second.new) == ("ok", False)
    assert len(calls) == 2

    ingest_paths([path], store, on_document=flaky, progress=False)
    assert len(calls) == 2


def test_changed_file_at_the_same_path_is_a_new_document(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "draft.txt"
    path.write_text("first draft")
    ingest_paths([path], store, progress=False)
    path.write_text("second draft")
    seen: list[Document] = []
    (outcome,) = ingest_paths([path], store, on_document=seen.append, progress=False)
    assert outcome.new
    assert [d.pages for d in seen] == [["second draft"]]
    assert store.files()[0].sha256 == outcome.sha256
    assert store.count_documents() == 2


def test_summary_table_lists_every_file_and_counts_by_status(tmp_path: Path, store: Store) -> None:
    leak = _leak(tmp_path)
    outcomes = ingest_paths([leak], store, progress=False)
    assert status_counts(outcomes) == {"ok": 6, "failed": 3, "encrypted": 1}
    console = Console(record=True, width=300)
    console.print(summary_table(outcomes))
    rendered = console.export_text()
    assert "10 file(s): 6 ok, 3 failed, 1 encrypted; 6 new document(s)" in rendered
    assert "photo.png" in rendered and "PNG image is damaged" in rendered


def test_progress_bar_draws_on_the_given_console(tmp_path: Path, store: Store) -> None:
    (tmp_path / "a.txt").write_text(ENGLISH)
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    outcomes = ingest_paths([tmp_path / "a.txt"], store, progress=True, console=console)
    assert [o.status for o in outcomes] == ["ok"]
    assert "Ingesting" in out.getvalue()
    assert "1/1" in out.getvalue()


def test_html_double_line_break_separates_paragraphs_as_on_old_news_sites(tmp_path: Path) -> None:
    path = tmp_path / "old.html"
    path.write_text(
        "<html><body>Первый абзац<br><br>  Второй\n абзац<br>строка</body></html>", encoding="utf-8"
    )
    doc, _ = _read(path)
    assert doc.pages == ["Первый абзац\n\nВторой абзац\nстрока"]


def test_hostile_deeply_nested_html_is_read_in_time(tmp_path: Path) -> None:
    path = tmp_path / "nested.html"
    depth = 50_000
    path.write_text("<html><body>" + "<div>" * depth + "deep text" + "</div>" * depth + "</body></html>")
    doc, outcome = read_file(path, timeout=20)
    assert outcome.status == "ok", outcome.reason
    assert doc is not None and doc.pages == ["deep text"]
