"""The command line: the stable contract in PRODUCT.md, one function per command.

Every command turns a `UserError` (bad input, unknown rule, unreadable gold
file, a database from a newer release) into a one-line message on stderr and
exit status 2, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from armstrace.errors import NoInputError, UserError

app = typer.Typer(
    name="armstrace",
    help="Evidence-backed findings on arms transfers that cut across alliance obligations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(help="Add a public register to an investigation.", no_args_is_help=True)
kb_app = typer.Typer(
    help="The knowledge base: alliances, conflicts, systems, organisations.", no_args_is_help=True
)
app.add_typer(import_app, name="import")
app.add_typer(kb_app, name="kb")

# Piped output is read by people in wide windows and by other tools: do not squeeze tables to 80 columns.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLite file or database URL (default: $ARMSTRACE_DB or ./armstrace.db)."),
]

OcrLangOption = Annotated[
    str | None,
    typer.Option(
        "--ocr-lang",
        help="Tesseract languages for scans, joined by + (default: $ARMSTRACE_OCR_LANG or rus+eng).",
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Print user errors as a sentence and exit 2 instead of a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err.print("interrupted: what was already stored is kept; run the same command again to go on.")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


class TransferFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


class FindingFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


def _open_store(db: str | None) -> Any:
    from armstrace.store import Store, resolve_db

    return Store(resolve_db(db))


def _kb() -> Any:
    from armstrace.kb import default_kb

    return default_kb()


def _write_lines(records: Iterable[Any]) -> None:
    for record in records:
        sys.stdout.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")


@app.command()
@user_errors
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to read.")],
    format: Annotated[TransferFormat, typer.Option("--format", "-f")] = TransferFormat.jsonl,
    ocr_lang: OcrLangOption = None,
) -> None:
    """Read files and print the transfers they state; touches no database.

    It is the same ingest as `armstrace ingest` — worker processes with limits, archives and
    attachments read as documents of their own — into a database that lives only in memory.
    """
    from armstrace.extract import extract_document
    from armstrace.ingest import ingest_paths
    from armstrace.present.export import write_transfers_csv
    from armstrace.present.tables import transfers_table
    from armstrace.store import Store

    _require(paths)
    _configure_ocr(ocr_lang, None)
    kb = _kb()
    transfers = []

    def on_document(doc: Any) -> None:
        transfers.extend(extract_document(doc, kb))

    with Store("sqlite://") as store:
        outcomes = ingest_paths(paths, store, on_document=on_document, progress=False, console=err)
    for outcome in outcomes:
        if outcome.status != "ok":
            err.print(f"{outcome.path}: {outcome.status} — {outcome.reason}", highlight=False, markup=False)
    _print_transfers(transfers, format, kb, write_transfers_csv, transfers_table)


def _print_transfers(
    transfers: Sequence[Any],
    format: TransferFormat,
    kb: Any,
    write_csv: Callable[..., Any],
    table: Callable[..., Any],
) -> None:
    if format is TransferFormat.jsonl:
        _write_lines(transfers)
    elif format is TransferFormat.csv:
        write_csv(transfers, sys.stdout)
    else:
        out.print(table(transfers, kb))


def _configure_ocr(languages: str | None, db_url: str | None) -> None:
    """OCR languages, and the OCR cache beside the investigation's database: `extract` has none, so
    no OCR text of a leak is ever written where the user did not put a database."""
    from armstrace.ingest import ocr

    ocr.configure(languages=languages, cache_dir=ocr.cache_dir_for(db_url) if db_url else None)


def _require(paths: Sequence[Path]) -> None:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise NoInputError(f"not found: {', '.join(missing)}. Check the path and try again.")


@app.command()
@user_errors
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to add to the investigation.")],
    db: DbOption = None,
    ocr_lang: OcrLangOption = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable summary.")] = False,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Files read at once (default: every core).")
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Read again the files whose last status was not ok.")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds one file may take before it is `timeout`.")
    ] = 300.0,
    memory_limit: Annotated[
        int, typer.Option("--memory-limit", min=256, help="MB one worker may use (`too-large` over it).")
    ] = 3072,
    max_depth: Annotated[
        int, typer.Option("--max-depth", min=0, help="Levels of files inside files (archives, attachments).")
    ] = 5,
) -> None:
    """Add files or folders to an investigation and extract their transfers.

    Each file is read in a worker process with a time and a memory limit; a killed run picks up
    where it stopped when run again, and files unchanged since their last ingest are skipped."""
    from armstrace.extract import extract_document
    from armstrace.ingest import ingest_paths, summary_table

    _require(paths)
    kb = _kb()
    with _open_store(db) as store:
        _configure_ocr(ocr_lang, store.url)

        def on_document(doc: Any) -> None:
            store.replace_transfers(doc.sha256, extract_document(doc, kb))

        started = time.monotonic()
        outcomes = ingest_paths(
            paths,
            store,
            on_document=on_document,
            progress=progress and not as_json,
            console=err,
            workers=workers,
            retry_failed=retry_failed,
            timeout=timeout,
            memory_limit=memory_limit * 2**20,
            max_depth=max_depth,
        )
        if as_json:
            summary = {
                "files": [o.__dict__ for o in outcomes],
                "by_status": _count(o.status for o in outcomes),
                "transfers": len(store.transfers()),
                "counts": {
                    "files": len(outcomes),
                    "read": sum(1 for o in outcomes if not o.skipped),
                    "skipped": sum(1 for o in outcomes if o.skipped),
                    "new_documents": sum(1 for o in outcomes if o.new),
                    "pages": sum(o.pages for o in outcomes if not o.skipped),
                    "documents": store.count_documents(),
                    "seconds": round(time.monotonic() - started, 3),
                },
            }
            sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        else:
            out.print(summary_table(outcomes))
            out.print(f"{len(store.transfers())} transfers in the investigation.")


def _count(values: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return counts


@import_app.command("sipri")
@user_errors
def import_sipri(
    file: Annotated[Path, typer.Argument(help="A SIPRI trade-register CSV export (either format).")],
    db: DbOption = None,
) -> None:
    """Add a SIPRI Arms Transfers Database export; re-importing changes nothing."""
    from armstrace.registers.sipri import read_sipri

    _require([file])
    result = read_sipri(file)
    with _open_store(db) as store:
        counts = store.upsert_transfers(result.transfers)
    out.print(
        f"{file}: {result.rows} rows, {result.deals} deals → {len(result.transfers)} transfers "
        f"({result.format} format, exported {result.export_date or 'unknown'}): "
        f"{counts.added} new, {counts.updated} updated, {counts.unchanged} unchanged."
    )
    for problem in result.problems[:20]:
        err.print(f"{file}:{problem.line}: {problem.message}", highlight=False, markup=False)
    if result.unmapped:
        names = ", ".join(f"{k} ({v})" for k, v in sorted(result.unmapped.items()))
        err.print(f"names not mapped to a state: {names}", highlight=False, markup=False)


@app.command()
@user_errors
def transfers(
    db: DbOption = None,
    format: Annotated[TransferFormat, typer.Option("--format", "-f")] = TransferFormat.table,
) -> None:
    """List the transfers of an investigation."""
    from armstrace.present.export import write_transfers_csv
    from armstrace.present.tables import transfers_table

    with _open_store(db) as store:
        items = store.transfers()
    _print_transfers(items, format, _kb(), write_transfers_csv, transfers_table)


def _findings(store: Any, kb: Any, rule: list[str] | None) -> list[Any]:
    from armstrace.analyse import UnknownRuleError as RuleMissing
    from armstrace.analyse import analyse
    from armstrace.errors import UnknownRuleError

    try:
        found = analyse(store.transfers(), kb, rules=rule or None)
    except RuleMissing as exc:
        raise UnknownRuleError(str(exc).strip("'\"")) from None
    if not rule:
        store.replace_findings(found)
    return found


@app.command()
@user_errors
def findings(
    db: DbOption = None,
    format: Annotated[FindingFormat, typer.Option("--format", "-f")] = FindingFormat.table,
    rule: Annotated[list[str] | None, typer.Option("--rule", help="Only this rule (repeatable).")] = None,
    supplier: Annotated[str | None, typer.Option(help="Only this supplier (ISO code).")] = None,
    recipient: Annotated[str | None, typer.Option(help="Only this recipient (ISO code).")] = None,
    since: Annotated[int | None, typer.Option(help="Only findings whose years reach this year.")] = None,
) -> None:
    """Run the analysis rules and list the findings, most serious first."""
    from armstrace.present.tables import findings_table

    kb = _kb()
    with _open_store(db) as store:
        found = _findings(store, kb, rule)
    found = [
        f
        for f in found
        if (supplier is None or f.supplier == supplier.upper())
        and (recipient is None or f.recipient == recipient.upper())
        and (since is None or (f.years is not None and f.years[1] >= since))
    ]
    if format is FindingFormat.jsonl:
        _write_lines(found)
    else:
        out.print(findings_table(found, kb))
        for f in found:
            out.print(f"\n[bold]{f.rule}[/] {f.supplier}→{f.recipient} ({f.severity})", highlight=False)
            out.print(f.explanation, highlight=False, markup=False)


@app.command()
@user_errors
def report(
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the HTML report.")],
    db: DbOption = None,
    title: Annotated[str, typer.Option(help="Report title.")] = "armstrace findings",
) -> None:
    """Write one self-contained offline HTML report of findings and their evidence."""
    from armstrace.present.report import write_report

    kb = _kb()
    with _open_store(db) as store:
        found = _findings(store, kb, None)
        items = store.transfers()
        wanted = {ev.doc for t in items for ev in t.evidence if getattr(ev, "kind", "") == "document"}
        documents = {sha: doc for sha in wanted if (doc := store.document(sha)) is not None}
    write_report(found, items, documents, kb, title=title, generated_at=dt.datetime.now(dt.UTC), out=out_file)
    out.print(f"wrote {out_file} ({len(found)} findings, {len(items)} transfers)")


@app.command("eval")
@user_errors
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold JSONL, a case .yaml, or a folder of case files.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score extraction against gold annotations: precision, recall, F1, with the naive baseline."""
    from armstrace.extract import extract_text
    from armstrace.extract.baseline import naive_extract
    from armstrace.extract.evaluate import evaluate as run_eval
    from armstrace.extract.evaluate import load_cases, results_json, results_table

    _require([gold])
    kb = _kb()
    cases = load_cases(gold)
    results = run_eval(
        cases,
        {
            "armstrace": lambda c: extract_text(c.text, kb, path=c.id, language=c.language),
            "naive": lambda c: naive_extract(c.text),
        },
    )
    if as_json:
        sys.stdout.write(json.dumps(results_json(results), indent=2) + "\n")
    else:
        out.print(results_table(results))


