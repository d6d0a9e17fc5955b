"""From files on disk to documents in the store: safely, in parallel, resumably.

Read top to bottom, a file goes: stat (a regular file? too large? empty?) →
sha256 (read-only, in blocks) → last ingested with the same content? (then it
is skipped) → content already read under another path? (then only this path
is added) → parsed in a worker process (`worker.py`: detect the format by
content, read the pages, guess the language; under a time and memory limit)
→ stored → handed to `on_document` (extraction) → its row in `files` written.
Files found inside it (archive members, attachments) go the same way, first
in line, with the chain of containers as their path.

A bad file never stops the batch: it is recorded with its status and reason
and the next file is read. Each file is committed on its own, and a document
whose processing did not finish is processed again on the next run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import os
import signal
import stat
import tempfile
import threading
import time
from collections import Counter, deque
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
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from armstrace.errors import IngestError
from armstrace.ingest.formats import HEAD_SIZE, Format, FormatError, PageOcr, Parsed, describe_binary, detect
from armstrace.ingest.worker import (
    DEFAULT_MEMORY_LIMIT,
    OCR_WORKERS_ENV,
    Finished,
    SpooledChild,
    Task,
    WorkerConfig,
    WorkerPool,
    WorkerStartError,
    load_plugins,
    pickled_formats,
    plugin_modules,
    signal_name,
)
from armstrace.records import Document
from armstrace.store import FileRecord, Store

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_TIMEOUT = 300.0
"""Seconds one file may take to parse before it is given up as `timeout`."""
DEFAULT_MAX_DEPTH = 5
"""Levels of files inside files (a zip in a zip in an email...) read before `too-large`."""
DEFAULT_MAX_CHILDREN = 100_000
"""Files inside one file on disk, at every level together, that are read."""
_HASH_BLOCK = 1024 * 1024

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
    # chain of custody: the original on disk, then the member name at each level of files inside
    # files; the sha256 of the document it was found inside; skipped: unchanged since the last run
    chain: tuple[str, ...] = ()
    parent: str | None = None
    media_type: str | None = None
    skipped: bool = False

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
    info = _check(path, max_bytes)
    if isinstance(info, FileOutcome):
        return info
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


def parse_content(
    data: bytes, path: Path, fmt: Format | None, *, timeout: float | None = DEFAULT_TIMEOUT
) -> tuple[Document | None, FileOutcome, Parsed | None]:
    """Bytes to a `Document` with the format already detected; also returns what the format read
    (its files inside and OCR results). A `MemoryError` is left to the caller: in a worker it
    means the file is too large for the memory limit, and the worker is replaced."""
    sha256 = hashlib.sha256(data).hexdigest()
    size = len(data)
    if fmt is None:
        return (
            None,
            _outcome(path, "unsupported", describe_binary(data[:HEAD_SIZE]), size=size, sha256=sha256),
            None,
        )
    try:
        with _deadline(timeout):
            parsed = fmt.read(data, path)
    except _Timeout:
        reason = f"reading it as {fmt.name} took longer than {timeout:g} seconds"
        return None, _outcome(path, "timeout", reason, size=size, sha256=sha256), None
    except FormatError as exc:
        if isinstance(exc.__cause__, MemoryError):
            raise exc.__cause__ from None
        return None, _outcome(path, exc.status, exc.reason, size=size, sha256=sha256), None
    except MemoryError:
        raise
    except Exception as exc:  # a parser bug or a hostile file must not stop the batch
        reason = f"the {fmt.name} reader failed unexpectedly: {type(exc).__name__}: {exc}"
        return None, _outcome(path, "failed", reason, size=size, sha256=sha256), None
    media_type = parsed.media_type or fmt.media_types[0]
    doc = Document(
        sha256=sha256,
        media_type=media_type,
        pages=parsed.pages,
        paths=[str(path)],
        language=guess_language(parsed.pages) or parsed.language,
        title=parsed.title,
        metadata=dict(parsed.metadata),
    )
    outcome = FileOutcome(
        path=str(path),
        status="partial" if parsed.problems else "ok",
        reason="; ".join(parsed.problems),
        sha256=sha256,
        pages=len(parsed.pages),
        new=False,
        size=size,
        media_type=media_type,
    )
    return doc, outcome, parsed


def parse_bytes(
    data: bytes, path: Path, *, timeout: float | None = DEFAULT_TIMEOUT
) -> tuple[Document | None, FileOutcome]:
    """Bytes to a `Document`, in this process: detect the format by content, read the pages, guess
    the language. `ingest_paths` does the same in a worker process; this is for `extract`."""
    fmt = detect(data[:HEAD_SIZE], path)
    try:
        doc, outcome, _ = parse_content(data, path, fmt, timeout=timeout)
    except MemoryError:
        reason = "reading it needed more memory than is available"
        return None, _outcome(
            path, "too-large", reason, size=len(data), sha256=hashlib.sha256(data).hexdigest()
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


def _check(path: Path, max_bytes: int) -> os.stat_result | FileOutcome:
    """The file's stat, or the outcome that explains why it will not be read."""
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
    return info


