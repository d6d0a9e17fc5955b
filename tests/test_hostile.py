"""Hostile and broken input for the office, email and archive readers: each file built in code.

Every test asserts the status a user will see and, where it matters, that the
other files in the same batch are still read in full.
"""

from __future__ import annotations

import bz2
import gzip
import io
import os
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

import py7zr
import pymupdf as _pymupdf
import pytest
from docx import Document as WordDocument

from armstrace.ingest import ingest_paths, parse_bytes, read_file
from armstrace.ingest.formats import FormatError
from armstrace.ingest.formats._package import Limits
from armstrace.ingest.formats.archive import ZipFormat
from armstrace.ingest.formats.legacy_office import LegacyOfficeFormat, convert, soffice_path
from armstrace.store import Store
from cfb import build_cfb

pymupdf: Any = _pymupdf

TRANSFER = "Belarus will deliver six Groza-S counter-drone stations to Azerbaijan in 2019."


def _docx(text: str = TRANSFER) -> bytes:
    word = WordDocument()
    word.add_paragraph(text)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _replace_member(package: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(package))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, data if info.filename == name else source.read(info))
    return buffer.getvalue()


def _docx_with_body(xml_prologue: str, text: str) -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    document = (
        f'<?xml version="1.0"?>{xml_prologue}<w:document xmlns:w="{w}"><w:body>'
        f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    return _replace_member(_docx(), "word/document.xml", document.encode())


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _pdf(text: str) -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), text)
    data: bytes = doc.tobytes()
    doc.close()
    return data


# -- traditional PKWARE (ZipCrypto) encryption, as `zip -P` writes it -------------------------


def _crc_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table.append(c)
    return table


def _zipcrypto(plain: bytes, password: bytes) -> bytes:
    table = _crc_table()

    def crc(value: int, byte: int) -> int:
        return (value >> 8) ^ table[(value ^ byte) & 0xFF]

    keys = [0x12345678, 0x23456789, 0x34567890]

    def update(byte: int) -> None:
        keys[0] = crc(keys[0], byte)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = crc(keys[2], keys[1] >> 24)

    for byte in password:
        update(byte)
    out = bytearray()
    for byte in plain:
        temp = (keys[2] | 2) & 0xFFFF
        out.append(byte ^ ((temp * (temp ^ 1)) >> 8) & 0xFF)
        update(byte)
    return bytes(out)


def _encrypted_zip(name: bytes, plain: bytes, password: bytes) -> bytes:
    checksum = zlib.crc32(plain)
    body = _zipcrypto(bytes(11) + bytes([checksum >> 24]) + plain, password)
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 1, 0, 0, 0, checksum, len(body), len(plain), len(name), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 1, 0, 0, 0, checksum, len(body), len(plain), len(name),
        0, 0, 0, 0, 0, 0,
    )  # fmt: skip
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(name), len(local) + len(name) + len(body), 0
    )
    return local + name + body + central + name + end


def test_the_encrypted_zip_helper_makes_real_zipcrypto() -> None:
    data = _encrypted_zip(b"secret.txt", b"the contract", b"pw")
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.read("secret.txt", pwd=b"pw") == b"the contract"
    with pytest.raises(RuntimeError):
        archive.read("secret.txt")


# -- archives ---------------------------------------------------------------------------------


def test_zip_bomb_member_is_skipped_and_the_rest_is_read() -> None:
    data = _zip({"bomb.bin": bytes(60 * 2**20), "letter.txt": TRANSFER.encode()})
    assert len(data) < 200_000
    parsed = ZipFormat().read(data, Path("leak.zip"))
    assert [(c.name, c.data) for c in parsed.children] == [("letter.txt", TRANSFER.encode())]
    assert any(
        "bomb.bin expands" in problem and "decompression bomb" in problem for problem in parsed.problems
    )


def test_zip_over_the_member_count_or_total_is_too_large() -> None:
    many = _zip({f"f{n}.txt": b"x" for n in range(12)})
    with pytest.raises(FormatError) as caught:
        ZipFormat(Limits(max_members=10)).read(many, Path("many.zip"))
    assert caught.value.status == "too-large"
    assert "12 members" in caught.value.reason
    parsed = ZipFormat(Limits(max_total=2500)).read(
        _zip({"a.txt": b"a" * 2000, "b.txt": b"b" * 2000}), Path("x")
    )
    assert [c.name for c in parsed.children] == ["a.txt"]
    assert parsed.problems == [
        "b.txt (2,000 bytes) was skipped: the archive unpacks to more than the limit of 2,500 bytes"
    ]


