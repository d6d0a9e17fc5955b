"""Whether two descriptions of an item name the same weapon system, across scripts and spellings.

A leaked letter writes `Полонез` or `Гроза-С`; SIPRI writes `Polonez` and `Groza`. Matching
goes from strict to loose: the same knowledge-base system (through its aliases); the same
designation once transliterated to Latin and stripped of punctuation; a variant suffix of
at most two characters (`Groza-S` is a `Groza`, `T-72B` a `T-72`); and a fuzzy match
(rapidfuzz) that must keep every number, so `T-72` never matches `T-90`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz

from armstrace.kb.model import KnowledgeBase, WeaponSystem, normalise_name
from armstrace.records import Item

#: Cyrillic to Latin as SIPRI and the press spell Russian, Belarusian and Ukrainian designations
#: (close to BGN/PCGN, without diacritics).
CYRILLIC: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}  # fmt: skip
_TABLE = str.maketrans(CYRILLIC)
_DIGITS = re.compile(r"\d+")
#: Fuzzy similarity (0-100) above which two designations with the same numbers match.
FUZZY_THRESHOLD = 85.0
#: The longest variant suffix (`-S`, `-SM`, `M`) by which a designation may differ from its base.
MAX_SUFFIX = 2

MatchKind = Literal["system", "category"]


def transliterate(text: str) -> str:
    """Latin letters for Cyrillic ones, after `normalise_name` (case, accents, punctuation)."""
    return normalise_name(text).casefold().translate(_TABLE)  # NFKD may give capitals back: `𝝖` → `Α`


def squash(text: str) -> str:
    """The designation with only its letters and digits, in Latin: `Су-30СМ` → `su30sm`."""
    return "".join(ch for ch in transliterate(text) if ch.isalnum())


def designation_score(a: str, b: str) -> float:
    """How surely two designations name the same system: 1.0 same, 0.9 variant, else fuzzy, 0 no."""
    x, y = squash(a), squash(b)
    if not x or not y:
        return 0.0
    if x == y:
        return 1.0
    short, long = sorted((x, y), key=len)
    if len(short) >= 3 and long.startswith(short) and len(long) - len(short) <= MAX_SUFFIX:
        return 0.9
    if _DIGITS.findall(x) != _DIGITS.findall(y):
        return 0.0
    score = float(fuzz.ratio(x, y))
    return score / 100 * 0.8 if score >= FUZZY_THRESHOLD else 0.0


@dataclass
class Matcher:
    """Compares items against one knowledge base, resolving each name to a system once."""

    kb: KnowledgeBase
    _systems: dict[str, WeaponSystem | None] = field(default_factory=dict)
    _by_name: dict[str, WeaponSystem] | None = None

    def system(self, name: str) -> WeaponSystem | None:
        """The knowledge-base system with this id, name or alias (any script), if there is one."""
        if name in self._systems:
            return self._systems[name]
        if self._by_name is None:
            self._by_name = {}
            for s in sorted(self.kb.systems.values(), key=lambda s: s.id):
                for n in (s.id, s.name, *s.aliases):
                    self._by_name.setdefault(normalise_name(n), s)
        found = self._by_name.get(normalise_name(name))
        self._systems[name] = found
        return found

    def _looks_like_designation(self, text: str) -> bool:
        """`Полонез`, `Groza`, `S-300` are designations; `radars` or `Artillery radars` are not."""
        words = text.split()
        if not words or len(words) > 2:
            return False
        if any(ch.isdigit() for ch in text):
            return True
        key = normalise_name(text)
        phrases = {normalise_name(p) for e in self.kb.equipment.values() for p in (*e.phrases, *e.phrases_ru)}
        return text[0].isupper() and key not in phrases and key.rstrip("s") not in phrases

    def designations(self, item: Item) -> tuple[WeaponSystem | None, tuple[str, ...]]:
        """The item's knowledge-base system, if any, and every designation it goes by.

        Described equipment ("artillery targeting equipment") has no designation: it can
        only match by category.
        """
        names: list[str] = []
        if item.system:
            names.append(item.system)
        elif self._looks_like_designation(item.text):
            names.append(item.text)
        resolved = next((s for n in (item.system, item.text) if n and (s := self.system(n))), None)
        if resolved is not None:
            names += [resolved.id, resolved.name, *resolved.aliases]
        return resolved, tuple(dict.fromkeys(n for n in names if squash(n)))

    def compatible(self, a: Item, b: Item) -> tuple[MatchKind, float] | None:
        """How two items match: by system (with a score) or, when one names no system, by category."""
        sys_a, names_a = self.designations(a)
        sys_b, names_b = self.designations(b)
        if sys_a is not None and sys_b is not None:
            return ("system", 1.0) if sys_a.id == sys_b.id else None
        if names_a and names_b:
            best = max(designation_score(x, y) for x in names_a for y in names_b)
            return ("system", best) if best > 0 else None
        category_a = sys_a.category if sys_a else a.category
        category_b = sys_b.category if sys_b else b.category
        return ("category", 0.5) if category_a == category_b else None
