"""From files on disk to documents in the store, one file at a time.

Read top to bottom, a file goes: stat (a regular file? too large? empty?) →
read its bytes → sha256 → already known? (then only its path is added) →
detect its format by content → read its pages → guess its language → store
it → hand it to `on_document` (extraction) → record the outcome.

A bad file never stops the batch: it is recorded with its status and reason
and the next file is read. Each file is committed on its own, and a document
whose processing did not finish is processed again on the next run.
"""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from armstrace.ingest.formats import HEAD_SIZE, FormatError, describe_binary, detect
from armstrace.records import Document
from armstrace.store import Store

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_TIMEOUT = 300.0
"""Seconds one file may take to parse before it is given up as `timeout`."""

GOOD_STATUSES = ("ok", "partial")
_SAMPLE_PER_PAGE = 20_000  # characters of each page the language guess looks at
_SAMPLE = 200_000
_STATUS_STYLE = {
    "ok": "green",
    "partial": "yellow",
    "encrypted": "magenta",
    "unsupported": "cyan",
    "too-large": "cyan",
    "timeout": "red",
    "failed": "red",
}


@dataclass
class FileOutcome:
    """What happened to one file: `new` is True when it added a document to the store."""

    path: str
    status: str
    reason: str
    sha256: str | None
    pages: int
    new: bool
    size: int = 0

    @property
    def ok(self) -> bool:
        return self.status in GOOD_STATUSES

    @property
    def message(self) -> str:
        """The outcome as a sentence a user can read in a log."""
        if self.status == "ok":
            return f"{self.path}: read {self.pages} page(s)."
        if self.status == "partial":
            return f"{self.path}: read {self.pages} page(s), but {self.reason}."
        return f"{self.path} was not ingested ({self.status}): {self.reason}."


class _Timeout(BaseException):
    """Raised inside a parser that ran too long; a BaseException so parsers cannot swallow it."""


