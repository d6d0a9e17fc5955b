"""Worker processes: where a file is actually parsed, away from the database and the other files.

A parser that hangs, segfaults, exhausts memory or calls `os._exit` takes its
worker down with it, never the run. Each worker is a process started from a
fork server (a clean process that has imported the parsers once, so starting a
worker costs milliseconds and inherits no threads or database connections). In
the worker, the address space is capped with `RLIMIT_AS`, core dumps are off,
stdout and stderr go nowhere (MuPDF prints to them), and the worker dies with
its parent (`PR_SET_PDEATHSIG`), so a `kill -9` of the ingest leaves no parser
running.

The parent (`WorkerPool`) sends one `Task` at a time to each worker and waits
for its `Result`. It enforces the wall-clock limit itself: a worker that has
not answered in time is killed with SIGKILL and replaced. Inside the worker a
SIGALRM deadline interrupts Python-level loops a little earlier, so the common
case of a slow parser gets a clean answer without losing the worker.

Files inside a file (`Parsed.children`) are written by the worker to a spool
folder the parent owns, named by their sha256 (never by the member name, so
a hostile name like `../../etc/passwd` cannot place a file anywhere), and the
parent hands them out as tasks of their own.

Formats registered in the parent (`formats.register`) are pickled to the
workers, and `$ARMSTRACE_PLUGINS` (comma-separated module names) is imported
in both, so a plugin works the same isolated as in process.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import importlib
import os
import pickle
import resource
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path

import armstrace.ingest.formats as _formats
import armstrace.ingest.pipeline as pipeline
from armstrace.ingest.formats import HEAD_SIZE, PageOcr
from armstrace.records import Document

PLUGINS_ENV = "ARMSTRACE_PLUGINS"
"""Comma-separated module names imported in the parent and in every worker (format plugins)."""
OCR_WORKERS_ENV = "ARMSTRACE_OCR_WORKERS"
"""Set in a worker before each file: how many processes page-level OCR may use for that file."""

DEFAULT_MEMORY_LIMIT = 3 * 1024 * 1024 * 1024
"""Bytes of address space one worker may use (RLIMIT_AS); over it, the file is `too-large`."""
TIMEOUT_GRACE = 2.0
"""Seconds past a task's timeout before the parent kills the worker (the worker's own alarm comes first)."""
_STARTUP_TIMEOUT = 60.0
_TASKS_PER_WORKER = 500  # a fresh process now and then bounds leaks and heap fragmentation in parsers
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class WorkerConfig:
    """What every worker is started with."""

    spool: str
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT
    plugin_modules: tuple[str, ...] = ()
    formats: tuple[bytes, ...] = ()  # pickled formats registered in the parent, in detection order
    # the parent's ARMSTRACE_* settings (OCR languages, cache...) as they are now: the fork server
    # keeps the environment it was started with, which may be older
    environ: tuple[tuple[str, str], ...] = ()
    tasks_per_worker: int = _TASKS_PER_WORKER


@dataclass(frozen=True)
class Task:
    """One file to parse: `source` is where its bytes are (the original, or a spool file for a file
    inside a file); `path` is the name the user sees (`leak/leak.zip/letters/12.pdf`)."""

    id: int
    source: str
    path: str
    timeout: float | None
    max_bytes: int
    max_children: int  # how many files inside it may be handed back; the rest are only counted
    spool_children: bool  # False when they are nested too deep: only their names, sizes and hashes
    ocr_workers: int = 1


@dataclass(frozen=True)
class SpooledChild:
    """A file found inside the parsed file; `spool` is None when its bytes were not kept."""

    name: str
    sha256: str
    size: int
    spool: str | None


@dataclass
class Result:
    """The answer to a `Task`; `recycle` asks the pool for a fresh worker (after a MemoryError)."""

    task: int
    doc: Document | None
    outcome: pipeline.FileOutcome
    children: list[SpooledChild] = field(default_factory=list)
    dropped_children: int = 0
    ocr: dict[int, PageOcr] = field(default_factory=dict)
    recycle: bool = False


# -- in the worker ---------------------------------------------------------------------------


def plugin_modules() -> tuple[str, ...]:
    """The plugin modules named in `$ARMSTRACE_PLUGINS`."""
    return tuple(m.strip() for m in os.environ.get(PLUGINS_ENV, "").split(",") if m.strip())


def load_plugins(modules: Sequence[str]) -> None:
    """Import plugin modules (each registers its formats on import)."""
    for module in modules:
        importlib.import_module(module)


def _limit_self(memory_limit: int | None) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when the process that started it (the fork server) dies;
    the fork server itself exits when the ingest does."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _silence() -> None:
    """Parsers print warnings to the terminal (MuPDF does); they would tear the progress bar."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def _install_formats(config: WorkerConfig) -> None:
    for key in [k for k in os.environ if k.startswith("ARMSTRACE_")]:
        del os.environ[key]
    os.environ.update(dict(config.environ))
    load_plugins(config.plugin_modules)
    installed = []
    for blob in config.formats:
        with contextlib.suppress(Exception):  # a format that cannot be rebuilt here is left out
            installed.append(pickle.loads(blob))
    for fmt in reversed(installed):  # register() puts each first: reversed keeps the parent's order
        _formats.register(fmt)


