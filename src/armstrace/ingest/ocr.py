"""OCR: page images to text with word boxes, through the `tesseract` command.

Why the command and not a binding: Tesseract's TSV output already gives every
word with its box and confidence, a subprocess per page is what lets pages run
in parallel on every core (each with `OMP_THREAD_LIMIT=1`, so the pool, not
OpenMP, decides how many cores are busy), and a hung or crashing page can be
killed without taking the ingest with it. pytesseract would run the same
command through temporary files and add a dependency for no gain; the
benchmark (`bench/bench_ocr.py`) measures what this module costs on top of
the bare command.

Settings (`configure`) live in environment variables, so worker processes the
runner starts afterwards, by fork or by spawn, OCR with the same languages,
page workers and cache:

- `ARMSTRACE_OCR_LANG`: Tesseract languages joined by `+` (default `rus+eng`);
- `ARMSTRACE_OCR_WORKERS`: pages OCR'd at once by one `ocr_pages` call (default: every core);
- `ARMSTRACE_OCR_CACHE`: the folder of the OCR cache (default: no cache);
- `ARMSTRACE_TESSERACT`: the `tesseract` command to run (default: `tesseract` on PATH).

The OCR cache is a folder of small JSON files, one per (image sha256,
languages), written as soon as a page is done (atomically: temporary file,
then rename). `armstrace ingest` puts it beside the investigation database
(`.armstrace-ocr-cache/` in the database's folder; hidden, so ingesting that
folder skips it), which makes it as private as the database itself: OCR text
of a leak is never written anywhere the user did not choose. Because each page
is cached the moment it is read, a file that hits its time limit or a run that
is killed keeps the pages already done, and `--retry-failed` or a re-ingest
OCRs only what is left. A folder rather than a table, so that many worker
processes can write pages at once without queueing on the database's lock.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from armstrace.errors import OcrLanguageError
from armstrace.ingest.formats import OcrWord, PageOcr
from armstrace.ingest.formats.image import kind

DEFAULT_LANGUAGES = "rus+eng"
PAGE_TIMEOUT = 600.0
"""Seconds Tesseract may spend on one page before that page is given up (and only that page)."""

ENV_LANGUAGES = "ARMSTRACE_OCR_LANG"
ENV_WORKERS = "ARMSTRACE_OCR_WORKERS"
ENV_CACHE = "ARMSTRACE_OCR_CACHE"
ENV_TESSERACT = "ARMSTRACE_TESSERACT"
CACHE_FOLDER = ".armstrace-ocr-cache"

_PSM = "3"  # fully automatic page segmentation: letters have headers, paragraphs and tables
_LANGUAGES = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\+[A-Za-z][A-Za-z0-9_]*)*")
_CACHE_FORMAT = 1


class OcrUnavailable(Exception):
    """Tesseract cannot be run here; the message is a sentence saying what to install."""


@dataclass(frozen=True)
class OcrSettings:
    """What `ocr_pages` uses when it is not told otherwise."""

    languages: str
    workers: int
    cache_dir: Path | None


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def settings() -> OcrSettings:
    """The current settings: what `configure` set, in this process or the one that started it."""
    workers_text = os.environ.get(ENV_WORKERS, "")
    workers = int(workers_text) if workers_text.isdigit() and int(workers_text) > 0 else _cores()
    cache = os.environ.get(ENV_CACHE)
    return OcrSettings(
        languages=os.environ.get(ENV_LANGUAGES) or DEFAULT_LANGUAGES,
        workers=workers,
        cache_dir=Path(cache) if cache else None,
    )


class _Keep(enum.Enum):
    """The default of an option that leaves the current setting as it is."""

    KEEP = "keep"


KEEP = _Keep.KEEP


def configure(
    *,
    languages: str | None = None,
    workers: int | None = None,
    cache_dir: Path | str | _Keep | None = KEEP,
) -> OcrSettings:
    """Set the languages, page workers and cache folder for this process and those it starts.

    A language set is checked against the languages Tesseract has installed
    (when Tesseract is installed at all: a text-only ingest does not need it);
    a bad one raises `OcrLanguageError` naming what is installed.
    `cache_dir=None` turns the cache off.
    """
    if languages is not None:
        os.environ[ENV_LANGUAGES] = check_languages(languages)
    if workers is not None:
        if workers < 1:
            raise ValueError(f"OCR workers must be at least 1, not {workers}")
        os.environ[ENV_WORKERS] = str(workers)
    if cache_dir is None:
        os.environ.pop(ENV_CACHE, None)
    elif not isinstance(cache_dir, _Keep):
        os.environ[ENV_CACHE] = str(Path(cache_dir).expanduser())
    return settings()


def cache_dir_for(db_url: str) -> Path | None:
    """The OCR cache folder for an investigation database: beside a SQLite file, none otherwise
    (an in-memory or server database has no folder of the user's that could hold it)."""
    if not db_url.startswith("sqlite:///"):
        return None
    database = db_url[len("sqlite:///") :].split("?", 1)[0]
    if not database or database == ":memory:":
        return None
    return Path(database).expanduser().resolve().parent / CACHE_FOLDER


# -- the engine -------------------------------------------------------------------------------------


def _binary() -> str:
    return os.environ.get(ENV_TESSERACT) or "tesseract"


@functools.cache
def _probe(binary: str) -> tuple[str, tuple[str, ...]] | str:
    """(version, installed languages) of a tesseract command, or why it cannot be run."""
    path = shutil.which(binary)
    if path is None:
        return (
            f"Tesseract is not installed (no `{binary}` command on PATH); "
            "run scripts/setup.sh or install the tesseract-ocr packages"
        )
    try:
        version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=True)
        listed = subprocess.run(
            [path, "--list-langs"], capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"Tesseract ({path}) cannot be run: {exc}"
    first = (version.stdout or version.stderr).strip().splitlines()
    languages = tuple(sorted(line.strip() for line in listed.stdout.splitlines()[1:] if line.strip()))
    return (first[0] if first else "tesseract"), languages


def available() -> bool:
    """True if Tesseract can be run here."""
    return not isinstance(_probe(_binary()), str)


def engine() -> str:
    """Tesseract's version line (`tesseract 5.3.0`); raises `OcrUnavailable` without Tesseract."""
    probe = _probe(_binary())
    if isinstance(probe, str):
        raise OcrUnavailable(probe)
    return probe[0]


def installed_languages() -> tuple[str, ...]:
    """The languages Tesseract has data for; raises `OcrUnavailable` without Tesseract."""
    probe = _probe(_binary())
    if isinstance(probe, str):
        raise OcrUnavailable(probe)
    return probe[1]


def check_languages(languages: str) -> str:
    """The language set, checked: `rus+eng+aze`, every one installed (if Tesseract is)."""
    languages = languages.strip()
    if not _LANGUAGES.fullmatch(languages):
        raise OcrLanguageError(
            f"The OCR language set {languages!r} is not valid: name Tesseract languages joined by '+', "
            "such as rus+eng or rus+eng+aze."
        )
    if not available():
        return languages
    installed = installed_languages()
    missing = [lang for lang in languages.split("+") if lang not in installed]
    if missing:
        raise OcrLanguageError(
            f"Tesseract has no data for the OCR language(s) {', '.join(missing)} "
            f"(installed: {', '.join(installed) or 'none'}). Install tesseract-ocr-{missing[0]} "
            "or choose installed languages with --ocr-lang."
        )
    return languages


_calls = 0
_calls_lock = threading.Lock()


def tesseract_calls() -> int:
    """How many times this process has started Tesseract on a page (the cache test counts them)."""
    return _calls


def _scratch() -> str | None:
    """Where page images wait for Tesseract: in memory (/dev/shm) if the system has it."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


class _Tesseract:
    """Runs Tesseract on one page at a time, from many threads, and can kill every running page."""

    def __init__(self, languages: str, timeout: float) -> None:
        self.command = [_binary(), "stdout", "-l", languages, "--psm", _PSM, "tsv"]  # image after [0]
        self.env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        self.timeout = timeout
        self._running: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()
        self._stopped = False

    def tsv(self, image: bytes) -> str:
        """Tesseract's TSV for one image. The image goes through a scratch file, in memory where
        the system has /dev/shm, deleted at once: Tesseract reads a file for less CPU than a pipe
        (about 0.1 s less per 300 dpi page, measured by bench/bench_ocr.py)."""
        global _calls
        with tempfile.NamedTemporaryFile(dir=_scratch(), prefix="armstrace-ocr-", suffix=".png") as scratch:
            scratch.write(image)
            scratch.flush()
            with self._lock:
                if self._stopped:
                    raise OcrUnavailable("OCR was stopped")
                proc = subprocess.Popen(
                    [self.command[0], scratch.name, *self.command[1:]],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=self.env,
                )
                self._running.add(proc)
            with _calls_lock:
                _calls += 1
            try:
                out, err = proc.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                raise OcrUnavailable(f"Tesseract took longer than {self.timeout:g} seconds") from None
            finally:
                with self._lock:
                    self._running.discard(proc)
        if proc.returncode != 0:
            message = err.decode("utf-8", "replace").strip().splitlines()
            detail = message[-1] if message else f"exit status {proc.returncode}"
            raise OcrUnavailable(f"Tesseract could not read the image ({detail})")
        return out.decode("utf-8", "replace")

    def stop(self) -> None:
        """Kill every page still running (the file's time limit struck, or the run was interrupted)."""
        with self._lock:
            self._stopped = True
            running = list(self._running)
        for proc in running:
            with contextlib.suppress(OSError):
                proc.kill()


# -- TSV to page text with word offsets -------------------------------------------------------------


def parse_tsv(tsv: str) -> tuple[str, list[OcrWord], float, int, int]:
    """Tesseract's TSV to (page text, words, mean confidence 0..1, width, height).

    Words of a line are joined by a space, lines by a newline and paragraphs
    and blocks by a blank line, the way a PDF text layer reads; each word's
    offsets point into that text.
    """
    parts: list[str] = []
    length = 0
    words: list[OcrWord] = []
    width = height = 0
    last: tuple[str, str, str, str] | None = None
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12:
            continue
        level, page, block, par, line = cells[0], cells[1], cells[2], cells[3], cells[4]
        if level == "1":
            width, height = int(cells[8]), int(cells[9])
            continue
        text = cells[11].strip()
        if level != "5" or not text:
            continue
        key = (page, block, par, line)
        if last is not None:
            gap = "\n\n" if key[:3] != last[:3] else "\n" if key[3] != last[3] else " "
            parts.append(gap)
            length += len(gap)
        last = key
        parts.append(text)
        confidence = max(0.0, min(1.0, float(cells[10]) / 100))
        words.append(
            OcrWord(
                start=length,
                end=length + len(text),
                left=int(cells[6]),
                top=int(cells[7]),
                width=int(cells[8]),
                height=int(cells[9]),
                confidence=round(confidence, 4),
            )
        )
        length += len(text)
    mean = sum(w.confidence for w in words) / len(words) if words else 0.0
    return "".join(parts), words, round(mean, 4), width, height


def _png_size(image: bytes) -> tuple[int, int]:
    if image[:8] == b"\x89PNG\r\n\x1a\n" and image[12:16] == b"IHDR":
        width, height = struct.unpack(">II", image[16:24])
        return int(width), int(height)
    return 0, 0


# -- the cache --------------------------------------------------------------------------------------


def _cache_file(folder: Path, sha256: str, languages: str) -> Path:
    return folder / sha256[:2] / f"{sha256}.{languages}.json"


def _cache_get(folder: Path | None, sha256: str, languages: str, version: str) -> PageOcr | None:
    if folder is None:
        return None
    try:
        data = json.loads(_cache_file(folder, sha256, languages).read_text(encoding="utf-8"))
        if data.get("format") != _CACHE_FORMAT or data.get("engine") != version:
            return None
        return PageOcr(
            words=[OcrWord(*values) for values in data["words"]],
            confidence=float(data["confidence"]),
            image_png=b"",
            image_sha256=sha256,
            width=int(data["width"]),
            height=int(data["height"]),
            language=languages,
            text=str(data["text"]),
        )
    except (OSError, ValueError, KeyError, TypeError):  # missing, or damaged by a crash: OCR again
        return None


def _cache_put(folder: Path | None, page: PageOcr, version: str) -> None:
    if folder is None or page.error:
        return
    target = _cache_file(folder, page.image_sha256, page.language)
    data = {
        "format": _CACHE_FORMAT,
        "engine": version,
        "languages": page.language,
        "text": page.text,
        "confidence": page.confidence,
        "width": page.width,
        "height": page.height,
        "words": [[w.start, w.end, w.left, w.top, w.width, w.height, w.confidence] for w in page.words],
    }
    temporary: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, target)
    except OSError:  # a read-only or full disk costs the cache, never the page
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


# -- OCR of many pages ------------------------------------------------------------------------------


def _ocr_one(tesseract: _Tesseract, image: bytes, sha256: str, languages: str) -> PageOcr:
    width, height = _png_size(image)
    if kind(image[:64]) is None:  # Tesseract reads anything else as a list of files to OCR
        return PageOcr([], 0.0, image, sha256, 0, 0, languages, error="the page is not an image")
    try:
        text, words, confidence, tsv_width, tsv_height = parse_tsv(tesseract.tsv(image))
    except OcrUnavailable as exc:
        return PageOcr([], 0.0, image, sha256, width, height, languages, text="", error=str(exc))
    return PageOcr(
        words, confidence, image, sha256, tsv_width or width, tsv_height or height, languages, text=text
    )


def ocr_pages(
    images: Iterable[bytes],
    languages: str | None = None,
    workers: int | None = None,
    *,
    cache_dir: Path | _Keep | None = KEEP,
    timeout: float = PAGE_TIMEOUT,
) -> list[PageOcr]:
    """OCR page images (PNG bytes) in parallel, one Tesseract process per page, in input order.

    Pages already in the cache are not OCR'd again, nor is a page identical to
    another in the same call. A page Tesseract fails on comes back with
    `error` set and no words; the others are unaffected. `images` may be a
    generator: pages are handed to the pool as they arrive, so rendering the
    next page overlaps with reading the last. Raises `OcrUnavailable` if
    Tesseract is not installed. Defaults come from `settings()`.
    """
    current = settings()
    languages = check_languages(languages or current.languages)
    workers = max(1, workers or current.workers)
    folder = current.cache_dir if isinstance(cache_dir, _Keep) else cache_dir
    version = engine()  # raises OcrUnavailable before any work is done
    tesseract = _Tesseract(languages, timeout)
    images_at: list[bytes] = []
    results: dict[int, PageOcr] = {}
    pending: dict[Future[PageOcr], list[int]] = {}
    running: dict[str, Future[PageOcr]] = {}  # a page identical to one in flight waits for it
    read: dict[str, PageOcr] = {}  # ...and one identical to a page already read reuses it
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr")

    def collect(done: Iterable[Future[PageOcr]]) -> None:
        for future in done:
            page = future.result()
            _cache_put(folder, page, version)
            read[page.image_sha256] = page
            running.pop(page.image_sha256, None)
            for index in pending.pop(future):
                results[index] = _with_image(page, images_at[index])

    try:
        for index, image in enumerate(images):
            images_at.append(image)
            sha256 = hashlib.sha256(image).hexdigest()
            known = read.get(sha256) or _cache_get(folder, sha256, languages, version)
            if known is not None:
                read[sha256] = known
                results[index] = _with_image(known, image)
                continue
            future = running.get(sha256)
            if future is not None:
                pending[future].append(index)
                continue
            future = pool.submit(_ocr_one, tesseract, image, sha256, languages)
            running[sha256] = future
            pending[future] = [index]
            if len(pending) >= workers * 2:  # render only a little ahead of OCR
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                collect(done)
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            collect(done)
    except BaseException:
        tesseract.stop()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return [results[index] for index in range(len(images_at))]


def _with_image(page: PageOcr, image: bytes) -> PageOcr:
    """The OCR result for one position, carrying that position's own image bytes."""
    return dataclasses.replace(page, image_png=image)


def ocr_image(image: bytes, languages: str | None = None) -> PageOcr:
    """OCR one page image (PNG bytes); the same as `ocr_pages([image])[0]`."""
    return ocr_pages([image], languages, workers=1)[0]


@contextlib.contextmanager
def configured(
    *, languages: str | None = None, workers: int | None = None, cache_dir: Path | str | None = None
) -> Iterator[OcrSettings]:
    """Settings for the length of a block, then back to what they were (tests, benchmarks)."""
    saved = {name: os.environ.get(name) for name in (ENV_LANGUAGES, ENV_WORKERS, ENV_CACHE)}
    try:
        yield configure(languages=languages, workers=workers, cache_dir=cache_dir)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def describe(pages: Sequence[PageOcr]) -> str:
    """One line on how OCR went, for logs: pages, words, mean confidence."""
    words = sum(len(p.words) for p in pages)
    read = [p for p in pages if not p.error]
    mean = sum(p.confidence for p in read) / len(read) if read else 0.0
    return f"{len(pages)} page(s) OCR'd, {words} words, mean confidence {mean:.0%}"


__all__ = [
    "CACHE_FOLDER",
    "DEFAULT_LANGUAGES",
    "PAGE_TIMEOUT",
    "OcrSettings",
    "OcrUnavailable",
    "available",
    "cache_dir_for",
    "check_languages",
    "configure",
    "configured",
    "describe",
    "engine",
    "installed_languages",
    "ocr_image",
    "ocr_pages",
    "parse_tsv",
    "settings",
    "tesseract_calls",
]