@contextmanager
def _deadline(seconds: float | None) -> Iterator[None]:
    """Interrupt the block after `seconds`, where the platform allows (POSIX, main thread)."""
    if (
        seconds is None
        or seconds <= 0
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def _expire(_signum: int, _frame: FrameType | None) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _hidden(name: str) -> bool:
    return name.startswith(".")


def iter_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Every file under the given paths: folders recursively in sorted order, hidden entries skipped.

    A path the user named is yielded even if it is hidden or missing, so its
    outcome is reported rather than silently dropped. Symbolic links to folders
    are not followed (they can loop).
    """
    for root in paths:
        if not root.is_dir():
            yield root
            continue
        for folder, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not _hidden(d))
            for name in sorted(filenames):
                if not _hidden(name):
                    yield Path(folder) / name


def guess_language(pages: Sequence[str]) -> str | None:
    """Guess "ru" when a fair share of the letters are Cyrillic, "en" otherwise, None with no letters.

    Deliberately small: it only routes a document to a language pack, and a
    Russian letter quoting English names is still Russian.
    """
    letters = cyrillic = 0
    sample = "".join(page[:_SAMPLE_PER_PAGE] for page in pages)[:_SAMPLE]
    for char in sample:
        if char.isalpha():
            letters += 1
            if "\u0400" <= char <= "\u04ff":
                cyrillic += 1
    if letters == 0:
        return None
    return "ru" if cyrillic / letters >= 0.3 else "en"


def _outcome(
    path: Path, status: str, reason: str, *, size: int = 0, sha256: str | None = None
) -> FileOutcome:
    return FileOutcome(
        path=str(path), status=status, reason=reason, sha256=sha256, pages=0, new=False, size=size
    )


def _load(path: Path, max_bytes: int) -> bytes | FileOutcome:
    """The file's bytes, or the outcome that explains why they were not read."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return _outcome(path, "failed", "no such file or folder")
    except OSError as exc:
        return _outcome(path, "failed", f"it cannot be read: {exc.strerror or exc}")
    if not stat.S_ISREG(info.st_mode):
        return _outcome(path, "unsupported", "not a regular file (a device, pipe or socket)")
    if info.st_size > max_bytes:
        return _outcome(
            path,
            "too-large",
            f"it is {info.st_size / 2**20:.0f} MB, over the limit of {max_bytes / 2**20:.0f} MB per file",
            size=info.st_size,
        )
    if info.st_size == 0:
        return _outcome(path, "failed", "the file is empty (0 bytes)")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except PermissionError:
        return _outcome(path, "failed", "it cannot be read: permission denied", size=info.st_size)
    except OSError as exc:
        return _outcome(path, "failed", f"it cannot be read: {exc.strerror or exc}", size=info.st_size)
    if len(data) > max_bytes:  # it grew after stat
        return _outcome(path, "too-large", f"it is over the limit of {max_bytes / 2**20:.0f} MB per file")
    return data


def parse_bytes(
    data: bytes, path: Path, *, timeout: float | None = DEFAULT_TIMEOUT
) -> tuple[Document | None, FileOutcome]:
    """Bytes to a `Document`: detect the format by content, read the pages, guess the language."""
    sha256 = hashlib.sha256(data).hexdigest()
    size = len(data)
    head = data[:HEAD_SIZE]
    fmt = detect(head, path)
    if fmt is None:
        return None, _outcome(path, "unsupported", describe_binary(head), size=size, sha256=sha256)
    try:
        with _deadline(timeout):
            parsed = fmt.read(data, path)
    except _Timeout:
        return None, _outcome(
            path,
            "timeout",
            f"reading it as {fmt.name} took longer than {timeout:g} seconds",
            size=size,
            sha256=sha256,
        )
    except FormatError as exc:
        return None, _outcome(path, exc.status, exc.reason, size=size, sha256=sha256)
    except Exception as exc:  # a parser bug or a hostile file must not stop the batch
        reason = f"the {fmt.name} reader failed unexpectedly: {type(exc).__name__}: {exc}"
        return None, _outcome(path, "failed", reason, size=size, sha256=sha256)
    language = guess_language(parsed.pages) or parsed.language
    doc = Document(
        sha256=sha256,
        media_type=parsed.media_type or fmt.media_types[0],
        pages=parsed.pages,
        paths=[str(path)],
        language=language,
        title=parsed.title,
        metadata=dict(parsed.metadata),
    )
    status = "partial" if parsed.problems else "ok"
    outcome = FileOutcome(
        path=str(path),
        status=status,
        reason="; ".join(parsed.problems),
        sha256=sha256,
        pages=len(parsed.pages),
        new=False,
        size=size,
    )
    return doc, outcome


def read_file(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float | None = DEFAULT_TIMEOUT
) -> tuple[Document | None, FileOutcome]:
    """One file to a `Document` without touching any store (the stateless `extract` command uses this)."""
    loaded = _load(path, max_bytes)
    if isinstance(loaded, FileOutcome):
        return None, loaded
    return parse_bytes(loaded, path, timeout=timeout)


def _ingest_one(
    path: Path,
    store: Store,
    finished: dict[str, tuple[str, str]],
    on_document: Callable[[Document], None] | None,
    max_bytes: int,
    timeout: float | None,
) -> FileOutcome:
    loaded = _load(path, max_bytes)
    if isinstance(loaded, FileOutcome):
        return loaded
    sha256 = hashlib.sha256(loaded).hexdigest()
    if sha256 in finished:
        pages = store.page_count(sha256)
        if pages is not None:  # known content, fully processed: only this path may be new
            store.add_path(sha256, str(path))
            status, reason = finished[sha256]
            return FileOutcome(str(path), status, reason, sha256, pages, new=False, size=len(loaded))
    doc, outcome = parse_bytes(loaded, path, timeout=timeout)
    if doc is None:
        return outcome
    outcome.new = store.add_document(doc, size=len(loaded))  # an existing one only gains the path
    if on_document is not None:
        outcome = _process(doc, outcome, on_document)
    return outcome


def _process(doc: Document, outcome: FileOutcome, on_document: Callable[[Document], None]) -> FileOutcome:
    try:
        on_document(doc)
    except Exception as exc:  # the document is stored; the next run will process it again
        outcome.status = "failed"
        outcome.reason = f"its text was read, but processing it failed: {type(exc).__name__}: {exc}"
    return outcome


def ingest_paths(
    paths: Sequence[Path],
    store: Store,
    *,
    on_document: Callable[[Document], None] | None = None,
    progress: bool = True,
    console: Console | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> list[FileOutcome]:
    """Ingest files and folders into `store`; returns one outcome per file, in order.

    `on_document` runs for each document that is new to the store, or that an
    earlier, interrupted run stored but did not finish processing.
    """
    files = list(iter_files(paths))
    # Content some earlier run read and processed to the end, with how that went.
    finished = {
        r.sha256: (r.status, r.reason) for r in store.files() if r.sha256 and r.status in GOOD_STATUSES
    }
    outcomes: list[FileOutcome] = []
    bar = Progress(
        TextColumn("[bold]Ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[current]}", style="dim"),
        console=console or Console(stderr=True),
        disable=not progress,
        transient=False,
    )
    with bar:
        task = bar.add_task("ingest", total=len(files), current="")
        for path in files:
            bar.update(task, current=_shorten(str(path)))
            outcome = _ingest_one(path, store, finished, on_document, max_bytes, timeout)
            store.record_file(
                outcome.path,
                sha256=outcome.sha256,
                size=outcome.size,
                status=outcome.status,
                reason=outcome.reason,
            )
            if outcome.ok and outcome.sha256:
                finished.setdefault(outcome.sha256, (outcome.status, outcome.reason))
            outcomes.append(outcome)
            bar.advance(task)
        bar.update(task, current="")
    return outcomes


def _shorten(text: str, width: int = 48) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1) :]


def status_counts(outcomes: Sequence[FileOutcome]) -> dict[str, int]:
    """How many files ended in each status, most frequent first."""
    return dict(Counter(o.status for o in outcomes).most_common())


def summary_table(outcomes: Sequence[FileOutcome]) -> Table:
    """Per-file status (path, status, pages, reason) with the counts by status as the caption."""
    counts = status_counts(outcomes)
    caption = f"{len(outcomes)} file(s): " + ", ".join(f"{n} {status}" for status, n in counts.items())
    new = sum(1 for o in outcomes if o.new)
    caption += f"; {new} new document(s)"
    table = Table(title="Ingest", caption=caption if outcomes else "no files", show_lines=False)
    table.add_column("path", overflow="fold")
    table.add_column("status")
    table.add_column("pages", justify="right")
    table.add_column("reason", overflow="fold")
    for o in outcomes:
        style = _STATUS_STYLE.get(o.status, "")
        table.add_row(o.path, f"[{style}]{o.status}[/]" if style else o.status, str(o.pages), o.reason)
    return table
