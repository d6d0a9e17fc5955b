"""The English lexicon: `lexicon.yaml` read into typed, lookup-ready sets."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from armstrace.records import Status

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")


@dataclass(frozen=True)
class Trigger:
    cls: str  # supply | acquire | acquire-order | service | offer | order | support | continue
    status: Status
    nominal: bool


@dataclass(frozen=True)
class Lexicon:
    verbs: dict[str, Trigger]
    nouns: dict[str, Trigger]
    particles: dict[str, frozenset[str]]
    status_words: dict[str, frozenset[str]]
    status_phrases: dict[str, tuple[str, ...]]
    negations: frozenset[str]
    hedges: frozenset[str]
    hedge_phrases: tuple[str, ...]
    actor_prefix: frozenset[str]
    institutions: frozenset[str]
    roles: dict[str, str]
    item_modifiers: frozenset[str]
    item_heads: frozenset[str]
    generic_items: frozenset[str]
    number_words: dict[str, int]
    measure_words: frozenset[str]
    clause_breaks: frozenset[str]
    head_categories: dict[str, str]
    party_labels: dict[str, str]
    goods_labels: frozenset[str]
    domestic_possessives: frozenset[str]
    domestic_words: frozenset[str]


def _split(words: list[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    single = frozenset(w.lower() for w in words if " " not in w)
    multi = tuple(w.lower() for w in words if " " in w)
    return single, multi


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    verbs: dict[str, Trigger] = {}
    for cls, entry in raw["verbs"].items():
        for form in entry["forms"]:
            verbs[str(form).lower()] = Trigger(cls, entry["status"], nominal=False)
    nouns: dict[str, Trigger] = {}
    for cls, entry in raw["nouns"].items():
        for form in entry["forms"]:
            nouns[str(form).lower()] = Trigger(cls, entry["status"], nominal=True)
    status_words: dict[str, frozenset[str]] = {}
    status_phrases: dict[str, tuple[str, ...]] = {}
    for status, words in raw["status_words"].items():
        status_words[status], status_phrases[status] = _split([str(w) for w in words])
    hedges, hedge_phrases = _split([str(w) for w in raw["hedges"]])
    return Lexicon(
        verbs=verbs,
        nouns=nouns,
        particles={k: frozenset(v) for k, v in raw["particles"].items()},
        status_words=status_words,
        status_phrases=status_phrases,
        negations=frozenset(str(w).lower() for w in raw["negations"]),
        hedges=hedges,
        hedge_phrases=hedge_phrases,
        actor_prefix=frozenset(str(w).lower() for w in raw["actor_prefix"]),
        institutions=frozenset(str(w).lower() for w in raw["institutions"]),
        roles={str(k): str(v) for k, v in raw["roles"].items()},
        item_modifiers=frozenset(str(w).lower() for w in raw["item_modifiers"]),
        item_heads=frozenset(str(w).lower() for w in raw["item_heads"]),
        generic_items=frozenset(str(w).lower() for w in raw["generic_items"]),
        number_words={str(k).lower(): int(v) for k, v in raw["number_words"].items()},
        measure_words=frozenset(str(w).lower() for w in raw["measure_words"]),
        clause_breaks=frozenset(str(w).lower() for w in raw["clause_breaks"]),
        party_labels={str(w).lower(): role for role, ws in raw["party_labels"].items() for w in ws},
        goods_labels=frozenset(str(w).lower() for w in raw["goods_labels"]),
        head_categories={str(w).lower(): str(cat) for cat, ws in raw["head_categories"].items() for w in ws},
        domestic_possessives=frozenset(str(w).lower() for w in raw["domestic"]["possessives"]),
        domestic_words=frozenset(str(w).lower() for w in raw["domestic"]["words"]),
    )