def _configure_ocr(workers: int) -> None:
    """Tell page-level OCR how many processes it may use for this file, so N workers each OCR-ing a
    scan do not start N x cores Tesseracts. Tesseract's own OpenMP threads are kept to one."""
    os.environ[OCR_WORKERS_ENV] = str(workers)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    ocr = sys.modules.get("armstrace.ingest.ocr")
    configure = getattr(ocr, "configure", None)
    if callable(configure):
        with contextlib.suppress(TypeError):
            configure(workers=workers)


def serve(conn: Connection, config: WorkerConfig) -> None:
    """The worker's main loop: one task in, one result out, until told to stop or recycled."""
    _die_with_parent()
    _limit_self(config.memory_limit)
    _silence()
    _install_formats(config)
    conn.send(("ready", os.getpid()))
    for _ in range(config.tasks_per_worker):
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        result = run(task, config, conn)
        conn.send(("done", result))
        if result.recycle:
            return


def _read_source(task: Task) -> bytes | pipeline.FileOutcome:
    """The bytes to parse, opened read-only; the original is never written to."""
    try:
        with open(task.source, "rb") as handle:
            data = handle.read(task.max_bytes + 1)
    except OSError as exc:
        return pipeline.failed_outcome(task.path, f"it cannot be read: {exc.strerror or exc}")
    if len(data) > task.max_bytes:
        return pipeline.failed_outcome(
            task.path,
            f"it is over the limit of {task.max_bytes / 2**20:.0f} MB per file",
            status="too-large",
            size=len(data),
        )
    return data


def run(task: Task, config: WorkerConfig, conn: Connection | None = None) -> Result:
    """Parse one file; tell the parent which format is reading it, so a crash can be named."""
    loaded = _read_source(task)
    if isinstance(loaded, pipeline.FileOutcome):
        return Result(task.id, None, loaded)
    data = loaded
    path = Path(task.path)
    fmt = _formats.detect(data[:HEAD_SIZE], path)
    if conn is not None:
        conn.send(("parsing", fmt.name if fmt else None))
    _configure_ocr(task.ocr_workers)
    try:
        doc, outcome, parsed = pipeline.parse_content(data, path, fmt, timeout=task.timeout)
    except MemoryError:
        del data
        reason = "reading it needed more memory than a worker may use"
        if config.memory_limit:
            reason += f" ({config.memory_limit / 2**20:.0f} MB, --memory-limit)"
        outcome = pipeline.failed_outcome(task.path, reason, status="too-large")
        return Result(task.id, None, outcome, recycle=True)
    if parsed is None or not parsed.children or doc is None:
        return Result(task.id, doc, outcome, ocr=dict(parsed.ocr) if parsed and doc else {})
    children: list[SpooledChild] = []
    for child in parsed.children[: max(task.max_children, 0)]:
        sha256 = hashlib.sha256(child.data).hexdigest()
        spool = _spool(config.spool, sha256, child.data) if task.spool_children else None
        children.append(SpooledChild(child.name, sha256, len(child.data), spool))
    dropped = len(parsed.children) - len(children)
    return Result(task.id, doc, outcome, children, dropped, dict(parsed.ocr))


def _spool(folder: str, sha256: str, data: bytes) -> str:
    """Write a child's bytes into the spool under its hash (written whole, then renamed into place)."""
    target = os.path.join(folder, sha256)
    if not os.path.exists(target):
        partial = f"{target}.{os.getpid()}.part"
        with open(partial, "wb") as handle:
            handle.write(data)
        os.replace(partial, target)
    return target


# -- in the parent ---------------------------------------------------------------------------


@dataclass
class Finished:
    """A task ended: with a `result`, or without one because its worker died or overran."""

    task: Task
    result: Result | None
    format: str | None  # the format that was reading it, if the worker said
    timed_out: bool = False
    exitcode: int | None = None


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    ready: bool = False
    started: float = field(default_factory=time.monotonic)
    task: Task | None = None
    deadline: float | None = None
    format: str | None = None


class WorkerStartError(RuntimeError):
    """Workers die before they can take any file (a memory limit too low to import the parsers?)."""


