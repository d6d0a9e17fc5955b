"""OCR with the real Tesseract on scans rendered in code (tests/scans.py): no mocks, no files from outside."""

from __future__ import annotations

import io
import json
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from typer.testing import CliRunner

import scans
from armstrace.errors import OcrLanguageError
from armstrace.extract import extract_document
from armstrace.ingest import ocr, read_file
from armstrace.ingest.formats import PageOcr, detect
from armstrace.kb import default_kb
from armstrace.present.cli import app
from armstrace.store import Store, resolve_db

pytestmark = pytest.mark.skipif(not ocr.available(), reason="Tesseract is not installed (scripts/setup.sh)")


@pytest.fixture(autouse=True)
def _no_cache() -> Iterator[None]:
    """Each test starts with the default languages and workers and no cache, and leaves them so."""
    with ocr.configured(cache_dir=None):
        yield


@pytest.fixture(scope="module")
def english() -> Image.Image:
    return scans.scan(scans.ENGLISH, dpi=300, skew=1.5, seed=1)


@pytest.fixture(scope="module")
def russian() -> Image.Image:
    return scans.scan(scans.RUSSIAN, dpi=300, skew=-2.0, seed=2)


@pytest.fixture(scope="module")
def english_png(english: Image.Image) -> bytes:
    return scans.encode(english, "PNG")


def _words(page: PageOcr) -> list[str]:
    return [page.text[w.start : w.end] for w in page.words]


# -- reading scans -----------------------------------------------------------------------------------


def test_english_scan_is_read_with_its_key_words(
    tmp_path: Path, english: Image.Image, english_png: bytes
) -> None:
    path = tmp_path / "letter.png"
    path.write_bytes(english_png)
    doc, outcome = read_file(path)
    assert doc is not None, outcome.message
    assert outcome.status == "ok", outcome.reason
    assert doc.media_type == "image/png" and doc.language == "en"
    text = doc.pages[0]
    for word in ("STATE AUTHORITY", "Belarus", "delivered", "Groza-S", "Azerbaijan", "2021", "Director"):
        assert word in text, f"{word!r} not in OCR text:\n{text}"
    assert doc.metadata["pixels"] == f"{english.width}x{english.height}"


def test_russian_scan_as_jpeg_is_read_with_its_key_words(tmp_path: Path, russian: Image.Image) -> None:
    path = tmp_path / "письмо.jpg"
    path.write_bytes(scans.encode(russian, "JPEG", quality=85))
    doc, outcome = read_file(path)
    assert doc is not None and outcome.status == "ok", outcome.message
    assert doc.media_type == "image/jpeg" and doc.language == "ru"
    text = doc.pages[0]
    for word in ("ГОСУДАРСТВЕННЫЙ", "Минск", "поставке", "Азербайджан", "Спецификация"):
        assert word in text, f"{word!r} not in OCR text:\n{text}"


def test_word_boxes_point_into_the_page_text_and_onto_the_image(english_png: bytes) -> None:
    (page,) = ocr.ocr_pages([english_png])
    assert page.error == "" and len(page.words) > 40
    assert (page.width, page.height) == Image.open(io.BytesIO(english_png)).size
    words = _words(page)
    assert words == page.text.split()  # every word, in order, and nothing else in the text
    starts = [w.start for w in page.words]
    assert starts == sorted(starts)
    for word in page.words:
        assert word.left >= 0 and word.left + word.width <= page.width
        assert word.top >= 0 and word.top + word.height <= page.height
        assert 0.0 <= word.confidence <= 1.0
    belarus = page.words[words.index("Belarus")]
    delivered = page.words[words.index("delivered")]
    assert belarus.left < delivered.left and abs(belarus.top - delivered.top) < belarus.height
    assert 0.6 < page.confidence <= 1.0
    assert page.image_png == english_png and page.language == "rus+eng"


