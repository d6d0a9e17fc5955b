"""Email (EML, MBOX, MSG) and archives (ZIP, TAR, gzip/bzip2/xz, 7z), built in code and read for real."""

from __future__ import annotations

import gzip
import io
import struct
import tarfile
import zipfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import py7zr
import pymupdf as _pymupdf
import pytest

from armstrace.ingest import ingest_paths, parse_bytes, read_file
from armstrace.ingest.formats import HEAD_SIZE, Parsed, detect, get
from armstrace.store import Store
from cfb import build_cfb

pymupdf: Any = _pymupdf

TRANSFER = "Belarus will deliver six Groza-S counter-drone stations to Azerbaijan in 2019."


def _pdf(text: str) -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), text)
    data: bytes = doc.tobytes()
    doc.close()
    return data


def _parse(data: bytes, name: str) -> Parsed:
    fmt = detect(data[:HEAD_SIZE], Path(name))
    assert fmt is not None
    return fmt.read(data, Path(name))


def _eml(pdf: bytes) -> bytes:
    message = EmailMessage()
    message["From"] = "Иванов <ivanov@bsvt.by>"
    message["To"] = "procurement@mod.gov.az"
    message["Cc"] = "archive@bsvt.by"
    message["Date"] = "Mon, 04 Mar 2019 10:00:00 +0300"
    message["Subject"] = "Поставка станций «Гроза-С»"
    message.set_content(TRANSFER)
    message.add_alternative(
        f"<html><body><p>{TRANSFER}</p><script>var x</script></body></html>", subtype="html"
    )
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename="contract-12.pdf")
    return message.as_bytes()


# -- email -----------------------------------------------------------------------------


def test_eml_headers_body_and_pdf_attachment_as_a_child(tmp_path: Path) -> None:
    pdf = _pdf("Contract 12: six Groza-S stations.")
    path = tmp_path / "message.eml"
    path.write_bytes(_eml(pdf))
    doc, outcome = read_file(path)
    assert doc is not None and outcome.status == "ok", outcome.reason
    assert doc.media_type == "message/rfc822"
    assert doc.metadata["from"] == "Иванов <ivanov@bsvt.by>"
    assert doc.metadata["subject"] == "Поставка станций «Гроза-С»"
    assert doc.metadata["date_iso"] == "2019-03-04T10:00:00+03:00"
    assert doc.metadata["cc"] == "archive@bsvt.by"
    page = doc.pages[0]
    assert page.startswith("From: Иванов <ivanov@bsvt.by>\nTo: procurement@mod.gov.az")
    assert page.endswith(TRANSFER)  # the plain alternative only, not the HTML one too
    assert page.count(TRANSFER) == 1
    parsed = _parse(path.read_bytes(), "message.eml")
    assert [(child.name, child.data) for child in parsed.children] == [("contract-12.pdf", pdf)]


def test_html_only_email_body_is_reduced_to_visible_text() -> None:
    message = EmailMessage()
    message["From"] = "a@example.org"
    message["Subject"] = "html"
    message.set_content(
        f"<html><head><style>p{{color:red}}</style></head><body><p>{TRANSFER}</p></body></html>",
        subtype="html",
    )
    parsed = _parse(message.as_bytes(), "x.bin")
    assert parsed.pages[0] == f"From: a@example.org\nSubject: html\n\n{TRANSFER}"


def test_mbox_messages_become_children_and_the_mailbox_lists_them() -> None:
    messages = []
    for number, subject in enumerate(["Offer", "Contract"], start=1):
        message = EmailMessage()
        message["From"] = f"sender{number}@bsvt.by"
        message["Subject"] = subject
        message["Date"] = f"Mon, 0{number} Apr 2019 10:00:00 +0300"
        message.set_content(f"Message {number}.\nFrom the archive: {TRANSFER}\n")
        messages.append(message.as_bytes().replace(b"\nFrom the", b"\n>From the"))
    mbox = b"".join(b"From MAILER-DAEMON Mon Apr  1 10:00:00 2019\n" + m + b"\n" for m in messages)
    parsed = _parse(mbox, "inbox")  # no extension: found by content
    assert [child.name for child in parsed.children] == ["message-0001.eml", "message-0002.eml"]
    assert "Offer" in parsed.pages[0] and "Contract" in parsed.pages[0]
    second = _parse(parsed.children[1].data, parsed.children[1].name)
    assert second.metadata["subject"] == "Contract"
    assert f"\nFrom the archive: {TRANSFER}" in second.pages[0]  # the mboxrd escape is undone


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _msg(pdf: bytes) -> bytes:
    headers = (
        "From: Ivanov <ivanov@bsvt.by>\r\nTo: procurement@mod.gov.az\r\nSubject: Groza-S\r\n"
        "Date: Mon, 04 Mar 2019 10:00:00 +0300\r\n\r\n"
    )
    attach = "__attach_version1.0_#00000000/"
    names = "__nameid_version1.0/"
    return build_cfb(
        {
            "__properties_version1.0": bytes(32),
            "__substg1.0_001A001F": _utf16("IPM.Note"),
            "__substg1.0_0037001F": _utf16("Groza-S"),
            "__substg1.0_1000001F": _utf16(TRANSFER),
            "__substg1.0_007D001F": _utf16(headers),
            names + "__substg1.0_00020102": b"",
            names + "__substg1.0_00030102": b"",
            names + "__substg1.0_00040102": b"",
            attach + "__properties_version1.0": bytes(8) + struct.pack("<IIQ", 0x37050003, 6, 1),
            attach + "__substg1.0_37010102": pdf,
            attach + "__substg1.0_3707001F": _utf16("contract-12.pdf"),
        }
    )


