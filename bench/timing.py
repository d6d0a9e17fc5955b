"""Shared timing helpers, so both benchmarks measure and report the same way."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

METHOD = "best"  # of `repeat` runs: the least disturbed by other work on the machine.


@dataclass
class Measurement:
    """Wall-clock times of repeated runs of one subject over the whole input."""

    subject: str
    seconds: list[float] = field(default_factory=list)
    units: float = 0.0  # characters or pages processed in one run
    found: int | None = None  # transfers found, pages read: whatever the subject produces
    error: str | None = None

    @property
    def best(self) -> float | None:
        return min(self.seconds) if self.seconds else None

    @property
    def rate(self) -> float | None:
        """Units per second in the best run."""
        best = self.best
        return self.units / best if best else None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["best"] = self.best
        data["rate"] = self.rate
        return data


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Run `fn` once after a collection, so garbage from the previous run is not billed to it."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def ratio(subject: Measurement, baseline: Measurement) -> float | None:
    """subject rate / baseline rate: above 1 means the subject is faster."""
    if subject.rate is None or baseline.rate is None or baseline.rate == 0:
        return None
    return subject.rate / baseline.rate


def describe_error(exc: BaseException) -> str:
    """One line for the results file: why a subject could not be measured."""
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
