"""Test scans made in code: letters with a header and a small table, rendered like a scanner would.

A page is laid out with PyMuPDF in DejaVu (a Debian font with Cyrillic; PyMuPDF's
base-14 fonts have none), rendered at a scanner's resolution, then tilted by a
degree or two and given paper grain and specks of dust, with a fixed seed so a
test sees the same pixels on every run. The benchmark uses the same pages.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymupdf as _pymupdf
from PIL import Image

pymupdf: Any = _pymupdf  # PyMuPDF's annotations are partial

FONT_FOLDER = Path("/usr/share/fonts/truetype/dejavu")
SERIF = FONT_FOLDER / "DejaVuSerif.ttf"
SERIF_BOLD = FONT_FOLDER / "DejaVuSerif-Bold.ttf"


@dataclass
class Letter:
    """What goes on one page: a letterhead, a subject line, paragraphs, and an optional table."""

    header: list[str]
    subject: str
    paragraphs: list[str]
    table: list[list[str]] = field(default_factory=list)
    signature: str = ""


ENGLISH = Letter(
    header=["STATE AUTHORITY FOR MILITARY INDUSTRY", "Minsk, 12 March 2021", "No. 04-17/2281"],
    subject="Subject: deliveries under contract 112/2019",
    paragraphs=[
        "Belarus delivered Groza-S counter-drone stations to Azerbaijan in 2021.",
        "The specification of the equipment is given in the table below.",
    ],
    table=[
        ["Item", "Quantity", "Unit price"],
        ["Groza-S station", "4", "1 200 000"],
        ["Spare parts", "1", "85 000"],
    ],
    signature="Director of the export department",
)

RUSSIAN = Letter(
    header=["ГОСУДАРСТВЕННЫЙ ВОЕННО-ПРОМЫШЛЕННЫЙ КОМИТЕТ", "Минск, 14 мая 2019 года", "Исх. № 03-12/1174"],
    subject="О поставке станций радиоэлектронной борьбы",
    paragraphs=[
        "Сообщаем, что поставка оборудования в Азербайджан выполнена в полном объёме.",
        "Спецификация изделий приведена в таблице ниже.",
    ],
    table=[
        ["Изделие", "Количество", "Цена"],
        ["Станция Гроза", "3", "950 000"],
        ["Запасные части", "1", "40 000"],
    ],
    signature="Начальник управления внешнеэкономической деятельности",
)


def _check_fonts() -> None:
    if not SERIF.exists():
        raise FileNotFoundError(
            f"{SERIF} is missing: install the fonts-dejavu-core package (scripts/setup.sh)"
        )


def letter_page(doc: Any, letter: Letter) -> Any:
    """Lay out `letter` on a new A4 page of `doc` as real text (a text layer), and return the page."""
    _check_fonts()
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="serif", fontfile=str(SERIF))
    page.insert_font(fontname="serifbd", fontfile=str(SERIF_BOLD))
    y = 80.0
    for number, line in enumerate(letter.header):
        page.insert_text((72, y), line, fontname="serifbd" if number == 0 else "serif", fontsize=12)
        y += 18
    page.draw_line((72, y - 6), (523, y - 6), width=0.8)
    y += 24
    page.insert_text((72, y), letter.subject, fontname="serifbd", fontsize=12)
    y += 30
    for paragraph in letter.paragraphs:
        for line in _wrap(paragraph, 62):
            page.insert_text((72, y), line, fontname="serif", fontsize=12)
            y += 17
        y += 10
    if letter.table:
        y += 6
        widths = [200.0, 110.0, 130.0]
        for row in letter.table:
            x = 72.0
            for width, cell in zip(widths, row, strict=False):
                page.draw_rect((x, y - 14, x + width, y + 8), width=0.6)
                page.insert_text((x + 6, y + 1), cell, fontname="serif", fontsize=11)
                x += width
            y += 22
        y += 20
    if letter.signature:
        page.insert_text((72, y + 20), letter.signature, fontname="serif", fontsize=12)
    return page


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines


def render(letter: Letter, *, dpi: int = 300) -> Image.Image:
    """The letter as a clean greyscale image at `dpi`."""
    doc = pymupdf.open()
    page = letter_page(doc, letter)
    pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    image = Image.open(io.BytesIO(pixmap.tobytes("png")))
    image.load()
    doc.close()
    return image


def degrade(image: Image.Image, *, skew: float = 1.5, noise: float = 0.10, seed: int = 7) -> Image.Image:
    """What a scanner does to a page: a slight tilt, grey paper grain and a sprinkle of dust."""
    rng = random.Random(seed)
    tilted = image.convert("L").rotate(skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    grain = Image.frombytes("L", tilted.size, rng.randbytes(tilted.width * tilted.height))
    mixed = Image.blend(tilted, grain, noise)
    dust = grain.point(lambda v: 0 if v == 0 else 255)  # about one pixel in 256 gets a speck
    return Image.composite(mixed, dust, dust)


def scan(
    letter: Letter, *, dpi: int = 300, skew: float = 1.5, noise: float = 0.10, seed: int = 7
) -> Image.Image:
    """A degraded scan of the letter."""
    return degrade(render(letter, dpi=dpi), skew=skew, noise=noise, seed=seed)


def encode(image: Image.Image, kind: str = "PNG", **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=kind, **options)
    return buffer.getvalue()


def multipage_tiff(images: list[Image.Image]) -> bytes:
    """A multi-page TIFF, as scanners write a batch (one page per frame)."""
    buffer = io.BytesIO()
    images[0].save(buffer, format="TIFF", save_all=True, append_images=images[1:], compression="tiff_lzw")
    return buffer.getvalue()


def pdf_with_pages(pages: list[Letter | Image.Image], *, dpi: int = 300) -> bytes:
    """A PDF whose pages are either real text (a `Letter`) or a scanned image with no text layer."""
    doc = pymupdf.open()
    for item in pages:
        if isinstance(item, Letter):
            letter_page(doc, item)
            continue
        width, height = item.width * 72 / dpi, item.height * 72 / dpi
        page = doc.new_page(width=width, height=height)
        page.insert_image(page.rect, stream=encode(item, "PNG"))
    data: bytes = doc.tobytes(deflate=True)
    doc.close()
    return data
