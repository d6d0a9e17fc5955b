"""Mentions of states, organisations, weapon systems and equipment in English text.

The names come from the knowledge base (state names generated from ISO 3166
via pycountry, plus curated short forms, adjectives, demonyms and capitals);
matching is spaCy's PhraseMatcher on lower-cased tokens, with a case check
afterwards so that "turkey" the bird or "chad" the word are not states.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

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


@dataclass
class Mention:
    kind: MentionKind
    start: int  # token index in the sentence doc
    end: int
    text: str
    form: Form = "name"
    actor: Actor | None = None
    system: WeaponSystem | None = None
    equip: EquipmentKind | None = None


class Gazetteer:
    def __init__(self, nlp: spacy.language.Language, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.entries: dict[str, Entry] = {}
        self._nlp = nlp
        for state in kb.states.values():
            for name in (state.name, *state.names_en):
                self._add("state", state.code, "name", name)
            for adj in state.adjectives_en:
                self._add("state", state.code, "adjective", adj)
                if adj[-2:] in ("an", "ni", "ri", "li", "qi") and " " not in adj:
                    # "the Russians delivered", "the Israelis sold": the people for its state
                    self._add("state", state.code, "name", adj + "s")
            for demonym in state.demonyms_en:
                self._add("state", state.code, "name", demonym)  # "the Turks", "the Poles"
            for capital in state.capitals:
                if capital.isascii():
                    self._add("state", state.code, "capital", capital)
        for org in kb.organisations.values():
            for name in (org.name, *org.aliases):
                self._add("org", org.id, "name", name)
        for system in kb.systems.values():
            for name in (system.name, *system.aliases):
                self._add("system", system.id, "name", name)
        for kind in kb.equipment.values():
            for phrase in kind.phrases:
                self._add("equip", kind.id, "name", phrase)

    def _add(self, kind: MentionKind, key: str, form: Form, alias: str) -> None:
        alias = alias.strip()
        if not alias or not any(ch.isalpha() for ch in alias):
            return
        label = f"{kind}|{key}|{form}|{alias.lower()}"
        if label in self.entries:
            return
        self.entries[label] = Entry(kind, key, form, alias)
        self.matcher.add(label, [self._nlp.make_doc(alias)])

    def _case_ok(self, entry: Entry, text: str) -> bool:
        if entry.kind == "equip":
            return True
        if len(entry.alias) <= 3 or entry.alias.isupper():
            return text == entry.alias or (text.upper() == entry.alias.upper() and text.isupper())
        return text[:1].isupper() or text[:1].isdigit() or not entry.alias[:1].isupper()

    def mentions(self, doc: Doc | Span) -> list[Mention]:
        spans: list[Span] = []
        labels: dict[tuple[int, int], Entry] = {}
        base = doc.start if isinstance(doc, Span) else 0
        target: Any = doc
        for match_id, start, end in self.matcher(target):
            label = self._nlp.vocab.strings[match_id]
            entry = self.entries[label]
            span = doc[start:end] if not isinstance(doc, Span) else doc.doc[base + start : base + end]
            if not self._case_ok(entry, span.text):
                continue
            key = (span.start, span.end)
            if key in labels and _RANK[labels[key].kind] <= _RANK[entry.kind]:
                continue
            labels[key] = entry
            spans.append(span)
        out: list[Mention] = []
        for span in filter_spans(spans):
            entry = labels[(span.start, span.end)]
            out.append(self._mention(entry, span))
        out.sort(key=lambda m: m.start)
        return out

    def _mention(self, entry: Entry, span: Span) -> Mention:
        mention = Mention(entry.kind, span.start, span.end, span.text, form=entry.form)
        if entry.kind == "state":
            mention.actor = Actor(id=entry.key, name=self.kb.state_name(entry.key), kind="state")
        elif entry.kind == "org":
            org = self.kb.organisations[entry.key]
            kind: Literal["organisation", "non-state"] = "organisation"
            mention.actor = Actor(id=org.id, name=org.name, kind=kind, state=org.state)
        elif entry.kind == "system":
            mention.system = self.kb.systems[entry.key]
        elif entry.kind == "equip":
            mention.equip = self.kb.equipment[entry.key]
        return mention