def test_gzip_bomb_is_too_large_before_it_inflates() -> None:
    data = gzip.compress(bytes(50 * 2**20), compresslevel=9)
    doc, outcome = parse_bytes(data, Path("bomb.tar.gz"))
    assert doc is None
    assert outcome.status == "too-large"
    assert "decompression bomb" in outcome.reason


def test_7z_bomb_is_too_large() -> None:
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        archive.writestr(bytes(30 * 2**20), "zeros.bin")
    doc, outcome = parse_bytes(buffer.getvalue(), Path("bomb.7z"))
    assert doc is None and outcome.status == "too-large"


def test_members_that_climb_out_or_are_absolute_are_skipped_and_nothing_is_written(tmp_path: Path) -> None:
    folder = tmp_path / "work" / "leak"
    folder.mkdir(parents=True)
    data = _zip(
        {
            "../evil.txt": b"evil",
            "../../evil.txt": b"evil",
            "/etc/passwd": b"root:x:0:0",
            "..\\..\\evil-win.txt": b"evil",
            "C:/Windows/evil.txt": b"evil",
            "good/letter.txt": TRANSFER.encode(),
        }
    )
    (folder / "traversal.zip").write_bytes(data)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        outcomes = ingest_paths([folder], store, progress=False, workers=1)
    by_name = {o.path.removeprefix(str(folder) + "/"): o for o in outcomes}
    assert set(by_name) == {"traversal.zip", "traversal.zip/good/letter.txt"}
    assert by_name["traversal.zip"].status == "partial"
    assert by_name["traversal.zip"].reason.count("climbs out") == 5
    assert by_name["traversal.zip/good/letter.txt"].status == "ok"
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.name != "db.sqlite")
    assert [p for p in after if p not in before and "db.sqlite" not in str(p)] == []
    assert not (tmp_path / "work" / "evil.txt").exists() and not (tmp_path / "evil.txt").exists()
    assert not list(Path(os.getcwd()).glob("evil*.txt"))


def test_symlinks_hard_links_and_devices_in_archives_are_skipped() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("passwd-link")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
        archive.writestr("letter.txt", TRANSFER)
    parsed = ZipFormat().read(buffer.getvalue(), Path("links.zip"))
    assert [c.name for c in parsed.children] == ["letter.txt"]
    assert parsed.problems == ["passwd-link is a symbolic link and was skipped"]

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, kind, target in (
            ("sym", tarfile.SYMTYPE, "/etc/passwd"),
            ("hard", tarfile.LNKTYPE, "/etc/shadow"),
            ("fifo", tarfile.FIFOTYPE, ""),
        ):
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = target
            tar.addfile(info)
        info = tarfile.TarInfo("letter.txt")
        info.size = len(TRANSFER)
        tar.addfile(info, io.BytesIO(TRANSFER.encode()))
    doc, outcome = parse_bytes(buffer.getvalue(), Path("links.tar.gz"))
    assert doc is not None and outcome.status == "partial"
    assert "sym is a symbolic link" in outcome.reason
    assert "hard is a hard link" in outcome.reason
    assert "fifo is a device or pipe" in outcome.reason


def test_encrypted_zip_and_7z_are_encrypted_and_a_partly_encrypted_zip_is_partial() -> None:
    doc, outcome = parse_bytes(_encrypted_zip(b"contract.txt", TRANSFER.encode(), b"pw"), Path("locked.zip"))
    assert doc is None and outcome.status == "encrypted"
    assert "needs a password" in outcome.reason

    for header_encryption in (False, True):
        buffer = io.BytesIO()
        with py7zr.SevenZipFile(buffer, "w", password="pw", header_encryption=header_encryption) as archive:
            archive.writestr(TRANSFER.encode(), "contract.txt")
        doc, outcome = parse_bytes(buffer.getvalue(), Path("locked.7z"))
        assert doc is None and outcome.status == "encrypted", (header_encryption, outcome.reason)

    combined = io.BytesIO()
    with zipfile.ZipFile(combined, "w") as both:
        both.writestr("open.txt", TRANSFER)
    combined_bytes = _splice_encrypted(combined.getvalue(), _encrypted_zip(b"contract.txt", b"secret", b"pw"))
    parsed = ZipFormat().read(combined_bytes, Path("mixed.zip"))
    assert [c.name for c in parsed.children] == ["open.txt"]
    assert parsed.problems == ["1 encrypted member(s) could not be read: contract.txt"]


