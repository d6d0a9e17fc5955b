"""The knowledge base: sources, states, organisations, weapon systems, alliances, conflicts.

It is data (YAML under `kb/data/`), read by a typed loader (`loader.py`) into the
records of `model.py` and linted by `check.py`. Every dated statement is a sourced
`Fact`, so a finding can cite it.
"""

from __future__ import annotations

import functools
from pathlib import Path

from armstrace.kb import check as _check
from armstrace.kb import loader
from armstrace.kb.check import KBProblem
from armstrace.kb.loader import KBError
from armstrace.kb.model import KnowledgeBase

DATA_DIR = Path(__file__).parent / "data"

__all__ = ["DATA_DIR", "KBError", "KBProblem", "KnowledgeBase", "check", "default_kb", "load"]


@functools.lru_cache(maxsize=1)
def default_kb() -> KnowledgeBase:
    """The bundled knowledge base, read once per process (treat it as read-only)."""
    return loader.load(DATA_DIR)


def load(data_dir: Path | None = None) -> KnowledgeBase:
    """Load a knowledge base folder (the bundled one by default); raise `KBError` if it is invalid."""
    if data_dir is None:
        return default_kb()
    return loader.load(Path(data_dir))


def check(data_dir: Path | None = None) -> list[KBProblem]:
    """Every problem in a knowledge base folder (the bundled one by default); empty when clean."""
    return _check.check(Path(data_dir) if data_dir is not None else DATA_DIR)
