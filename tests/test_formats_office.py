"""Office files and spreadsheets, every input built in code (python-docx, odfpy, openpyxl, LibreOffice)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document as WordDocument
from docx.enum.text import WD_BREAK
from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
from odf.table import Table, TableCell, TableRow
from odf.text import H, P

from armstrace.ingest import read_file
from armstrace.ingest.formats import HEAD_SIZE, detect
from armstrace.ingest.formats.legacy_office import convert, soffice_path
from armstrace.ingest.formats.spreadsheet import PAGE_ROWS, table_lines
from armstrace.records import Document

TRANSFER = "Belarus will deliver six Groza-S counter-drone stations to Azerbaijan in 2019."
RUSSIAN = "Республика Беларусь поставит Азербайджану шесть станций «Гроза-С» в 2019 году."
SPEC = [
    ["Item", "Quantity", "Unit price", "Total"],
    ["Groza-S station", 6, 250000, 1500000],
    ["Spare parts kit", 2, 1000.5, 2001],
]
SPEC_LINE = "Item: Groza-S station | Quantity: 6 | Unit price: 250000 | Total: 1500000"
needs_soffice = pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")


def _read(path: Path) -> Document:
    doc, outcome = read_file(path)
    assert doc is not None, outcome.reason
    assert outcome.status == "ok", outcome.reason
    return doc


def _docx() -> bytes:
    word = WordDocument()
    word.core_properties.author = "Петров И.И."
    word.core_properties.title = "Letter 12"
    word.sections[0].header.paragraphs[0].text = "ГВТУП «Белспецвнешторг»"
    word.add_paragraph(TRANSFER)
    table = word.add_table(rows=3, cols=4)
    for r, row in enumerate(SPEC):
        for c, value in enumerate(row):
            table.cell(r, c).text = str(value)
    breaking = word.add_paragraph("End of page one.")
    breaking.add_run().add_break(WD_BREAK.PAGE)
    breaking.add_run(RUSSIAN)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _odt() -> bytes:
    text = OpenDocumentText()
    text.text.addElement(H(outlinelevel=1, text="Письмо № 12"))
    text.text.addElement(P(text=RUSSIAN))
    table = Table(name="Spec")
    for row in SPEC:
        table_row = TableRow()
        for value in row:
            cell = TableCell()
            cell.addElement(P(text=str(value)))
            table_row.addElement(cell)
        table.addElement(table_row)
    text.text.addElement(table)
    buffer = io.BytesIO()
    text.write(buffer)
    return buffer.getvalue()


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Specification"
    sheet.append(["Specification No. 3 to contract 2018/12"])
    sheet.append([])
    for row in SPEC:
        sheet.append(row)
    other = book.create_sheet("Prices")
    other.append(["Item", "Price"])
    other.append(["Groza-S", 250000])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- Word and OpenDocument text --------------------------------------------------------


def test_docx_reads_header_body_table_rows_pages_and_properties(tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    path.write_bytes(_docx())
    doc = _read(path)
    assert doc.media_type.endswith("wordprocessingml.document")
    assert len(doc.pages) == 2
    first = doc.pages[0]
    assert first.startswith("ГВТУП «Белспецвнешторг»")  # the letterhead names the sender
    assert TRANSFER in first
    assert "Item | Quantity | Unit price | Total\nGroza-S station | 6 | 250000 | 1500000" in first
    assert doc.pages[1] == RUSSIAN
    assert doc.metadata["author"] == "Петров И.И."
    assert doc.title == "Letter 12"


def test_odt_reads_headings_paragraphs_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "letter.odt"
    path.write_bytes(_odt())
    doc = _read(path)
    assert doc.media_type == "application/vnd.oasis.opendocument.text"
    assert doc.pages[0].startswith("Письмо № 12\n" + RUSSIAN)
    assert "Groza-S station | 6 | 250000 | 1500000" in doc.pages[0]
    assert doc.language == "ru"


def test_rtf_in_cp1251_with_a_page_break_and_info(tmp_path: Path) -> None:
    body = "".join(f"\\'{byte:02x}" for byte in "Письмо о поставке".encode("cp1251"))
    rtf = (
        "{\\rtf1\\ansi\\ansicpg1251{\\fonttbl{\\f0\\fcharset204 Arial;}}"
        "{\\info{\\author Ivanov}{\\creatim\\yr2018\\mo3\\dy1}}"
        f"\\f0 {body}\\par {TRANSFER}\\page Second page\\par}}"
    )
    path = tmp_path / "note.rtf"
    path.write_bytes(rtf.encode("ascii"))
    doc = _read(path)
    assert doc.pages == [f"Письмо о поставке\n{TRANSFER}", "Second page"]
    assert doc.metadata["author"] == "Ivanov"
    assert doc.metadata["created"] == "2018-03-01"


def test_pptx_gives_a_page_per_slide_in_presentation_order(tmp_path: Path) -> None:
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    def slide(text: str) -> str:
        return (
            f'<p:sld xmlns:p="{p}" xmlns:a="{a}"><p:cSld><p:spTree><p:sp><p:txBody>'
            f"<a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        )

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(
            "ppt/presentation.xml",
            f'<p:presentation xmlns:p="{p}" xmlns:r="{r}"><p:sldIdLst>'
            '<p:sldId id="256" r:id="rId2"/><p:sldId id="257" r:id="rId1"/></p:sldIdLst></p:presentation>',
        )
        package.writestr(
            "ppt/_rels/presentation.xml.rels",
            '<Relationships><Relationship Id="rId1" Target="slides/slide1.xml"/>'
            '<Relationship Id="rId2" Target="slides/slide2.xml"/></Relationships>',
        )
        package.writestr("ppt/slides/slide1.xml", slide("Deliveries 2019"))
        package.writestr("ppt/slides/slide2.xml", slide("Agenda"))
    path = tmp_path / "briefing.pptx"
    path.write_bytes(buffer.getvalue())
    doc = _read(path)
    assert doc.pages == ["Agenda", "Deliveries 2019"]


@needs_soffice
def test_legacy_doc_made_by_libreoffice_is_converted_and_read(tmp_path: Path) -> None:
    # DOCX → ODT → DOC: LibreOffice's own DOC export of a python-docx table loses the table.
    doc_bytes = convert(convert(_docx(), "docx", "odt"), "odt", "doc")
    assert doc_bytes.startswith(b"\xd0\xcf\x11\xe0")
    path = tmp_path / "letter.doc"
    path.write_bytes(doc_bytes)
    doc = _read(path)
    assert doc.media_type == "application/msword"
    text = "\n".join(doc.pages)
    assert TRANSFER in text and RUSSIAN in text
    assert "Groza-S station | 6 | 250000 | 1500000" in text
    assert doc.metadata["converted_with"] == "LibreOffice"
    assert doc.metadata["author"] == "Петров И.И."


@needs_soffice
def test_legacy_xls_is_converted_and_its_rows_carry_the_header(tmp_path: Path) -> None:
    path = tmp_path / "spec.xls"
    path.write_bytes(convert(_xlsx(), "xlsx", "xls"))
    doc = _read(path)
    assert doc.media_type == "application/vnd.ms-excel"
    assert SPEC_LINE in doc.pages[0]


@needs_soffice
def test_legacy_file_with_a_lying_extension_is_read_as_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "spec.pdf"  # an XLS, named as a PDF
    path.write_bytes(convert(_xlsx(), "xlsx", "xls"))
    doc = _read(path)
    assert doc.media_type == "application/vnd.ms-excel"


# -- spreadsheets ----------------------------------------------------------------------


def test_xlsx_sheets_are_pages_and_rows_carry_the_header_names(tmp_path: Path) -> None:
    path = tmp_path / "spec.xlsx"
    path.write_bytes(_xlsx())
    doc = _read(path)
    assert len(doc.pages) == 2
    lines = doc.pages[0].split("\n")
    assert lines[0] == "Sheet: Specification"
    assert "Specification No. 3 to contract 2018/12" in lines  # a title row above the header stays plain
    assert SPEC_LINE in lines
    assert "Item: Spare parts kit | Quantity: 2 | Unit price: 1000.5 | Total: 2001" in lines
    assert doc.pages[1] == "Sheet: Prices\n\nItem | Price\nItem: Groza-S | Price: 250000"


def test_ods_is_read_like_xlsx_and_repeated_empty_cells_do_not_expand(tmp_path: Path) -> None:
    book = OpenDocumentSpreadsheet()
    table = Table(name="Спецификация")
    for row in SPEC:
        table_row = TableRow()
        for value in row:
            cell = TableCell()
            cell.addElement(P(text=str(value)))
            table_row.addElement(cell)
        table_row.addElement(TableCell(numbercolumnsrepeated=16000))  # as LibreOffice writes a sheet's tail
        table.addElement(table_row)
    table.addElement(TableRow(numberrowsrepeated=1_000_000))
    book.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    book.write(buffer)
    path = tmp_path / "spec.ods"
    path.write_bytes(buffer.getvalue())
    doc = _read(path)
    assert doc.media_type == "application/vnd.oasis.opendocument.spreadsheet"
    assert doc.pages == [
        "Sheet: Спецификация\n\nItem | Quantity | Unit price | Total\n"
        + SPEC_LINE
        + "\nItem: Spare parts kit | Quantity: 2 | Unit price: 1000.5 | Total: 2001"
    ]


def test_csv_with_semicolons_in_cp1251(tmp_path: Path) -> None:
    text = "Наименование;Количество;Цена\nСтанция «Гроза-С»;6;250 000\nКомплект ЗИП;2;1 000\n"
    path = tmp_path / "spec.csv"
    path.write_bytes(text.encode("cp1251"))
    doc = _read(path)
    assert doc.media_type == "text/csv"
    assert doc.pages[0].split("\n")[1] == "Наименование: Станция «Гроза-С» | Количество: 6 | Цена: 250 000"
    assert doc.metadata["delimiter"] == "semicolon"


def test_csv_is_recognised_by_content_without_the_extension(tmp_path: Path) -> None:
    rows = ["item\tqty\tyear"] + [f"system {n}\t{n}\t{2010 + n}" for n in range(6)]
    path = tmp_path / "export.txt"
    path.write_text("\n".join(rows) + "\n")
    assert _read(path).media_type == "text/csv"
    prose = tmp_path / "letter.txt"
    prose.write_text("Dear colleague,\nthe delivery is late.\nRegards, Ivanov\n")
    assert _read(prose).media_type == "text/plain"


def test_a_long_sheet_is_split_into_pages() -> None:
    rows = [["Item", "Qty"]] + [[f"part {n}", str(n)] for n in range(PAGE_ROWS + 10)]
    lines = table_lines(rows)
    assert len(lines) == PAGE_ROWS + 11
    assert lines[5] == "Item: part 4 | Qty: 4"


# -- detection by content -------------------------------------------------------------


@pytest.mark.parametrize(
    ("maker", "format_name"),
    [(_docx, "docx"), (_odt, "odf"), (_xlsx, "xlsx")],
    ids=["docx", "odt", "xlsx"],
)
def test_office_files_are_detected_by_content_not_extension(maker: object, format_name: str) -> None:
    assert callable(maker)
    data = maker()
    assert isinstance(data, bytes)
    fmt = detect(data[:HEAD_SIZE], Path("misnamed.txt"))
    assert fmt is not None and fmt.name == format_name


def test_docx_whose_document_part_is_past_the_head_is_still_read_as_docx(tmp_path: Path) -> None:
    # A large first member hides the member names from the sniffer: the ZIP reader hands it on.
    source = zipfile.ZipFile(io.BytesIO(_docx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("docProps/thumbnail.bin", bytes(range(256)) * 64)  # stored, 16 KB
        for info in source.infolist():
            package.writestr(info, source.read(info))
    path = tmp_path / "letter.zip"
    path.write_bytes(buffer.getvalue())
    doc = _read(path)
    assert doc.media_type.endswith("wordprocessingml.document")
    assert TRANSFER in doc.pages[0]