class WorkerPool:
    """Up to `size` worker processes, each parsing one task at a time under the limits."""

    def __init__(self, size: int, config: WorkerConfig) -> None:
        self.size = max(1, size)
        self.config = config
        self._ctx = get_context("forkserver")
        self._ctx.set_forkserver_preload(["armstrace.ingest.worker"])
        self._workers: list[_Worker] = []
        self._failed_starts = 0

    @property
    def busy(self) -> int:
        return sum(1 for w in self._workers if w.task is not None)

    def has_room(self) -> bool:
        return self.busy < self.size

    def submit(self, task: Task) -> None:
        """Hand `task` to an idle worker (starting one if needed); call only when `has_room()`."""
        worker = next((w for w in self._workers if w.task is None and w.ready), None)
        if worker is None:
            worker = next((w for w in self._workers if w.task is None), None) or self._start()
        worker.task = task
        worker.format = None
        if worker.ready:
            self._send(worker)

    def _send(self, worker: _Worker) -> None:
        task = worker.task
        assert task is not None
        worker.conn.send(task)
        worker.deadline = None if task.timeout is None else time.monotonic() + task.timeout + TIMEOUT_GRACE

    def _start(self) -> _Worker:
        parent_end, child_end = self._ctx.Pipe()
        process = self._ctx.Process(target=serve, args=(child_end, self.config), daemon=True)
        process.start()
        child_end.close()
        worker = _Worker(process, parent_end)
        self._workers.append(worker)
        return worker

    def wait(self, timeout: float | None = None) -> list[Finished]:
        """Block until some task finishes (or `timeout` passes); returns the tasks that ended."""
        now = time.monotonic()
        deadlines = [w.deadline for w in self._workers if w.deadline is not None]
        deadlines += [w.started + _STARTUP_TIMEOUT for w in self._workers if not w.ready]
        limit = min(deadlines, default=None)
        if limit is not None:
            timeout = max(0.0, limit - now) if timeout is None else min(timeout, max(0.0, limit - now))
        handles: list[object] = [w.conn for w in self._workers]
        handles += [w.process.sentinel for w in self._workers]
        wait(handles, timeout)  # type: ignore[arg-type]
        finished: list[Finished] = []
        for worker in list(self._workers):
            finished.extend(self._collect(worker))
        return finished

    def _collect(self, worker: _Worker) -> list[Finished]:
        done: list[Finished] = []
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message[0] == "ready":
                    worker.ready = True
                    self._failed_starts = 0
                    if worker.task is not None:
                        self._send(worker)
                elif message[0] == "parsing":
                    worker.format = message[1]
                elif message[0] == "done" and worker.task is not None:
                    result: Result = message[1]
                    done.append(Finished(worker.task, result, worker.format))
                    worker.task, worker.deadline, worker.format = None, None, None
                    if result.recycle:
                        self._retire(worker)
                        return done
        except (EOFError, OSError):
            pass  # it died; the sentinel tells how
        if not worker.process.is_alive():
            worker.process.join()
            self._forget(worker)
            if worker.ready:
                if worker.task is not None:
                    done.append(Finished(worker.task, None, worker.format, exitcode=worker.process.exitcode))
                return done
            self._failed_starts += 1  # not the file's fault: it never reached the worker
            if self._failed_starts >= 3:
                raise WorkerStartError(
                    "the worker processes exit before they can read any file "
                    f"({signal_name(worker.process.exitcode)}); is --memory-limit too low?"
                )
            if worker.task is not None:
                self._start().task = worker.task
            return done
        now = time.monotonic()
        overdue = worker.deadline is not None and now > worker.deadline
        stuck = not worker.ready and now > worker.started + _STARTUP_TIMEOUT
        if overdue or stuck:
            task = worker.task
            self._kill(worker)
            if task is not None:
                done.append(Finished(task, None, worker.format, timed_out=overdue))
        return done

    def _kill(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join()
        self._forget(worker)

    def _retire(self, worker: _Worker) -> None:
        with contextlib.suppress(OSError):
            worker.conn.send(None)
        worker.process.join(5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        self._forget(worker)

    def _forget(self, worker: _Worker) -> None:
        worker.conn.close()
        self._workers.remove(worker)

    def close(self) -> None:
        """Stop every worker: idle ones are asked to exit, busy ones are killed."""
        for worker in list(self._workers):
            if worker.task is None and worker.ready:
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
            else:
                worker.process.kill()
        for worker in list(self._workers):
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self._workers.clear()


def pickled_formats() -> tuple[bytes, ...]:
    """The parent's registered formats, pickled in detection order (those that cannot be are left
    out: the worker still has the built-in ones and those its plugin modules register)."""
    blobs = []
    for fmt in _formats.formats():
        with contextlib.suppress(Exception):
            blobs.append(pickle.dumps(fmt))
    return tuple(blobs)


def signal_name(exitcode: int | None) -> str:
    """How a worker ended, as words: `signal SIGSEGV` or `exit status 3`."""
    if exitcode is None:
        return "an unknown cause"
    if exitcode < 0:
        try:
            return f"signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit status {exitcode}"