def test_each_frame_of_a_multipage_tiff_is_a_page(tmp_path: Path, english: Image.Image) -> None:
    cover = scans.scan(scans.RUSSIAN, dpi=200, skew=1.0, seed=3)
    path = tmp_path / "batch.tif"
    path.write_bytes(
        scans.multipage_tiff([cover, english.resize((english.width * 2 // 3, english.height * 2 // 3))])
    )
    doc, outcome = read_file(path)
    assert doc is not None and outcome.status == "ok", outcome.message
    assert doc.media_type == "image/tiff" and len(doc.pages) == 2
    assert "Минск" in doc.pages[0] and "Azerbaijan" in doc.pages[1]


def test_mixed_pdf_ocrs_only_the_page_without_a_text_layer(tmp_path: Path, english: Image.Image) -> None:
    from armstrace.ingest.formats.pdf import PdfFormat

    data = scans.pdf_with_pages([scans.RUSSIAN, english, scans.RUSSIAN])
    before = ocr.tesseract_calls()
    parsed = PdfFormat().read(data, tmp_path / "mixed.pdf")
    assert ocr.tesseract_calls() - before == 1
    assert sorted(parsed.ocr) == [2]
    assert parsed.problems == []
    assert parsed.pages[0] == parsed.pages[2]  # the text layer, exact, as PyMuPDF reads it
    assert "Исх. № 03-12/1174" in parsed.pages[0]  # OCR would not be this exact
    assert "Groza-S" in parsed.pages[1]
    assert parsed.ocr[2].text == parsed.pages[1]
    page = parsed.ocr[2]
    assert page.width > 2000  # rendered at about 300 dpi
    assert _words(page) == parsed.pages[1].split()


def test_transfer_in_a_scanned_letter_is_extracted_with_evidence_on_its_page(
    tmp_path: Path, english: Image.Image
) -> None:
    cover = scans.Letter(
        header=["Archive of the export department"],
        subject="Cover note",
        paragraphs=["The scanned letter follows on the next page."],
    )
    path = tmp_path / "leak.pdf"
    path.write_bytes(scans.pdf_with_pages([cover, english]))
    doc, outcome = read_file(path)
    assert doc is not None and outcome.status == "ok", outcome.message
    transfers = extract_document(doc, default_kb())
    groza = [t for t in transfers if t.item.system == "groza-s"]
    assert groza, f"no Groza-S transfer in {[t.to_json() for t in transfers]}\n{doc.pages[1]}"
    transfer = groza[0]
    assert (transfer.supplier.code, transfer.recipient.code, transfer.status) == ("BY", "AZ", "delivered")
    assert transfer.evidence
    for span in transfer.evidence:
        assert span.page == 2  # the scanned page, not the cover page
        assert doc.pages[1][span.start : span.end] == span.quote
        assert "Azerbaijan" in span.quote


# -- hostile and broken images ------------------------------------------------------------------------


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def _png_header(width: int, height: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))


def _bomb(width: int, height: int) -> bytes:
    """A small PNG that declares `width` x `height` white pixels: a decompression bomb."""
    packer = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * width
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return _png_header(width, height) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("width", "height"),
    [(9_000, 9_000), (20_000, 20_000), (60_000, 60_000)],
    ids=["over-the-limit", "over-pillow-limit", "far-over"],
)
def test_giant_image_is_too_large_before_it_is_decoded(tmp_path: Path, width: int, height: int) -> None:
    data = _bomb(width, 9_000) if width == 9_000 else _png_header(width, height) + _chunk(b"IEND", b"")
    path = tmp_path / "bomb.png"
    path.write_bytes(data)
    before = ocr.tesseract_calls()
    doc, outcome = read_file(path)
    assert doc is None
    assert outcome.status == "too-large"
    assert "over the limit" in outcome.reason
    assert ocr.tesseract_calls() == before
    assert len(data) < 1_000_000  # small on disk: the size is only in the header


def test_corrupt_png_fails_with_the_reason(tmp_path: Path) -> None:
    body = zlib.compress(bytes(101 * 100))[:20] + b"\x13\x37" * 40  # a deflate stream that breaks off
    path = tmp_path / "damaged.png"
    path.write_bytes(_png_header(100, 100) + _chunk(b"IDAT", body) + _chunk(b"IEND", b""))
    doc, outcome = read_file(path)
    assert doc is None
    assert outcome.status == "failed"
    assert outcome.reason.startswith("the PNG image is damaged and cannot be decoded")
    assert str(path) in outcome.message and "failed" in outcome.message


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64), "JPEG"),
        (b"GIF89a\x01\x00\x01\x00\x00" + bytes(32), "GIF"),
        (b"II*\x00\x08\x00\x00\x00" + bytes(32), "TIFF"),
        (b"RIFF\x20\x00\x00\x00WEBPVP8 " + bytes(20), "WEBP"),
    ],
    ids=["jpeg", "gif", "tiff", "webp"],
)
def test_truncated_images_fail_with_their_kind_named(tmp_path: Path, data: bytes, kind: str) -> None:
    path = tmp_path / "attachment.bin"
    path.write_bytes(data)
    doc, outcome = read_file(path)
    assert doc is None
    assert outcome.status == "failed"
    assert outcome.reason.startswith(f"the {kind} image is damaged and cannot be decoded")


