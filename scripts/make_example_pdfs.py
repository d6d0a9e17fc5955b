"""Regenerate the binary specimens in `examples/cache/`: the export passport PDF and the unsupported file.

They are generated rather than hand-made so that anyone can check what is in them and
rebuild them byte for byte: fixed metadata and no random document id, so the sha256 of
the output (and so every evidence id in the demo) stays the same from one run to the next.

Run from the repository root: `.venv/bin/python scripts/make_example_pdfs.py`.
"""

from __future__ import annotations

import argparse
import struct
import wave
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
SPECIMEN = (
    "SPECIMEN — not a real document. Written for the armstrace demo; names, numbers and dates are invented."
)
FIXED_DATE = "D:20240614000000Z"

# One string per page. Plain text, laid out with the built-in Helvetica so that the text layer
# is exactly what a reader sees.
PASSPORT_PAGES: list[str] = [
    """REPUBLIC OF BELARUS
STATE AUTHORITY FOR MILITARY INDUSTRY

EXPORT PASSPORT No. EP-21/0419

Issued: 12 July 2021. Valid until: 31 December 2022.

Section 1. Exporter
State Arms Export Agency of the Republic of Belarus, Minsk.

Section 2. Importer
Ministry of Defence of the Republic of Azerbaijan, Baku.

Section 3. End user
Armed Forces of the Republic of Azerbaijan.

Section 4. Basis for export
Contract No. BSX-21/0266 of 2 July 2021 between the exporter and the importer;
note of the Embassy of the Republic of Belarus in Baku No. 21/114 of 9 April 2021.

Section 4.1. Country of destination: Republic of Azerbaijan.
Section 4.2. Years of delivery: 2021-2022.
Section 4.3. Mode of transport: air, Minsk National Airport to Baku.""",
    """Section 5. Goods to be exported

Item 1. Groza-S counter-drone mobile station (radio suppression of unmanned aerial
        vehicles, mounted on a wheeled chassis).
        Quantity: 6 units. Years of delivery: 2021-2022.
Item 2. Set of spare parts, tools and accessories for item 1.
        Quantity: 1 set. Year of delivery: 2022.
Item 3. Operating documentation in English.
        Quantity: 6 copies. Year of delivery: 2021.

Section 5.1. Statement of the exporter
Under this passport Belarus shall deliver six (6) Groza-S counter-drone mobile stations
to Azerbaijan in 2021 and 2022. The stations are supplied for the Armed Forces of the
Republic of Azerbaijan and for no other user.

Section 5.2. Services
The exporter will train twelve (12) crew members of the end user in Minsk before the
first delivery. Training is a service and is not subject to a separate licence.""",
    """Section 6. Undertakings of the importer
The importer undertakes that the goods listed in Section 5:
(a) will be used only by the end user named in Section 3;
(b) will not be re-exported or transferred to a third party without the prior written
    consent of the competent authority of the Republic of Belarus;
(c) will be made available for a post-shipment check on request.

Section 7. Customs clearance
Customs office of departure: Minsk National Airport.
Each consignment must be accompanied by a copy of this passport.

Section 8. Signatures

For the State Authority for Military Industry
Head of the Export Control Directorate\n(signed) K. L. Yanushkevich

Seal of the State Authority for Military Industry""",
]


def _page(doc: pymupdf.Document, body: str, number: int, total: int) -> None:
    """Lay out one A4 page: specimen banner, body text and a page footer."""
    page = doc.new_page(width=595, height=842)
    font = pymupdf.Font("helv")
    writer = pymupdf.TextWriter(page.rect)
    writer.fill_textbox(pymupdf.Rect(50, 40, 545, 80), SPECIMEN, font=font, fontsize=9)
    overflow = writer.fill_textbox(pymupdf.Rect(50, 90, 545, 780), body, font=font, fontsize=10.5)
    if overflow:
        raise SystemExit(f"page {number}: text does not fit the page, shorten it")
    writer.fill_textbox(pymupdf.Rect(50, 790, 545, 810), f"Page {number} of {total}", font=font, fontsize=9)
    writer.write_text(page, color=(0, 0, 0))
    # The banner in red, drawn again on top, as a stamp would be.
    stamp = pymupdf.TextWriter(page.rect, color=(0.7, 0, 0))
    stamp.append((400, 70), "SPECIMEN", font=pymupdf.Font("hebo"), fontsize=14)
    stamp.write_text(page)


def make_passport(out: Path) -> None:
    """The export passport: three pages, an importer, an end user, items, quantities, years."""
    doc = pymupdf.open()
    for number, body in enumerate(PASSPORT_PAGES, start=1):
        _page(doc, body, number, len(PASSPORT_PAGES))
    doc.set_metadata(
        {
            "title": "Export passport No. EP-21/0419 (SPECIMEN - not a real document)",
            "author": "armstrace examples",
            "subject": "Specimen export passport for the armstrace demo",
            "creator": "scripts/make_example_pdfs.py",
            "producer": "PyMuPDF",
            "creationDate": FIXED_DATE,
            "modDate": FIXED_DATE,
        }
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(doc.tobytes(garbage=4, deflate=True, no_new_id=True))
    doc.close()


def make_unsupported(out: Path) -> None:
    """A quarter of a second of silence as WAV: a voice memo, which armstrace does not read.

    Audio rather than an image because images are scans that OCR may read; this file must
    show the per-file status "unsupported" whatever formats are installed.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(struct.pack("<2000h", *([0] * 2000)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "examples" / "cache", help="the specimen cache folder"
    )
    args = parser.parse_args()
    passport = args.out / "passports" / "2021-07-12_export-passport-ep-21-0419.pdf"
    memo = args.out / "misc" / "2021-05-03_voice-memo.wav"
    make_passport(passport)
    make_unsupported(memo)
    for path in (passport, memo):
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"wrote {shown} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
