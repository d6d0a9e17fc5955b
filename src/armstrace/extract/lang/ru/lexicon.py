"""The Russian lexicon: `lexicon.yaml` read into typed, lookup-ready sets of lemmas.

Entries are normalised the way `morph.normalise` normalises text (lower case, `ё` as `е`),
so a lemma written with `ё` in the data still matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from armstrace.extract.lang.ru.morph import normalise
from armstrace.records import Status

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")


@dataclass(frozen=True)
class Trigger:
    # supply | acquire | arrive | acquire-order | win-order | order | sign | produce | service | offer
    cls: str
    status: Status
    nominal: bool


@dataclass(frozen=True)
class Preposition:
    role: str  # recipient | supplier | with | pair | intermediary | none
    cases: frozenset[str]


@dataclass(frozen=True)
class Lexicon:
    verbs: dict[str, Trigger]
    reflexive: dict[str, Trigger]  # "экспортировались", "закупались": the -ся passive of a trigger verb
    nouns: dict[str, Trigger]
    noun_context: dict[str, frozenset[str]]
    status_words: dict[str, frozenset[str]]
    cancel_phrases: tuple[tuple[str, ...], ...]
    negations: frozenset[str]
    negation_exceptions: frozenset[str]
    auxiliaries: frozenset[str]
    light_verbs: frozenset[str]
    hedges: frozenset[str]
    penalties: frozenset[str]  # "санкции … за покупку": a penalty for a deal is no report of it
    roles: dict[str, Preposition]
    role_phrases: dict[tuple[str, ...], str]
    institutions: frozenset[str]
    firm_forms: frozenset[str]
    adjective_heads: frozenset[str]
    origin_words: frozenset[str]
    pronouns: frozenset[str]
    possessives: frozenset[str]
    purposes: frozenset[str]
    buyer_heads: frozenset[str]
    domestic_markers: frozenset[str]
    domestic_targets: frozenset[str]
    clause_breaks: frozenset[str]
    comma_breaks: frozenset[str]
    clause_openers: tuple[tuple[str, ...], ...]
    item_heads: dict[str, str]  # lemma -> category
    generic_items: frozenset[str]
    money_words: frozenset[str]
    item_tail: frozenset[str]
    number_words: dict[str, int]
    measure_words: frozenset[str]
    goods_measures: frozenset[str]
    ready: frozenset[str]
    we: frozenset[str]
    months: dict[str, int]
    party_labels: dict[tuple[str, ...], str]
    abbreviations: frozenset[str]
    services_on_people: frozenset[str]
    time_nouns: frozenset[str]
    won_orders: frozenset[str]
    instr_governors: frozenset[str]
    goods_only_verbs: frozenset[str]
    goods_only_not: frozenset[str]
    sign_objects: frozenset[str]
    fittings: frozenset[str]
    reporting_verbs: frozenset[str]


def _set(words: list[Any]) -> frozenset[str]:
    return frozenset(normalise(str(w)) for w in words)


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Read the lexicon once; it is data that every extractor instance shares."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    verbs = {
        normalise(str(w)): Trigger(cls, entry["status"], nominal=False)
        for cls, entry in raw["verbs"].items()
        for w in entry["lemmas"]
    }
    nouns = {
        normalise(str(w)): Trigger(cls, entry["status"], nominal=True)
        for cls, entry in raw["nouns"].items()
        for w in entry["lemmas"]
    }
    excluded = _set(raw["reflexive_exclude"])
    reflexive = {
        lemma + ("ся" if lemma.endswith("ть") else "сь"): trigger
        for lemma, trigger in verbs.items()
        if lemma.endswith(("ть", "ти")) and lemma not in excluded
    }
    return Lexicon(
        verbs=verbs,
        reflexive={k: v for k, v in reflexive.items() if k not in verbs},
        nouns=nouns,
        noun_context={normalise(k): _set(v) for k, v in raw["noun_context"].items()},
        status_words={k: _set(v) for k, v in raw["status_words"].items()},
        cancel_phrases=tuple(tuple(normalise(str(w)) for w in p) for p in raw["cancel_phrases"]),
        negations=_set(raw["negations"]),
        negation_exceptions=_set(raw["negation_exceptions"]),
        auxiliaries=_set(raw["auxiliaries"]),
        light_verbs=_set(raw["light_verbs"]),
        hedges=_set(raw["hedges"]),
        penalties=_set(raw.get("penalties", [])),
        roles={
            normalise(str(k)): Preposition(str(v["role"]), frozenset(v["cases"]))
            for k, v in raw["roles"].items()
        },
        role_phrases={tuple(normalise(str(k)).split()): str(v) for k, v in raw["role_phrases"].items()},
        institutions=_set(raw["institutions"]),
        firm_forms=_set(raw["firm_forms"]),
        adjective_heads=_set(raw["adjective_heads"]),
        origin_words=_set(raw["origin_words"]),
        pronouns=_set(raw["pronouns"]),
        possessives=_set(raw["possessives"]),
        purposes=_set(raw["purposes"]),
        buyer_heads=_set(raw["buyer_heads"]),
        domestic_markers=_set(raw["domestic_markers"]),
        domestic_targets=_set(raw["domestic_targets"]),
        clause_breaks=_set(raw["clause_breaks"]),
        comma_breaks=_set(raw["comma_breaks"]),
        clause_openers=tuple(tuple(normalise(str(p)).split()) for p in raw["clause_openers"]),
        item_heads={normalise(str(w)): str(cat) for cat, ws in raw["item_heads"].items() for w in ws},
        generic_items=_set(raw["generic_items"]),
        money_words=_set(raw["money_words"]),
        item_tail=_set(raw["item_tail"]),
        number_words={normalise(str(k)): int(v) for k, v in raw["number_words"].items()},
        measure_words=_set(raw["measure_words"]),
        goods_measures=_set(raw["goods_measures"]),
        ready=_set(raw["ready"]),
        we=_set(raw["we"]),
        months={normalise(str(k)): int(v) for k, v in raw["months"].items()},
        party_labels={
            tuple(normalise(str(w)).split()): role for role, ws in raw["party_labels"].items() for w in ws
        },
        abbreviations=_set(raw["abbreviations"]),
        services_on_people=_set(raw["services_on_people"]),
        time_nouns=_set(raw["time_nouns"]),
        won_orders=_set(raw["won_orders"]),
        instr_governors=_set(raw["instr_governors"]),
        goods_only_verbs=_set(raw["goods_only_verbs"]),
        goods_only_not=_set(raw["goods_only_not"]),
        sign_objects=_set(raw["sign_objects"]),
        fittings=_set(raw["fittings"]),
        reporting_verbs=_set(raw["reporting_verbs"]),
    )
