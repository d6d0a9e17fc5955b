"""Scans and photos (PNG, JPEG, TIFF, BMP, WebP, GIF) through OCR, one page per TIFF frame.

A leak is full of phone photos and scanner output; their text exists only as
pixels. Each page is decoded with Pillow, turned upright by its EXIF
orientation (phones store photos sideways), re-encoded as PNG and read by
Tesseract (`armstrace.ingest.ocr`); the PNG is kept with the words' boxes so
evidence can be highlighted on the page later.

Hostile images: the pixel size in the header is checked before anything is
decoded, so a small file declaring a giant image (a decompression bomb) is
`too-large` without allocating it; Pillow's own bomb check stays on as a
second guard. A multi-page TIFF is limited in pages and in total pixels.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

from armstrace.ingest.formats import FormatError, Parsed

MAX_PIXELS = 80_000_000
"""Pixels one page may have (a 300 dpi A0 scan is 140 MP; an A4 page at 600 dpi is 35 MP)."""
MAX_TOTAL_PIXELS = 2_000_000_000
"""Pixels all pages of one file may have together (some 230 A4 pages at 300 dpi)."""
MAX_PAGES = 2000

_KINDS: dict[str, str] = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "TIFF": "image/tiff",
    "BMP": "image/bmp",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
_BMP_HEADER_SIZES = (12, 40, 52, 56, 64, 108, 124)


def kind(head: bytes) -> str | None:
    """The image kind the first bytes show (Pillow's format name), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    # "BM" alone is too weak a sign (text can start with it): the reserved words must be zero
    # and the second header must have one of the sizes BMP versions define.
    if head[:2] == b"BM" and len(head) >= 18 and head[6:10] == b"\x00\x00\x00\x00":
        return "BMP" if int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES else None
    return None


def _upright(frame: Any) -> Any:
    """A frame Tesseract and a browser both read the same way: upright, greyscale or RGB, opaque."""
    from PIL import Image, ImageOps

    frame = ImageOps.exif_transpose(frame) or frame
    if frame.mode in ("1", "L", "RGB"):
        return frame
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))  # transparent = paper, not black
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if frame.mode.startswith("I;16"):  # 16-bit scans: scale to 8 bits rather than clip
        return frame.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if frame.mode in ("I", "F"):
        return frame.convert("L")
    return frame.convert("RGB")


def _png(frame: Any) -> bytes:
    buffer = io.BytesIO()
    frame.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def decode_pages(data: bytes, name: str) -> tuple[list[bytes], dict[str, str], list[str]]:
    """The pages of an image file as PNG bytes, its metadata, and the problems met.

    Raises `FormatError`: `too-large` over the pixel limits, `failed` for an
    image Pillow cannot decode.
    """
    from PIL import Image, UnidentifiedImageError

    problems: list[str] = []
    pages: list[bytes] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise FormatError(
                "too-large", f"the image is over the limit of {MAX_PIXELS:,} pixels ({exc})"
            ) from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise FormatError("failed", f"the {name} image is damaged and cannot be decoded ({exc})") from exc
        with image:
            frames = getattr(image, "n_frames", 1) if image.format == "TIFF" else 1
            metadata = {"image_format": image.format or name, "pixels": f"{image.width}x{image.height}"}
            if frames > 1:
                metadata["frames"] = str(frames)
            if frames > MAX_PAGES:
                problems.append(f"the TIFF has {frames} pages; only the first {MAX_PAGES} were read")
                frames = MAX_PAGES
            total = 0
            for number in range(frames):
                try:
                    image.seek(number)
                    width, height = image.size
                    if width * height > MAX_PIXELS:
                        raise FormatError(
                            "too-large",
                            f"page {number + 1} of the image is {width}x{height} pixels "
                            f"({width * height / 1e6:.0f} megapixels), over the limit of "
                            f"{MAX_PIXELS / 1e6:.0f} megapixels per page",
                        )
                    total += width * height
                    if total > MAX_TOTAL_PIXELS:
                        raise FormatError(
                            "too-large",
                            f"the image's pages add up to over {MAX_TOTAL_PIXELS / 1e9:.0f} billion pixels",
                        )
                    image.load()
                    pages.append(_png(_upright(image)))
                except FormatError:
                    raise
                except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                    raise FormatError(
                        "too-large", f"page {number + 1} of the image is too large ({exc})"
                    ) from exc
                except (OSError, ValueError, SyntaxError, EOFError) as exc:
                    if number == 0:
                        raise FormatError(
                            "failed", f"the {name} image is damaged and cannot be decoded ({exc})"
                        ) from exc
                    problems.append(f"page {number + 1} of the image is damaged and was skipped ({exc})")
                    break
    return pages, metadata, problems


class ImageFormat:
    name = "image"
    media_types: tuple[str, ...] = tuple(_KINDS.values())

    def sniff(self, head: bytes, path: Path) -> bool:
        return kind(head) is not None

    def read(self, data: bytes, path: Path) -> Parsed:
        from armstrace.ingest.ocr import OcrUnavailable, describe, ocr_pages

        name = kind(data[:64]) or "image"
        images, metadata, problems = decode_pages(data, name)
        try:
            results = ocr_pages(images)
        except OcrUnavailable as exc:
            raise FormatError("failed", f"an image can only be read by OCR, and {exc}") from exc
        pages: list[str] = []
        for number, page in enumerate(results, 1):
            pages.append(page.text)
            if page.error:
                problems.append(f"page {number} could not be OCR'd ({page.error})")
            elif not page.words:
                problems.append(f"OCR found no text on page {number}")
        metadata["ocr"] = describe(results)
        return Parsed(
            pages=pages,
            metadata=metadata,
            problems=problems,
            media_type=_KINDS.get(name),
            ocr={number: page for number, page in enumerate(results, 1)},
        )
