"""Russian tokens with every reading pymorphy3 gives them: lemmas, parts of speech, cases.

Russian marks roles by case endings, not word order, so the extractor needs the grammatical
case of each word; and names are inflected (`Азербайджану`, `Азербайджанской Республики`),
so the gazetteer matches on lemmas. pymorphy3 ships its dictionaries inside the
`pymorphy3-dicts-ru` package: nothing is downloaded at run time. Every reading is kept
(not only the most probable one) because the preposition in front of a word is what picks
its case: `Беларуси` is genitive after `из`, dative after `поставила`.

Offsets are character offsets into the text that was tokenised, so evidence built from
tokens always quotes the page exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# a decimal or dotted number ("12.03.2019", "1,5"), a word with inner hyphens ("Гроза-С",
# "С-300", "9К58"), or one other character
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|\w+(?:[-‑]\w+)*(?:[-‑][ \t]*\r?\n[ \t]*[^\W\d_A-ZА-ЯЁ]\w*)?|[^\w\s]")
# a word broken at the end of a line ("Республи-\nки", "заключён-\nного"): read as one word
_BROKEN = re.compile(r"[-‑][ \t]*\r?\n[ \t]*")
QUOTES = frozenset("«»\"„“”'‘’")

# pymorphy3 grammemes of case, folded: the second genitive and locative count as their base case
_CASES = {
    "nomn": "nomn",
    "gent": "gent",
    "gen2": "gent",
    "datv": "datv",
    "accs": "accs",
    "acc2": "accs",
    "ablt": "ablt",
    "loct": "loct",
    "loc2": "loct",
    "voct": "nomn",
}


def normalise(word: str) -> str:
    """Lower case with `ё` read as `е`: documents spell it both ways."""
    return word.lower().replace("ё", "е")


@dataclass(frozen=True)
class Reading:
    """What one word form can be: all its lemmas, parts of speech and cases."""

    lemma: str  # the most probable lemma
    lemmas: frozenset[str]
    pos: frozenset[str]  # NOUN, ADJF, VERB, PRTF, PRTS, INFN, PREP, NUMR, ...
    cases: frozenset[str]
    passive: bool  # a passive participle reading exists
    past: bool  # a past-tense reading of a verb or participle exists
    future: bool  # a perfective present (that is, future) or imperfective future reading exists


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    norm: str  # normalised surface form
    reading: Reading

    @property
    def lemma(self) -> str:
        return self.reading.lemma

    @property
    def lemmas(self) -> frozenset[str]:
        return self.reading.lemmas

    @property
    def cases(self) -> frozenset[str]:
        return self.reading.cases

    def has_pos(self, *pos: str) -> bool:
        return any(p in self.reading.pos for p in pos)

    @property
    def is_quote(self) -> bool:
        return self.text in QUOTES

    @property
    def is_punct(self) -> bool:
        return not self.text[:1].isalnum()


@lru_cache(maxsize=1)
def analyzer() -> Any:
    """The pymorphy3 analyser, built once (it maps its dictionaries into memory)."""
    try:
        import pymorphy3
    except ImportError as exc:  # pragma: no cover - a broken install, not bad input
        raise ImportError(
            "Russian extraction needs pymorphy3 and its dictionaries: "
            "pip install 'pymorphy3>=2,<3' pymorphy3-dicts-ru"
        ) from exc
    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=200_000)
def read(word: str) -> Reading:
    """Every reading of one word form (cached: documents repeat their words)."""
    norm = normalise(word)
    if not any(ch.isalpha() for ch in word) or not re.search(r"[а-яё]", norm):
        return Reading(norm, frozenset([norm]), frozenset(["OTHER"]), frozenset(), False, False, False)
    try:
        parses = analyzer().parse(word)
    except (KeyError, ValueError):
        # pymorphy3 names each character to guess a word's shape; characters without a Unicode name
        # (rare scripts, unassigned code points) make it fail: such a word is read as unknown
        parses = []
    lemmas: set[str] = set()
    pos: set[str] = set()
    cases: set[str] = set()
    passive = past = future = present = False
    best = normalise(parses[0].normal_form) if parses else norm
    for p in parses:
        if p.score < 0.01 and lemmas:
            continue
        tag = p.tag
        lemmas.add(normalise(p.normal_form))
        if tag.POS:
            pos.add(str(tag.POS))
        if tag.case:
            cases.add(_CASES.get(str(tag.case), str(tag.case)))
        if tag.voice == "pssv":
            passive = True
        if tag.tense == "past":
            past = True
        if tag.tense == "futr" or (tag.POS == "VERB" and tag.aspect == "perf" and tag.tense == "pres"):
            future = True
        if tag.POS == "VERB" and tag.aspect == "impf" and tag.tense == "pres":
            present = True
    if not pos:
        pos.add("UNKN")
    if not lemmas:
        lemmas.add(norm)
    if present:
        future = False  # a two-aspect verb ("экспортирует", "реализует") reads as the present first
    return Reading(best, frozenset(lemmas), frozenset(pos), frozenset(cases), passive, past, future)


# OCR reads Cyrillic letters as Latin look-alikes or digits ("ПАСП0РТ", "Гpафик", "eдиниц"): inside
# a word that has Cyrillic letters, each such character is read as the Cyrillic letter it looks like.
# One character for one, so offsets never move.
_LOOKALIKE = str.maketrans("AaBCcEeHKMOoPpTXxYy0", "АаВСсЕеНКМОоРрТХхУуО")
_MIXED = re.compile(r"\w*[а-яё]\w*", re.I)
_CONFUSABLE = re.compile(r"[AaBCcEeHKMOoPpTXxYy0]")


def deconfuse(text: str) -> str:
    """`text` with OCR look-alikes inside Cyrillic words read as Cyrillic, of the same length."""

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        if not _CONFUSABLE.search(word) or not re.search(r"[а-яё]", word, re.I):
            return word
        lower = sum(ch.islower() for ch in word) > sum(ch.isupper() for ch in word)
        out = []
        for i, ch in enumerate(word):
            if ch == "0":
                near = word[i - 1 : i] + word[i + 1 : i + 2]
                if any(c.isdigit() for c in near) or not any(c.isalpha() for c in near):
                    out.append(ch)  # "С-300", "2020": a digit among digits stays a digit
                    continue
                out.append("о" if lower and i > 0 else "О")
            else:
                out.append(ch.translate(_LOOKALIKE) if ch.isalpha() else ch)
        return "".join(out)

    return _MIXED.sub(fix, text)


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Tokens of `text` with their readings; offsets are shifted by `offset`."""
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        if _CONFUSABLE.search(word):
            word = deconfuse(word)
        if "\n" in word:
            word = _BROKEN.sub("", word)
        out.append(Token(word, offset + m.start(), offset + m.end(), normalise(word), read(word)))
    return out


def lemmatise(text: str) -> list[str]:
    """The most probable lemma of every word: the baseline the benchmark measures against."""
    return [read(m.group(0)).lemma for m in _TOKEN.finditer(text)]
