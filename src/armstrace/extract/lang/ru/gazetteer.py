"""Mentions of states, organisations, weapon systems and equipment in Russian text.

Names come from the knowledge base, in Cyrillic and Latin script alike (a Russian letter may
write `Groza-S` or `«Гроза-С»`; both resolve to the system `groza-s`). Russian inflects names
(`Азербайджанской Республики`, `Полонезов`), so each word of a name matches a word of the
text when they share a lemma under any pymorphy3 reading; quotes inside or around a name
are skipped. Abbreviations (`РБ`, `ВС`) match only in capitals, and names that are also
common words (`Град`, `Гроза`, `Сплав`) only with a capital letter.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from armstrace.extract.lang.ru.morph import Token, tokenize
from armstrace.kb.model import EquipmentKind, KnowledgeBase, Place, WeaponSystem
from armstrace.records import Actor, stable_id

MentionKind = Literal["state", "org", "system", "equip", "place"]
Form = Literal["name", "adjective", "capital"]

# kinds ranked for ties between spans of the same length
_RANK: dict[str, int] = {"org": 0, "system": 1, "state": 2, "equip": 3, "place": 4}


@dataclass(frozen=True)
class Entry:
    kind: MentionKind
    key: str
    form: Form
    alias: str
    words: tuple[frozenset[str], ...]  # per word of the alias: its normal form and lemmas
    strict: bool  # an abbreviation: matches only in capitals
    titled: bool  # a capitalised name: the text must be capitalised too


@dataclass
class Mention:
    kind: MentionKind
    start: int  # token index (end exclusive)
    end: int
    key: str
    form: Form = "name"
    actor: Actor | None = None
    system: WeaponSystem | None = None
    equip: EquipmentKind | None = None
    place: Place | None = None


# an ordinal written with digits and an ending: "558-й", "558-м", "558-го" are one word
_ORDINAL = re.compile(r"(\d+)-(?:й|я|е|м|го|му|ми|ю|х|ой|ом|ым|ых|ая|ое|ые|ий|ый)")


def _keys(token: Token) -> frozenset[str]:
    return _word_keys(token.norm, token.lemmas)


@lru_cache(maxsize=200_000)
def _word_keys(norm: str, lemmas: frozenset[str]) -> frozenset[str]:
    """Every form a word matches a name by: its lemmas, itself, an ordinal's base ("558-м" -> "558-й")."""
    m = _ORDINAL.fullmatch(norm)
    if m:
        return lemmas | {norm, m.group(1) + "-й"}
    return lemmas | {norm}


def _alias_keys(token: Token) -> frozenset[str]:
    """A name word pymorphy3 does not read as a noun ("Того" as the pronoun "тот", "Ярен" as a verb)
    matches only its own form, not every form of that other word ("Тем не менее" is not Togo)."""
    if token.has_pos("NOUN", "UNKN", "OTHER"):
        return _keys(token)
    return frozenset([token.norm])


# a variant designation and its base model: "С-300ПМУ1", "Ми-17В-5", "Су-25СМ" -> "с-300", "ми-17", "су-25";
# "С-125-2ТМ" -> "с-125"; "Печора-2ТМ", "Игла-С" -> "печора", "игла"
_VARIANT = (
    re.compile(r"([^\W\d_]+-\d+)(?:[^\W\d_]\w*)?(?:-\w+)*"),
    re.compile(r"([^\W\d_]{3,})-(?:\d\w*|[^\W\d_]{1,2}\d?)"),
)


def _variants(token: Token) -> frozenset[str]:
    """Base models of a designation the catalogue may list only in its base form."""
    if not token.text[:1].isupper():
        return frozenset()
    out = set()
    for pattern in _VARIANT:
        m = pattern.fullmatch(token.norm)
        if m and m.group(1) != token.norm:
            out.add(m.group(1))
    return frozenset(out)


