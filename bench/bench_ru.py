"""Russian extraction throughput, against the morphology it stands on, on the same text.

Subjects (characters per second, best of `repeat` runs in one process):
- `armstrace ru` — the whole Russian pack (`RussianExtractor.extract_page`): tokenise, every
  pymorphy3 reading (cached per word form), gazetteer, roles, status, items; no syntax parser.
- `pymorphy3 lemmas (cached)` — tokenising and the cached readings alone (`morph.lemmatise`):
  the floor of our pipeline; the ratio to it is the overhead of our logic.
- `pymorphy3 parse (raw)` — `MorphAnalyzer.parse` on every token, no cache.
- `natasha (no syntax)` / `natasha (with syntax)` — natasha's own pipeline (segmenter, news
  morphology tagger, NER; then also the syntax parser), measured when natasha is importable,
  or through the interpreter named by `ARMSTRACE_NATASHA_PYTHON` (natasha depends on
  pymorphy2, so it is not an armstrace dependency).

The corpus is built from specimen sentences written for the benchmark (letters, contract
clauses, news-style sentences, negatives) shuffled with a fixed seed.
Run: `.venv/bin/python -m bench.bench_ru` (writes `bench/results-ru.md` and `.json`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.timing import METHOD, Measurement, describe_error, ratio, timed

HERE = Path(__file__).resolve().parent

SENTENCES = [
    "Белоруссия поставила Азербайджану четыре комплекса «Гроза-С» в 2019 году.",
    "В 2018–2020 годах комплексы «Полонез» были доставлены в Азербайджан из Белоруссии.",
    "ГВТУП «Белспецвнештехника» заключило контракт с Министерством обороны Азербайджанской Республики "
    "на поставку 4 (четырёх) единиц комплекса «Гроза-С».",
    "Азербайджан закупил у Белоруссии РСЗО «Полонез».",
    "Минобороны Беларуси опровергло информацию о поставках вооружения Азербайджану.",
    "ОАО «558 АРЗ» выполнило капитальный ремонт вертолётов для Вооружённых сил Азербайджана.",
    "Поставка комплексов «Гроза-С» в адрес Минобороны Азербайджана осуществлена 12 марта 2019 г.",
    "Комплексы «Полонез» применялись азербайджанской армией в ходе боевых действий.",
    "На выставке в Минске предприятие представило новые образцы техники.",
    "Сделка по продаже комплексов «Полонез» Азербайджану не состоялась.",
    "Стороны обсуждают возможность поставки радиолокационных станций.",
    "Погода в Минске в понедельник будет тёплой, осадков не ожидается.",
    "Генеральному директору ОАО «КБ Радар»\nИсх. № 03-2/1456 от 14.02.2019\n",
    "Продавец обязуется поставить, а Покупатель принять и оплатить продукцию согласно Спецификации.",
    "В IV квартале 2019 г. прошу обеспечить изготовление станций «Гроза-С» для Вооружённых сил "
    "Азербайджанской Республики.",
]

_NATASHA = """
import json, sys, time
from natasha import Doc, NewsEmbedding, NewsMorphTagger, NewsNERTagger, NewsSyntaxParser, Segmenter
text = sys.stdin.read(); repeat = int(sys.argv[1])
emb = NewsEmbedding(); seg = Segmenter(); morph = NewsMorphTagger(emb)
syntax = NewsSyntaxParser(emb); ner = NewsNERTagger(emb)
chunks = text.split("\\n\\n")
def run(with_syntax):
    for chunk in chunks:
        doc = Doc(chunk); doc.segment(seg); doc.tag_morph(morph); doc.tag_ner(ner)
        if with_syntax:
            doc.parse_syntax(syntax)
out = {}
for name, flag in (("natasha (no syntax)", False), ("natasha (with syntax)", True)):
    times = []
    for _ in range(repeat):
        t = time.perf_counter(); run(flag); times.append(time.perf_counter() - t)
    out[name] = times
