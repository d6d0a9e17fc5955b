"""English extraction throughput: armstrace's extractor against the naive co-occurrence baseline.

Both extractors read the same generated corpus, page by page, in the same process, so the
ratio says what armstrace's precision costs in speed on this machine, whatever the machine.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.corpus import Corpus, make_corpus
from bench.timing import Measurement, describe_error, ratio, timed

Extractor = Callable[[str], Sequence[object]]


@dataclass
class ExtractResult:
    corpus_chars: int
    corpus_pages: int
    transfer_sentences: int
    repeat: int
    armstrace: Measurement
    baseline: Measurement
    kb_load_seconds: float | None = None
    notes: list[str] = field(default_factory=list)

    name = "extract (en)"

    def measurements(self) -> tuple[Measurement, Measurement]:
        """The subject first, then its baseline."""
        return self.armstrace, self.baseline

    @property
    def ratio(self) -> float | None:
        return ratio(self.armstrace, self.baseline)

    def to_json(self) -> dict[str, Any]:
        return {
            "corpus_chars": self.corpus_chars,
            "corpus_pages": self.corpus_pages,
            "transfer_sentences": self.transfer_sentences,
            "repeat": self.repeat,
            "kb_load_seconds": self.kb_load_seconds,
            "armstrace": self.armstrace.to_json(),
            "baseline": self.baseline.to_json(),
            "ratio": self.ratio,
            "notes": self.notes,
        }


def measure(
    name: str, extract: Extractor | None, corpus: Corpus, repeat: int, error: str | None = None
) -> Measurement:
    """Run `extract` over every page of the corpus `repeat` times; a failure is recorded, not raised."""
    result = Measurement(subject=name, units=corpus.chars, error=error)
    if extract is None:
        result.error = error or "not available"
        return result

    def run() -> int:
        return sum(len(extract(page)) for page in corpus.pages)

    try:
        for _ in range(repeat):
            seconds, found = timed(run)
            result.seconds.append(seconds)
            result.found = found
    except Exception as exc:  # a benchmark reports a broken extractor instead of dying with it
        result.error = describe_error(exc)
    return result


def load_armstrace() -> tuple[Extractor | None, float | None, str | None]:
    """armstrace's extractor bound to the default knowledge base (loading it is timed apart)."""
    try:
        from armstrace.extract import extract_text
        from armstrace.kb import default_kb
    except ImportError as exc:
        return None, None, describe_error(exc)
    try:
        seconds, kb = timed(default_kb)
    except Exception as exc:
        return None, None, f"default_kb() failed: {describe_error(exc)}"

    def extract(text: str) -> Sequence[object]:
        return extract_text(text, kb, path="<bench>")

    return extract, seconds, None


def load_baseline() -> tuple[Extractor | None, str | None]:
    try:
        from armstrace.extract.baseline import naive_extract
    except ImportError as exc:
        return None, describe_error(exc)
    return naive_extract, None


def run(size_bytes: int = 3_000_000, repeat: int = 3) -> ExtractResult:
    corpus = make_corpus(size_bytes)
    armstrace, kb_seconds, armstrace_error = load_armstrace()
    baseline, baseline_error = load_baseline()
    warm = corpus.pages[:5]
    for extract in (armstrace, baseline):
        if extract is not None:
            try:  # first calls load lazy resources (pipelines, compiled patterns): not throughput
                for page in warm:
                    extract(page)
            except Exception:
                pass  # measured (and reported) below
    arm = measure("armstrace", armstrace, corpus, repeat, armstrace_error)
    base = measure("naive baseline", baseline, corpus, repeat, baseline_error)
    return ExtractResult(
        corpus_chars=corpus.chars,
        corpus_pages=len(corpus.pages),
        transfer_sentences=corpus.transfer_sentences,
        repeat=repeat,
        armstrace=arm,
        baseline=base,
        kb_load_seconds=kb_seconds,
        notes=[
            "extraction runs page by page over chunks of ~3,000 chars; knowledge-base loading is not timed",
            f"the corpus holds {corpus.transfer_sentences:,} transfer sentences (some are denials or "
            f"services) and {corpus.distractor_sentences:,} distractors that name two states or a weapon "
            "without a transfer",
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=3.0, help="corpus size in megabytes (default 3)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per extractor; the best is kept")
    args = parser.parse_args()
    result = run(int(args.size_mb * 1_000_000), args.repeat)
    for m in (result.armstrace, result.baseline):
        rate = f"{m.rate:,.0f} chars/s" if m.rate else f"n/a ({m.error})"
        print(f"{m.subject:10} {rate}  transfers: {m.found}")
    print(f"ratio armstrace/baseline: {result.ratio}")


if __name__ == "__main__":
    main()
