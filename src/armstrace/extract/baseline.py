"""The naive co-occurrence extractor every real extractor is measured against.

Two states and a weapon word in one sentence make a delivery from the first state to the
second. It is deliberately naive: it does not read verbs, direction, negation, status,
organisations or capitals, so the gap between it and a real extractor is what the real
extractor's rules are worth. Do not make it smarter; change the real extractor instead.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import pairwise

import countrynames
import pycountry

from armstrace.records import Actor, DocumentSpan, Item, Transfer

# A sentence: up to and including its end punctuation; a full stop inside a token ("1.5",
# "U.S.") does not end it, and neither does a line break, but a blank line does.
_SENTENCE = re.compile(r"\S(?:(?!\n[ \t]*\n)[^.!?]|[.!?](?=\S))*[.!?]*")
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_POSSESSIVE = re.compile(r"(?:['’]s?)$")
_WEAPON = re.compile(
    r"\b(weapons?|arms|drones?|tanks?|missiles?|artillery|systems?|stations?|launchers?|equipment"
    r"|aircraft|helicopters?|radars?|gear|hardware)\b",
    re.IGNORECASE,
)
_MAX_NGRAM = 3


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence, trailing whitespace excluded."""
    for match in _SENTENCE.finditer(text):
        start, end = match.start(), match.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        yield start, end


@lru_cache(maxsize=4096)
def _state_code(name: str) -> str | None:
    """ISO code of a state name or demonym; short strings only when written in capitals (US, UAE)."""
    if len(name) < 4 and not (name.isupper() and len(name) >= 2):
        return None
    code = countrynames.to_code(name)
    if not isinstance(code, str) or len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        return None
    return code


def states_in(sentence: str) -> list[tuple[str, str]]:
    """(code, matched text) for each state mentioned, in order, longest capitalised n-gram first."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(sentence)]
    found: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        hit: tuple[int, str, str] | None = None
        for n in range(min(_MAX_NGRAM, len(words) - i), 0, -1):
            group = words[i : i + n]
            if not all(w[2][0].isupper() for w in group):
                continue
            # n-grams only over words separated by plain spaces
            if any(sentence[a[1] : b[0]] != " " for a, b in pairwise(group)):
                continue
            name = _POSSESSIVE.sub("", sentence[group[0][0] : group[-1][1]])
            code = _state_code(name)
            if code:
                hit = (n, code, name)
                break
        if hit:
            found.append((hit[1], hit[2]))
            i += hit[0]
        else:
            i += 1
    return found


def naive_extract(text: str, *, path: str = "") -> list[Transfer]:
    """One `delivered` transfer per sentence that names two distinct states and a weapon word."""
    doc = hashlib.sha256(text.encode("utf-8")).hexdigest()
    out: list[Transfer] = []
    for start, end in sentences(text):
        sentence = text[start:end]
        weapon = _WEAPON.search(sentence)
        if weapon is None:
            continue
        distinct: list[tuple[str, str]] = []
        for code, name in states_in(sentence):
            if code not in {c for c, _ in distinct}:
                distinct.append((code, name))
        if len(distinct) < 2:
            continue
        (sup_code, sup_name), (rec_code, rec_name) = distinct[0], distinct[1]
        out.append(
            Transfer(
                supplier=Actor(id=sup_code, name=sup_name),
                recipient=Actor(id=rec_code, name=rec_name),
                item=Item(text=weapon.group(0).lower()),
                status="delivered",
                confidence=0.1,
                evidence=[DocumentSpan(doc=doc, path=path, page=1, start=start, end=end, quote=sentence)],
            )
        )
    return out