def test_bmp_needs_more_than_two_letters_to_be_an_image(tmp_path: Path) -> None:
    assert detect(b"BMW delivered trucks to the army in 2019.", tmp_path / "x.txt").name != "image"
    image = Image.new("L", (64, 32), 255)
    assert detect(scans.encode(image, "BMP")[:64], tmp_path / "x.txt").name == "image"
    assert detect(scans.encode(image, "WEBP")[:64], tmp_path / "x.txt").name == "image"


def test_a_page_tesseract_cannot_read_costs_only_that_page(english_png: bytes) -> None:
    pages = ocr.ocr_pages([b"/etc/passwd\n", english_png], workers=2)
    assert pages[0].error == "the page is not an image" and pages[0].words == []
    assert pages[1].error == "" and "Belarus" in pages[1].text


# -- the cache and the pool ---------------------------------------------------------------------------


def test_cache_means_the_same_page_is_never_ocrd_twice(tmp_path: Path, english_png: bytes) -> None:
    cache = tmp_path / "ocr-cache"
    before = ocr.tesseract_calls()
    (first,) = ocr.ocr_pages([english_png], cache_dir=cache)
    assert ocr.tesseract_calls() - before == 1
    (second,) = ocr.ocr_pages([english_png], cache_dir=cache)
    assert ocr.tesseract_calls() - before == 1  # read from the cache
    assert (second.text, second.words, second.confidence) == (first.text, first.words, first.confidence)
    assert second.image_png == english_png
    (entry,) = cache.glob("*/*.json")
    assert entry.name == f"{first.image_sha256}.rus+eng.json"
    assert json.loads(entry.read_text(encoding="utf-8"))["text"] == first.text

    ocr.ocr_pages([english_png], "eng", cache_dir=cache)  # another language set is another result
    assert ocr.tesseract_calls() - before == 2

    with ocr.configured(cache_dir=cache):  # through the format, as a re-ingest would
        path = tmp_path / "again.png"
        path.write_bytes(english_png)
        doc, _ = read_file(path)
    assert doc is not None and doc.pages == [first.text]
    assert ocr.tesseract_calls() - before == 2


def test_damaged_cache_entry_is_ocrd_again(tmp_path: Path, english_png: bytes) -> None:
    cache = tmp_path / "cache"
    (first,) = ocr.ocr_pages([english_png], cache_dir=cache)
    (entry,) = cache.glob("*/*.json")
    entry.write_text('{"format": 1, "text": "trunc', encoding="utf-8")  # a crash mid-write, say
    before = ocr.tesseract_calls()
    (again,) = ocr.ocr_pages([english_png], cache_dir=cache)
    assert ocr.tesseract_calls() - before == 1
    assert again.text == first.text


def test_pages_come_back_in_order_and_identical_pages_are_read_once() -> None:
    letters = [
        scans.Letter(
            header=[f"Letter number {n}"], subject=f"Subject {word}", paragraphs=[f"Paragraph {word}."]
        )
        for n, word in enumerate(["alpha", "bravo", "charlie"], 1)
    ]
    images = [scans.encode(scans.scan(letter, dpi=200, seed=n)) for n, letter in enumerate(letters)]
    before = ocr.tesseract_calls()
    pages = ocr.ocr_pages(iter([images[0], images[1], images[0], images[2]]), "eng", workers=3)
    assert ocr.tesseract_calls() - before == 3
    assert ["alpha" in p.text for p in pages] == [True, False, True, False]
    assert "bravo" in pages[1].text and "charlie" in pages[3].text
    assert [p.image_png for p in pages] == [images[0], images[1], images[0], images[2]]


# -- settings -----------------------------------------------------------------------------------------