print(json.dumps(out))
"""


@dataclass
class RuResult:
    corpus_chars: int
    chunks: int
    subjects: list[Measurement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "corpus_chars": self.corpus_chars,
            "chunks": self.chunks,
            "subjects": [m.to_json() for m in self.subjects],
            "notes": self.notes,
        }


def corpus(size_chars: int, seed: int = 4) -> list[str]:
    """Paragraph-sized chunks (pages) of shuffled specimen sentences, about `size_chars` in all."""
    rng = random.Random(seed)
    chunks: list[str] = []
    total = 0
    while total < size_chars:
        chunk = " ".join(rng.choice(SENTENCES) for _ in range(8))
        chunks.append(chunk)
        total += len(chunk)
    return chunks


def run(size_chars: int = 300_000, repeat: int = 3) -> RuResult:
    from armstrace.extract.lang.ru.extractor import RussianExtractor
    from armstrace.extract.lang.ru.morph import analyzer, lemmatise, read, tokenize
    from armstrace.kb import default_kb

    chunks = corpus(size_chars)
    chars = sum(len(c) for c in chunks)
    result = RuResult(chars, len(chunks))
    pack = RussianExtractor(default_kb())
    morph = analyzer()

    def ours() -> int:
        return sum(len(pack.extract_page(c, doc_id="b", path="b", page=1)) for c in chunks)

    def lemmas() -> int:
        return sum(len(lemmatise(c)) for c in chunks)

    def raw() -> int:
        return sum(len(morph.parse(t.text)) for c in chunks for t in tokenize(c))

    read.cache_clear()
    for name, fn in (
        ("armstrace ru", ours),
        ("pymorphy3 lemmas (cached)", lemmas),
        ("pymorphy3 parse (raw)", raw),
    ):
        m = Measurement(name, units=chars)
        try:
            for _ in range(repeat):
                seconds, found = timed(fn)
                m.seconds.append(seconds)
                m.found = found
        except Exception as exc:  # a subject that cannot run is reported, not fatal
            m.error = describe_error(exc)
        result.subjects.append(m)
    result.subjects += _natasha(chunks, chars, repeat, result.notes)
    return result


def _natasha(chunks: list[str], chars: int, repeat: int, notes: list[str]) -> list[Measurement]:
    python = os.environ.get("ARMSTRACE_NATASHA_PYTHON")
    if python is None:
        try:
            import natasha  # noqa: F401

            python = sys.executable
        except ImportError:
            notes.append(
                "natasha is not installed here; set ARMSTRACE_NATASHA_PYTHON to an interpreter that has "
                "natasha 1.6 to measure its pipeline on the same text"
            )
            return []
    try:
        proc = subprocess.run(
            [python, "-c", _NATASHA, str(repeat)],
            input="\n\n".join(chunks),
            capture_output=True,
            text=True,
            check=True,
            timeout=3600,
        )
        times: dict[str, list[float]] = json.loads(proc.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        notes.append(f"natasha could not be measured: {describe_error(exc)}")
        return []
    notes.append(f"natasha ran in a separate interpreter ({python}); model loading is not timed")
    return [Measurement(name, seconds=secs, units=chars) for name, secs in times.items()]


def markdown(result: RuResult, repeat: int, date: str) -> str:
    base = next((m for m in result.subjects if m.subject == "pymorphy3 lemmas (cached)"), None)
    lines = [
        "# Russian extraction benchmark",
        "",
        "Written by `.venv/bin/python -m bench.bench_ru`; do not edit by hand.",
        "",
        f"- Date: {date}; Python {sys.version.split()[0]}; {os.cpu_count()} cores",
        f"- Input: {result.corpus_chars:,} characters in {result.chunks} chunks of specimen Russian text",
        f"- Method: {METHOD} of {repeat} runs per subject in one process (natasha: its own process). "
        "Ratio = subject throughput / cached pymorphy3 lemmatisation throughput on the same text.",
        "",
        "| Subject | Best time (s) | Throughput (chars/s) | Found | Ratio vs cached lemmas |",
        "| --- | --- | --- | --- | --- |",
    ]
    for m in result.subjects:
        r = ratio(m, base) if base is not None else None
        best = f"{m.best:.3f}" if m.best is not None else "—"
        rate = f"{m.rate:,.0f}" if m.rate is not None else f"n/a ({m.error})"
        found = f"{m.found:,}" if m.found is not None else "—"
        lines.append(f"| {m.subject} | {best} | {rate} | {found} | {f'{r:.3f}×' if r else '—'} |")
    lines += [
        "",
        "armstrace's Russian pack uses no syntax parser: roles come from prepositions and pymorphy3 "
        "cases, so its with- and without-parser figures are the same row.",
        "The specimen corpus repeats a few sentences, so the per-word-form cache of readings is warm after "
        "the first pass: `pymorphy3 parse (raw)` shows the cost without it; on a real leak with a larger "
        "vocabulary expect throughput between the two.",
    ]
    if result.notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in result.notes]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None, out: Path = HERE) -> RuResult:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_ru", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=300_000, help="corpus size in characters")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    result = run(args.size, args.repeat)
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    (out / "results-ru.md").write_text(markdown(result, args.repeat, date), encoding="utf-8")
    (out / "results-ru.json").write_text(
        json.dumps({"date": date, "repeat": args.repeat, **result.to_json()}, indent=2, ensure_ascii=False),
        encoding="utf-8",
    )
    print((out / "results-ru.md").read_text(encoding="utf-8"))
    return result


if __name__ == "__main__":
    main()
