"""PDF ingest throughput: armstrace's `read_file` against raw PyMuPDF text extraction.

Raw PyMuPDF (open, `get_text()` on every page) is the floor: armstrace reads PDFs with
PyMuPDF too, so the ratio is what hashing, sniffing, normalising and page bookkeeping cost
on top of the library. Same files, same process, runs interleaved.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bench.corpus import make_pdfs
from bench.timing import Measurement, describe_error, ratio, timed

Reader = Callable[[Path], int]  # reads one file, returns the number of pages it got text from


@dataclass
class IngestResult:
    files: int
    pages: int
    bytes: int
    repeat: int
    armstrace: Measurement
    raw: Measurement
    notes: list[str] = field(default_factory=list)

    name = "ingest (PDF)"

    def measurements(self) -> tuple[Measurement, Measurement]:
        """The subject first, then its baseline."""
        return self.armstrace, self.raw

    @property
    def ratio(self) -> float | None:
        return ratio(self.armstrace, self.raw)

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "pages": self.pages,
            "bytes": self.bytes,
            "repeat": self.repeat,
            "armstrace": self.armstrace.to_json(),
            "raw": self.raw.to_json(),
            "ratio": self.ratio,
            "notes": self.notes,
        }


def raw_pymupdf(path: Path) -> int:
    """The baseline: what any script would do with PyMuPDF alone."""
    import pymupdf

    with pymupdf.open(path) as doc:
        texts = [page.get_text() for page in doc]
    return len(texts)


def load_armstrace() -> tuple[Reader | None, str | None]:
    try:
        from armstrace.ingest import read_file
    except ImportError as exc:
        return None, describe_error(exc)

    def read(path: Path) -> int:
        document, _outcome = read_file(path)
        return len(document.pages) if document is not None else 0

    return read, None


def run(count: int = 20, pages: int = 10, repeat: int = 3, folder: Path | None = None) -> IngestResult:
    """Generate the PDFs (in a temporary folder unless one is given), then time both readers."""
    own_folder = folder is None
    where = Path(tempfile.mkdtemp(prefix="armstrace-bench-")) if folder is None else folder
    try:
        paths = make_pdfs(where, count=count, pages=pages)
        return _measure(paths, pages, repeat)
    finally:
        if own_folder:
            shutil.rmtree(where, ignore_errors=True)


def _read_all(reader: Reader, paths: list[Path]) -> int:
    return sum(reader(path) for path in paths)


def _measure(paths: list[Path], pages_per_file: int, repeat: int) -> IngestResult:
    total_pages = len(paths) * pages_per_file
    armstrace, error = load_armstrace()
    subjects: list[tuple[Measurement, Reader | None]] = [
        (Measurement("armstrace", units=total_pages, error=error), armstrace),
        (Measurement("raw PyMuPDF", units=total_pages), raw_pymupdf),
    ]
    for path in paths:  # warm the OS file cache and lazy imports before any timing
        path.read_bytes()
    for _ in range(repeat):  # interleaved, so a slow moment of the machine hits both
        for measurement, reader in subjects:
            if reader is None or measurement.error is not None:
                continue
            try:
                seconds, found = timed(partial(_read_all, reader, paths))
            except Exception as exc:  # report a broken reader instead of dying with it
                measurement.error = describe_error(exc)
                continue
            measurement.seconds.append(seconds)
            measurement.found = found
    notes: list[str] = []
    arm, raw = subjects[0][0], subjects[1][0]
    if arm.found is not None and arm.found != total_pages:
        notes.append(f"armstrace returned text for {arm.found} of {total_pages} pages")
    return IngestResult(
        files=len(paths),
        pages=total_pages,
        bytes=sum(p.stat().st_size for p in paths),
        repeat=repeat,
        armstrace=arm,
        raw=raw,
        notes=notes,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20, help="number of PDFs (default 20)")
    parser.add_argument("--pages", type=int, default=10, help="pages per PDF (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per reader; the best is kept")
    args = parser.parse_args()
    result = run(args.files, args.pages, args.repeat)
    for m in (result.armstrace, result.raw):
        rate = f"{m.rate:,.1f} pages/s" if m.rate else f"n/a ({m.error})"
        print(f"{m.subject:12} {rate}")
    print(f"ratio armstrace/raw: {result.ratio}")


if __name__ == "__main__":
    main()
