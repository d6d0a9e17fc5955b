"""Regenerate the Russian specimens in `examples/cache/ru/`: five text PDFs and two page scans.

Every file is a SPECIMEN written for armstrace's demo ("ОБРАЗЕЦ — не подлинный документ" at
the top of every page). The documents restate only what the public reporting on the 2024 leak
says (Belarus supplied Azerbaijan in 2018-2022 with artillery targeting equipment ordered
through the state exporter, artillery modernisation, electronic-warfare equipment and Groza-S
counter-drone stations); the firms, people, reference numbers, quantities, prices and exact
dates are invented, and agree with the English specimens beside them (contract numbers
BSX-18/0742, BSX-19/0115 and BSX-21/0266).

The output is deterministic: fixed metadata, no random document id, and the scans are
rendered from those PDFs at a fixed resolution and angle, so the sha256 of each file (and so
every evidence id in the demo) stays the same from one run to the next.

PyMuPDF's built-in fonts have no Cyrillic, so the text is set in DejaVu Sans from the Debian
package `fonts-dejavu-core` (installed by `scripts/setup.sh`); `--font-dir` points elsewhere.

Run from the repository root: `.venv/bin/python scripts/make_ru_examples.py`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FIXED_DATE = "D:20240614000000Z"
SPECIMEN = (
    "ОБРАЗЕЦ — не подлинный документ. Составлен для демонстрации armstrace; "
    "организации, лица, номера и даты вымышлены."
)
A4 = (595, 842)
LEFT, RIGHT = 56, 539


@dataclass
class Table:
    """A ruled table: column widths in points, a header row and body rows (one string per cell)."""

    widths: list[float]
    header: list[str]
    rows: list[list[str]]
    align: list[int] = field(default_factory=list)  # per column: 0 left, 2 right


@dataclass
class Doc:
    """One specimen: file stem, PDF title, and pages; a page is a list of blocks.

    A block is a plain string (body text), a string starting with "#" (a bold line), or a Table.
    """

    stem: str
    title: str
    pages: list[list[str | Table]]
    scan_angle: float | None = None  # render a scan PNG, rotated by this many degrees


# --- the documents ---------------------------------------------------------------------------------

LETTER_BSVT = Doc(
    stem="2018-10-25_bsvt-letter-minsk-optical-works",
    title="Письмо ГВТУП «Белспецвнештехника» № 3/1-1457 от 25.10.2018",
    scan_angle=0.7,
    pages=[
        [
            "#ГОСУДАРСТВЕННОЕ ВНЕШНЕТОРГОВОЕ УНИТАРНОЕ ПРЕДПРИЯТИЕ «БЕЛСПЕЦВНЕШТЕХНИКА»",
            "Республика Беларусь, г. Минск",
            "Исх. № 3/1-1457 от 25.10.2018\nНа № 112/18-с от 15.10.2018\nДля служебного пользования",
            "Генеральному директору\nОАО «Минский оптический завод»\nг-ну Ластовскому П. В.",
            "#О приёмке продукции по контракту № BSX-18/0742",
            "Уважаемый Павел Викторович!",
            "Во исполнение контракта № BSX-18/0742, заключённого ГВТУП «Белспецвнештехника» с "
            "Министерством обороны Азербайджанской Республики, Ваше предприятие изготавливает "
            "аппаратуру целеуказания для артиллерии для Вооружённых сил Азербайджанской "
            "Республики в количестве 12 (двенадцати) комплектов.",
            "Сообщаем, что приёмка первой партии из 6 (шести) комплектов назначена на "
            "29 ноября 2018 г. и будет проведена на территории предприятия совместной комиссией "
            "с участием представителей заказчика. Оставшиеся 6 (шесть) комплектов должны быть "
            "предъявлены к приёмке не позднее 29 марта 2019 г.",
            "Прошу обеспечить наличие эксплуатационной документации на русском и английском "
            "языках. Наименование конечного пользователя на упаковке и в открытой переписке "
            "не указывать.",
            "Заместитель генерального директора        (подпись)        С. Н. Барковский",
            "Исп. Ковальчук И. Р.",
        ]
    ],
)

LETTER_GKVP = Doc(
    stem="2020-07-06_goskomvoenprom-letter-neman-radio",
    title="Письмо Госкомвоенпрома № 07-12/2731 от 06.07.2020",
    pages=[
        [
            "#ГОСУДАРСТВЕННЫЙ ВОЕННО-ПРОМЫШЛЕННЫЙ КОМИТЕТ РЕСПУБЛИКИ БЕЛАРУСЬ\n(Госкомвоенпром)",
            "Исх. № 07-12/2731 от 6 июля 2020 г.\nКонфиденциально",
            "Генеральному директору\nОАО «Неман Радиосистемы»\nСаковичу Д. О.",
            "#О выполнении экспортного заказа (контракт № BSX-19/0115)",
            "Уважаемый Дмитрий Олегович!",
            "В дополнение к письму ГВТУП «Белспецвнештехника» от 22.06.2020 № 3/1-2094 "
            "Госкомвоенпром сообщает, что Министерство обороны Азербайджанской Республики "
            "подтвердило заказ на поставку средств радиоэлектронной борьбы производства Вашего "
            "предприятия.",
            "Поручаю:\n"
            "1. Обеспечить изготовление 4 (четырёх) комплектов станций радиоэлектронного "
            "подавления на автомобильном шасси для Вооружённых сил Азербайджанской Республики "
            "с готовностью к отгрузке в I квартале 2021 г.\n"
            "2. Предусмотреть обучение 8 (восьми) специалистов заказчика работе на станциях на "
            "базе предприятия в IV квартале 2020 г.\n"
            "3. Ежемесячно, до 5-го числа, информировать Госкомвоенпром о ходе выполнения заказа.",
            "Первый заместитель Председателя        (подпись)        А. М. Рябцевич",
            "Исп. Купревич И. С.",
        ]
    ],
)

NOTE_EMBASSY = Doc(
    stem="2021-12-02_embassy-note-groza-s",
    title="Нота Посольства Республики Беларусь в Азербайджанской Республике № 21/238",
    scan_angle=-0.9,
    pages=[
        [
            "#ПОСОЛЬСТВО РЕСПУБЛИКИ БЕЛАРУСЬ В АЗЕРБАЙДЖАНСКОЙ РЕСПУБЛИКЕ",
            "№ 21/238",
            "Посольство Республики Беларусь в Азербайджанской Республике свидетельствует своё "
            "уважение Министерству обороны Азербайджанской Республики и, ссылаясь на ноту "
            "Посольства № 21/114 от 9 апреля 2021 года, имеет честь сообщить следующее.",
            "Во исполнение контракта № BSX-21/0266 от 2 июля 2021 года белорусская сторона "
            "30 ноября 2021 года отправила в Азербайджан первые 2 (две) мобильные станции "
            "противодействия беспилотным летательным аппаратам «Гроза-С». Оставшиеся 4 (четыре) "
            "станции будут поставлены Министерству обороны Азербайджанской Республики в первом "
            "полугодии 2022 года.",
            "Белорусская сторона также предлагает выполнить модернизацию артиллерийских систем "
            "Вооружённых сил Азербайджанской Республики силами белорусских предприятий и провести "
            "по этому вопросу консультации экспертов в Минске в феврале 2022 года.",
            "Посольство пользуется случаем, чтобы возобновить Министерству обороны "
            "Азербайджанской Республики уверения в своём весьма высоком уважении.",
            "г. Баку, 2 декабря 2021 года\n(печать Посольства)",
        ]
    ],
)

CONTRACT = Doc(
    stem="2021-07-02_contract-bsx-21-0266",
    title="Контракт № BSX-21/0266 от 2 июля 2021 г.",
    pages=[
        [
            "#КОНТРАКТ № BSX-21/0266",
            "г. Минск                                                                  2 июля 2021 г.",
            "Государственное внешнеторговое унитарное предприятие «Белспецвнештехника» "
            "(Республика Беларусь), именуемое в дальнейшем «Продавец», в лице заместителя "
            "генерального директора Барковского С. Н., действующего на основании доверенности, "
            "с одной стороны, и Министерство обороны Азербайджанской Республики, именуемое в "
            "дальнейшем «Покупатель», в лице начальника управления закупок полковника "
            "Маммадли Р. Т., с другой стороны, заключили настоящий контракт о нижеследующем.",
            "#1. Предмет контракта",
            "1.1. Продавец обязуется поставить Покупателю мобильные станции противодействия "
            "беспилотным летательным аппаратам «Гроза-С» и оказать услуги по обучению, указанные "
            "в Спецификации (Приложение № 1), а Покупатель — принять и оплатить их.\n"
            "1.2. Конечный пользователь: Вооружённые силы Азербайджанской Республики. "
            "Реэкспорт продукции без письменного согласия Республики Беларусь не допускается.",
            "#2. Цена и общая сумма",
            "2.1. Цены установлены в долларах США. Общая сумма контракта составляет "
            "12 750 000 (двенадцать миллионов семьсот пятьдесят тысяч) долларов США.",
            "#3. Сроки и условия поставки",
            "3.1. Поставка осуществляется двумя партиями: 2 (две) станции — в IV квартале 2021 г., "
            "4 (четыре) станции — в I–II кварталах 2022 г., на условиях CIP Баку (Инкотермс 2010), "
            "воздушным транспортом из Национального аэропорта «Минск».\n"
            "3.2. Обучение расчётов Покупателя проводится в г. Минске до отгрузки первой партии.",
        ],
        [
            "#Приложение № 1 к контракту № BSX-21/0266 от 2 июля 2021 г.",
            "#СПЕЦИФИКАЦИЯ",
            Table(
                widths=[24, 215, 44, 50, 75, 75],
                header=["№", "Наименование", "Ед.", "Кол-во", "Цена за ед., долл. США", "Сумма, долл. США"],
                rows=[
                    [
                        "1",
                        "Мобильная станция противодействия БпЛА «Гроза-С» на колёсном шасси",
                        "шт.",
                        "6",
                        "1 950 000",
                        "11 700 000",
                    ],
                    ["2", "Комплект ЗИП к станциям «Гроза-С»", "компл.", "1", "620 000", "620 000"],
                    [
                        "3",
                        "Обучение расчётов Покупателя (12 человек), услуга",
                        "курс",
                        "1",
                        "430 000",
                        "430 000",
                    ],
                    ["", "ИТОГО", "", "", "", "12 750 000"],
                ],
                align=[0, 0, 0, 2, 2, 2],
            ),
            "Валюта контракта: доллар США. Сроки поставки: 2021–2022 гг.",
            "#Подписи сторон",
            "ПРОДАВЕЦ: ГВТУП «Белспецвнештехника»\nЗаместитель генерального директора\n"
            "(подпись)  С. Н. Барковский",
            "ПОКУПАТЕЛЬ: Министерство обороны Азербайджанской Республики\n"
            "Начальник управления закупок\n(подпись)  полковник Р. Т. Маммадли",
        ],
    ],
)

PASSPORT = Doc(
    stem="2020-09-15_export-passport-ep-20-0611",
    title="Паспорт экспорта № ЭП-20/0611",
    pages=[
        [
            "#РЕСПУБЛИКА БЕЛАРУСЬ\nГОСУДАРСТВЕННЫЙ ВОЕННО-ПРОМЫШЛЕННЫЙ КОМИТЕТ",
            "#ПАСПОРТ ЭКСПОРТА ПРОДУКЦИИ ВОЕННОГО НАЗНАЧЕНИЯ № ЭП-20/0611",
            "Дата выдачи: 15.09.2020          Действителен до: 31.12.2021",
            "1. Экспортёр: ГВТУП «Белспецвнештехника», Республика Беларусь, г. Минск\n"
            "2. Изготовитель: ОАО «Неман Радиосистемы», Республика Беларусь\n"
            "3. Импортёр: Министерство обороны Азербайджанской Республики, г. Баку\n"
            "4. Конечный пользователь: Вооружённые силы Азербайджанской Республики\n"
            "5. Страна назначения: Азербайджанская Республика\n"
            "6. Основание: контракт № BSX-19/0115 от 14 октября 2019 г.",
            "7. Продукция:\n"
            "7.1. Станция радиоэлектронного подавления на автомобильном шасси — 4 (четыре) комплекта\n"
            "7.2. Комплект ЗИП к позиции 7.1 — 1 (один) комплект",
            "8. Сроки поставки: IV квартал 2020 г. — IV квартал 2021 г.\n"
            "9. Вид транспорта: воздушный, Национальный аэропорт «Минск» — аэропорт г. Баку\n"
            "10. Таможня отправления: Минская региональная таможня",
            "11. Особые условия: продукция не подлежит реэкспорту и передаче третьим лицам без "
            "письменного согласия Госкомвоенпрома.",
            "Начальник управления экспортного контроля        (подпись)        К. Л. Янушкевич",
            "М. П.",
        ]
    ],
)

DOCS = [LETTER_BSVT, LETTER_GKVP, NOTE_EMBASSY, CONTRACT, PASSPORT]


# --- layout ----------------------------------------------------------------------------------------


class Fonts:
    def __init__(self, font_dir: Path) -> None:
        regular, bold = font_dir / "DejaVuSans.ttf", font_dir / "DejaVuSans-Bold.ttf"
        for path in (regular, bold):
            if not path.is_file():
                raise SystemExit(
                    f"{path} not found: install the Debian package fonts-dejavu-core "
                    "(scripts/setup.sh does) or pass --font-dir"
                )
        self.regular = pymupdf.Font(fontfile=str(regular))
        self.bold = pymupdf.Font(fontfile=str(bold))


def _text(
    writer: pymupdf.TextWriter, rect: pymupdf.Rect, text: str, font: pymupdf.Font, size: float, align: int = 0
) -> float:
    """Set `text` in `rect`; return the y just below the last line. Fails if it does not fit."""
    overflow = writer.fill_textbox(rect, text, font=font, fontsize=size, align=align)
    if overflow:
        raise SystemExit(f"text does not fit: {text[:60]!r}")
    return writer.last_point.y + size * 0.35


def _table(page: pymupdf.Page, writer: pymupdf.TextWriter, fonts: Fonts, table: Table, y: float) -> float:
    """Draw a ruled table row by row (so the text layer reads row by row); return the y below it."""
    size = 8.5
    x_edges = [LEFT]
    for width in table.widths:
        x_edges.append(x_edges[-1] + width)
    for index, row in enumerate([table.header, *table.rows]):
        font = fonts.bold if index == 0 or row[1] == "ИТОГО" else fonts.regular
        lines = max(len(_wrap(cell, font, size, w - 6)) for cell, w in zip(row, table.widths, strict=False))
        height = lines * size * 1.25 + 6
        for col, cell in enumerate(row):
            rect = pymupdf.Rect(x_edges[col] + 3, y + 3, x_edges[col + 1] - 3, y + height)
            if cell:
                align = table.align[col] if table.align and index else 0
                writer.fill_textbox(rect, cell, font=font, fontsize=size, align=align)
        page.draw_line((LEFT, y), (x_edges[-1], y), width=0.6)
        for x in x_edges:
            page.draw_line((x, y), (x, y + height), width=0.6)
        y += height
    page.draw_line((LEFT, y), (x_edges[-1], y), width=0.6)
    return y + 10


def _wrap(text: str, font: pymupdf.Font, size: float, width: float) -> list[str]:
    """Greedy word wrap, only to size table rows (fill_textbox does the real layout)."""
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and font.text_length(candidate, fontsize=size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines or [""]


def _page(doc: pymupdf.Document, fonts: Fonts, blocks: list[str | Table], number: int, total: int) -> None:
    page = doc.new_page(width=A4[0], height=A4[1])
    writer = pymupdf.TextWriter(page.rect)
    y = _text(writer, pymupdf.Rect(LEFT, 30, RIGHT, 60), SPECIMEN, fonts.regular, 8)
    y = max(y, 90)
    for block in blocks:
        if isinstance(block, Table):
            y = _table(page, writer, fonts, block, y)
            continue
        bold = block.startswith("#")
        text = block[1:] if bold else block
        y = _text(
            writer, pymupdf.Rect(LEFT, y, RIGHT, 790), text, fonts.bold if bold else fonts.regular, 10.5
        )
        y += 7
    _text(
        writer,
        pymupdf.Rect(LEFT, 800, RIGHT, 820),
        f"Страница {number} из {total}",
        fonts.regular,
        8,
        align=2,
    )
    writer.write_text(page, color=(0, 0, 0))
    # the same warning in red, as a stamp would be
    stamp = pymupdf.TextWriter(page.rect, color=(0.7, 0, 0))
    stamp.append((RIGHT - 90, 80), "ОБРАЗЕЦ", font=fonts.bold, fontsize=14)
    stamp.write_text(page)


def make_pdf(spec: Doc, fonts: Fonts) -> bytes:
    doc = pymupdf.open()
    for number, blocks in enumerate(spec.pages, start=1):
        _page(doc, fonts, blocks, number, len(spec.pages))
    doc.subset_fonts()
    doc.set_metadata(
        {
            "title": f"{spec.title} (ОБРАЗЕЦ — не подлинный документ)",
            "author": "armstrace examples",
            "subject": "Specimen Russian document for the armstrace demo",
            "creator": "scripts/make_ru_examples.py",
            "producer": "PyMuPDF",
            "creationDate": FIXED_DATE,
            "modDate": FIXED_DATE,
        }
    )
    data = doc.tobytes(garbage=4, deflate=True, no_new_id=True)
    doc.close()
    return data


def make_scan(pdf: bytes, angle: float) -> bytes:
    """The first page as a greyscale 200 dpi "scan", turned slightly as a sheet on a scanner is."""
    src = pymupdf.open("pdf", pdf)
    out = pymupdf.open()
    page = out.new_page(width=A4[0], height=A4[1])
    page.draw_rect(page.rect, color=None, fill=(0.96, 0.955, 0.94))  # off-white paper
    page.show_pdf_page((*page.rect, 8, 6, -8, -6), src, 0, rotate=angle)
    pix = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY, alpha=False)
    data = pix.tobytes("png")
    out.close()
    src.close()
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "examples" / "cache" / "ru", help="output folder")
    parser.add_argument("--font-dir", type=Path, default=FONT_DIR, help="folder with DejaVuSans.ttf")
    args = parser.parse_args()
    fonts = Fonts(args.font_dir)
    args.out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for spec in DOCS:
        pdf = make_pdf(spec, fonts)
        path = args.out / f"{spec.stem}.pdf"
        path.write_bytes(pdf)
        written.append(path)
        if spec.scan_angle is not None:
            scan = args.out / f"{spec.stem}_scan.png"
            scan.write_bytes(make_scan(pdf, spec.scan_angle))
            written.append(scan)
    for path in written:
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"wrote {shown} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