def _splice_encrypted(plain_zip: bytes, encrypted_zip: bytes) -> bytes:
    """One archive holding the plain archive's members and the encrypted archive's member."""

    def split(data: bytes) -> tuple[bytes, bytes]:
        end = data.rindex(b"PK\x05\x06")
        size, offset = struct.unpack("<II", data[end + 12 : end + 20])
        return data[:offset], data[offset : offset + size]

    locals_a, central_a = split(plain_zip)
    locals_b, central_b = split(encrypted_zip)
    # shift the encrypted member's local header offset in its central record
    central_b = central_b[:42] + struct.pack("<I", len(locals_a)) + central_b[46:]
    central = central_a + central_b
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 2, 2, len(central), len(locals_a) + len(locals_b), 0)
    return locals_a + locals_b + central + end


def test_zero_byte_members_are_skipped_with_a_problem() -> None:
    parsed = ZipFormat().read(_zip({"empty.pdf": b"", "letter.txt": TRANSFER.encode()}), Path("x.zip"))
    assert [c.name for c in parsed.children] == ["letter.txt"]
    assert parsed.problems == ["empty.pdf is empty (0 bytes) and was skipped"]


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (_zip({"letter.txt": TRANSFER.encode() * 50})[:-60], "failed"),  # central directory cut off
        (b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(40), "failed"),
        (b"BZh9" + bytes(100), "failed"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "failed"),
    ],
    ids=["zip", "7z", "bzip2", "ole2"],
)
def test_truncated_and_corrupt_containers_fail_with_a_reason(data: bytes, status: str) -> None:
    doc, outcome = parse_bytes(data, Path("broken.bin"))
    assert doc is None
    assert outcome.status == status
    assert "damaged" in outcome.reason