def test_outlook_msg_headers_body_and_attachment(tmp_path: Path) -> None:
    pdf = _pdf("Contract 12")
    data = _msg(pdf)
    fmt = detect(data[:HEAD_SIZE], Path("mail.doc"))
    assert fmt is not None and fmt.name == "msg"
    path = tmp_path / "mail.doc"  # a lying extension
    path.write_bytes(data)
    doc, outcome = read_file(path)
    assert doc is not None and outcome.status == "ok", outcome.reason
    assert doc.media_type == "application/vnd.ms-outlook"
    assert doc.metadata["from"] == "Ivanov <ivanov@bsvt.by>"
    assert doc.metadata["date"] == "Mon, 04 Mar 2019 10:00:00 +0300"
    assert doc.pages[0].endswith(TRANSFER)
    assert [(c.name, c.data) for c in _parse(data, "mail.msg").children] == [("contract-12.pdf", pdf)]


def test_a_broken_msg_fails_with_a_sentence(tmp_path: Path) -> None:
    data = build_cfb({"__substg1.0_0037001F": _utf16("no properties, no class")})
    path = tmp_path / "broken.msg"
    path.write_bytes(data)
    doc, outcome = read_file(path)
    assert doc is None
    assert outcome.status == "failed"
    assert outcome.reason.startswith("the Outlook message is damaged")


# -- archives --------------------------------------------------------------------------

MEMBERS = {
    "letters/2019/12.txt": TRANSFER.encode(),
    "letters/2019/13.pdf": _pdf("Letter 13"),
    "specs/spec.csv": b"Item;Quantity\nGroza-S;6\n",
}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar(members: dict[str, bytes], mode: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _7z(members: dict[str, bytes], password: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w", password=password) as archive:
        for name, data in members.items():
            archive.writestr(data, name)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("build", "media_type"),
    [
        (lambda: _zip(MEMBERS), "application/zip"),
        (lambda: _tar(MEMBERS, "w"), "application/x-tar"),
        (lambda: _tar(MEMBERS, "w:gz"), "application/gzip"),
        (lambda: _tar(MEMBERS, "w:bz2"), "application/x-bzip2"),
        (lambda: _tar(MEMBERS, "w:xz"), "application/x-xz"),
        (lambda: _7z(MEMBERS), "application/x-7z-compressed"),
    ],
    ids=["zip", "tar", "tar.gz", "tar.bz2", "tar.xz", "7z"],
)
def test_archive_members_become_children_with_their_inner_paths(build: Any, media_type: str) -> None:
    data = build()
    doc, outcome = parse_bytes(data, Path("leak.bin"))
    assert doc is not None and outcome.status == "ok", outcome.reason
    assert doc.media_type == media_type
    for name in MEMBERS:
        assert name in doc.pages[0]  # the archive's page is its table of contents
    parsed = _parse(data, "leak.bin")
    assert {child.name: child.data for child in parsed.children} == MEMBERS


def test_gzip_of_a_single_file_gives_it_back_under_its_name() -> None:
    parsed = _parse(gzip.compress(TRANSFER.encode()), "letter.txt.gz")
    assert [(c.name, c.data) for c in parsed.children] == [("letter.txt", TRANSFER.encode())]


def test_zip_names_written_in_cp866_by_russian_windows_tools_are_readable() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("placeholder.txt", b"x")
    raw = buffer.getvalue()
    cyrillic = "письмо.txt".encode("cp866")
    patched = raw.replace(b"placeholder.txt", cyrillic.ljust(15, b"_"))  # same length, no UTF-8 flag
    parsed = _parse(patched, "archive.zip")
    assert [child.name for child in parsed.children] == ["письмо.txt_____"]


def test_ingest_records_each_member_with_its_chain_and_parent(tmp_path: Path) -> None:
    inner = _zip({"notes/a.txt": b"inner note about Groza-S deliveries"})
    folder = tmp_path / "leak"
    folder.mkdir()
    (folder / "leak.zip").write_bytes(_zip({**MEMBERS, "nested/inner.zip": inner}))
    (folder / "message.eml").write_bytes(_eml(_pdf("Contract 12")))
    (folder / "plain.txt").write_text(TRANSFER)
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        outcomes = ingest_paths([folder], store, progress=False, workers=2)
    by_path = {o.path.removeprefix(str(folder) + "/"): o for o in outcomes}
    assert all(o.status == "ok" for o in outcomes), [(o.path, o.reason) for o in outcomes if not o.ok]
    assert by_path["leak.zip/letters/2019/13.pdf"].media_type == "application/pdf"
    assert by_path["leak.zip/nested/inner.zip/notes/a.txt"].chain[-2:] == ("nested/inner.zip", "notes/a.txt")
    assert by_path["leak.zip/letters/2019/12.txt"].parent == by_path["leak.zip"].sha256
    assert by_path["message.eml/contract-12.pdf"].parent == by_path["message.eml"].sha256
    assert by_path["plain.txt"].status == "ok"


def test_registered_archive_formats_are_all_there() -> None:
    for name in ("zip", "tar", "compressed", "7z", "eml", "mbox", "msg", "legacy-office"):
        assert get(name) is not None, name
