"""Deterministic benchmark inputs: a news-like English corpus and a folder of text-layer PDFs.

The corpus is generated, not shipped, so the benchmarks need no download and the same
seed gives the same bytes on every machine. It mixes transfer sentences (the work the
extractor exists for) with distractors that name two states or a weapon without a
transfer (the traps a co-occurrence baseline falls into), in roughly the proportions of
press coverage of the arms trade.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

SEED = 20240614

STATES = [
    "Belarus",
    "Azerbaijan",
    "Armenia",
    "Russia",
    "Turkey",
    "Israel",
    "Serbia",
    "Kazakhstan",
    "India",
    "Pakistan",
    "China",
    "Iran",
    "Ukraine",
    "Georgia",
    "France",
    "Germany",
    "the United States",
    "the United Kingdom",
    "Egypt",
    "Algeria",
    "Vietnam",
    "Myanmar",
]
FORMAL = {
    "Azerbaijan": "the Armed Forces of the Republic of Azerbaijan",
    "Armenia": "the Armed Forces of the Republic of Armenia",
    "Belarus": "the Armed Forces of the Republic of Belarus",
    "Kazakhstan": "the Armed Forces of the Republic of Kazakhstan",
    "Serbia": "the Serbian Armed Forces",
}
ITEMS = [
    "artillery targeting equipment",
    "Groza-S counter-drone mobile stations",
    "electronic warfare equipment",
    "T-72 tanks",
    "BTR-82A armoured personnel carriers",
    "Polonez multiple rocket launchers",
    "Tor-M2 air defence systems",
    "Su-30 fighter aircraft",
    "Bayraktar TB2 drones",
    "Mi-17 helicopters",
    "Smerch rocket launchers",
    "radar stations",
    "anti-tank guided missiles",
    "self-propelled howitzers",
    "patrol boats",
    "counter-battery radars",
    "night-vision sights",
    "Kornet anti-tank missiles",
]
SERVICES = [
    "modernised {n} artillery systems for",
    "overhauled {n} helicopters for",
    "repaired {n} air defence radars for",
    "trained crews of {n} counter-drone stations for",
]
SOURCES = ["leaked documents show", "officials said", "according to a trade register", "a report found"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

TRANSFER_TEMPLATES = [
    "{s} delivered {n} {item} to {r} in {y}, {src}.",
    "In {y}, {s} supplied {r} with {n} {item}.",
    "{s} shall deliver {item} to {r} in {y} and {y2}.",
    "The contract provides for the purchase of {n} {item} for {rf}, to be delivered by {s} in {y}.",
    "{r} ordered {n} {item} from {s} in {y}, {src}.",
    "{s} agreed to sell {item} to {r} in {month} {y}.",
    "{s} {service} {r} between {y} and {y2}.",
    "{s} denied that it had sold {item} to {r}.",
    "Deliveries of {item} from {s} to {r} were completed in {y}.",
]
DISTRACTOR_TEMPLATES = [
    "The foreign ministers of {a} and {b} met in {month} {y} to discuss trade and energy.",
    "Border clashes between {a} and {b} left several soldiers dead in {y}.",
    "{a} displayed domestically made {item} at a parade in {month} {y}.",
    "Analysts in {a} and {b} disagreed about the cost of {item}.",
    "The national football teams of {a} and {b} drew 1-1 in a qualifier in {y}.",
    "{a} and {b} signed an agreement on cultural exchanges in {y}.",
    "A delegation from {a} visited a defence exhibition in {b} in {month} {y}; no contracts were announced.",
    "Prices of grain exported from {a} to {b} rose sharply in {y}.",
    "{a} said it would build its own {item} instead of buying them abroad.",
    "The summit in {month} {y} was attended by leaders of {a}, {b} and several other states.",
]


@dataclass(frozen=True)
class Corpus:
    """The generated text, cut into page-sized chunks, and how many transfer sentences it holds."""

    pages: list[str]
    transfer_sentences: int
    distractor_sentences: int

    @property
    def chars(self) -> int:
        return sum(len(page) for page in self.pages)


def _sentence(rng: random.Random, transfer: bool) -> str:
    a, b = rng.sample(STATES, 2)
    y = rng.randint(1995, 2023)
    fields = {
        "s": a,
        "r": b,
        "a": a,
        "b": b,
        "rf": FORMAL.get(b, b),
        "y": y,
        "y2": y + rng.randint(1, 3),
        "n": rng.choice(["two", "four", "six", "12", "18", "24", "36", "several"]),
        "item": rng.choice(ITEMS),
        "src": rng.choice(SOURCES),
        "month": rng.choice(MONTHS),
    }
    fields["service"] = rng.choice(SERVICES).format(n=fields["n"])
    template = rng.choice(TRANSFER_TEMPLATES if transfer else DISTRACTOR_TEMPLATES)
    text = template.format(**fields)
    return text[0].upper() + text[1:]


def make_corpus(size_bytes: int = 3_000_000, seed: int = SEED, page_chars: int = 3_000) -> Corpus:
    """News-like paragraphs of 3-6 sentences, about one in three a transfer, grouped into pages.

    Pages rather than one long string because every armstrace stage works page by page, and
    because pipelines such as spaCy refuse texts over a million characters.
    """
    rng = random.Random(seed)
    pages: list[str] = []
    page: list[str] = []
    page_len = 0
    total = 0
    transfers = distractors = 0
    while total < size_bytes:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            is_transfer = rng.random() < 0.35
            transfers += is_transfer
            distractors += not is_transfer
            sentences.append(_sentence(rng, is_transfer))
        paragraph = " ".join(sentences)
        page.append(paragraph)
        page_len += len(paragraph) + 2
        total += len(paragraph.encode("utf-8")) + 2
        if page_len >= page_chars:
            pages.append("\n\n".join(page) + "\n")
            page, page_len = [], 0
    if page:
        pages.append("\n\n".join(page) + "\n")
    return Corpus(pages=pages, transfer_sentences=transfers, distractor_sentences=distractors)


def make_pdfs(folder: Path, count: int = 20, pages: int = 10, seed: int = SEED) -> list[Path]:
    """`count` PDFs of `pages` A4 pages each, with a real text layer set in Helvetica."""
    import pymupdf

    folder.mkdir(parents=True, exist_ok=True)
    # Roughly 2,000 characters fill an A4 page at 10 pt; generate enough text for every page.
    corpus = make_corpus(size_bytes=count * pages * 2_200, seed=seed, page_chars=1_900)
    texts = iter(corpus.pages)
    paths: list[Path] = []
    for index in range(count):
        doc = pymupdf.open()
        for number in range(1, pages + 1):
            page = doc.new_page(width=595, height=842)
            body = next(texts, corpus.pages[(index * pages + number) % len(corpus.pages)])
            page.insert_textbox(pymupdf.Rect(50, 50, 545, 780), body, fontname="helv", fontsize=10)
            page.insert_text((50, 810), f"Document {index + 1}, page {number} of {pages}", fontsize=8)
        path = folder / f"bench-{index + 1:03d}.pdf"
        doc.save(path, garbage=3, deflate=True, no_new_id=True)
        doc.close()
        paths.append(path)
    return paths


if __name__ == "__main__":
    sample = make_corpus(20_000)
    print(sample.pages[0][:1500])
    print(f"... {len(sample.pages)} pages, {sample.chars} chars, {sample.transfer_sentences} transfers")