def test_language_sets_are_checked_against_what_is_installed() -> None:
    assert ocr.check_languages("rus+eng+aze") == "rus+eng+aze"
    assert {"rus", "eng", "aze", "hye", "ukr", "bel"} <= set(ocr.installed_languages())
    with pytest.raises(OcrLanguageError, match=r"no data for the OCR language\(s\) xyz .*tesseract-ocr-xyz"):
        ocr.configure(languages="rus+xyz")
    with pytest.raises(OcrLanguageError, match="not valid"):
        ocr.configure(languages="rus;rm -rf /")


def test_configure_reaches_processes_started_afterwards(tmp_path: Path) -> None:
    import subprocess
    import sys

    with ocr.configured(languages="eng+aze", workers=3, cache_dir=tmp_path):
        probe = (
            "from armstrace.ingest import ocr; s = ocr.settings(); print(s.languages, s.workers, s.cache_dir)"
        )
        shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert shown.stdout.split() == ["eng+aze", "3", str(tmp_path)]
    assert ocr.settings().languages == "rus+eng" and ocr.settings().cache_dir is None


def test_cache_lives_beside_a_sqlite_database_only(tmp_path: Path) -> None:
    url = resolve_db(str(tmp_path / "case.db"))
    assert ocr.cache_dir_for(url) == tmp_path.resolve() / ".armstrace-ocr-cache"
    assert ocr.cache_dir_for("sqlite://") is None
    assert ocr.cache_dir_for("postgresql://u@host/db") is None


# -- the store and the command line -------------------------------------------------------------------


def test_store_keeps_word_boxes_and_the_page_image(tmp_path: Path, english: Image.Image) -> None:
    from armstrace.ingest.formats.pdf import PdfFormat

    path = tmp_path / "leak.pdf"
    data = scans.pdf_with_pages([scans.RUSSIAN, english])
    path.write_bytes(data)
    parsed = PdfFormat().read(data, path)
    doc, _ = read_file(path)
    assert doc is not None
    with Store(resolve_db(str(tmp_path / "case.db"))) as store:
        assert store.add_document(doc, size=len(data), ocr=parsed.ocr)
        assert store.ocr_pages(doc.sha256) == [2]
        assert store.page_ocr(doc.sha256, 1) is None  # the text page was not OCR'd
        page = store.page_ocr(doc.sha256, 2)
        assert page is not None
        assert page.words == parsed.ocr[2].words and page.confidence == parsed.ocr[2].confidence
        assert page.image_png == parsed.ocr[2].image_png
        assert store.page_image(page.image_sha256) == page.image_png
        assert page.text == store.document(doc.sha256).pages[1]  # type: ignore[union-attr]
        assert "Azerbaijan" in [page.text[w.start : w.end] for w in page.words]
        store.add_ocr(doc.sha256, parsed.ocr)  # storing it again changes nothing
        assert store.ocr_pages(doc.sha256) == [2]


def test_cli_extract_reads_a_scan_with_the_languages_given(tmp_path: Path, english_png: bytes) -> None:
    path = tmp_path / "scan.png"
    path.write_bytes(english_png)
    result = CliRunner().invoke(app, ["extract", str(path), "--ocr-lang", "eng"])
    assert result.exit_code == 0, result.output
    transfers: list[dict[str, Any]] = [json.loads(line) for line in result.stdout.splitlines() if line]
    assert any(t["system"] == "groza-s" and t["recipient"] == "AZ" for t in transfers), result.stdout
    assert not (tmp_path / ".armstrace-ocr-cache").exists()  # extract touches nothing

    bad = CliRunner().invoke(app, ["extract", str(path), "--ocr-lang", "klingon"])
    assert bad.exit_code == 2
    assert "klingon" in bad.output and "Traceback" not in bad.output


def test_cli_ingest_caches_ocr_beside_the_database(tmp_path: Path, english_png: bytes) -> None:
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "scan.png").write_bytes(english_png)
    db = tmp_path / "case.db"
    result = CliRunner().invoke(
        app, ["ingest", str(leak), "--db", str(db), "--no-progress", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert list((tmp_path / ".armstrace-ocr-cache").glob("*/*.rus+eng.json"))
    with Store(resolve_db(str(db))) as store:
        (record,) = store.files()
        assert record.sha256 is not None
        assert store.ocr_pages(record.sha256) == [1]
        page = store.page_ocr(record.sha256, 1)
        assert page is not None and "Groza-S" in page.text and page.image_png == english_png