# adjective endings, stripped to compare the parts of "российско-иранский" with state adjectives
_ADJ_END = re.compile(r"(?:ыми|ими|ого|его|ому|ему|ий|ый|ой|ая|яя|ое|ее|ие|ые|ую|юю|ей|ым|им|ом|ем|ых|их)$")


def _spell(tokens: list[Token]) -> str:
    """Tokens written back as text: one space between words, none inside quotes or brackets."""
    out = ""
    for k, tok in enumerate(tokens):
        glue = k == 0 or tok.text in '»)",.' or tokens[k - 1].text in "«("
        out += ("" if glue else " ") + tok.text
    return out


class Gazetteer:
    def __init__(self, kb: KnowledgeBase, firm_forms: frozenset[str] = frozenset()) -> None:
        self.kb = kb
        # words that open a firm's name ("ОАО", "завод"): with a place they name a firm the knowledge
        # base does not list, placed in the state of that place ("ОАО «Гродненский приборный завод»")
        self.firm_forms = firm_forms
        self._index: dict[str, list[Entry]] = defaultdict(list)
        self._seen: set[tuple[str, str, str]] = set()
        self._stems: dict[str, set[str]] = defaultdict(set)  # adjective stem -> state codes
        for state in kb.states.values():
            for name in (*state.names_ru, state.name, *state.names_en):
                self._add("state", state.code, "name", name)
            for adj in state.adjectives_ru:
                self._add("state", state.code, "adjective", adj)
                if " " not in adj.strip():
                    self._stems[_ADJ_END.sub("", adj.strip().lower().replace("ё", "е"))].add(state.code)
            for capital in state.capitals:
                self._add("state", state.code, "capital", capital)
            for demonym in state.demonyms_ru:
                self._add("state", state.code, "name", demonym)  # "китайцы": the people for the state
        for org in kb.organisations.values():
            for name in (org.name, *org.aliases):
                self._add("org", org.id, "name", name)
        for system in kb.systems.values():
            for name in (system.name, *system.aliases):
                self._add("system", system.id, "name", name)
        for kind in kb.equipment.values():
            for phrase in kind.phrases_ru:
                self._add("equip", kind.id, "name", phrase)
        for place in kb.places.values():
            for name in place.names:
                self._add("place", place.id, "name", name)
            for adj in place.adjectives_ru:
                self._add("place", place.id, "adjective", adj)

    def _add(self, kind: MentionKind, key: str, form: Form, alias: str) -> None:
        words = [t for t in tokenize(alias.strip()) if not t.is_quote]
        if not words or not any(ch.isalpha() for ch in alias):
            return
        label = (kind, key, " ".join(t.norm for t in words))
        if label in self._seen:
            return
        self._seen.add(label)
        strict = len(words) == 1 and words[0].text.isupper() and len(words[0].text) <= 5
        titled = alias.strip().lstrip('«"')[:1].isupper() and kind != "equip"
        one_name = len(words) == 1 and form != "adjective"
        keys = (_alias_keys(words[0]),) if one_name else tuple(_keys(t) for t in words)
        entry = Entry(kind, key, form, alias, keys, strict, titled)
        for k in entry.words[0]:
            self._index[k].append(entry)

    def _match_at(
        self, entry: Entry, tokens: list[Token], content: list[int], c: int
    ) -> tuple[int, bool] | None:
        """The content position after a match of `entry` at content position c, and whether it is exact.

        A system also matches a variant designation of one of its names ("С-300ПМУ1" for "С-300"),
        but less well than a name that is written out in full.
        """
        if c + len(entry.words) > len(content):
            return None
        exact = True
        for n, word in enumerate(entry.words):
            tok = tokens[content[c + n]]
            if _keys(tok) & word:
                continue
            if entry.kind == "system" and _variants(tok) & word:
                exact = False
                continue
            return None
        first = tokens[content[c]]
        first_keys = {first.norm} | (_variants(first) if entry.kind == "system" else set())
        if entry.strict and not (first.text.isupper() and first_keys & entry.words[0]):
            return None
        if entry.titled and not (first.text[:1].isupper() or first.text[:1].isdigit()):
            return None
        if entry.form == "adjective" and first.text.isupper() and len(first.text) > 1:
            return None
        return c + len(entry.words), exact

    def mentions(self, tokens: list[Token]) -> list[Mention]:
        """The longest non-overlapping mentions, left to right (ties by kind: org before state)."""
        content = [i for i, t in enumerate(tokens) if not t.is_quote]
        # (content start, content end, inexact, rank, entry)
        found: list[tuple[int, int, bool, int, Entry]] = []
        for c, i in enumerate(content):
            seen: set[int] = set()
            for k in _keys(tokens[i]) | _variants(tokens[i]):
                for entry in self._index.get(k, ()):
                    if id(entry) in seen:
                        continue
                    seen.add(id(entry))
                    match = self._match_at(entry, tokens, content, c)
                    if match is not None:
                        found.append((c, match[0], not match[1], _RANK[entry.kind], entry))
        found.sort(key=lambda f: (-(f[1] - f[0]), f[2], f[3], f[0]))
        taken: set[int] = set()
        out: list[Mention] = []
        for c_start, c_end, _, _, entry in found:
            if any(c in taken for c in range(c_start, c_end)):
                continue
            taken.update(range(c_start, c_end))
            start, end = content[c_start], content[c_end - 1] + 1
            inside = [t.text for t in tokens[start:end]]
            if end < len(tokens) and tokens[end].text == "»" and inside.count("«") > inside.count("»"):
                end += 1  # «ГВТУП «Белспецвнештехника»: the closing quote belongs to the name
            out.append(self._mention(entry, start, end))
        out.sort(key=lambda m: m.start)
        return self._firms(tokens, out) if self.firm_forms else out

    def _firms(self, tokens: list[Token], found: list[Mention]) -> list[Mention]:
        """Firms the knowledge base does not list, placed by a place in their name or beside it:
        "ОАО «Гродненский приборный завод «Неман-Радар»", "ГП «Завод имени Малышева» (г. Харьков)",
        "Минский завод колёсных тягачей". A listed organisation or a state's own name is left alone."""
        at = {m.start: m for m in found}
        out: list[Mention] = []
        taken: set[int] = set()
        i = 0
        while i < len(tokens):
            span = self._firm_at(tokens, i, at)
            if span is None:
                i += 1
                continue
            end, state = span
            if any(m.kind == "org" and m.start < end and i < m.end for m in found):
                i += 1  # "Государственное … предприятие «Белспецвнештехника»": a listed firm stands
                continue
            name = _spell(tokens[i:end])
            firm_id = f"firm:{state.lower()}:{stable_id(name)}"
            actor = Actor(id=firm_id, name=name, kind="organisation", state=state)
            out.append(Mention("org", i, end, actor.id, actor=actor))
            taken.update(range(i, end))
            i = end
        if not out:
            return found
        kept = [m for m in found if not any(k in taken for k in range(m.start, m.end))]
        return sorted(kept + out, key=lambda m: m.start)

    def _firm_at(self, tokens: list[Token], i: int, at: dict[int, Mention]) -> tuple[int, str] | None:
        """The end of a firm's name that starts at i, and the state its place gives, if it is one."""
        tok = tokens[i]
        form = bool(_keys(tok) & self.firm_forms) and (tok.text.isupper() or tok.has_pos("NOUN"))
        m = at.get(i)
        if not form and m is not None and m.kind == "place" and m.form == "adjective":
            # "Минский завод колёсных тягачей": a place adjective before a word of a firm
            nxt = m.end
            while nxt < len(tokens) and nxt - m.end < 2 and tokens[nxt].has_pos("ADJF"):
                nxt += 1  # "Оршанский авиаремонтный завод"
            if nxt < len(tokens) and _keys(tokens[nxt]) & self.firm_forms and tokens[nxt].has_pos("NOUN"):
                end = nxt + 1
                # "завод колёсных тягачей": the genitive tail of the name
                while end < len(tokens) and tokens[end].has_pos("ADJF", "NOUN"):
                    if "gent" not in tokens[end].cases:
                        break
                    end += 1
                return end, self._place_state(m)
            return None
        if not form:
            return None
        # the quoted name after the firm's form: «Гродненский приборный завод «Неман-Радар»»
        j = i + 1
        while j < len(tokens) and _keys(tokens[j]) & self.firm_forms:
            j += 1
        if j >= len(tokens) or tokens[j].text not in '«"':
            return None
        depth, k = 0, j
        while k < len(tokens) and k - j < 14:
            if tokens[k].text == "«":
                depth += 1
            elif tokens[k].text in '»"':
                depth -= 1
                if depth <= 0 and (k + 1 >= len(tokens) or tokens[k + 1].text != "»"):
                    break
            k += 1
        end = min(k + 1, len(tokens))
        first = at.get(j + 1)
        if first is not None and first.kind == "place" and first.form == "adjective":
            return end, self._place_state(first)
        # "(г. Харьков)", "(Республика Беларусь)" right after the name
        while end < len(tokens) and _keys(tokens[end]) & self.firm_forms:
            end += 1  # "«Арсенал-Трейд» ЕООД": a legal form after the name
        if end < len(tokens) and tokens[end].text == "(":
            ahead = range(end + 1, min(end + 10, len(tokens)))
            close = next((k for k in ahead if tokens[k].text == ")"), None)
            for k in range(end + 1, close or min(end + 10, len(tokens))):
                mm = at.get(k)
                if mm is not None and mm.kind in ("place", "state") and mm.form != "adjective":
                    # the bracket belongs to the firm's name: "ООО «Альфа-Трейд» (Республика Беларусь)"
                    return close + 1 if close is not None else end, (
                        mm.key if mm.kind == "state" else self._place_state(mm)
                    )
        return None

    def _place_state(self, m: Mention) -> str:
        assert m.place is not None
        return m.place.state

    def _mention(self, entry: Entry, start: int, end: int) -> Mention:
        mention = Mention(entry.kind, start, end, entry.key, form=entry.form)
        if entry.kind == "state":
            mention.actor = Actor(id=entry.key, name=self.kb.state_name(entry.key), kind="state")
        elif entry.kind == "org":
            org = self.kb.organisations[entry.key]
            mention.actor = Actor(id=org.id, name=org.name, kind="organisation", state=org.state)
        elif entry.kind == "system":
            mention.system = self.kb.systems[entry.key]
        elif entry.kind == "place":
            mention.place = self.kb.places[entry.key]
        else:
            mention.equip = self.kb.equipment[entry.key]
        return mention

    def compounds(self, tokens: list[Token]) -> list[tuple[int, Actor, Actor]]:
        """Two states in one compound adjective, in their order: "российско-иранский", "армяно-…"."""
        out: list[tuple[int, Actor, Actor]] = []
        for i, tok in enumerate(tokens):
            parts = tok.norm.split("-")
            if len(parts) != 2 or not tok.has_pos("ADJF"):
                continue
            first = self._stem_state(parts[0][:-1], prefix=True) if parts[0][-1:] in "ое" else None
            second = self._stem_state(_ADJ_END.sub("", parts[1]), prefix=False)
            if first is None or second is None or first == second:
                continue
            a, b = (Actor(id=c, name=self.kb.state_name(c), kind="state") for c in (first, second))
            out.append((i, a, b))
        return out

    def _stem_state(self, stem: str, *, prefix: bool) -> str | None:
        """The one state whose adjective has this stem ("российск"), or, for a first part, starts with it
        ("армян" of "армянский", "ирано-" of "иранский")."""
        codes = set(self._stems.get(stem, ()))
        if not codes and prefix and len(stem) >= 4:
            for known, found in self._stems.items():
                if known.startswith(stem):
                    codes |= found
        return next(iter(codes)) if len(codes) == 1 else None
