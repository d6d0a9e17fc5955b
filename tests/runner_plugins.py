"""Hostile and slow formats for the runner tests, registered on import.

The runner imports this module in its worker processes when `ARMSTRACE_PLUGINS`
names it (with this folder on `PYTHONPATH`), the way a third-party plugin is
loaded. Each format claims content by a prefix:

- `HANG`: blocks SIGALRM and sleeps: only the parent's kill can stop it;
- `SPIN`: a pure-Python endless loop that swallows exceptions;
- `SEGV`: the process kills itself with SIGSEGV, as a crashing C parser would;
- `EXIT`: `os._exit(3)` in the middle of parsing;
- `HOG:`: allocates memory until there is none (the worker's RLIMIT_AS);
- `SLOW:`: sleeps `$ARMSTRACE_TEST_SLOW` seconds, then reads the rest as text;
- `OCR?`: its one page is the OCR page-worker count the runner gave this file;
- `BUNDLE\\n`: a JSON object of member name → content: a container, whose
  members come back as `Parsed.children` (a member may be a bundle itself).

Every `read` appends `<pid> <format> <path>` to `$ARMSTRACE_TEST_LOG` when set,
so a test can tell which files were actually parsed, and by which process.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

from armstrace.ingest.formats import Child, Parsed, register


def _log(name: str, path: Path) -> None:
    log = os.environ.get("ARMSTRACE_TEST_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {name} {path}\n")


class _Prefixed:
    name = "prefixed"
    prefix = b""
    media_types: tuple[str, ...] = ("application/x-test",)

    def sniff(self, head: bytes, path: Path) -> bool:
        return head.startswith(self.prefix)

    def read(self, data: bytes, path: Path) -> Parsed:
        _log(self.name, path)
        return self.parse(data, path)

    def parse(self, data: bytes, path: Path) -> Parsed:
        raise NotImplementedError


class Hang(_Prefixed):
    name = "hang"
    prefix = b"HANG"

    def parse(self, data: bytes, path: Path) -> Parsed:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        while True:
            time.sleep(60)


class Spin(_Prefixed):
    name = "spin"
    prefix = b"SPIN"

    def parse(self, data: bytes, path: Path) -> Parsed:
        while True:
            with contextlib.suppress(Exception):
                sum(range(1000))


class Segv(_Prefixed):
    name = "segv"
    prefix = b"SEGV"

    def parse(self, data: bytes, path: Path) -> Parsed:
        os.kill(os.getpid(), signal.SIGSEGV)
        time.sleep(10)
        raise AssertionError("still alive after SIGSEGV")


class Exit(_Prefixed):
    name = "exit"
    prefix = b"EXIT"

    def parse(self, data: bytes, path: Path) -> Parsed:
        os._exit(3)


class Hog(_Prefixed):
    name = "hog"
    prefix = b"HOG:"

    def parse(self, data: bytes, path: Path) -> Parsed:
        chunks = []
        while True:  # 256 MB at a time (calloc: reserved at once, the pages are touched lazily)
            chunks.append(bytes(256 * 2**20))


class Slow(_Prefixed):
    name = "slow"
    prefix = b"SLOW:"
    media_types: tuple[str, ...] = ("text/x-slow",)

    def parse(self, data: bytes, path: Path) -> Parsed:
        time.sleep(float(os.environ.get("ARMSTRACE_TEST_SLOW", "0")))
        return Parsed(pages=[data[len(self.prefix) :].decode("utf-8")])


class OcrShare(_Prefixed):
    name = "ocr-share"
    prefix = b"OCR?"

    def parse(self, data: bytes, path: Path) -> Parsed:
        return Parsed(pages=[os.environ.get("ARMSTRACE_OCR_WORKERS", "unset")])


class Bundle(_Prefixed):
    name = "bundle"
    prefix = b"BUNDLE\n"
    media_types: tuple[str, ...] = ("application/x-bundle",)

    def parse(self, data: bytes, path: Path) -> Parsed:
        members = json.loads(data[len(self.prefix) :])
        return Parsed(
            pages=[f"a bundle of {len(members)} files"],
            children=[Child(name, content.encode("utf-8")) for name, content in members.items()],
        )


def bundle(members: dict[str, str]) -> str:
    """The content of a bundle with these members (a member that is itself `bundle(...)` nests)."""
    return "BUNDLE\n" + json.dumps(members, ensure_ascii=False)


for _fmt in (Hang(), Spin(), Segv(), Exit(), Hog(), Slow(), OcrShare(), Bundle()):
    register(_fmt)