def _hash_file(path: Path, max_bytes: int, size: int) -> str | FileOutcome:
    """The sha256 of a file on disk, read (read-only) in blocks so a large file is never all in memory."""
    digest = hashlib.sha256()
    total = 0
    try:
        with path.open("rb") as handle:
            while block := handle.read(_HASH_BLOCK):
                total += len(block)
                if total > max_bytes:  # it grew after stat
                    return _outcome(
                        path, "too-large", f"it is over the limit of {max_bytes / 2**20:.0f} MB per file"
                    )
                digest.update(block)
    except PermissionError:
        return _outcome(path, "failed", "it cannot be read: permission denied", size=size)
    except OSError as exc:
        return _outcome(path, "failed", f"it cannot be read: {exc.strerror or exc}", size=size)
    return digest.hexdigest()


def failed_outcome(
    path: str, reason: str, *, status: str = "failed", size: int = 0, sha256: str | None = None
) -> FileOutcome:
    """An outcome for a file that gave no document."""
    return _outcome(Path(path), status, reason, size=size, sha256=sha256)


# -- the run ------------------------------------------------------------------------------------


@dataclass
class _Job:
    """One file to ingest: a file on disk (depth 0) or a file inside one (its bytes in the spool).

    Its row in `files` is written only once its own outcome is known and every file inside it
    has been written: a run killed half-way through an archive leaves the archive without a
    row, so the next run reads it again and picks up the members it had not reached.
    """

    key: tuple[int, tuple[str, ...]]  # the order outcomes are reported in
    path: str
    source: str
    chain: tuple[str, ...]
    depth: int
    size: int = 0
    mtime_ns: int | None = None
    sha256: str | None = None
    parent: str | None = None
    container: _Job | None = None
    spool: str | None = None
    open_children: int = 0
    outcome: FileOutcome | None = None

    @property
    def top(self) -> int:
        return self.key[0]