def test_truncated_tar_gz_keeps_the_members_before_the_cut() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, size in (("first.txt", 100), ("second.bin", 400_000)):
            info = tarfile.TarInfo(name)
            info.size = size
            tar.addfile(
                info, io.BytesIO(os.urandom(size) if size > 1000 else TRANSFER.encode()[:size].ljust(size))
            )
    data = buffer.getvalue()
    doc, outcome = parse_bytes(data[: len(data) // 2], Path("cut.tar.gz"))
    assert doc is not None and outcome.status == "partial"
    assert "truncated" in outcome.reason
    assert doc.pages[0].startswith("TAR archive (gzip)")


# -- office files ----------------------------------------------------------------------------


def test_docx_xxe_does_not_read_local_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PASSWORD")
    prologue = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    path = tmp_path / "xxe.docx"
    path.write_bytes(_docx_with_body(prologue, "before &xxe; after"))
    doc, outcome = read_file(path)
    assert doc is not None
    assert "TOP-SECRET" not in "".join(doc.pages)
    assert "before" in doc.pages[0] and "after" in doc.pages[0]
    assert outcome.status == "partial"
    assert "declares a DTD" in outcome.reason


def test_docx_billion_laughs_does_not_expand(tmp_path: Path) -> None:
    levels = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    prologue = "<!DOCTYPE w:document [" + "".join(levels) + "]>"
    path = tmp_path / "laughs.docx"
    path.write_bytes(_docx_with_body(prologue, "&lol9;"))
    doc, outcome = read_file(path, timeout=20)
    assert doc is None and outcome.status == "failed"
    assert "billion-laughs" in outcome.reason


def test_xlsx_with_entity_declarations_fails_safely(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Item", "Qty"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    sheet_xml = source.read("xl/worksheets/sheet1.xml").decode()
    hostile = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + sheet_xml.replace("Item", "&xxe;")
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(_replace_member(buffer.getvalue(), "xl/worksheets/sheet1.xml", hostile.encode()))
    doc, outcome = read_file(path)
    assert doc is None
    assert outcome.status == "failed"
    assert "possibly hostile" in outcome.reason


def test_xml_nested_too_deep_fails_instead_of_crashing(tmp_path: Path) -> None:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    deep = (
        f'<w:document xmlns:w="{w}"><w:body>'
        + "<w:sdt>" * 5000
        + "</w:sdt>" * 5000
        + "</w:body></w:document>"
    )
    path = tmp_path / "deep.docx"
    path.write_bytes(_replace_member(_docx(), "word/document.xml", deep.encode()))
    doc, outcome = read_file(path)
    assert doc is None and outcome.status == "failed"
    assert "not well-formed XML" in outcome.reason


def test_pdf_named_docx_is_read_as_pdf(tmp_path: Path) -> None:
    path = tmp_path / "contract.docx"
    path.write_bytes(_pdf(TRANSFER))
    doc, outcome = read_file(path)
    assert doc is not None and outcome.status == "ok"
    assert doc.media_type == "application/pdf"
    assert "Groza-S" in doc.pages[0]


def test_truncated_docx_fails_with_a_sentence(tmp_path: Path) -> None:
    data = _docx()
    path = tmp_path / "cut.docx"
    path.write_bytes(data[: len(data) // 2])
    doc, outcome = read_file(path)
    assert doc is None
    assert outcome.status == "failed"
    assert "damaged or truncated" in outcome.reason
    assert "Traceback" not in outcome.reason


MANIFEST = (
    b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    b'<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/>'
    b"</manifest:file-entry></manifest:manifest>"
)


def test_encrypted_office_files_are_encrypted() -> None:
    ooxml = build_cfb({"EncryptionInfo": b"\x04\x00\x04\x00" + bytes(60), "EncryptedPackage": bytes(5000)})
    fib = bytearray(64)
    fib[0:2] = b"\xec\xa5"
    fib[10:12] = (0x0100).to_bytes(2, "little")  # fEncrypted
    doc97 = build_cfb({"WordDocument": bytes(fib), "1Table": bytes(64)})
    xls = build_cfb(
        {"Workbook": struct.pack("<HH", 0x0809, 4) + bytes(4) + struct.pack("<HH", 0x002F, 2) + bytes(2)}
    )
    odt = _zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "META-INF/manifest.xml": MANIFEST,
            "content.xml": os.urandom(300),
        },
        zipfile.ZIP_STORED,
    )
    for name, data in (
        ("locked.docx", ooxml),
        ("locked.doc", doc97),
        ("locked.xls", xls),
        ("locked.odt", odt),
    ):
        doc, outcome = parse_bytes(data, Path(name))
        assert doc is None, name
        assert outcome.status == "encrypted", (name, outcome.reason)
        assert "password" in outcome.reason


def test_an_ole2_file_of_an_unknown_kind_is_unsupported_and_named() -> None:
    doc, outcome = parse_bytes(build_cfb({"Contents": b"x" * 100}), Path("thing.bin"))
    assert doc is None and outcome.status == "unsupported"
    assert outcome.reason == "an OLE2 compound file of an unknown kind (streams: Contents)"


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_conversion_is_stopped_at_its_time_limit() -> None:
    doc97 = convert(_docx(), "docx", "doc")
    with pytest.raises(FormatError) as caught:
        LegacyOfficeFormat(timeout=0.2).read(doc97, Path("slow.doc"))
    assert caught.value.status == "timeout"
    assert "LibreOffice took longer than 0.2 seconds" in caught.value.reason


# -- one batch: hostile files next to good ones --------------------------------------------


def test_a_batch_of_hostile_files_costs_only_those_files(tmp_path: Path) -> None:
    folder = tmp_path / "leak"
    folder.mkdir()
    good = {
        "letter.docx": _docx(),
        "letter.txt": TRANSFER.encode(),
        "contract.pdf": _pdf(TRANSFER),
        "spec.csv": b"Item;Quantity\nGroza-S;6\n",
    }
    hostile = {
        "bomb.tar.gz": (gzip.compress(bytes(30 * 2**20)), "too-large"),
        "locked.zip": (_encrypted_zip(b"a.txt", b"secret", b"pw"), "encrypted"),
        "cut.docx": (_docx()[:3000], "failed"),
        "cut.bz2": (bz2.compress(os.urandom(5000))[:40], "failed"),
        "traversal.zip": (_zip({"../../evil.txt": b"evil", "ok.txt": TRANSFER.encode()}), "partial"),
        "xxe.docx": (
            _docx_with_body('<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;"),
            "partial",
        ),
    }
    for name, data in good.items():
        (folder / name).write_bytes(data)
    for name, (data, _) in hostile.items():
        (folder / name).write_bytes(data)
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        outcomes = ingest_paths([folder], store, progress=False, workers=2)
        by_name = {o.path.removeprefix(str(folder) + "/"): o for o in outcomes}
        for name, (_, status) in hostile.items():
            assert by_name[name].status == status, (name, by_name[name].reason)
            assert by_name[name].reason
        for name in good:
            outcome = by_name[name]
            assert outcome.status == "ok", (name, outcome.reason)
            assert outcome.sha256 is not None
            stored = store.document(outcome.sha256)
            assert stored is not None and "Groza-S" in "".join(stored.pages), name
        assert by_name["traversal.zip/ok.txt"].status == "ok"
        assert "root:" not in "".join(d for doc in store.documents() for d in doc.pages)
