"""OCR throughput: `armstrace.ingest.ocr.ocr_pages` with 1 and with all workers, against bare Tesseract.

The baseline is the `tesseract` command run directly on the same page images
(PNG files, TSV output, the same language set and `OMP_THREAD_LIMIT=1`), one
page after another and then as many at once as there are cores. The first
ratio says what armstrace costs per page on top of Tesseract (the target is
within 15%); the second, how close page-level parallelism comes to a linear
speed-up. The cache is off while timing (a cached page costs no OCR at all);
a cached re-run is reported in the notes.

Run alone: `.venv/bin/python -m bench.bench_ocr` (writes bench/results-ocr.md and .json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.timing import METHOD, Measurement, describe_error, timed

HERE = Path(__file__).resolve().parent
LANGUAGES = "rus+eng"


def _scans() -> ModuleType:
    """The test-scan renderer in tests/scans.py: the benchmark reads the same kind of pages as the tests."""
    spec = importlib.util.spec_from_file_location("scans", HERE.parent / "tests" / "scans.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("scans", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def make_pages(count: int, dpi: int = 300) -> list[bytes]:
    """`count` distinct scanned letters (English and Russian, tilted, noisy) as PNG bytes."""
    scans = _scans()
    letters = [scans.ENGLISH, scans.RUSSIAN]
    pages = []
    for n in range(count):
        skew = (-2.0, -1.0, 1.0, 2.0)[n % 4]
        pages.append(scans.encode(scans.scan(letters[n % 2], dpi=dpi, skew=skew, seed=100 + n)))
    return pages


@dataclass
class OcrResult:
    pages: int
    cores: int
    repeat: int
    armstrace_1: Measurement
    armstrace_n: Measurement
    raw_1: Measurement
    raw_n: Measurement
    notes: list[str] = field(default_factory=list)
    # CPU seconds (this process and its Tesseract children) of the run with the least CPU, by
    # subject: unlike wall-clock time, this does not grow when other work shares the machine
    cpu: dict[str, float] = field(default_factory=dict)

    name = "OCR"

    def measurements(self) -> tuple[Measurement, ...]:
        return self.armstrace_1, self.armstrace_n, self.raw_1, self.raw_n

    @property
    def overhead(self) -> float | None:
        """armstrace's time per page over raw Tesseract's, one page at a time, minus 1 (0.05 = 5%)."""
        if self.armstrace_1.best is None or self.raw_1.best is None:
            return None
        return self.armstrace_1.best / self.raw_1.best - 1

    @property
    def speedup(self) -> float | None:
        """armstrace with every core against armstrace with one worker."""
        if self.armstrace_1.best is None or self.armstrace_n.best is None:
            return None
        return self.armstrace_1.best / self.armstrace_n.best

    @property
    def raw_speedup(self) -> float | None:
        """What the machine allows: raw Tesseract on every core against one page at a time."""
        if self.raw_1.best is None or self.raw_n.best is None:
            return None
        return self.raw_1.best / self.raw_n.best

    @property
    def cpu_overhead(self) -> float | None:
        """armstrace's CPU time per page over raw Tesseract's, minus 1: the load-independent overhead."""
        arm, raw = self.cpu.get(self.armstrace_1.subject), self.cpu.get(self.raw_1.subject)
        return arm / raw - 1 if arm and raw else None

    def to_json(self) -> dict[str, Any]:
        return {
            "cpu_seconds": self.cpu,
            "cpu_overhead_per_page": self.cpu_overhead,
            "pages": self.pages,
            "cores": self.cores,
            "repeat": self.repeat,
            "measurements": [m.to_json() for m in self.measurements()],
            "overhead_per_page": self.overhead,
            "speedup": self.speedup,
            "raw_speedup": self.raw_speedup,
            "notes": self.notes,
        }


def _raw_one(path: Path) -> int:
    """The baseline: the `tesseract` command on one page image file, as a script would run it."""
    done = subprocess.run(
        ["tesseract", str(path), "stdout", "-l", LANGUAGES, "--psm", "3", "tsv"],
        capture_output=True,
        check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    rows = (line.split(b"\t") for line in done.stdout.splitlines()[1:])
    return sum(1 for cells in rows if len(cells) == 12 and cells[0] == b"5" and cells[11].strip())


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children (the Tesseracts)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _raw(paths: list[Path], workers: int) -> int:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return sum(pool.map(_raw_one, paths))


def run(count: int = 12, repeat: int = 2, cores: int | None = None) -> OcrResult:
    """Render the pages, then time armstrace and raw Tesseract on them, interleaved."""
    from armstrace.ingest import ocr

    cores = cores or ocr.settings().workers
    images = make_pages(count)
    folder = Path(tempfile.mkdtemp(prefix="armstrace-bench-ocr-"))
    try:
        paths = []
        for n, image in enumerate(images):
            path = folder / f"page-{n:03}.png"
            path.write_bytes(image)
            paths.append(path)
        result = OcrResult(
            pages=count,
            cores=cores,
            repeat=repeat,
            armstrace_1=Measurement("armstrace ocr_pages, 1 worker", units=count),
            armstrace_n=Measurement(f"armstrace ocr_pages, {cores} workers", units=count),
            raw_1=Measurement("raw tesseract, 1 at a time", units=count),
            raw_n=Measurement(f"raw tesseract, {cores} at a time", units=count),
        )

        def armstrace(workers: int) -> int:
            pages = ocr.ocr_pages(images, LANGUAGES, workers, cache_dir=None)
            return sum(len(p.words) for p in pages)

        subjects = [
            (result.raw_1, lambda: _raw(paths, 1)),
            (result.armstrace_1, lambda: armstrace(1)),
            (result.raw_n, lambda: _raw(paths, cores)),
            (result.armstrace_n, lambda: armstrace(cores)),
        ]
        _raw_one(paths[0])  # load the language data into the OS cache before any timing
        for _ in range(repeat):
            for measurement, subject in subjects:
                if measurement.error is not None:
                    continue
                before = _cpu()
                try:
                    seconds, found = timed(subject)
                except Exception as exc:
                    measurement.error = describe_error(exc)
                    continue
                used = _cpu() - before
                result.cpu[measurement.subject] = min(used, result.cpu.get(measurement.subject, used))
                measurement.seconds.append(seconds)
                measurement.found = found
        cache = folder / "cache"
        ocr.ocr_pages(images, LANGUAGES, cores, cache_dir=cache)
        seconds, _ = timed(lambda: ocr.ocr_pages(images, LANGUAGES, cores, cache_dir=cache))
        result.notes.append(
            f"a re-run with the OCR cache warm took {seconds:.3f} s for {count} pages (no Tesseract run)"
        )
        result.notes.append(
            f"pages: {count} generated A4 letters (English and Russian, 300 dpi, 1-2° skew, noise), "
            f"{sum(len(i) for i in images) / 1e6:.1f} MB of PNG; languages {LANGUAGES}"
        )
        words = {m.subject: m.found for m in result.measurements()}
        result.notes.append(f"words found per run: {words}")
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def markdown(result: OcrResult, info: dict[str, Any], date: str) -> str:
    def rate(m: Measurement) -> str:
        return f"{m.rate:.2f} pages/s" if m.rate else f"n/a ({m.error})"

    def per_page(m: Measurement) -> str:
        return f"{m.best / result.pages:.3f} s" if m.best else "—"

    overhead = f"{result.overhead:+.1%}" if result.overhead is not None else "—"
    speedup = f"{result.speedup:.2f}×" if result.speedup is not None else "—"
    raw_speedup = f"{result.raw_speedup:.2f}×" if result.raw_speedup is not None else "—"
    cpu_overhead = f"{result.cpu_overhead:+.1%}" if result.cpu_overhead is not None else "—"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    lines = [
        "# OCR benchmark",
        "",
        "Written by `.venv/bin/python -m bench.bench_ocr` (or `python -m bench --only ocr`); do not edit.",
        "",
        f"- Date: {date}",
        f"- Machine: {info.get('cores')} cores ({info.get('processor')}), {info.get('system')}",
        f"- Tesseract: {info.get('tesseract')}; load average when written: {load}",
        f"- Method: {METHOD} of {result.repeat} runs over all {result.pages} pages, subjects interleaved; "
        "every Tesseract process runs with OMP_THREAD_LIMIT=1; the OCR cache is off.",
        "",
        "| Subject | Pages/s | Time per page | Best time (s) | CPU per page |",
        "| --- | --- | --- | --- | --- |",
    ]
    for m in result.measurements():
        best = f"{m.best:.3f}" if m.best else "—"
        cpu = f"{result.cpu[m.subject] / result.pages:.3f} s" if m.subject in result.cpu else "—"
        lines.append(f"| {m.subject} | {rate(m)} | {per_page(m)} | {best} | {cpu} |")
    lines += [
        "",
        f"- Overhead of armstrace per page against raw Tesseract (1 worker each): **{overhead}** "
        f"(target: within +15%); in CPU time per page: **{cpu_overhead}**",
        f"- Speed-up of armstrace with {result.cores} workers over 1: **{speedup}** "
        f"(raw Tesseract on the same machine: {raw_speedup})",
        "",
        "Notes:",
        "",
    ]
    lines += [f"- {note}" for note in result.notes]
    return "\n".join(lines) + "\n"


def write(result: OcrResult, out: Path = HERE) -> tuple[Path, Path]:
    """Write results-ocr.md and results-ocr.json into `out`."""
    from armstrace.ingest import ocr
    from bench.run import machine

    info = machine()
    info["tesseract"] = ocr.engine() if ocr.available() else None
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    out.mkdir(parents=True, exist_ok=True)
    md, js = out / "results-ocr.md", out / "results-ocr.json"
    md.write_text(markdown(result, info, date), encoding="utf-8")
    data = {"date": date, "machine": info, "method": f"{METHOD} of {result.repeat}", "ocr": result.to_json()}
    js.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return md, js


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_ocr", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=12, help="page images to OCR (default 12)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per subject, best kept (default 2)")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for results-ocr.md and .json")
    args = parser.parse_args(argv)
    result = run(args.pages, args.repeat)
    md, _ = write(result, args.out)
    print(md.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