class _Run:
    """The state of one `ingest_paths` call; see `ingest_paths` for what it promises."""

    def __init__(self, store: Store, options: IngestOptions, on_document: Callable[[Document], None] | None):
        self.store = store
        self.options = options
        self.on_document = on_document
        self.records = {r.path: r for r in store.files()}
        self.children_of: dict[tuple[str, ...], list[FileRecord]] = {}
        self.bad_prefixes: set[tuple[str, ...]] = set()
        for record in self.records.values():
            if len(record.chain) > 1:
                self.children_of.setdefault(record.chain[:-1], []).append(record)
            if record.status not in GOOD_STATUSES:
                self.bad_prefixes.update(record.chain[:n] for n in range(1, len(record.chain)))
        # content some earlier run (or this one) read and processed to the end, with how that went
        self.known: dict[str, FileOutcome] = {}
        for record in self.records.values():
            if record.sha256 and record.status in GOOD_STATUSES:
                self.known.setdefault(record.sha256, _from_record(record))
        self.waiting: dict[str, list[_Job]] = {}  # content being read: identical files wait for it
        self.queue: deque[_Job] = deque()
        self.tasks: dict[int, _Job] = {}
        self.budget: dict[int, int] = {}
        self.outcomes: list[tuple[tuple[int, tuple[str, ...]], FileOutcome]] = []
        self.pages = 0
        self.spool_refs: dict[str, int] = {}
        self.cores = _cores()
        self.task_ids = itertools.count(1)
        # page-level OCR shares the cores with the other workers: a lone scan gets every core, one
        # of many gets its share (never more than `$ARMSTRACE_OCR_WORKERS` if the user set it)
        configured = os.environ.get(OCR_WORKERS_ENV, "")
        self.ocr_cap = int(configured) if configured.isdigit() and int(configured) > 0 else self.cores
        self.total = 0

    # -- driving ------------------------------------------------------------------------------

    def run(self, files: Sequence[Path], bar: Progress, task: TaskID, pool: WorkerPool) -> None:
        self.bar, self.task_id, self.pool = bar, task, pool
        for index, path in enumerate(files):
            self.queue.append(_Job((index, ()), str(path), str(path), (str(path),), 0))
            self.budget[index] = self.options.max_children
        self.total = len(files)
        started = time.monotonic()
        while self.queue or pool.busy:
            while self.queue and pool.has_room():
                self._start(self.queue.popleft())
            if pool.busy:
                for finished in pool.wait(0.5):
                    self._finished(finished)
            elapsed = max(time.monotonic() - started, 1e-6)
            bar.update(task, pages=self.pages, rate=self.pages / elapsed)

    def _start(self, job: _Job) -> None:
        self.bar.update(self.task_id, current=_shorten(job.path))
        if job.depth == 0:
            info = _check(Path(job.path), self.options.max_bytes)
            if isinstance(info, FileOutcome):
                return self._unread(job, info)
            job.size, job.mtime_ns = info.st_size, info.st_mtime_ns
            digest = _hash_file(Path(job.path), self.options.max_bytes, job.size)
            if isinstance(digest, FileOutcome):
                return self._unread(job, digest)
            job.sha256 = digest
        assert job.sha256 is not None
        record = self.records.get(job.path)
        again = self.options.retry_failed and job.chain in self.bad_prefixes  # a member inside failed
        if record is not None and record.sha256 == job.sha256 and record.size == job.size:
            retry = self.options.retry_failed and record.status not in GOOD_STATUSES
            if not (retry or again):
                return self._skip(job, record)
        known = self.known.get(job.sha256)
        if known is not None and not again and self.store.has_document(job.sha256):
            return self._copy(job, known)
        if known is not None and not again and known.status not in GOOD_STATUSES:
            return self._copy(job, known)  # the same content already failed in this run
        if job.sha256 in self.waiting:
            self.waiting[job.sha256].append(job)
            return None
        self.waiting[job.sha256] = []
        self._submit(job)
        return None

    def _unread(self, job: _Job, outcome: FileOutcome) -> None:
        """A file on disk that cannot be read at all (empty, missing, a pipe, too large): recorded,
        unless the last run recorded just the same."""
        record = self.records.get(job.path)
        if record is not None and (record.status, record.reason, record.size, record.sha256) == (
            outcome.status,
            outcome.reason,
            outcome.size,
            outcome.sha256,
        ):
            return self._skip(job, record)
        return self._settle(job, outcome)

    def _submit(self, job: _Job) -> None:
        task_id = next(self.task_ids)
        self.tasks[task_id] = job
        active = min(self.pool.size, self.pool.busy + 1 + len(self.queue))
        spool_children = job.depth + 1 <= self.options.max_depth
        self.pool.submit(
            Task(
                id=task_id,
                source=job.source,
                path=job.path,
                timeout=self.options.timeout,
                max_bytes=self.options.max_bytes,
                max_children=self.budget[job.top],
                spool_children=spool_children,
                ocr_workers=min(self.ocr_cap, max(1, self.cores // max(1, active))),
            )
        )

    # -- outcomes -----------------------------------------------------------------------------

    def _finished(self, finished: Finished) -> None:
        job = self.tasks.pop(finished.task.id)
        result = finished.result
        if result is None:
            outcome = self._lost(job, finished)
            doc = None
        else:
            doc, outcome = result.doc, result.outcome
        outcome.path = job.path
        outcome.size = outcome.size or job.size
        outcome.sha256 = outcome.sha256 or job.sha256
        read = doc is not None and outcome.ok  # its files inside are read even if extraction fails
        if doc is not None:
            doc.paths = [job.path]
            if job.parent is not None:
                doc.metadata["parent"] = job.parent
            outcome.new = self.store.add_document(doc, size=outcome.size)
            if result is not None and result.ocr:
                _store_ocr(self.store, doc.sha256, result.ocr)
            if self.on_document is not None:
                outcome = _process(doc, outcome, self.on_document)
            self.pages += outcome.pages
        if outcome.sha256:
            self.known.setdefault(outcome.sha256, outcome)
        if result is not None and doc is not None and read:
            self._children(job, doc.sha256, result.children, result.dropped_children, outcome)
        for waiter in self.waiting.pop(job.sha256 or "", []):
            self._copy(waiter, outcome)
        self._settle(job, outcome)

    def _lost(self, job: _Job, finished: Finished) -> FileOutcome:
        """The outcome of a file whose worker was killed for overrunning or died while reading it."""
        as_format = f" as {finished.format}" if finished.format else ""
        if finished.timed_out:
            limit = self.options.timeout or 0
            status, reason = "timeout", f"reading it{as_format} took longer than {limit:g} seconds"
        else:
            reader = f"the {finished.format} reader" if finished.format else "its reader"
            status = "failed"
            reason = f"{reader} crashed ({signal_name(finished.exitcode)}); the other files are not affected"
        return failed_outcome(job.path, reason, status=status, size=job.size, sha256=job.sha256)

    def _children(
        self, job: _Job, sha256: str, children: Sequence[SpooledChild], dropped: int, outcome: FileOutcome
    ) -> None:
        """Queue the files found inside `job`, first in line, so an archive is finished before the next."""
        jobs: list[_Job] = []
        used: set[str] = set()
        for index, child in enumerate(children):
            if self.budget[job.top] <= 0:
                dropped += len(children) - index
                break
            self.budget[job.top] -= 1
            name = child.name
            if name in used:  # two members of the same name: keep both, told apart
                name = f"{name}#{index + 1}"
            used.add(name)
            chain = (*job.chain, name)
            child_job = _Job(
                key=(job.top, chain[1:]),
                path=f"{job.path}/{name}",
                source=child.spool or "",
                chain=chain,
                depth=job.depth + 1,
                size=child.size,
                sha256=child.sha256,
                parent=sha256,
                container=job,
                spool=child.spool,
            )
            if child.spool:
                self.spool_refs[child.spool] = self.spool_refs.get(child.spool, 0) + 1
            jobs.append(child_job)
        if dropped:
            note = (
                f"{dropped} file(s) inside it were not read: over the limit of "
                f"{self.options.max_children} files inside one file"
            )
            outcome.reason = f"{outcome.reason}; {note}" if outcome.reason else note
            if outcome.status == "ok":
                outcome.status = "partial"
        job.open_children = len(jobs)
        self.total += len(jobs)
        self.bar.update(self.task_id, total=self.total)
        for child_job in reversed(jobs):
            if child_job.depth > self.options.max_depth:
                reason = f"nested too deep: more than {self.options.max_depth} levels of files inside files"
                child_job.open_children = 0
                self._settle(
                    child_job,
                    failed_outcome(
                        child_job.path,
                        reason,
                        status="too-large",
                        size=child_job.size,
                        sha256=child_job.sha256,
                    ),
                )
            else:
                self.queue.appendleft(child_job)

    def _copy(self, job: _Job, known: FileOutcome) -> None:
        """Content already read under another path: one document, one more path."""
        if known.ok and job.sha256 and self.store.has_document(job.sha256):
            self.store.add_path(job.sha256, job.path)
        outcome = dataclasses.replace(
            known, path=job.path, new=False, size=job.size or known.size, skipped=False, chain=job.chain
        )
        self._settle(job, outcome)

    def _skip(self, job: _Job, record: FileRecord) -> None:
        """Unchanged since its last ingest: report the last outcome, and that of every file inside."""
        outcome = _from_record(record)
        outcome.skipped = True
        if job.mtime_ns is not None and record.mtime_ns != job.mtime_ns:  # touched, same content
            self._write(job, outcome)
        self._report(job, outcome)
        self._skip_inside(job.top, record.chain)
        self._release(job)

    def _skip_inside(self, top: int, chain: tuple[str, ...]) -> None:
        for record in sorted(self.children_of.get(chain, []), key=lambda r: r.chain):
            outcome = _from_record(record)
            outcome.skipped = True
            self.outcomes.append(((top, record.chain[1:]), outcome))
            self._skip_inside(top, record.chain)

    def _settle(self, job: _Job, outcome: FileOutcome) -> None:
        """`job`'s own outcome is known; write its row once the files inside it are all written."""
        outcome.chain = job.chain
        outcome.parent = job.parent
        job.outcome = outcome
        if job.open_children == 0:
            self._write(job, outcome)
            self._report(job, outcome)
            self._release(job)

    def _write(self, job: _Job, outcome: FileOutcome) -> None:
        self.store.record_file(
            job.path,
            sha256=outcome.sha256,
            size=outcome.size,
            status=outcome.status,
            reason=outcome.reason,
            mtime_ns=job.mtime_ns,
            media_type=outcome.media_type,
            pages=outcome.pages if outcome.sha256 else None,
            chain=job.chain,
            parent=job.parent,
        )

    def _report(self, job: _Job, outcome: FileOutcome) -> None:
        self.outcomes.append((job.key, outcome))
        self.bar.advance(self.task_id)

    def _release(self, job: _Job) -> None:
        """The job is done: free its spool file and, if it was the last one, finish its container."""
        if job.spool is not None:
            self.spool_refs[job.spool] -= 1
            if self.spool_refs[job.spool] == 0:
                del self.spool_refs[job.spool]
                with contextlib.suppress(OSError):
                    os.remove(job.spool)
        container = job.container
        if container is not None:
            container.open_children -= 1
            if container.open_children == 0 and container.outcome is not None:
                self._settle(container, container.outcome)


def _from_record(record: FileRecord) -> FileOutcome:
    return FileOutcome(
        path=record.path,
        status=record.status,
        reason=record.reason,
        sha256=record.sha256,
        pages=record.pages or 0,
        new=False,
        size=record.size,
        chain=record.chain,
        parent=record.parent,
        media_type=record.media_type,
    )


def _store_ocr(store: Store, sha256: str, ocr: dict[int, PageOcr]) -> None:
    """Hand OCR results (word boxes, page images) to the store, when it can keep them."""
    add = getattr(store, "add_ocr", None)
    if callable(add):
        add(sha256, ocr)


def _process(doc: Document, outcome: FileOutcome, on_document: Callable[[Document], None]) -> FileOutcome:
    try:
        on_document(doc)
    except Exception as exc:  # the document is stored; the next run will process it again
        outcome.status = "failed"
        outcome.reason = f"its text was read, but processing it failed: {type(exc).__name__}: {exc}"
    return outcome


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class IngestOptions:
    """Limits and choices of one ingest run (the CLI's options)."""

    workers: int | None = None  # None: every core
    timeout: float | None = DEFAULT_TIMEOUT
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT
    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    max_children: int = DEFAULT_MAX_CHILDREN
    retry_failed: bool = False


def ingest_paths(
    paths: Sequence[Path],
    store: Store,
    *,
    on_document: Callable[[Document], None] | None = None,
    progress: bool = True,
    console: Console | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float | None = DEFAULT_TIMEOUT,
    workers: int | None = None,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_children: int = DEFAULT_MAX_CHILDREN,
    retry_failed: bool = False,
) -> list[FileOutcome]:
    """Ingest files and folders into `store`, each file parsed in a worker process under a time and
    memory limit; returns one outcome per file (files inside files included), in path order.

    What it promises: a file that hangs, crashes or exhausts memory costs that file only; each
    file is committed on its own, so a run killed at any point and started again ends with the
    same database as a run never interrupted; a file last ingested with the same content is not
    read again (a failed one only with `retry_failed`); content found under several paths is one
    document with all its paths. `on_document` (extraction) runs in this process, for each
    document read in this run.
    """
    options = IngestOptions(
        workers=workers,
        timeout=timeout,
        memory_limit=memory_limit,
        max_bytes=max_bytes,
        max_depth=max_depth,
        max_children=max_children,
        retry_failed=retry_failed,
    )
    files = list(iter_files(paths))
    load_plugins(plugin_modules())
    run = _Run(store, options, on_document)
    bar = Progress(
        TextColumn("[bold]Ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TextColumn("{task.fields[pages]} pages, {task.fields[rate]:.1f} pages/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[current]}", style="dim"),
        console=console or Console(stderr=True),
        disable=not progress,
        transient=False,
    )
    with tempfile.TemporaryDirectory(prefix="armstrace-spool-") as spool:
        config = WorkerConfig(
            spool=spool,
            memory_limit=memory_limit,
            plugin_modules=plugin_modules(),
            formats=pickled_formats(),
            environ=tuple((k, v) for k, v in os.environ.items() if k.startswith("ARMSTRACE_")),
        )
        size = min(workers or _cores(), max(1, len(files)))
        pool = WorkerPool(size, config)
        try:
            with bar:
                task = bar.add_task("ingest", total=len(files), current="", pages=0, rate=0.0)
                run.run(files, bar, task, pool)
                bar.update(task, current="")
        except WorkerStartError as exc:
            raise IngestError(f"The ingest cannot start its worker processes: {exc}.") from None
        finally:
            pool.close()
    return [outcome for _, outcome in sorted(run.outcomes, key=lambda item: item[0])]


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
