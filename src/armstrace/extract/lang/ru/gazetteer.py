"""Mentions of states, organisations, weapon systems and equipment in Russian text.

Names come from the knowledge base, in Cyrillic and Latin script alike (a Russian letter may
write `Groza-S` or `«Гроза-С»`; both resolve to the system `groza-s`). Russian inflects names
(`Азербайджанской Республики`, `Полонезов`), so each word of a name matches a word of the
text when they share a lemma under any pymorphy3 reading; quotes inside or around a name
are skipped. Abbreviations (`РБ`, `ВС`) match only in capitals, and names that are also
common words (`Град`, `Гроза`, `Сплав`) only with a capital letter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from armstrace.extract.lang.ru.morph import Token, tokenize
from armstrace.kb.model import EquipmentKind, KnowledgeBase, WeaponSystem
from armstrace.records import Actor

MentionKind = Literal["state", "org", "system", "equip"]
Form = Literal["name", "adjective", "capital"]

# kinds ranked for ties between spans of the same length
_RANK: dict[str, int] = {"org": 0, "system": 1, "state": 2, "equip": 3}


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


def _keys(token: Token) -> frozenset[str]:
    return token.lemmas | {token.norm}


class Gazetteer:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._index: dict[str, list[Entry]] = defaultdict(list)
        self._seen: set[tuple[str, str, str]] = set()
        for state in kb.states.values():
            for name in (*state.names_ru, state.name, *state.names_en):
                self._add("state", state.code, "name", name)
            for adj in state.adjectives_ru:
                self._add("state", state.code, "adjective", adj)
            for capital in state.capitals:
                self._add("state", state.code, "capital", capital)
        for org in kb.organisations.values():
            for name in (org.name, *org.aliases):
                self._add("org", org.id, "name", name)
        for system in kb.systems.values():
            for name in (system.name, *system.aliases):
                self._add("system", system.id, "name", name)
        for kind in kb.equipment.values():
            for phrase in kind.phrases_ru:
                self._add("equip", kind.id, "name", phrase)

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
        entry = Entry(kind, key, form, alias, tuple(_keys(t) for t in words), strict, titled)
        for k in entry.words[0]:
            self._index[k].append(entry)

    def _match_at(self, entry: Entry, tokens: list[Token], content: list[int], c: int) -> int | None:
        """The content position after a match of `entry` starting at content position c."""
        if c + len(entry.words) > len(content):
            return None
        for n, word in enumerate(entry.words):
            tok = tokens[content[c + n]]
            if not (_keys(tok) & word):
                return None
        first = tokens[content[c]]
        if entry.strict and not (first.text.isupper() and first.norm in entry.words[0]):
            return None
        if entry.titled and not (first.text[:1].isupper() or first.text[:1].isdigit()):
            return None
        if entry.form == "adjective" and first.text.isupper() and len(first.text) > 1:
            return None
        return c + len(entry.words)

    def mentions(self, tokens: list[Token]) -> list[Mention]:
        """The longest non-overlapping mentions, left to right (ties by kind: org before state)."""
        content = [i for i, t in enumerate(tokens) if not t.is_quote]
        found: list[tuple[int, int, int, Entry]] = []  # (content start, content end, rank, entry)
        for c, i in enumerate(content):
            seen: set[int] = set()
            for k in _keys(tokens[i]):
                for entry in self._index.get(k, ()):
                    if id(entry) in seen:
                        continue
                    seen.add(id(entry))
                    end = self._match_at(entry, tokens, content, c)
                    if end is not None:
                        found.append((c, end, _RANK[entry.kind], entry))
        found.sort(key=lambda f: (-(f[1] - f[0]), f[2], f[0]))
        taken: set[int] = set()
        out: list[Mention] = []
        for c_start, c_end, _, entry in found:
            if any(c in taken for c in range(c_start, c_end)):
                continue
            taken.update(range(c_start, c_end))
            start, end = content[c_start], content[c_end - 1] + 1
            inside = [t.text for t in tokens[start:end]]
            if end < len(tokens) and tokens[end].text == "»" and inside.count("«") > inside.count("»"):
                end += 1  # «ГВТУП «Белспецвнештехника»: the closing quote belongs to the name
            out.append(self._mention(entry, start, end))
        out.sort(key=lambda m: m.start)
        return out

    def _mention(self, entry: Entry, start: int, end: int) -> Mention:
        mention = Mention(entry.kind, start, end, entry.key, form=entry.form)
        if entry.kind == "state":
            mention.actor = Actor(id=entry.key, name=self.kb.state_name(entry.key), kind="state")
        elif entry.kind == "org":
            org = self.kb.organisations[entry.key]
            mention.actor = Actor(id=org.id, name=org.name, kind="organisation", state=org.state)
        elif entry.kind == "system":
            mention.system = self.kb.systems[entry.key]
        else:
            mention.equip = self.kb.equipment[entry.key]
        return mention
