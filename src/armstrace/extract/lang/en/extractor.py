"""English: from a page of text to transfers, read top to bottom.

1. segment the page (blocks, header lines) and split sentences (spaCy);
2. find mentions: states, organisations, systems, equipment (gazetteer);
3. find triggers: verbs and nouns of transfer, order, service, offer (lexicon);
4. give each actor a role from the preposition that governs it, its place
   before or after the trigger, the trigger's voice and class;
5. attach items, quantities and years to the nearest trigger;
6. set the status from the trigger and the clause (contract, cancelled, denied,
   negation), and drop opinions about possible transfers (hedges);
7. fill a missing party from the account the paragraph is giving (carry-over).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import spacy
from spacy.tokens import Doc, Span

from armstrace.extract.anatomy import DocumentContext
from armstrace.extract.lang.en.gazetteer import Gazetteer, Mention
from armstrace.extract.lang.en.lexicon import Lexicon, Trigger, load_lexicon
from armstrace.extract.segment import Segment, segments
from armstrace.kb.model import KnowledgeBase
from armstrace.records import Actor, DocumentSpan, Item, Status, Transfer

_DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "its",
        "their",
        "his",
        "her",
        "this",
        "that",
        "these",
        "those",
        "of",
        "any",
        "all",
        "further",
        "new",
        "first",
        "additional",
        "such",
        "'s",
        "’s",
        "our",
        "your",
        "whose",
    ]
)
_BE = frozenset(["is", "are", "was", "were", "be", "been", "being"])
_SUBJECT_PRONOUNS = frozenset(["i", "we", "you", "he", "she", "it", "they"])
# words between a subject and its verb: "the tanks have all now arrived"
_BEFORE_VERB = _BE | frozenset(["have", "has", "had", "all", "now", "finally", "also"])
_IRREGULAR_PAST = frozenset(["sold", "sent", "gave", "given", "bought", "handed", "shipped", "received"])
_POSSESSIVE = frozenset(["'s", "’s", "'", "’"])
_YEAR = r"(19[5-9]\d|20[0-4]\d)"
_RANGE = re.compile(rf"\b{_YEAR}\s*(?:-|–|—|to|until|till|through|and)\s*{_YEAR}\b")
_BETWEEN = re.compile(rf"\bbetween\s+{_YEAR}\s+and\s+{_YEAR}\b", re.I)
_SINCE = re.compile(rf"\b(?:since|from)\s+(?:early\s+|late\s+|mid-?)?{_YEAR}\b(?!\s*(?:-|–|to|until))", re.I)
_SINGLE = re.compile(rf"\b{_YEAR}\b")
_DESIGNATION = re.compile(r"^(?=.*\d)(?=.*[A-Z])[A-Z][A-Za-z]{0,4}-?\d+[A-Za-z0-9-]*$")
_WRAP = re.compile(r"[\n\r\t\f\v]")
_GOODS_LINE = Trigger("continue", "delivered", nominal=True)
_ORDINAL = re.compile(r"^\d+(st|nd|rd|th)$")
_YEAR_TOKEN = re.compile(r"^(19|20)\d\d$")


def _lowered(doc: Doc) -> list[str]:
    """Lower-cased tokens, with the month "May" told apart from the modal "may"."""
    low = [t.lower_ for t in doc]
    for i, tok in enumerate(doc):
        if tok.text == "May" and any(0 <= k < len(doc) and doc[k].like_num for k in (i - 1, i + 1)):
            low[i] = "may-month"
    return low


def _appositions(low: list[str]) -> list[tuple[int, int]]:
    """Token ranges between paired dashes or inside parentheses."""
    out: list[tuple[int, int]] = []
    dashes = [i for i, w in enumerate(low) if w in ("—", "–", "--")]
    # an unpaired dash is a dateline ("BAKU — …") or an afterthought, not an aside
    for a, b in zip(dashes[::2], dashes[1::2], strict=False):
        out.append((a, b))
    opened: int | None = None
    for i, w in enumerate(low):
        if w == "(":
            opened = i
        elif w == ")" and opened is not None:
            out.append((opened, i))
            opened = None
    return out


@dataclass
class Role:
    mention: Mention
    prep: str | None  # governing preposition, after skipping determiners and institution words
    possessive: str | None = None  # "institution", "agent", "item", or "other"
    adjective: str | None = None  # "actor", "origin", "agent", or None when not an adjective


@dataclass
class TriggerHit:
    index: int  # token index in the sentence
    end: int
    trigger: Trigger
    passive: bool = False
    items: list[tuple[int, int, Mention]] = field(default_factory=list)


@dataclass
class Account:
    """The parties a paragraph is talking about, for sentences that continue it."""

    supplier: Actor
    recipient: Actor
    years: tuple[int, int] | None
    span: tuple[int, int]
    status: Status | None = None


@lru_cache(maxsize=1)
def _nlp() -> spacy.language.Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


class EnglishExtractor:
    language = "en"
    reads_paperwork = True

    def __init__(self, kb: KnowledgeBase, lexicon: Lexicon | None = None) -> None:
        self.kb = kb
        self.lex = lexicon or load_lexicon()
        self.nlp = _nlp()
        self.gazetteer = Gazetteer(self.nlp, kb)
        self._trigger_words = frozenset(self.lex.verbs) | frozenset(self.lex.nouns) | self.lex.goods_labels

    # -- the page ---------------------------------------------------------
    def extract_page(
        self,
        text: str,
        *,
        doc_id: str,
        path: str,
        page: int,
        reference_year: int | None = None,
        context: DocumentContext | None = None,
    ) -> list[Transfer]:
        out: list[Transfer] = []
        account: Account | None = None
        block = -1
        all_segments = segments(text)
        for seg in all_segments:
            if seg.block != block:
                block = seg.block
                account = self._paperwork(text, [s for s in all_segments if s.block == block], reference_year)
            # line breaks inside a segment are wrapped lines: read them as spaces (same length,
            # so every offset still points into the page text)
            sdoc = self.nlp(_WRAP.sub(" ", text[seg.start : seg.end]))
            for sent in sdoc.sents:
                start = seg.start + sent.start_char
                end = seg.start + sent.end_char
                span = DocumentSpan(
                    doc=doc_id, path=path, page=page, start=start, end=end, quote=text[start:end]
                )
                found, account = self._sentence(sent, span, account, reference_year, text, context)
                out.extend(found)
        return out

    def _paperwork(self, text: str, block: list[Segment], reference_year: int | None) -> Account | None:
        """Parties named by label lines ("Exporter: …", "Buyer: …") give the block its account."""
        parties: dict[str, tuple[Actor, Segment]] = {}
        for seg in block:
            first_word = text[seg.start : seg.start + 24].split(maxsplit=1)[0].strip(":,").lower()
            if first_word not in self.lex.party_labels and first_word.split("-")[0] != "end":
                continue  # only label lines name parties; skip tokenising the rest
            doc = self.nlp.make_doc(text[seg.start : seg.end])
            low = [t.lower_ for t in doc]
            role = self._label_at(low, 0)
            if role is None or role in parties:
                continue
            actors = [m for m in self.gazetteer.mentions(doc) if m.actor is not None]
            if actors:
                parties[role] = (actors[0].actor, seg)  # type: ignore[assignment]
        if "supplier" not in parties or "recipient" not in parties:
            return None
        (supplier, s_seg), (recipient, r_seg) = parties["supplier"], parties["recipient"]
        first, last = min(s_seg.start, r_seg.start), max(s_seg.end, r_seg.end)
        years = self._years(" ".join(text[s.start : s.end] for s in block), reference_year)
        return Account(supplier, recipient, years, (first, last))

    def _label_at(self, low: list[str], i: int) -> str | None:
        """The party a label at token i names: "Exporter:", "the Seller,"."""
        if i + 1 < len(low) and low[i] in self.lex.party_labels and low[i + 1] in (":", ","):
            return self.lex.party_labels[low[i]]
        if (
            i + 3 < len(low)
            and f"{low[i]}-{low[i + 2]}" in self.lex.party_labels
            and low[i + 1] == "-"
            and low[i + 3] in (":", ",")
        ):
            return self.lex.party_labels[f"{low[i]}-{low[i + 2]}"]
        return None

    def _labelled(self, low: list[str], mentions: list[Mention]) -> dict[str, Actor]:
        """Parties a sentence names by label: "The Seller, JSC Tetraedr (Republic of Belarus), …"."""
        out: dict[str, Actor] = {}
        for i in range(len(low)):
            role = self._label_at(low, i)
            if role is None or role in out:
                continue
            for m in mentions:
                if m.actor is not None and i < m.start <= i + 14:
                    out[role] = m.actor
                    break
        return out

    # -- one sentence -----------------------------------------------------
    def _sentence(
        self,
        sent: Span,
        evidence: DocumentSpan,
        account: Account | None,
        reference_year: int | None,
        page_text: str,
        context: DocumentContext | None = None,
    ) -> tuple[list[Transfer], Account | None]:
        if self._trigger_words.isdisjoint(t.lower_ for t in sent):
            return [], account  # most sentences state no transfer: skip them before any work
        doc = sent.as_doc()
        low = _lowered(doc)
        mentions = self.gazetteer.mentions(doc)
        triggers = self._triggers(doc, low, mentions)
        if not triggers:
            return [], account
        roles = [self._role(doc, low, m, triggers) for m in mentions if m.actor is not None]
        roles = [r for r in roles if r.possessive != "other" and r.adjective != "suppressed"]
        items = self._items(doc, low, mentions)
        self._attach_items(doc, low, triggers, items)
        years = self._years(sent.text, reference_year)
        origins = [r for r in roles if r.adjective == "origin"]
        labelled = self._labelled(low, mentions)
        blocked = {i for m in mentions if m.actor is not None for i in range(m.start, m.end)}

        found: list[Transfer] = []
        new_account = account
        for hit in triggers:
            if hit.trigger.cls == "continue" and len(triggers) > 1:
                continue
            if self._hedged(low, hit, triggers) or self._domestic(low, hit):
                continue
            supplier, recipient, explicit = self._assign(doc, low, hit, roles)
            if "supplier" in labelled and "recipient" in labelled:
                supplier, recipient, explicit = labelled["supplier"], labelled["recipient"], True
            carried = False
            if hit.trigger.cls == "continue":
                supplier = recipient = None
            if account is not None:
                if supplier is None and (recipient is None or recipient.code == account.recipient.code):
                    supplier, carried = account.supplier, True
                if (
                    recipient is None
                    and supplier is not None
                    and (
                        supplier.code == account.supplier.code
                        or hit.trigger.cls in ("acquire", "acquire-order")
                    )
                ):
                    recipient, carried = account.recipient, True
            by_origin = False
            if supplier is None and recipient is not None:
                supplier = self._origin_supplier(hit, origins, recipient)
                by_origin = supplier is not None
            papers: list[DocumentSpan] = []
            if context is not None and (supplier is None or recipient is None):
                # "we confirm that manufacture of the four stations is proceeding": the paperwork's
                # parties (letterhead, addressee, contract labels) fill the side the sentence leaves open
                supplier, recipient, papers = context.fill(supplier, recipient)
                carried = carried or bool(papers)
            if supplier is None or recipient is None or supplier.code == recipient.code:
                continue
            if hit.trigger.cls == "support" and not hit.items:
                new_account = Account(
                    supplier,
                    recipient,
                    years or (account.years if account else None),
                    (evidence.start, evidence.end),
                )
                continue
            if not hit.items:
                continue
            status = self._status(doc, low, hit, triggers)
            if hit.trigger.cls == "continue" and account is not None and account.status:
                status = account.status
            t_years = years or (account.years if (carried and account) else None)
            if (
                t_years is None
                and account is not None
                and account.supplier.code == supplier.code
                and account.recipient.code == recipient.code
            ):
                t_years = account.years
            spans: list[DocumentSpan] = [evidence, *papers]
            if carried and account is not None and not papers:
                a_start, a_end = account.span
                spans.append(
                    DocumentSpan(
                        evidence.doc, evidence.path, evidence.page, a_start, a_end, page_text[a_start:a_end]
                    )
                )
            confidence = 0.85 if explicit else 0.7
            if carried:
                confidence = 0.6
            if by_origin:
                confidence = 0.55
            recipients = self._recipients(low, hit, roles, recipient)
            for i_start, i_end, mention in hit.items:
                item, quantity, (e_start, _) = self._item(doc, low, i_start, i_end, mention, blocked)
                item_supplier = supplier
                if by_origin or explicit is False:
                    item_supplier = self._adjacent_origin(origins, e_start, recipient) or supplier
                for item_recipient in self._pair(recipients, hit.items, i_start):
                    if item_supplier.code == item_recipient.code:
                        continue
                    found.append(
                        Transfer(
                            supplier=item_supplier,
                            recipient=item_recipient,
                            item=item,
                            status=status,
                            years=t_years,
                            quantity=quantity,
                            confidence=confidence,
                            source="document",
                            evidence=list(spans),
                        )
                    )
            if explicit or new_account is None:
                new_account = Account(supplier, recipient, t_years, (evidence.start, evidence.end), status)
        return found, new_account

    def _recipients(
        self, low: list[str], hit: TriggerHit, roles: list[Role], first: Actor
    ) -> list[tuple[Actor, int]]:
        """The recipient and any coordinated with it: "to Ukraine and to Azerbaijan"."""
        out: list[tuple[Actor, int]] = []
        start = -1
        for r in roles:
            if r.mention.actor is first and r.mention.start > hit.index:
                start = r.mention.start
                break
        out.append((first, start))
        if start < 0:
            return out
        for r in roles:
            if r.mention.start <= start or r.mention.actor is None:
                continue
            if r.prep in ("to", "and") and r.adjective is None and r.possessive in (None, "institution"):
                between = low[start : r.mention.start]
                if any(w in self.lex.clause_breaks or w in ("from", "by") for w in between):
                    break
                out.append((r.mention.actor, r.mention.start))
        return out

    @staticmethod
    def _pair(
        recipients: list[tuple[Actor, int]], items: list[tuple[int, int, Mention]], item_start: int
    ) -> list[Actor]:
        """With several items and several recipients, each item goes to the next recipient after it."""
        if len(recipients) == 1 or len(items) == 1:
            return [a for a, _ in recipients]
        for actor, pos in recipients:
            if pos > item_start:
                return [actor]
        return [recipients[-1][0]]

    @staticmethod
    def _adjacent_origin(origins: list[Role], item_start: int, recipient: Actor) -> Actor | None:
        for r in origins:
            if (
                0 <= item_start - r.mention.end <= 2
                and r.mention.actor
                and r.mention.actor.code != recipient.code
            ):
                return r.mention.actor
        return None

    # -- triggers ---------------------------------------------------------
    def _triggers(self, doc: Doc, low: list[str], mentions: list[Mention]) -> list[TriggerHit]:
        covered = {i for m in mentions for i in range(m.start, m.end) if m.kind in ("org", "system")}
        hits: list[TriggerHit] = []
        consumed: set[int] = set()
        for i, word in enumerate(low):
            if i in covered or i in consumed:
                continue
            verb = self.lex.verbs.get(word)
            noun = self.lex.nouns.get(word)
            if i == 0 and word in self.lex.goods_labels and len(low) > 1 and low[1] == ":":
                hits.append(TriggerHit(0, 1, _GOODS_LINE))  # "Goods: …" continues the paperwork's account
                continue
            if verb is None and noun is None:
                continue
            nxt = low[i + 1] if i + 1 < len(low) else ""
            prev = low[i - 1] if i > 0 else ""
            if nxt in ("forces", "force", "conflict", "groups", "services") or word == "armed":
                continue
            chosen: Trigger | None
            if verb and noun:
                nominal = (
                    prev in _DETERMINERS
                    or nxt == "of"
                    or prev in self.lex.item_heads
                    or self._after_adjective_actor(i, mentions)
                )
                chosen = noun if nominal else verb
            else:
                chosen = verb or noun
            if chosen is None:
                continue
            particles = self.lex.particles.get(word)
            if particles:
                found = [j for j in range(i + 1, min(i + 3, len(low))) if low[j] in particles]
                given_to = word.startswith("hand") and "to" in low[i + 1 : i + 14]
                if not found and not given_to:
                    continue  # "handed over", "took delivery": the verb alone is not a transfer
                consumed.update(found)  # "handed another batch … to the Armed Forces of Ukraine" is given
            participle = word.endswith("ed") or word in _IRREGULAR_PAST or word.endswith("en")
            passive = (
                not chosen.nominal
                and participle
                and (
                    any(low[j] in _BE for j in range(max(0, i - 3), i))
                    # "four submarines ordered by the Egyptian Navy": a participle after its noun, with
                    # its agent
                    or (nxt == "by" and prev not in _SUBJECT_PRONOUNS and prev in self.lex.item_heads)
                )
            )
            hits.append(TriggerHit(i, i + 1, chosen, passive=passive))
        return hits

    @staticmethod
    def _after_adjective_actor(i: int, mentions: list[Mention]) -> bool:
        return any(m.end == i and m.form == "adjective" for m in mentions)

    # -- roles ------------------------------------------------------------
    def _role(self, doc: Doc, low: list[str], m: Mention, triggers: list[TriggerHit]) -> Role:
        j = m.start - 1
        while j >= 0 and self._name_part(doc, low, j):
            if (
                low[j] == "of"
                and j >= 1
                and not (low[j - 1] in self.lex.institutions or low[j - 1] in self.lex.actor_prefix)
            ):
                break  # "an ally of Russia": "of" belongs to a noun that is not an institution
            j -= 1
        prep = (
            low[j]
            if j >= 0 and (low[j] in self.lex.roles or low[j] in ("with", "between", "and", "of", "in", "at"))
            else None
        )
        role = Role(m, prep)
        if (
            m.form == "capital"
            and m.start > 0
            and low[m.start - 1] in ("in", "at", "near", "outside", "around")
        ):
            role.possessive = "other"  # "talks in Minsk": a place, not the government acting
            return role
        if any(a <= m.start and m.end <= b for a, b in _appositions(low)):
            role.possessive = "other"  # "Belarus — an ally of Russia — supplied …": asides take no role
            return role
        nxt = low[m.end] if m.end < len(low) else ""
        trigger_at = {t.index: t for t in triggers}
        if nxt in _POSSESSIVE:
            k = m.end + 1
            role.possessive = "other"
            for j2 in range(k, min(k + 4, len(low))):
                if j2 in trigger_at and trigger_at[j2].trigger.nominal:
                    role.possessive = "agent"
                    break
                if low[j2] in self.lex.institutions:
                    role.possessive = "institution"
                    break
                if low[j2] in self.lex.item_heads or low[j2] in self.lex.item_modifiers:
                    role.possessive = "item"
                    break
                if low[j2] in (",", ".", "and", "to", "for", "from", "by", "of"):
                    break
            if role.possessive == "other" and k < len(doc) and doc[k].is_title and doc[k].is_alpha:
                role.possessive = "institution"  # "Israel's Rafael": a firm of that state
        elif m.form == "adjective":
            role.adjective = "suppressed"
            for j2 in range(m.end, min(m.end + 5, len(low))):
                if j2 in trigger_at and trigger_at[j2].trigger.nominal:
                    role.adjective = "agent"
                    break
                if low[j2] in self.lex.institutions:
                    role.adjective = "actor"
                    break
                if low[j2] in ("made", "built", "produced", "manufactured", "designed", "origin"):
                    role.adjective = "origin"
                    break
                if low[j2] in self.lex.item_heads:
                    role.adjective = "origin"
                    break
                if low[j2] in (",", ".", "and", "to", "for", "from", "by", "of", "nor", "or"):
                    break
        return role

    def _name_part(self, doc: Doc, low: list[str], j: int) -> bool:
        """Words between an actor and the preposition that governs it: "for the Armed Forces of"."""
        w = low[j]
        if w in self.lex.roles or w in ("with", "and", "between"):
            return False
        if w in self.lex.actor_prefix or w in self.lex.institutions or w in _POSSESSIVE:
            return True
        if _ORDINAL.match(w):
            return True
        text = doc[j].text
        return (
            j > 0 and text[:1].isupper() and doc[j].is_alpha
        )  # a name: "the 558th Aircraft Repair Plant of"

    def _assign(
        self, doc: Doc, low: list[str], hit: TriggerHit, roles: list[Role]
    ) -> tuple[Actor | None, Actor | None, bool]:
        cls = hit.trigger.cls
        t = hit.index
        left = [r for r in roles if r.mention.end <= t and r.adjective not in ("origin",)]
        right = [r for r in roles if r.mention.start > t and r.adjective not in ("origin",)]
        right = self._clause(low, t, right)
        left = self._clause_left(low, t, left)

        def first(rs: list[Role], preps: tuple[str | None, ...]) -> Actor | None:
            for r in rs:
                if r.prep in preps and r.possessive != "item":
                    return r.mention.actor
            return None

        def subject(rs: list[Role]) -> Actor | None:
            for r in reversed(rs):
                if (
                    r.prep is None
                    and r.possessive in (None, "institution", "agent")
                    and r.adjective in (None, "actor", "agent")
                ):
                    return r.mention.actor
            return None

        to_right = first(right, ("to", "for", "into", "towards"))
        from_right = first(right, ("from", "by"))
        only_from = first(right, ("from",)) or first(list(reversed(left)), ("from",))
        by_any = first(right, ("by",)) or first(list(reversed(left)), ("by",))
        with_any = first(right, ("with",)) or first(list(reversed(left)), ("with",))
        of_right = first(right, ("of",))
        from_left = first(list(reversed(left)), ("from", "by"))
        to_left = first(list(reversed(left)), ("to", "for"))
        subj = subject(left)
        if subj is None and not hit.trigger.nominal:
            # "Russia acknowledged delivering … but denied selling …": coordinated verbs share a subject
            subj = subject([r for r in roles if r.mention.end <= t and r.adjective != "origin"][:1])
        agent = None
        for r in reversed(left):
            if r.mention.end >= t - 3 and (r.possessive == "agent" or r.adjective == "agent"):
                agent = r.mention.actor
                break
        direct = None
        for r in right:
            if r.mention.start <= t + 3 and r.prep is None:
                direct = r.mention.actor
                break
        possessor = None
        for r in right:
            if r.possessive == "item":
                possessor = r.mention.actor
                break

        supplier: Actor | None = None
        recipient: Actor | None = None
        if hit.passive and cls in ("acquire", "acquire-order"):
            supplier = only_from  # "were ordered by Poland from Turkey"
            recipient = by_any or to_right or to_left or subj
        elif hit.passive:
            supplier = from_right or from_left
            recipient = to_right or to_left or subj
        elif cls in ("supply", "offer", "support", "produce"):
            if hit.trigger.nominal:
                supplier = agent or from_right or subj or from_left
                recipient = to_right or to_left or possessor or with_any
            else:
                supplier = subj or from_right or from_left
                recipient = to_right or direct or possessor or to_left
        elif cls in ("acquire", "acquire-order"):
            if hit.trigger.nominal:
                recipient = agent or to_right or subj or to_left
            else:
                recipient = subj or to_right or to_left
            supplier = from_right or from_left
            if to_right and recipient is not to_right and supplier is None and not hit.trigger.nominal:
                supplier, recipient = recipient, to_right  # "X ordered … for Y": X acts for Y
        elif cls == "arrive":
            # "Challenger 2 tanks gifted by the United Kingdom have arrived in Ukraine": the goods are the
            # subject; where they arrive receives, where they come from supplies
            recipient = first(right, ("in", "at", "to", "into")) or to_left
            supplier = from_right or from_left
        elif cls == "order":
            # "X signed a contract with Y for …": the one who signs with a supplier is the buyer
            recipient = to_right or to_left
            supplier = from_right or from_left or with_any
            if t > 0 and low[t - 1] in ("its", "their", "our") and subj is not None:
                # "the Ministry … confirms its order": the one who orders is the buyer
                other = to_right or to_left or with_any or from_right or from_left
                recipient, supplier = subj, (other if other is not subj else None)
            if recipient is None and subj is not None and subj is not supplier:
                recipient = subj
            if supplier is None and recipient is not None and subj is not None and subj is not recipient:
                supplier = subj
        elif cls == "service":
            supplier = agent if hit.trigger.nominal and agent else (from_right if hit.passive else None)
            supplier = supplier or subj or from_right or from_left or with_any
            recipient = possessor or to_right or direct or of_right or to_left
        explicit = supplier is not None and recipient is not None
        return supplier, recipient, explicit

    def _clause(self, low: list[str], t: int, right: list[Role]) -> list[Role]:
        out = []
        for r in right:
            between = low[t + 1 : r.mention.start]
            if any(w in self.lex.clause_breaks for w in between):
                break
            out.append(r)
        return out

    def _clause_left(self, low: list[str], t: int, left: list[Role]) -> list[Role]:
        out = []
        for r in left:
            between = low[r.mention.end : t]
            if any(w in self.lex.clause_breaks for w in between if w not in ("as",)):
                continue
            out.append(r)
        return out

    def _origin_supplier(self, hit: TriggerHit, origins: list[Role], recipient: Actor) -> Actor | None:
        for r in origins:
            if r.mention.actor and r.mention.actor.code != recipient.code:
                return r.mention.actor
        if hit.trigger.cls in ("acquire", "acquire-order"):
            for _, _, mention in hit.items:
                if mention.system and mention.system.origin and mention.system.origin != recipient.code:
                    code = mention.system.origin
                    return Actor(id=code, name=self.kb.state_name(code), kind="state")
        return None

    def _domestic(self, low: list[str], hit: TriggerHit) -> bool:
        """ "delivered to its own armed forces": a state supplying itself is no transfer."""
        window = low[hit.index + 1 : hit.index + 14]
        for k, w in enumerate(window[:-1]):
            if w not in ("to", "for"):
                continue
            nxt = window[k + 1]
            if nxt in self.lex.domestic_words:
                return True
            if nxt in self.lex.domestic_possessives and "own" in window[k + 2 : k + 4]:
                return True
        return False

    # -- items ------------------------------------------------------------
    def _designations(self, doc: Doc, low: list[str], mentions: list[Mention]) -> list[Mention]:
        """Designations the catalogue does not know ("J-10C fighters", "Hermes 450 drones")."""
        taken = {i for m in mentions for i in range(m.start, m.end)}
        out: list[Mention] = []
        n = len(low)
        i = 0
        while i < n:
            tok = doc[i].text
            end = i
            if _DESIGNATION.match(tok):
                end = i + 1
            elif (
                tok[:1].isupper()
                and i + 1 < n
                and doc[i + 1].text.isdigit()
                and len(doc[i + 1].text) <= 4
                and not _YEAR_TOKEN.match(doc[i + 1].text)
            ):
                end = i + 2  # "Hermes 450"
            elif tok[:1].isupper() and i + 2 < n and low[i + 1] == "-" and doc[i + 2].text[:1].isupper():
                end = i + 3  # "Vostok-E"
            if end > i and not any(k in taken for k in range(i, end)):
                follows = low[end] if end < n else ""
                counted = i > 0 and (doc[i - 1].like_num or low[i - 1] in self.lex.number_words)
                if (
                    follows in self.lex.item_heads
                    or follows in self.lex.item_modifiers
                    or counted
                    or any(m.start == end for m in mentions if m.kind in ("equip", "system"))
                ):
                    out.append(Mention("equip", i, end, doc[i:end].text))
                    i = end
                    continue
            i += 1
        return out

    def _items(self, doc: Doc, low: list[str], mentions: list[Mention]) -> list[tuple[int, int, Mention]]:
        raw = [m for m in mentions if m.kind in ("system", "equip")]
        raw = sorted(raw + self._designations(doc, low, mentions), key=lambda m: m.start)
        groups: list[tuple[int, int, Mention]] = []
        for m in raw:
            if (
                groups
                and m.start - groups[-1][1] <= 3
                and all(
                    low[k] in self.lex.item_modifiers or low[k] in self.lex.item_heads or low[k] == "-"
                    for k in range(groups[-1][1], m.start)
                )
            ):
                g_start, _, g_mention = groups[-1]
                keep = g_mention if g_mention.system or not m.system else m
                groups[-1] = (g_start, m.end, keep)
                continue
            groups.append((m.start, m.end, m))
        specific = [g for g in groups if not self._generic(g[2])]
        out = []
        for g_start, g_end, m in groups:
            if self._generic(m) and any(s[0] != g_start for s in specific):
                continue
            out.append((g_start, g_end, m))
        return out

    def _generic(self, m: Mention) -> bool:
        return m.system is None and m.text.lower() in self.lex.generic_items

    def _attach_items(
        self, doc: Doc, low: list[str], triggers: list[TriggerHit], items: list[tuple[int, int, Mention]]
    ) -> None:
        """Each item goes to the nearest trigger before it; an item before the first trigger is
        that trigger's only when the trigger does not take its object after it (passive, nominal)."""
        active = [t for t in triggers if t.trigger.cls != "continue"] or triggers
        for item in items:
            before = [t for t in active if t.index < item[0]]
            if before:
                before[-1].items.append(item)
            elif (
                active[0].passive
                or active[0].trigger.nominal
                or active[0].trigger.cls == "continue"
                or (
                    active[0].trigger.cls in ("acquire", "acquire-order")
                    and low[active[0].index] in ("received", "ordered")
                )
            ):
                active[0].items.append(item)
        for t in active:
            if not t.items and (t.trigger.cls == "arrive" or t.passive):
                # "Four Mi-171Sh helicopters bought from Russia arrived in Mali", "four submarines ordered
                # by Egypt": the goods are the subject, before the verb
                before_item = [item for item in items if item[1] <= t.index][-1:]
                t.items.extend(before_item or self._head_item_before(doc, low, t))
            if not t.items and not t.trigger.nominal:
                # "the Shahed-136 drones that the Islamic Republic transferred to Russia": the goods stand
                # before the relative pronoun that opens the trigger's clause
                near = range(t.index - 1, max(-1, t.index - 7), -1)
                rel = next((j for j in near if low[j] in ("that", "which")), None)
                if rel is not None:
                    t.items.extend([item for item in items if item[1] <= rel][-1:])
            if not t.items and t.trigger.cls not in ("support",):
                head = self._head_item(
                    doc, low, t, {h.index for h in triggers if h.trigger.cls != "continue"}
                )
                if head is not None:
                    t.items.append(head)

    def _head_item_before(self, doc: Doc, low: list[str], hit: TriggerHit) -> list[tuple[int, int, Mention]]:
        """The subject of a passive or an arrival, found by its head noun right before the verb."""
        j = hit.index - 1
        while j >= 0 and low[j] in _BEFORE_VERB:
            j -= 1
        if j < 0 or low[j] not in self.lex.item_heads or low[j] in ("warfare", "spare", "mobile"):
            return []
        start = j
        while start > 0 and doc[start - 1].is_alpha and low[start - 1] not in _DETERMINERS and j - start < 3:
            if doc[start - 1].like_num or low[start - 1] in self.lex.number_words:
                break
            start -= 1
        return [(start, j + 1, Mention("equip", start, j + 1, doc[start : j + 1].text))]

    def _head_item(
        self, doc: Doc, low: list[str], hit: TriggerHit, trigger_at: set[int]
    ) -> tuple[int, int, Mention] | None:
        """An object the catalogue does not know, found by its head noun: "targeting pods"."""
        for j in range(hit.end, min(hit.end + 9, len(low))):
            w = low[j]
            if (
                w in ("to", "from", "for", "by", ".", ";", ",")
                or w in self.lex.clause_breaks
                or j in trigger_at
            ):
                return None
            if w in self.lex.item_heads and w not in ("warfare", "spare", "mobile"):
                start = j
                while (
                    start > hit.end
                    and doc[start - 1].is_alpha
                    and low[start - 1] not in _DETERMINERS
                    and not doc[start - 1].like_num
                    and low[start - 1] not in self.lex.number_words
                    and j - start < 3
                ):
                    start -= 1
                return start, j + 1, Mention("equip", start, j + 1, doc[start : j + 1].text)
        return None

    def _item(
        self, doc: Doc, low: list[str], start: int, end: int, mention: Mention, blocked: set[int]
    ) -> tuple[Item, int | None, tuple[int, int]]:
        start = self._extend(low, start, -1)
        while (
            start > 1
            and (doc[start - 1].is_title or doc[start - 1].is_upper)
            and doc[start - 1].is_alpha
            and start - 1 not in blocked
            and low[start - 1] not in self.lex.number_words
        ):
            start -= 1  # a name the catalogue does not know: "Wing Loong drones", "Nora B-52"
        end = self._extend(low, end, +1)
        text = doc[start:end].text
        quantity = self._quantity(doc, low, start)
        if mention.system is not None:
            return (
                Item(text=text, system=mention.system.id, category=mention.system.category),
                quantity,
                (start, end),
            )
        if mention.equip is not None:
            category = mention.equip.category
        else:
            heads = [w for w in low[start:end] if w in self.lex.head_categories]
            category = self.lex.head_categories[heads[-1]] if heads else "other"
        return Item(text=text, system=None, category=category), quantity, (start, end)

    def _extend(self, low: list[str], edge: int, step: int) -> int:
        """Grow an item span over modifiers and head nouns, hyphenated compounds included."""
        words = self.lex.item_modifiers | self.lex.item_heads
        n = len(low)
        while True:
            if step > 0:
                if edge < n and low[edge] in words and low[edge] not in ("and", "or"):
                    edge += 1
                elif edge + 2 < n and low[edge + 1] == "-" and f"{low[edge]}-{low[edge + 2]}" in words:
                    edge += 3
                elif (
                    edge + 2 < n and low[edge] == "-" and low[edge + 1].isalpha() and low[edge - 1].isalpha()
                ):
                    edge += 2
                else:
                    return edge
            else:
                if edge > 0 and low[edge - 1] in self.lex.item_modifiers:
                    edge -= 1
                elif edge > 2 and low[edge - 2] == "-" and f"{low[edge - 3]}-{low[edge - 1]}" in words:
                    edge -= 3
                else:
                    return edge

    def _quantity(self, doc: Doc, low: list[str], start: int) -> int | None:
        j = start - 1
        if j >= 1 and low[j] == "of" and low[j - 1] in self.lex.measure_words:
            j -= 2
        if j < 0:
            return None
        tok = doc[j]
        if tok.text.isdigit() and not (1900 <= int(tok.text) <= 2100):
            return int(tok.text)
        if low[j] in self.lex.number_words:
            return self.lex.number_words[low[j]]
        return None

    # -- status -----------------------------------------------------------
    def _status(self, doc: Doc, low: list[str], hit: TriggerHit, triggers: list[TriggerHit]) -> Status:
        lex = self.lex
        lo, hi = self._clause_window(low, hit.index)
        window = low[lo:hi]
        text = " ".join(window)
        words = set(window) - {"will", "shall"}
        if words & lex.status_words["denied"] or any(p in text for p in lex.status_phrases["denied"]):
            return "denied"
        before = low[max(0, hit.index - 3) : hit.index]
        if any(w in lex.negations for w in before) and not any(w == "only" for w in before):
            return "denied"
        after = low[hit.index :]
        if set(after) & lex.status_words["cancelled"] or any(
            p in " ".join(after) for p in lex.status_phrases["cancelled"]
        ):
            return "cancelled"
        if (
            words & lex.status_words["cancelled"]
            or any(p in text for p in lex.status_phrases["cancelled"])
            or words & {"refused", "declined", "blocked", "vetoed"}
        ):
            return "cancelled"
        status = hit.trigger.status
        if self._offered(low, hit, triggers):
            return "offered"
        if any(p in text for p in lex.status_phrases["service"]):
            return "service"
        if status == "delivered":
            word = low[hit.index]
            past_verb = not hit.trigger.nominal and (word.endswith("ed") or word in _IRREGULAR_PAST)
            if not past_verb and (
                words & lex.status_words["ordered"] or any(p in text for p in lex.status_phrases["ordered"])
            ):
                return "ordered"
            if not hit.trigger.nominal and hit.index > 0 and low[hit.index - 1] in ("to", "will", "shall"):
                prior = low[max(0, hit.index - 4) : hit.index]
                if any(w in lex.status_words["ordered"] for w in prior) or low[hit.index - 1] in (
                    "will",
                    "shall",
                ):
                    return "ordered"
        return status

    def _clause_window(self, low: list[str], index: int, reach: int = 10) -> tuple[int, int]:
        lo = index
        while lo > 0 and index - lo < reach and low[lo - 1] not in self.lex.clause_breaks:
            lo -= 1
        hi = index + 1
        while hi < len(low) and hi - index < reach and low[hi] not in self.lex.clause_breaks:
            hi += 1
        return lo, hi

    def _offered(self, low: list[str], hit: TriggerHit, triggers: list[TriggerHit]) -> bool:
        """ "offered to supply …", "proposes … the delivery of …": the offer governs the transfer."""
        for other in triggers:
            if other.trigger.cls != "offer" or not 0 < hit.index - other.index <= 16:
                continue
            if any(w in self.lex.clause_breaks for w in low[other.index : hit.index]):
                continue
            if low[other.index + 1] == "to" or hit.trigger.nominal:
                return True
        return False

    def _hedged(self, low: list[str], hit: TriggerHit, triggers: list[TriggerHit]) -> bool:
        lo = max(0, hit.index - 8)
        if self._offered(low, hit, triggers):
            return False
        window = low[lo : hit.index] + low[hit.index + 1 : hit.index + 3]
        if any(w in self.lex.hedges for w in window):
            return True
        text = " ".join(window)
        return any(p in text for p in self.lex.hedge_phrases)

    # -- years ------------------------------------------------------------
    @staticmethod
    def _years(text: str, reference_year: int | None) -> tuple[int, int] | None:
        found: list[int] = []
        for m in _BETWEEN.finditer(text):
            found += [int(m.group(1)), int(m.group(2))]
        for m in _RANGE.finditer(text):
            found += [int(m.group(1)), int(m.group(2))]
        since = [int(m.group(1)) for m in _SINCE.finditer(text) if m.group(0).lower().startswith("since")]
        if not found:
            found = [int(y) for y in _SINGLE.findall(text)]
        if since and reference_year and reference_year >= max(since):
            found += [reference_year]
        if not found:
            return None
        return min(found), max(found)
