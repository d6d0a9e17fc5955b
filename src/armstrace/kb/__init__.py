"""The knowledge base: sources, states, organisations, weapon systems, alliances, conflicts.

It is data (YAML under `kb/data/`), read by a typed loader (`loader.py`) into the
records of `model.py` and linted by `check.py`. Every dated statement is a sourced
`Fact`, so a finding can cite it.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from armstrace.kb import check as _check
from armstrace.kb import loader
from armstrace.kb.check import KBProblem
from armstrace.kb.loader import KBError
from armstrace.kb.model import KnowledgeBase

DATA_DIR = Path(__file__).parent / "data"

__all__ = [
    "DATA_DIR",
    "KBError",
    "KBProblem",
    "KnowledgeBase",
    "check",
    "default_kb",
    "layers",
    "load",
]


LOCAL_DIR = Path("armstrace-kb")  # where `armstrace kb import` writes, relative to the working folder


def layers() -> list[Path]:
    """Knowledge-base folders read on top of the bundled one, in order.

    `$ARMSTRACE_KB` (folders separated by the path separator) when set; otherwise
    `./armstrace-kb` when it exists, so that imported datasets are used by every command.
    """
    env = os.environ.get("ARMSTRACE_KB")
    if env is not None:
        return [Path(p) for p in env.split(os.pathsep) if p]
    return [LOCAL_DIR] if LOCAL_DIR.is_dir() else []


@functools.lru_cache(maxsize=4)
def _layered(extra: tuple[Path, ...]) -> KnowledgeBase:
    kb = loader.load(DATA_DIR)
    for folder in extra:
        kb = loader.load(folder, base=kb)
    return kb


def default_kb() -> KnowledgeBase:
    """The bundled knowledge base with the user's layers, read once per process (treat as read-only)."""
    return _layered(tuple(layers()))


def load(data_dir: Path | None = None) -> KnowledgeBase:
    """Load a knowledge base folder (the bundled one by default); raise `KBError` if it is invalid."""
    if data_dir is None:
        return default_kb()
    return loader.load(Path(data_dir))


def check(data_dir: Path | None = None) -> list[KBProblem]:
    """Every problem in a knowledge base folder (the bundled one by default); empty when clean."""
    return _check.check(Path(data_dir) if data_dir is not None else DATA_DIR)