@kb_app.command("check")
@user_errors
def kb_check(
    data: Annotated[
        Path | None, typer.Option(help="A knowledge-base folder (default: the bundled one).")
    ] = None,
) -> None:
    """Lint the knowledge base: dangling references, bad periods, unsourced facts.

    Without `--data`, the bundled knowledge base and every layer read on top of it
    (`$ARMSTRACE_KB` or ./armstrace-kb), each layer checked against what lies beneath.
    """
    from armstrace.kb import DATA_DIR, check, layers, loader
    from armstrace.kb.importers.writer import check_layer

    problems = check(data)
    if data is None:
        base = loader.load(DATA_DIR)
        for folder in layers():
            problems += check_layer(folder, base)
            base = loader.load(folder, base=base)
    for p in problems:
        err.print(f"{p.file}: {p.id}: {p.message}", highlight=False, markup=False)
    if problems:
        err.print(f"{len(problems)} problems.")
        raise typer.Exit(1)
    out.print("knowledge base OK")


@kb_app.command("show")
@user_errors
def kb_show(ident: Annotated[str, typer.Argument(help="An alliance or conflict id, e.g. csto.")]) -> None:
    """Print an alliance with its members and periods, or a conflict with its periods."""
    from armstrace.present.kbview import show

    out.print(show(_kb(), ident))


@kb_app.command("export")
@user_errors
def kb_export(format: Annotated[str, typer.Option("--format")] = "json") -> None:
    """Print the whole knowledge base as JSON."""
    from armstrace.present.kbview import export_json

    if format != "json":
        raise UserError(f"unknown format {format!r}: only json is supported.")
    sys.stdout.write(json.dumps(export_json(_kb()), ensure_ascii=False, indent=2, default=str) + "\n")


# Command modules of other areas register their commands on `app`, `import_app` and
# `kb_app` when imported; each area adds its module name here (one line, no other change).
COMMAND_MODULES: tuple[str, ...] = (
    "armstrace.present.cli_registers",
    "armstrace.present.cli_ingest",
    "armstrace.present.cli_kb",
)

for _module in COMMAND_MODULES:
    importlib.import_module(_module)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
