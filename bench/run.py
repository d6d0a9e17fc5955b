"""Run every benchmark, print a table, and write `bench/results.md` and `bench/results.json`.

The README quotes `results.md`, so the figures a reader sees always come from a real run
with the machine and the method written next to them. Run: `.venv/bin/python -m bench`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import bench_extract, bench_ingest, bench_ocr, bench_rules
from bench.timing import METHOD, Measurement

HERE = Path(__file__).resolve().parent


def machine() -> dict[str, Any]:
    """What the figures depend on, so a reader can compare like with like."""
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "processor": _cpu_model(),
    }
    try:
        import pymupdf

        info["pymupdf"] = pymupdf.VersionBind
    except ImportError:
        info["pymupdf"] = None
    try:
        info["armstrace"] = metadata.version("armstrace")
    except metadata.PackageNotFoundError:
        info["armstrace"] = None
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _rate(m: Measurement, unit: str) -> str:
    if m.rate is None:
        return "n/a (see notes)"
    return f"{m.rate:,.0f} {unit}" if m.rate >= 100 else f"{m.rate:,.1f} {unit}"


def _best(m: Measurement) -> str:
    return f"{m.best:.3f}" if m.best is not None else "—"


def _ratio(value: float | None) -> str:
    return f"{value:.3f}×" if value is not None else "—"


def rows(
    extract: bench_extract.ExtractResult | None, ingest: bench_ingest.IngestResult | None
) -> list[list[str]]:
    """One row per subject: benchmark, subject, input, best time, throughput, found, ratio."""
    out: list[list[str]] = []
    if extract is not None:
        size = f"{extract.corpus_chars:,} chars, {extract.corpus_pages} chunks"
        for m, r in ((extract.armstrace, _ratio(extract.ratio)), (extract.baseline, "1 (baseline)")):
            found = f"{m.found:,} transfers" if m.found is not None else "—"
            out.append(["extract (en)", m.subject, size, _best(m), _rate(m, "chars/s"), found, r])
    if ingest is not None:
        size = f"{ingest.files} PDFs, {ingest.pages} pages, {ingest.bytes / 1e6:.1f} MB"
        for m, r in ((ingest.armstrace, _ratio(ingest.ratio)), (ingest.raw, "1 (baseline)")):
            found = f"{m.found:,} pages" if m.found is not None else "—"
            out.append(["ingest (PDF)", m.subject, size, _best(m), _rate(m, "pages/s"), found, r])
    return out


HEADERS = ["Benchmark", "Subject", "Input", "Best time (s)", "Throughput", "Found", "Ratio vs baseline"]


def markdown(info: dict[str, Any], date: str, repeat: int, table: list[list[str]], notes: list[str]) -> str:
    lines = [
        "# armstrace benchmarks",
        "",
        "Written by `.venv/bin/python -m bench` (see `bench/README.md`); do not edit by hand.",
        "",
        f"- Date: {date}",
        f"- Machine: {info['cores']} cores ({info['processor']}), {info['system']}",
        f"- Python {info['python']} ({info['implementation']}), PyMuPDF {info['pymupdf']}, "
        f"armstrace {info['armstrace']}",
        f"- Method: each subject runs over the whole input {repeat} times in one process; "
        f"the table shows the {METHOD} run. The ratio is subject throughput / baseline "
        "throughput on the same input in the same run (above 1: faster than the baseline).",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "| " + " | ".join("---" for _ in HEADERS) + " |",
    ]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in table]
    if notes:
        lines += ["", "Notes:", ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=3.0, help="extraction corpus size (default 3 MB)")
    parser.add_argument("--files", type=int, default=20, help="PDFs to ingest (default 20)")
    parser.add_argument("--pages", type=int, default=10, help="pages per PDF (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per subject, best kept (default 3)")
    parser.add_argument(
        "--only", choices=["extract", "ingest", "rules", "ocr", "ru"], help="run one benchmark"
    )
    parser.add_argument("--out", type=Path, default=HERE, help="folder for results.md and results.json")
    args = parser.parse_args(argv)

    console = Console()
    if args.only == "rules":
        _rules(console, args.repeat, args.out)
        return
    if args.only == "ocr":
        _ocr(console, args.out)
        return
    if args.only == "ru":
        from bench import bench_ru  # Russian extraction: writes results-ru.md and results-ru.json

        bench_ru.main(["--repeat", str(args.repeat)], out=args.out)
        return
    extract = ingest = None
    if args.only in (None, "extract"):
        with console.status("extraction benchmark…"):
            extract = bench_extract.run(int(args.size_mb * 1_000_000), args.repeat)
    if args.only in (None, "ingest"):
        with console.status("ingest benchmark…"):
            ingest = bench_ingest.run(args.files, args.pages, args.repeat)

    info = machine()
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    table = rows(extract, ingest)
    notes = (extract.notes if extract else []) + (ingest.notes if ingest else [])
    for result in [r for r in (extract, ingest) if r is not None]:
        for m in result.measurements():
            if m.error:
                notes.append(f"{m.subject} ({result.name}) was not measured: {m.error}")
    if extract and extract.kb_load_seconds is not None:
        notes.append(f"loading the knowledge base took {extract.kb_load_seconds:.3f} s (not in the table)")

    view = Table(title=f"armstrace benchmarks ({METHOD} of {args.repeat})")
    for header in HEADERS:
        left = header in ("Benchmark", "Subject", "Input")
        view.add_column(header, justify="left" if left else "right")
    for row in table:
        view.add_row(*row)
    console.print(view)
    for note in notes:
        console.print(f"[dim]• {note}[/dim]")

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(markdown(info, date, args.repeat, table, notes), encoding="utf-8")
    data = {
        "date": date,
        "machine": info,
        "method": f"{METHOD} of {args.repeat}",
        "extract": extract.to_json() if extract else None,
        "ingest": ingest.to_json() if ingest else None,
    }
    (args.out / "results.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    console.print(f"wrote {args.out / 'results.md'} and {args.out / 'results.json'}")
    _rules(console, args.repeat, args.out)
    _ocr(console, args.out)


def _ocr(console: Console, out: Path) -> None:
    """The OCR benchmark (Tesseract through armstrace against the bare command); it writes its own
    `results-ocr.md` and `.json`."""
    with console.status("OCR benchmark (12 scanned pages)…"):
        result = bench_ocr.run()
    bench_ocr.write(result, out)
    console.print(f"wrote {out / 'results-ocr.md'} and {out / 'results-ocr.json'}")


def _rules(console: Console, repeat: int, out: Path) -> None:
    """The SIPRI register benchmark; it writes its own `results-rules.md` and `.json`."""
    with console.status("rules benchmark (SIPRI register)…"):
        register = bench_rules.run(repeat)
    if register is None:
        console.print(f"[dim]• rules benchmark skipped: no SIPRI register at {bench_rules.REGISTER}[/dim]")
        return
    out.mkdir(parents=True, exist_ok=True)
    bench_rules.write(register, out)
    console.print(f"wrote {out / 'results-rules.md'} and {out / 'results-rules.json'}")


if __name__ == "__main__":
    main()
