"""Russian: from a page of text to transfers, read top to bottom.

1. segment the page (blocks, header lines) and split sentences (abbreviation-aware);
2. tokenise with every pymorphy3 reading (lemmas, parts of speech, cases);
3. find mentions: states, organisations, systems, equipment (lemma gazetteer, both scripts);
4. grow actor phrases over institution words (`Министерству обороны` + `Туркменистана`,
   `белорусская` + `сторона`) and read each phrase's role from GRAMMAR: the preposition that
   governs it and the case of its head noun (`для` + genitive, `в` + accusative, `из`/`от`/`у`
   + genitive, the dative, the nominative subject, the instrumental agent);
5. split the sentence into clauses (at a colon between two statements, and before a participle
   clause: "станций, ранее поставленных Азербайджану", which is read first and names the owner
   of the item); in each, the first trigger (verb, participle or noun of transfer, order,
   service, offer) sets the class and the voice that decide who gives and who receives; the two
   parties of a contract ("между X и Y", "X и Y заключили контракт") are told apart by kind;
   coordinated recipients each get a transfer;
6. attach items (catalogue systems, equipment phrases, head nouns, a purpose joined by `для`),
   quantities and years; a bare head noun after a named item ("Поставку шести комплексов")
   is that item;
7. set the status (contract, cancellation, denial, negation, service) and drop hedged
   opinions and domestic deliveries;
8. fill a missing party from the account of the page or from the document's paperwork
   (sender of a letter, parties of a contract), with their header lines as evidence.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from armstrace.extract.anatomy import DocumentContext
from armstrace.extract.lang.ru.gazetteer import Gazetteer, Mention
from armstrace.extract.lang.ru.lexicon import Lexicon, Trigger, load_lexicon
from armstrace.extract.lang.ru.morph import Token, tokenize
from armstrace.extract.segment import segments
from armstrace.kb.model import KnowledgeBase
from armstrace.records import Actor, DocumentSpan, Item, Status, Transfer

_YEAR = r"(19[5-9]\d|20[0-4]\d)"
_RANGE = re.compile(rf"\b{_YEAR}\s*(?:-|–|—|по|до)\s*{_YEAR}\b")
_SINCE = re.compile(rf"\bс\s+{_YEAR}\s*(?:г\.|года?\b)(?!\s*(?:-|–|—|по|до))", re.I)
_SINGLE = re.compile(rf"(?<![\d/№:-]){_YEAR}(?![\d/])")
_EDITION = re.compile(r"(?:инкотермс|incoterms|гост|стб|iso|ту)[\s®]*[\d.:\-–]*\d{4}", re.I)
# a model designation: digits and capitals, maybe hyphenated ("2С3", "П-18", "9К33", "Т-72Б3")
_DESIGNATION = re.compile(r"(?=[\w-]*\d)(?=[\w-]*[A-ZА-ЯЁ])[0-9A-ZА-ЯЁ]+(?:-[0-9A-ZА-ЯЁ]+)*")
# a model designation written with a capital and lower-case letters: "Су-57", "Ка-52", "Як-130"
_MODEL = re.compile(r"[A-ZА-ЯЁ][a-zа-яё]{0,2}[A-ZА-ЯЁ]?-\d[\w-]*")
_VERBAL = ("VERB", "INFN", "PRTF", "PRTS", "GRND")
# a firm's own name in Latin script after a state adjective: "Thales", "Hanwha", "Dassault"
_FOREIGN_NAME = re.compile(r"[A-Z][A-Za-z&.\-]+")
_ENDS = frozenset(".!?…")
_ALL_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
_CURRENCY = frozenset(["долл", "доллар", "рубль", "руб", "евро", "юань", "фунт"])
# paperwork whose date is the date of the act it states, and the statuses such an act can have
_PAPERWORK = frozenset(["letter", "diplomatic-note", "contract", "specification", "export-passport"])
_ACTS = frozenset(["ordered", "offered", "service"])


@dataclass
class Phrase:
    """An actor phrase: the mention plus the institution words that make it a party."""

    actor: Actor
    start: int  # token indices in the sentence, end exclusive
    end: int
    head: int
    form: str  # name | adjective | capital | label | pronoun
    role: str = "none"  # recipient | supplier | with | pair | subject | dative | instr | gen | object
    origin: bool = False  # a state adjective of an item: "белорусские комплексы"
    side: str = ""  # a contract label's side, whatever its case: "а Заказчик принял работы по ремонту"
    coord: bool = False  # the role comes from a coordinated actor: "и Армения, и Азербайджан"


@dataclass
class Hit:
    index: int
    trigger: Trigger
    verbal: bool
    passive: bool = False


@dataclass
class ItemSpan:
    start: int
    end: int
    item: Item
    generic: bool
    quantity: int | None = None


@dataclass
class Account:
    """The parties the page is talking about, for sentences that name only one or none."""

    supplier: Actor
    recipient: Actor
    years: tuple[int, int] | None
    spans: list[DocumentSpan] = field(default_factory=list)
    status: Status | None = None
    items: list[Item] = field(default_factory=list)


@dataclass
class Memory:
    """What the page has said so far, beyond the account of its last transfer: the catalogue systems it
    named ("Bayraktar TB2 — турецкий … аппарат") and who spoke ("Представитель МИД КНДР заявил")."""

    systems: list[tuple[Item, DocumentSpan]] = field(default_factory=list)
    speakers: list[tuple[Actor, DocumentSpan]] = field(default_factory=list)


class RussianExtractor:
    language = "ru"
    reads_paperwork = True

    def __init__(self, kb: KnowledgeBase, lexicon: Lexicon | None = None) -> None:
        self.kb = kb
        self.lex = lexicon or load_lexicon()
        self.gazetteer = Gazetteer(kb, self.lex.firm_forms)
        self._opener_heads = frozenset(o[0] for o in self.lex.clause_openers)

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
        memory = Memory()
        for seg in segments(text):
            tokens = tokenize(text[seg.start : seg.end], offset=seg.start)
            for lo, hi in self.sentences(tokens):
                sent = tokens[lo:hi]
                if sum(t.text == "|" for t in sent) >= 2:
                    continue  # a table row: the anatomy reads specification tables
                start, end = sent[0].start, sent[-1].end
                span = DocumentSpan(doc_id, path, page, start, end, text[start:end])
                found, account = self._sentence(sent, span, text, account, reference_year, context, memory)
                out.extend(found)
        return out

    def sentences(self, tokens: list[Token]) -> list[tuple[int, int]]:
        """Sentence bounds: a full stop ends one unless it closes an abbreviation or an initial."""
        out: list[tuple[int, int]] = []
        start = 0
        for i, tok in enumerate(tokens):
            if tok.text not in _ENDS or i + 1 >= len(tokens):
                continue
            nxt = tokens[i + 1]
            if not (nxt.text[:1].isupper() or nxt.text[:1].isdigit() or nxt.text in '«"(—–-'):
                continue
            prev = tokens[i - 1].text if i > 0 else ""
            if tok.text == "." and prev:
                low = prev.lower()
                if len(prev) == 1 and prev.isupper():
                    continue  # an initial: "А. Иванов"
                if low in self.lex.abbreviations and low not in ("г", "гг"):
                    continue
                if low in ("г", "гг") and nxt.text[:1].isdigit():
                    continue  # "в IV квартале 2019 г. 6 (шести) комплектов": a date inside the sentence
                if low == "г" and not (i > 1 and _is_year(tokens[i - 2].text)):
                    continue  # "(г. Харьков)": "г." after anything but a year is a town, not a year
            out.append((start, i + 1))
            start = i + 1
        if start < len(tokens):
            out.append((start, len(tokens)))
        return out

    # -- one sentence -----------------------------------------------------
    def _sentence(
        self,
        sent: list[Token],
        evidence: DocumentSpan,
        page_text: str,
        account: Account | None,
        reference_year: int | None,
        context: DocumentContext | None,
        memory: Memory | None = None,
    ) -> tuple[list[Transfer], Account | None]:
        memory = memory if memory is not None else Memory()
        mentions = self.gazetteer.mentions(sent)
        reported = [k for k, t in enumerate(sent) if t.lemmas & self.lex.reporting_verbs]
        # "«…мы получили четыре вертолёта», — рассказал командующий Силами … Казахстан": a reporting
        # verb right after a quote or a dash names who speaks after it, for this sentence's «мы»
        after_quote = [k for k in reported if any(x.text in "—–»" for x in sent[max(0, k - 3) : k])]
        if after_quote:
            after = [m.actor for m in mentions if m.start > after_quote[0] and m.form != "adjective"]
            speaker = next((a for a in after if a is not None), None)
            if speaker is not None:
                memory.speakers.append((speaker, evidence))
        result = self._read_sentence(
            sent, mentions, evidence, page_text, account, reference_year, context, memory
        )
        # remembered for the sentences that follow: the systems named ("Bayraktar TB2 — турецкий …
        # аппарат. … поставлялся в …") and who speaks ("Представитель МИД КНДР назвал …")
        for m in mentions:
            if m.kind == "system" and m.system is not None:
                memory.systems.append((Item(m.system.name, m.system.id, m.system.category), evidence))
        if reported:
            before = [m.actor for m in mentions if m.end <= reported[0] and m.form != "adjective"]
            speakers = [a for a in before if a is not None]
            if speakers:
                memory.speakers.append((speakers[-1], evidence))
        return result

    def _read_sentence(
        self,
        sent: list[Token],
        mentions: list[Mention],
        evidence: DocumentSpan,
        page_text: str,
        account: Account | None,
        reference_year: int | None,
        context: DocumentContext | None,
        memory: Memory,
    ) -> tuple[list[Transfer], Account | None]:
        phrases = self._phrases(sent, mentions, context)
        blocked = {i for p in phrases for i in range(p.start, p.end)}
        blocked |= {i for m in mentions if m.kind in ("org", "system") for i in range(m.start, m.end)}
        hits = self._triggers(sent, blocked)
        if not hits:
            return [], account
        items = self._items(sent, mentions, blocked, {h.index for h in hits})
        found: list[Transfer] = []
        previous: tuple[Hit, Actor | None] | None = None
        previous_items: list[ItemSpan] = []
        last_pair: tuple[Actor, Actor] | None = None
        clauses = self._clauses(sent, hits)
        owners: dict[int, Actor] = {}  # item start -> the recipient a participle clause gives it
        makers: dict[int, Actor] = {}  # item start -> the supplier a participle clause gives it
        # a participle clause ("станций, ранее поставленных Азербайджану") states an earlier transfer
        # of an item of the main clause: read it first, so the main clause can lean on its parties
        for lo, hi, relative in sorted(clauses, key=lambda c: not c[2]):
            c_hits = [h for h in hits if lo <= h.index < hi]
            c_items = [it for it in items if lo <= it.start < hi]
            c_phrases = [p for p in phrases if lo <= p.start < hi]
            if relative and not c_items:
                # the goods the participle describes: the nearest before it, with no other trigger between
                # ("машины БРДМ-2МС в количестве 10 (десяти) единиц, приобретаемые у …")
                preceding = [it for it in items if it.end <= lo]
                c_items = [it for it in preceding[-1:] if not any(it.end <= h.index < lo for h in hits)]
            elif not c_items and c_hits:
                # "Продавец обязуется поставить, а Покупатель принять и оплатить вертолёты …": a shared
                # object stands once, in the next clause, when that clause has no trigger of its own
                nxt = next((c for c in clauses if c[0] == hi and not c[2]), None)
                if nxt is not None and not any(nxt[0] <= h.index < nxt[1] for h in hits):
                    c_items = [it for it in items if nxt[0] <= it.start < nxt[1]]
                if not c_items and any(
                    sent[k].norm in self.lex.possessives and any(0 < h.index - k <= 3 for h in c_hits)
                    for k in range(lo, hi)
                ):
                    # ", а их капитальный ремонт … оплатила сербская сторона": the goods of the clause before
                    c_items = [it for it in items if it.start < lo][-1:]
            if not relative and not c_items:
                # "партия двигателей, изготовленных …, получена Министерством обороны Пакистана": the
                # predicate after a participle clause speaks of the goods that clause describes
                described = next((c for c in clauses if c[2] and c[1] == lo), None)
                if described is not None:
                    c_items = [it for it in items if it.end <= described[0]][-1:]
            gapped = not c_hits
            if gapped:
                if previous is None or not c_phrases:
                    continue
                if not c_items and any(t.text in "—–" for t in sent[lo:hi]):
                    # "Вторым … получателем оружия из России стал Китай, третьим — Египет": the goods stay
                    c_items = previous_items
                if not c_items:
                    continue
                c_hits = [previous[0]]  # gapping: ", а Армении — комплексы «Полонез»"
            main = self._main(c_hits)
            if (not gapped and self._hedged(sent, lo, main)) or self._domestic(sent, lo, hi, c_phrases):
                continue
            supplier, recipient, explicit = self._assign(sent, main, c_hits, c_phrases, c_items)
            if supplier is None and recipient is None and not c_phrases and last_pair is not None and lo > 0:
                # "Варшава подписала с южнокорейскими компаниями контракты: Hanwha должна поставить …":
                # a clause that names no party goes on with the pair of the clause before it
                supplier, recipient = last_pair
            if supplier is not None and recipient is not None:
                last_pair = (supplier, recipient)
            if relative and supplier is not None and recipient is None:
                makers.update({it.start: supplier for it in c_items})  # "двигателей, изготовленных X"
            if not relative and supplier is None and c_items:
                supplier = next((makers[it.start] for it in c_items if it.start in makers), None)
                if supplier is not None and recipient is not None and supplier.code == recipient.code:
                    supplier = None
            if supplier is None and recipient is not None and main.trigger.cls == "supply":
                supplier = self._speaker(sent, main.index, phrases, recipient)
            if supplier is None and previous is not None and main.verbal and sent[lo].norm in ("и", ","):
                supplier = previous[1]  # "… и модернизировала …": the coordinated verb shares the subject
            if recipient is None and supplier is not None and main.trigger.cls == "service":
                # "модернизировала азербайджанскую артиллерию": the serviced goods' state owns them
                recipient = next(
                    (p.actor for p in c_phrases if p.origin and p.actor.code != supplier.code), None
                )
                explicit = explicit or recipient is not None
            if recipient is None and main.trigger.cls == "service":
                # "ремонт вертолётов, ранее поставленных Казахстану": the service is for their owner
                recipient = next((owners[it.start] for it in c_items if it.start in owners), None)
                explicit = explicit or (supplier is not None and recipient is not None)
            if gapped and previous is not None:
                if supplier is None:
                    supplier = previous[1]
                if recipient is None:
                    recipient = next((p.actor for p in c_phrases if not p.origin), None)
                    if recipient is supplier:
                        recipient = None
            status = self._status(sent, lo, hi, main, c_hits)
            spans = [evidence]
            carried = False
            unnamed = supplier is None and recipient is None
            if supplier is None or recipient is None:
                supplier, recipient, extra = self._carry(supplier, recipient, main, account, context)
                carried = bool(extra)
                spans += [s for s in extra if s not in spans]
            if supplier is None and recipient is None:
                supplier, recipient = self._compound_sides(c_phrases, c_items)
            if supplier is None and recipient is None:
                supplier, recipient = self._maker_sides(self._pair(sent, main, c_phrases), c_items)
            if supplier is None and recipient is not None:
                supplier = self._origin(c_items, c_phrases, recipient)
            on_topic = self._on_topic(c_items, memory.systems)
            we = memory.speakers[-1] if memory.speakers else None
            if (
                we is not None
                and (supplier is None) != (recipient is None)
                and any(sent[k].norm in self.lex.we for k in range(lo, main.index))
            ):
                # "«Мы никогда не экспортировали оружие в Россию»", "от российских партнёров мы получили
                # четыре вертолёта, — рассказал командующий …": the speaker's state is the open side
                if supplier is None and recipient is not None and we[0].code != recipient.code:
                    supplier, spans = we[0], [*spans, we[1]]
                elif recipient is None and supplier is not None and we[0].code != supplier.code:
                    recipient, spans = we[0], [*spans, we[1]]
            if supplier is None and recipient is not None and on_topic is not None:
                # "Bayraktar TB2 — турецкий … аппарат. … Первые комплексы получили …": the goods are the
                # system the page is about, and its maker's state supplies them
                maker = self._maker_state(on_topic[0])
                if maker is not None and maker.code != recipient.code:
                    supplier = maker
                    spans = [*spans, on_topic[1]] if on_topic[1] not in spans else spans
            if supplier is not None and recipient is None and c_items:
                # "в рамках контракта, подписанного с Министерством обороны Вьетнама, Вашему предприятию
                # размещается заказ на изготовление …": the customer another clause of the sentence names
                others = {
                    p.actor.code: p.actor
                    for p in phrases
                    if p.role in ("recipient", "with") and not p.origin and p.actor.code != supplier.code
                }
                recipient = next(iter(others.values())) if len(others) == 1 else None
            if supplier is None or recipient is None:
                continue
            recipients = [
                r for r in self._recipients(recipient, c_phrases) if r.code != supplier.code
            ]  # "как в белорусскую армию, так и … в Азербайджан": the own army is no transfer
            if not recipients:
                continue
            if relative:
                owners.update({it.start: recipients[0] for it in c_items})
            else:
                previous = (main, supplier)
                previous_items = c_items
            if (
                unnamed
                and carried
                and account is not None
                and account.status == "service"
                and (main.trigger.cls == "supply")
            ):
                status = "service"  # "Самолёты переданы заказчику" after their repair: the hand-back
            specific = [it for it in c_items if not it.generic]
            chosen = [(it.item, it.quantity) for it in specific or c_items]
            if on_topic is not None and not carried:
                chosen = [(on_topic[0], next((it.quantity for it in c_items if it.quantity), None))]
            if not chosen and not main.verbal and sent[main.index].lemmas & self.lex.services_on_people:
                # "прошли обучение 36 военнослужащих …": a service without goods is the service itself
                chosen = [(Item(text=sent[main.index].text, system=None, category="other"), None)]
            if carried and account is not None:
                chosen = self._anaphora(specific or c_items, account) or chosen
                if not chosen and not c_items and main.trigger.cls in ("order", "sign"):
                    # "стороны объявили о расторжении сделки": the deal is the one the page just named
                    chosen = [(it, None) for it in account.items]
            # a clause's own years; else those stated before it in the sentence ("В 2019 году … поставила
            # Армении …, а Азербайджану — …"), never a later clause's ("… после того, как в 2019 году …")
            c_text = page_text[sent[lo].start : sent[hi - 1].end]
            before = page_text[sent[0].start : sent[lo].start]
            own = self._years(c_text, reference_year) or (self._years(before, reference_year) if lo else None)
            t_years = own or (account.years if account and carried else None)
            if t_years is None and context is not None and carried:
                t_years = context.years
            if context is not None and context.years and context.cls in _PAPERWORK and status in _ACTS:
                # a letter or note that orders, offers or commissions a service is itself the act: its
                # date opens the period ("просим изготовить … с поставкой в I квартале 2021 г.")
                both = [*context.years, *(t_years or ())]
                t_years = (min(both), max(both))
            confidence = 0.85 if explicit else (0.6 if carried else 0.7)
            for receiver in recipients:
                for item, quantity in chosen:
                    found.append(
                        Transfer(
                            supplier=supplier,
                            recipient=receiver,
                            item=item,
                            status=status,
                            years=t_years,
                            quantity=quantity,
                            confidence=confidence,
                            source="document",
                            evidence=list(spans),
                        )
                    )
            if chosen and (explicit or account is None):
                account = Account(
                    supplier, recipients[0], t_years, [evidence], status, [item for item, _ in chosen]
                )
        return found, account

    def _speaker(
        self, sent: list[Token], index: int, phrases: list[Phrase], recipient: Actor
    ) -> Actor | None:
        """ "Представитель ОАО «…» заявил, что предприятие не поставляло …": the speaker's side acts."""
        that = next((k for k in range(index - 1, -1, -1) if sent[k].norm in ("что", "будто")), None)
        if that is None:
            return None
        said = [k for k in range(that) if sent[k].lemmas & self.lex.reporting_verbs]
        if not said:
            return None
        before = [p for p in phrases if p.end <= said[-1] and not p.origin and p.actor.code != recipient.code]
        return before[-1].actor if before else None

    def _recipients(self, recipient: Actor, phrases: list[Phrase]) -> list[Actor]:
        """The recipient and every actor sharing its role: "и Армения, и Азербайджан", "в …, так и в …"."""
        out = [recipient]
        rp = next((p for p in phrases if p.actor is recipient), None)
        if rp is None:
            return out
        for p in phrases:
            if p is rp or p.origin or p.role != rp.role:
                continue
            if (p.role in ("recipient", "dative") or p.coord) and all(p.actor.code != a.code for a in out):
                out.append(p.actor)
        return out

    def _anaphora(self, items: list[ItemSpan], account: Account) -> list[tuple[Item, int | None]]:
        """ "Поставку шести комплексов …" after a sentence that named them: a bare head is that item."""
        if items and account.items and all(it.generic for it in items):
            return [(it, None) for it in account.items]  # "Техника передана …": all the goods just named
        named = [it for it in account.items if it.system is not None]
        if not items or len(named) != 1 or any(it.item.system for it in items):
            return []
        if any(
            it.end - it.start != 1 and it.item.category not in (named[0].category, "other") for it in items
        ):
            return []  # "ударные беспилотники" after «Байрактаров»: a described head of the same kind
        return [(named[0], it.quantity) for it in items]

    # -- actors and their roles ---------------------------------------------
    def _phrases(
        self, sent: list[Token], mentions: list[Mention], context: DocumentContext | None
    ) -> list[Phrase]:
        lex = self.lex
        out: list[Phrase] = []
        named = {i for m in mentions for i in range(m.start, m.end) if m.kind != "equip"}
        for m in mentions:
            if m.actor is None:
                continue
            start, end = m.start, m.end
            if start > 0 and sent[start - 1].lemmas & _CURRENCY and "gent" in sent[start].cases:
                continue  # "долл. США" is a currency, not a party (but "долларов Армения получила" is)
            if start > 1 and sent[start - 1].text == "." and sent[start - 2].lemmas & _CURRENCY:
                continue
            if m.form == "adjective":
                # "белорусская сторона": an adjective names a party only before an institution noun
                j = end
                while (
                    j < len(sent)
                    and j - end < 3
                    and sent[j].has_pos("ADJF")
                    and not (sent[j].lemmas & lex.adjective_heads)
                ):
                    j += 1
                if j < len(sent) and sent[j].lemmas & lex.adjective_heads:
                    end = j + 1
                elif j == end and j < len(sent) and _FOREIGN_NAME.fullmatch(sent[j].text):
                    # "с французской Thales", "южнокорейская Hanwha": a firm of that state by its own name
                    while j < len(sent) and _FOREIGN_NAME.fullmatch(sent[j].text):
                        j += 1
                    out.append(Phrase(m.actor, start, j, start, "adjective"))
                    continue
                else:
                    out.append(Phrase(m.actor, start, end, start, "adjective", origin=True))
                    continue
            # "Министерству обороны" + "Туркменистана", "ВС" + "РБ": institutions of a state, with the
            # adjectives of an institution noun ("Сил воздушной обороны", "министерства национальной
            # обороны"); the words of another name and a role word ("силами белорусских предприятий")
            # stop it
            while (
                start > 0
                and start - 1 not in named
                and (
                    (sent[start - 1].norm,) not in lex.role_phrases
                    # "с Силами обороны Уганды", "Вооружёнными силами Египта": the forces themselves
                    or (start > 1 and sent[start - 2].has_pos("PREP", "ADJF", "PRTF"))
                )
                and (
                    sent[start - 1].lemmas & lex.institutions
                    or sent[start - 1].norm in lex.institutions
                    or (
                        sent[start - 1].has_pos("ADJF")
                        and not sent[start - 1].has_pos("NOUN", "PREP", "NPRO", "NUMR")
                        and (sent[start].lemmas & lex.institutions or sent[start].norm in lex.institutions)
                    )
                )
            ):
                start -= 1
            head = self._head(sent, start, end)
            out.append(Phrase(m.actor, start, end, head, m.form))
        if context is not None:
            out += self._labels(sent, mentions, context, out)
            if context.sender is not None:
                # "кипрская Национальная гвардия подписала с нами контракт": the writer's firm
                out += [
                    Phrase(context.sender.actor, i, i + 1, i, "pronoun")
                    for i, tok in enumerate(sent)
                    if tok.norm in self.lex.we and not any(p.start <= i < p.end for p in out)
                ]
        out += self._pronouns(sent, out, named)
        for i, a, b in self.gazetteer.compounds(sent):
            # "российско-иранский контракт": the two parties of the deal the adjective qualifies
            if i not in named and i + 1 < len(sent) and any(lm in lex.nouns for lm in sent[i + 1].lemmas):
                out += [Phrase(x, i, i + 1, i, "compound", "pair") for x in (a, b)]
        # "Белорусское ОАО «Минский ремонтный завод»": an adjective phrase grown over the firm's legal
        # form overlaps the firm's own name; the longer phrase of the same state stands for both
        out = [
            p
            for p in out
            if not any(
                q is not p
                and q.actor.code == p.actor.code
                and q.start < p.end
                and p.start < q.end
                and (q.end - q.start, q.start) > (p.end - p.start, p.start)
                for q in out
            )
        ]
        out.sort(key=lambda p: p.start)
        for k, p in enumerate(out):
            if not p.origin and p.form != "compound":
                p.role = self._role(sent, p, out[k - 1] if k > 0 else None)
        return out

    def _pronouns(self, sent: list[Token], have: list[Phrase], named: set[int]) -> list[Phrase]:
        """ "получили от неё": a pronoun after a role preposition stands for the last actor before it."""
        out: list[Phrase] = []
        for i, tok in enumerate(sent):
            if i in named or i == 0 or not tok.has_pos("NPRO") or not tok.lemmas & self.lex.pronouns:
                continue
            prep = sent[i - 1]
            if not (prep.norm in self.lex.roles and prep.has_pos("PREP")):
                continue
            before = [p for p in have if p.end <= i and not p.origin]
            if before:
                out.append(Phrase(before[-1].actor, i, i + 1, i, "pronoun"))
        return out

    def _labels(
        self, sent: list[Token], mentions: list[Mention], context: DocumentContext, have: list[Phrase]
    ) -> list[Phrase]:
        """ "Продавец обязуется поставить Покупателю …": contract labels name the parties."""
        taken = {i for p in have for i in range(p.start, p.end)}
        taken |= {i for m in mentions for i in range(m.start, m.end)}
        out: list[Phrase] = []
        for i, tok in enumerate(sent):
            if i in taken or not tok.text[:1].isupper():
                continue
            for label, role in self.lex.party_labels.items():
                if len(label) != 1 or label[0] not in tok.lemmas:
                    continue
                party = context.supplier if role == "supplier" else context.recipient
                if party is not None:
                    out.append(Phrase(party.actor, i, i + 1, i, "label", side=role))
        return out

    def _head(self, sent: list[Token], start: int, end: int) -> int:
        """The first noun of a phrase: its case is the phrase's case ("ГП «Завод …»": the abbreviation)."""
        if sent[start].text.isupper() and sent[start].norm in self.lex.firm_forms:
            return start
        for i in range(start, end):
            tok = sent[i]
            if tok.has_pos("NOUN") and not tok.is_quote:
                return i
        return start

    def _role(self, sent: list[Token], p: Phrase, before: Phrase | None) -> str:
        lex = self.lex
        j = p.start - 1
        while j >= 0 and sent[j].is_quote:
            j -= 1
        cases = set(sent[p.head].cases) or set(_ALL_CASES)
        if sent[p.head].text.isupper() and len(sent[p.head].text) <= 5:
            cases = set(_ALL_CASES)  # "РБ", "АР", "ВС": abbreviations do not decline
        if j >= 0 and sent[j].text == "(" and p.end < len(sent) and sent[p.end].text == ")":
            # "между ООО «Оптикон-Экспорт» (Республика Беларусь) и …": a state in brackets after a
            # firm the knowledge base does not know stands for that firm and takes its role
            k = self._before_name(sent, j)
            if k < j - 1:
                j, cases = k, set(_ALL_CASES)
        if (
            p.form == "capital"
            and j >= 0
            and sent[j].norm in ("в", "во")
            and before is not None
            and before.end == j
        ):
            return "none"  # "Посольство Республики Беларусь в Баку": where an institution sits
        if (
            j >= 0
            and sent[j].norm in ("в", "во")
            and "loct" in cases
            and p.form != "capital"  # "В Бамако прибыли вертолёты": where they arrived, not who speaks
            and p.end < len(sent)
            and sent[p.end].has_pos("VERB")
            and not sent[p.end].has_pos("PRTF", "PRTS")
        ):
            return "subject"  # "В Минобороны России опровергли …": the institution speaks
        if j >= 1 and sent[j].text in "—–:":
            # "поставщик — АО «Рособоронэкспорт», заказчик — Министерство обороны Алжира": a party label
            words = sent[j - 1].lemmas
            label = next(
                (r for (w, *rest), r in self.lex.party_labels.items() if not rest and w in words), None
            )
            if label is not None:
                return label
        if j >= 0 and sent[j].norm == "на" and "loct" in cases and p.actor.kind == "organisation":
            return "works"  # "ремонт … на 558-м авиаремонтном заводе": the firm where the work is done
        if j >= 1 and (sent[j - 1].norm, sent[j].norm) in lex.role_phrases:
            return lex.role_phrases[(sent[j - 1].norm, sent[j].norm)]
        if (
            j >= 0
            and (sent[j].norm,) in lex.role_phrases
            # "с Силами обороны", "командующий Силами воздушной обороны": governed, not "by the efforts of"
            and not (j > 0 and sent[j - 1].has_pos("PREP", "ADJF", "PRTF"))
            and not (j > 0 and sent[j - 1].lemmas & lex.instr_governors)
        ):
            return lex.role_phrases[(sent[j].norm,)]
        if (
            j >= 0
            and sent[j].norm in ("в", "во")
            and (cases == {"loct"} or ("loct" in cases and "accs" not in cases and p.form == "name"))
            and p.actor.kind == "state"
            and not (before is not None and before.end == j)
        ):
            return "at"  # "закупил в Китае": a state the goods are bought in (the seller of a purchase)
        if j >= 0 and sent[j].norm in lex.roles and sent[j].has_pos("PREP"):
            prep = lex.roles[sent[j].norm]
            return prep.role if cases & prep.cases else "none"
        coordinated = j >= 0 and sent[j].norm in ("и", ",", "или")
        if coordinated and before is not None and self._joined(sent, before, j):
            p.coord = True
            return before.role  # "Азербайджану и Армении": coordinated actors share a role
        if len(cases) >= 4:
            if (
                j >= 0
                and not (before is not None and before.end == j + 1)  # "в Анкаре STM и …": not a genitive
                and sent[j].has_pos("NOUN")
                and not sent[j].has_pos(*_VERBAL)
                and not sent[j].lemmas & lex.time_nouns
            ):
                return "gen"  # "систем ВС Азербайджана": an indeclinable name after a noun depends on it
            return "indecl"  # "Баку", "ВС РБ": any case; the clause gives it the open role
        if (
            j >= 0
            and "gent" in cases
            and sent[j].has_pos("NOUN")
            and not sent[j].has_pos("PREP")
            and cases != {"datv"}
            and "nomn" not in cases
        ):
            return "gen"  # "поставки Белоруссии в Азербайджан": a genitive after a noun
        if (
            j >= 0
            and {"gent", "nomn"} <= cases
            and (
                sent[j].has_pos("NOUN") or _DESIGNATION.fullmatch(sent[j].text) or _MODEL.match(sent[j].text)
            )
            and not sent[j].has_pos(*_VERBAL, "PREP")
            and not sent[j].lemmas & lex.time_nouns
            and not any(t.has_pos("VERB") for t in sent[p.end : p.end + 2])
        ):
            return "gen"  # "вертолётов Ми-17 Министерства обороны …": a genitive owner, not a subject
        if p.form == "label" and p.side:
            return p.side  # "Исполнитель выполнил, а Заказчик принял работы": the contract says who is who
        if cases == {"datv"} or (cases >= {"datv"} and "nomn" not in cases and "gent" not in cases):
            return "dative"
        if "nomn" in cases:
            return "subject"
        if "ablt" in cases and len(cases) <= 2:
            return "instr"
        if "gent" in cases and "datv" in cases:
            return "gen-or-dative"
        if "gent" in cases:
            return "gen"
        if "datv" in cases:
            return "dative"
        if "accs" in cases:
            return "object"
        return "none"

    def _joined(self, sent: list[Token], before: Phrase, j: int) -> bool:
        """Only brackets, quotes and commas stand between the earlier actor and the conjunction at j."""
        return before.end >= j or all(t.is_quote or t.text in "),(" for t in sent[before.end : j])

    def _before_name(self, sent: list[Token], j: int) -> int:
        """The index before the name that ends at j (an opening bracket): the word that governs the name."""
        k = j - 1
        steps = 0
        while k >= 0 and steps < 6:
            tok = sent[k]
            if tok.is_quote or (
                not tok.is_punct
                and not tok.has_pos("PREP", "VERB", "INFN", "CONJ", "PRTS")
                and (tok.text[:1].isupper() or tok.has_pos("UNKN", "ADJF"))
            ):
                k -= 1
                steps += 1
                continue
            break
        return k

    # -- triggers -----------------------------------------------------------
    def _triggers(self, sent: list[Token], blocked: set[int]) -> list[Hit]:
        lex = self.lex
        hits: list[Hit] = []
        for i, tok in enumerate(sent):
            if i in blocked or tok.is_punct:
                continue
            verbal = tok.has_pos(*_VERBAL)
            trigger: Trigger | None = None
            reflexive = False
            if verbal:
                trigger = next((lex.verbs[lm] for lm in tok.lemmas if lm in lex.verbs), None)
                if trigger is None:
                    trigger = next((lex.reflexive[lm] for lm in tok.lemmas if lm in lex.reflexive), None)
                    reflexive = trigger is not None
            if trigger is None and tok.has_pos("NOUN"):
                lemma = next((lm for lm in tok.lemmas if lm in lex.nouns), None)
                if lemma is not None:
                    need = lex.noun_context.get(lemma)
                    near = sent[max(0, i - 4) : i + 3]
                    if need is None or any(t.lemmas & need for t in near):
                        trigger, verbal = lex.nouns[lemma], False
            if trigger is None:
                continue
            if tok.lemmas & lex.goods_only_verbs and not (
                any(self._item_head(t) for t in sent[max(0, i - 15) : i + 10])
                and not any(t.lemmas & lex.goods_only_not for t in sent[i + 1 : i + 3])
            ):
                continue  # "принять решение", "принять на вооружение": no goods change hands
            if trigger.cls == "sign" and not any(
                t.lemmas & lex.sign_objects for t in sent[max(0, i - 16) : i + 16]
            ):
                continue  # "подписали меморандум о сотрудничестве": no contract, no deal
            passive = reflexive or (verbal and tok.reading.passive and tok.has_pos("PRTS", "PRTF"))
            hits.append(Hit(i, trigger, verbal, passive))
        # "произвела отгрузку", "осуществляла поставки": a light verb leaves the event to its noun
        hits = [
            h
            for h in hits
            if not (
                h.verbal
                and sent[h.index].lemmas & lex.light_verbs
                and any(not o.verbal and 0 < o.index - h.index <= 3 for o in hits)
            )
        ]
        for k, h in enumerate(hits):
            # "Elbit Systems получила от министерства … заказ на поставку": receiving an order is selling
            if h.verbal and h.trigger.cls == "acquire" and not h.passive:
                won = next(
                    (
                        o
                        for o in hits[k + 1 :]
                        if o.index - h.index <= 8
                        and not any(t.text in ".;:" for t in sent[h.index : o.index])
                        and sent[o.index].lemmas & lex.won_orders
                    ),
                    None,
                )
                if won is not None:
                    hits[k] = Hit(h.index, Trigger("win-order", "ordered", nominal=False), True)
        return hits

    def _main(self, hits: list[Hit]) -> Hit:
        """The trigger that decides the roles: a verb first, else a noun of transfer before a contract."""
        for h in hits:
            if h.verbal:
                return h
        for h in hits:
            if h.trigger.cls not in ("order",):
                return h
        return hits[0]

    def _clauses(self, sent: list[Token], hits: list[Hit]) -> list[tuple[int, int, bool]]:
        """Clause bounds, each marked True if it is a participle clause after a comma."""
        out: list[tuple[int, int, bool]] = []
        start, relative = 0, False
        at = {h.index: h for h in hits}
        for i, tok in enumerate(sent):
            cut = (
                tok.norm in self.lex.clause_breaks
                or (i > 0 and sent[i - 1].text == "," and tok.norm in self.lex.comma_breaks)
                or self._opens_clause(sent, i)
            )
            # "…: комплексы получили и Армения, и Азербайджан": a colon between two statements
            colon = (
                tok.text == ":"
                and any(start <= k < i and at[k].verbal for k in at)
                and any(k > i for k in at)
            )
            participle = False
            if tok.text == ",":
                # ", ранее поставленных Азербайджану": a participle trigger after a comma and adverbs
                k = i + 1
                while k < len(sent) and k - i <= 2 and sent[k].has_pos("ADVB") and k not in at:
                    k += 1
                h = at.get(k)
                # a passive participle describes goods and always opens its clause ("двигателей,
                # изготовленных …"); an active one ("государством, закупившим …") only after a trigger
                participle = (
                    h is not None
                    and h.verbal
                    and sent[k].has_pos("PRTF")
                    and (h.passive or any(start <= x < i for x in at))
                )
            # "Беларусь поставила Азербайджану средства РЭБ и модернизировала его артиллерию": a second
            # finite verb of transfer after "и" or a comma opens a clause that shares the subject
            k = i + 1
            while k < len(sent) and sent[k].norm in self.lex.negations:
                k += 1
            second = at.get(k)
            coordinated = (
                tok.norm in ("и", ",")
                and second is not None
                and second.verbal
                and not sent[k].has_pos("PRTF", "PRTS", "INFN", "GRND")
                and any(start <= h < i - 1 and at[h].verbal for h in at)
            )
            # "…, и Турция поставила Пакистану корветы": after ", и" a new subject with its own finite verb
            own = (
                tok.norm == "и"
                and i > 0
                and sent[i - 1].text == ","
                and any(start <= h < i for h in at)
                and any(
                    sent[k].has_pos("VERB") and not sent[k].has_pos("PRTF", "INFN", "GRND")
                    for k in range(i + 2, min(len(sent), i + 6))
                )
                and any(
                    sent[k].has_pos("NOUN")
                    and "nomn" in sent[k].cases
                    and all(t.has_pos("ADJF") for t in sent[i + 1 : k])
                    for k in range(i + 1, min(len(sent), i + 3))
                )
            )
            # "партия двигателей, изготовленных заводом (г. Харьков), получена Министерством …": after a
            # participle clause, a comma and a finite predicate return to the main clause
            predicate = (
                relative
                and tok.text == ","
                and i + 1 < len(sent)
                and (
                    sent[i + 1].has_pos("PRTS")
                    or (sent[i + 1].has_pos("VERB") and (i + 1) in at)
                    # ", Республика Беларусь отразила экспорт …": a subject and its verb
                    or (
                        sent[i + 1].has_pos("NOUN")
                        and "nomn" in sent[i + 1].cases
                        and any(t.has_pos("VERB") for t in sent[i + 2 : i + 5])
                    )
                )
            )
            if predicate and i > start:
                out.append((start, i, True))
                start, relative = i, False
                continue
            if (cut or colon or participle or coordinated or own) and i > start:
                out.append((start, i, relative))
                start = i + 1 if colon else i
                relative = participle
        out.append((start, len(sent), relative))
        return out

    def _opens_clause(self, sent: list[Token], i: int) -> bool:
        """A compound conjunction starts at i ("после того, как", "потому что"); commas inside skipped."""
        if sent[i].norm not in self._opener_heads:
            return False
        words = [t.norm for t in sent[i : i + 8] if t.text != ","]
        return any(tuple(words[: len(o)]) == o for o in self.lex.clause_openers)

    # -- who gives, who receives --------------------------------------------
    def _assign(
        self,
        sent: list[Token],
        main: Hit,
        hits: list[Hit],
        phrases: list[Phrase],
        items: list[ItemSpan] | None = None,
    ) -> tuple[Actor | None, Actor | None, bool]:
        cls = main.trigger.cls
        nouns = ("supply", "produce", "offer", "service")
        nominal = cls in ("order", "sign") or (not main.verbal and cls in nouns)
        pair = self._pair(sent, main, phrases) if nominal else []
        buyers = [p for p in pair if any(t.lemmas & self.lex.buyer_heads for t in sent[p.start : p.end])]
        # a dative before a noun of transfer, governed by another verb, is not its recipient:
        # "свидетельствует уважение Посольству …  и подтверждает заказ на ремонт"
        governed = [
            p
            for p in phrases
            if not (
                p.role == "dative"
                and not main.verbal
                and p.end <= main.index
                and any(t.has_pos("VERB") for t in sent[p.end : main.index])
            )
            and p not in pair
        ]

        def first(*roles: str) -> Actor | None:
            phrase = first_phrase(*roles)
            return phrase.actor if phrase is not None else None

        def first_phrase(*roles: str) -> Phrase | None:
            for p in governed:
                if p.role in roles and not p.origin:
                    return p
            return None

        supplier = first("supplier")
        recipient = first("recipient")
        subject = first("subject")
        instr = first("instr")
        with_party = first("with")
        dative = first("dative")
        ambiguous = first("gen-or-dative")
        gen_phrase = first_phrase("gen")
        gen = gen_phrase.actor if gen_phrase is not None else None
        recipient = recipient or dative
        for p in governed:
            # an indeclinable name ("Баку", "РБ") before the trigger is its subject, after it its object
            if p.role != "indecl" or p.actor in (subject, recipient, supplier):
                continue
            if p.start < main.index and subject is None:
                subject = p.actor
            elif p.start > main.index and ambiguous is None and recipient is None:
                ambiguous = p.actor
            elif ambiguous is None and recipient is None and "datv" in sent[p.head].cases:
                ambiguous = p.actor  # "Вертолёты Ми-17 Индии продала Россия": object first, dative after it
        acquiring = cls in ("acquire", "acquire-order")
        if cls == "win-order":
            # the subject wins the order; the party it comes from ("от министерства …") buys
            supplier, recipient = subject or instr, recipient or supplier or ambiguous
        elif cls == "arrive":
            # "в ВС РБ из Российской Федерации поступили истребители": the goods are the subject; the
            # destination receives, the origin supplies
            recipient = recipient or ambiguous
            supplier = supplier or with_party or (gen if not main.verbal else None)
        elif main.passive and acquiring:
            # "были закуплены Азербайджаном у Израиля": the agent of a passive purchase is the buyer
            recipient = recipient or instr
            supplier = supplier or with_party
        elif main.passive:
            agent = next(
                (
                    p
                    for p in governed
                    if p.role == "indecl" and 0 < p.start - main.index <= 2 and p.actor.kind == "organisation"
                ),
                None,
            )
            makes = cls in ("produce", "service")
            if agent is not None and (instr is not None or not makes or self._buyer(sent, agent)):
                agent = None
            if agent is not None:
                # "изготовленных ГП «Завод …» (г. Харьков)": an undeclined name right after a passive
                # participle is its agent
                supplier = supplier or agent.actor
                ambiguous = None if ambiguous is agent.actor else ambiguous
            supplier = supplier or instr
            recipient = recipient or ambiguous
        elif nominal:
            # nominal and contract events: the subject takes whichever side is open
            supplier = supplier or instr or (first("works") if cls in ("service", "produce") else None)
            supplier, recipient = self._pair_sides(pair, supplier, recipient)
            if supplier is None and recipient is None and len(pair) == 2:
                # "Сделка между Москвой и Каиром о поставке … Су-35": the maker of the goods sells
                supplier, recipient = self._maker_sides(pair, items or [])
            if supplier is None and recipient is None and len(buyers) == 1:
                # "между ООО «…» (Республика Беларусь) и Министерством обороны Казахстана": the ministry buys
                recipient = buyers[0].actor
                supplier = next(p.actor for p in pair if p is not buyers[0])
            if (
                recipient is None
                and gen_phrase is not None
                and cls in ("supply", "offer")
                and gen_phrase.start > main.index
                and "datv" in sent[gen_phrase.head].cases
                and (
                    supplier is not None
                    or subject is not None
                    or any(p.origin and p.actor.code != gen_phrase.actor.code for p in phrases)
                )
            ):
                # "поставка Турции", "продажа азербайджанской компании … белорусского производства":
                # after a noun of supply with another party known, a dative-or-genitive name is the buyer
                recipient, gen = gen_phrase.actor, None
            if subject is not None and with_party is not None and supplier is None and recipient is None:
                # "Россия подписала с Нейпьидо контракт на Су-30СМЭ": of two signers, the goods' maker sells
                made = {s.origin for it in items or () if (s := self.kb.systems.get(it.item.system or ""))}
                if subject.code in made and with_party.code not in made:
                    supplier, recipient = subject, with_party
                elif with_party.code in made and subject.code not in made:
                    supplier, recipient = with_party, subject
            if subject is not None:
                if recipient is not None and subject.code != recipient.code:
                    supplier = supplier or subject
                elif supplier is not None and subject.code != supplier.code:
                    recipient = subject
                elif supplier is None and recipient is None:
                    # a side already named takes the subject too: "Исполнитель выполняет … на ГП «…»"
                    if self._sells(subject) or (cls not in ("order", "sign") and with_party is None):
                        supplier = subject
                    else:
                        recipient = subject
            with_phrase = first_phrase("with")
            if (
                with_party is not None
                and with_phrase is not None
                and recipient is None
                and self._buyer(sent, with_phrase)
            ):
                # "контракт с Министерством обороны Азербайджана", "договор с Силами обороны Уганды": the
                # ministry or army a contract is made with buys
                recipient = with_party
            elif with_party is not None:
                if supplier is None and (recipient is None or with_party.code != recipient.code):
                    supplier = with_party
                elif recipient is None and (supplier is None or with_party.code != supplier.code):
                    recipient = with_party
            if ambiguous is not None:
                if recipient is None:
                    recipient = ambiguous
                elif supplier is None:
                    supplier = ambiguous
            if cls == "service" and recipient is None:
                # "ремонт штурмовиков Сил воздушной обороны Казахстана": the owner follows the noun;
                # "в центре войск ПВО Беларуси прошли обучение военнослужащих …": the provider precedes it
                gens = [p for p in governed if p.role == "gen" and not p.origin]
                owner = next((p for p in gens if p.start > main.index), gen_phrase)
                recipient = owner.actor if owner is not None else None
                if supplier is None and owner is not None:
                    supplier = next(
                        (p.actor for p in gens if p.start < main.index and p.actor.code != owner.actor.code),
                        None,
                    )
            elif supplier is None and gen is not None and gen is not recipient:
                supplier = gen  # "поставки Белоруссии в Азербайджан"
        elif acquiring:
            if not main.verbal and instr is not None and recipient is None:
                # "белорусская сторона согласна на приобретение Министерством обороны Азербайджана …":
                # the agent of a purchase noun buys, and the subject is then the other side
                recipient = instr
                if supplier is None and subject is not None and subject.code != instr.code:
                    supplier = subject
            recipient = recipient or subject or instr
            supplier = supplier or with_party or first("at")
            if recipient is None and ambiguous is not None:
                recipient = ambiguous
        else:  # supply, produce, service, offer as verbs
            supplier = supplier or subject or instr
            recipient = recipient or ambiguous or first("object")
            if (
                recipient is None
                and cls in ("supply", "offer")
                and gen_phrase is not None
                and "datv" in sent[gen_phrase.head].cases
                and gen_phrase.actor is not supplier
            ):
                recipient = gen_phrase.actor  # "Вертолёты Ми-17 Индии продала Россия": the dative reading
            if recipient is None and with_party is not None and cls == "offer":
                recipient = with_party
            if cls == "service" and recipient is None:
                recipient = gen
        with_phrase = first_phrase("with")
        if (
            recipient is None
            and with_phrase is not None
            and (supplier is None or with_phrase.actor.code != supplier.code)
            and self._buyer(sent, with_phrase)
        ):
            recipient = with_phrase.actor  # "договор с Министерством обороны Сербии …, отремонтировано …"
        if supplier is recipient:
            recipient = None
        explicit = supplier is not None and recipient is not None
        return supplier, recipient, explicit

    def _pair(self, sent: list[Token], main: Hit, phrases: list[Phrase]) -> list[Phrase]:
        """The two parties of a contract: "между X и Y", or "X и Y заключили контракт"."""
        pair = [p for p in phrases if p.role == "pair" and not p.origin]
        if len(pair) >= 2:
            return pair[:2]
        before = [
            p for p in phrases if p.role in ("subject", "indecl") and not p.origin and p.start < main.index
        ]
        # "подписанный Москвой и Нью-Дели": the coordinated agents of a signed contract
        agents = [p for p in phrases if p.role == "instr" and not p.origin and p.start > main.index]
        for a, b in [*itertools.pairwise(before), *itertools.pairwise(agents)]:
            if b.coord and a.actor.code != b.actor.code:
                return [a, b]
        return []

    def _pair_sides(
        self, pair: list[Phrase], supplier: Actor | None, recipient: Actor | None
    ) -> tuple[Actor | None, Actor | None]:
        """Which of a contract's two parties sells: the one the other roles leave, else by its kind."""
        if len(pair) != 2:
            return supplier, recipient
        a, b = pair[0].actor, pair[1].actor
        if supplier is not None and recipient is None:
            other = b if supplier.code == a.code else a if supplier.code == b.code else None
            return supplier, other
        if recipient is not None and supplier is None:
            other = b if recipient.code == a.code else a if recipient.code == b.code else None
            return other, recipient
        if supplier is not None or recipient is not None:
            return supplier, recipient
        if (self._sells(a) and not self._sells(b)) or (self._buys(b) and not self._buys(a)):
            return a, b
        if (self._sells(b) and not self._sells(a)) or (self._buys(a) and not self._buys(b)):
            return b, a
        return None, None

    def _buyer(self, sent: list[Token], p: Phrase) -> bool:
        """A ministry, an army or a force: by the knowledge base, or by its head words."""
        if self._sells(p.actor):
            return False
        return self._buys(p.actor) or any(t.lemmas & self.lex.buyer_heads for t in sent[p.start : p.end])

    def _sells(self, actor: Actor) -> bool:
        org = self.kb.organisations.get(actor.id)
        return org is not None and org.kind in ("export-agency", "defence-firm")

    def _buys(self, actor: Actor) -> bool:
        org = self.kb.organisations.get(actor.id)
        return org is not None and org.kind in ("ministry", "armed-force")

    def _carry(
        self,
        supplier: Actor | None,
        recipient: Actor | None,
        main: Hit,
        account: Account | None,
        context: DocumentContext | None,
    ) -> tuple[Actor | None, Actor | None, list[DocumentSpan]]:
        """Fill a missing party from the page's account, then from the document's paperwork."""
        spans: list[DocumentSpan] = []
        if account is not None:
            if supplier is None and (recipient is None or recipient.code == account.recipient.code):
                supplier = account.supplier
                spans += account.spans
            if recipient is None and supplier is not None and supplier.code == account.supplier.code:
                recipient = account.recipient
                spans += [s for s in account.spans if s not in spans]
        if context is not None:
            supplier, recipient, papers = context.fill(supplier, recipient)
            spans += papers
        return supplier, recipient, spans

    def _compound_sides(
        self, phrases: list[Phrase], items: list[ItemSpan]
    ) -> tuple[Actor | None, Actor | None]:
        """ "российско-иранский контракт на С-300": the maker of the goods sells, else the first state."""
        pair = [p.actor for p in phrases if p.form == "compound"]
        if len(pair) != 2:
            return None, None
        a, b = pair
        origins = {s.origin for it in items if (s := self.kb.systems.get(it.item.system or "")) is not None}
        if b.code in origins and a.code not in origins:
            return b, a
        return a, b

    def _maker_sides(self, pair: list[Phrase], items: list[ItemSpan]) -> tuple[Actor | None, Actor | None]:
        """ "Россия и Индия заключили контракт на поставку С-400": of two parties, the goods' maker sells."""
        if len(pair) != 2:
            return None, None
        a, b = pair[0].actor, pair[1].actor
        origins = {s.origin for it in items if (s := self.kb.systems.get(it.item.system or "")) is not None}
        if a.code in origins and b.code not in origins:
            return a, b
        if b.code in origins and a.code not in origins:
            return b, a
        return None, None

    def _on_topic(
        self, items: list[ItemSpan], topic: list[tuple[Item, DocumentSpan]]
    ) -> tuple[Item, DocumentSpan] | None:
        """The system the page named before, when the clause names its goods only by a bare head of the
        same kind ("комплексы", "аппарат", "машины"): the page's last named system."""
        if not topic or not items or any(it.item.system for it in items):
            return None
        last = topic[-1]
        if any(it.item.category not in (last[0].category, "other") for it in items):
            return None
        return last

    def _maker_state(self, item: Item) -> Actor | None:
        system = self.kb.systems.get(item.system or "")
        state = self.kb.states.get(system.origin or "") if system is not None else None
        if state is None or state.historical:
            return None
        return Actor(id=state.code, name=self.kb.state_name(state.code), kind="state")

    def _origin(self, items: list[ItemSpan], phrases: list[Phrase], recipient: Actor) -> Actor | None:
        """A supplier named only as the origin of the goods: "белорусских комплексов", a catalogue system."""
        for p in phrases:
            if p.origin and p.actor.code != recipient.code:
                return p.actor
        for it in items:
            system = self.kb.systems.get(it.item.system or "")
            state = self.kb.states.get(system.origin or "") if system is not None else None
            if state is not None and not state.historical and state.code != recipient.code:
                # a Soviet design is no supplier of today's goods: the state that made it no longer exists
                return Actor(id=state.code, name=self.kb.state_name(state.code), kind="state")
        return None

    # -- status, hedges, domestic deliveries ---------------------------------
    def _status(self, sent: list[Token], lo: int, hi: int, main: Hit, hits: list[Hit]) -> Status:
        lex = self.lex
        clause = sent[lo:hi]
        lemmas = [t.lemmas | {t.norm} for t in clause]
        for phrase in lex.cancel_phrases:
            for k in range(len(lemmas) - len(phrase) + 1):
                if all(phrase[n] in lemmas[k + n] for n in range(len(phrase))):
                    return "cancelled"
        every = set().union(*lemmas) if lemmas else set()
        said = set().union(*(t.lemmas for t in sent[self._reach(sent, lo) : lo]))
        if (every | said) & lex.status_words["denied"]:
            return "denied"
        if self._negated(sent, main.index):
            return "denied"
        if (every | said) & lex.status_words["cancelled"]:
            return "cancelled"
        if main.trigger.cls == "offer" or any(h.trigger.cls == "offer" for h in hits if h.index < main.index):
            return "offered"
        if main.verbal and any(
            h.trigger.cls == "offer"
            and not h.verbal
            and h.index > main.index
            and "accs" in sent[h.index].cases
            and not any(o.verbal for o in hits if main.index < o.index < h.index)
            for h in hits
        ):
            return "offered"  # "направила министерству коммерческое предложение на поставку"
        offer_words = lex.status_words["offered"] if main.verbal else lex.ready
        if (not main.verbal or sent[main.index].has_pos("INFN")) and any(
            t.lemmas & offer_words for t in sent[max(lo, main.index - 3) : main.index]
        ):
            return "offered"  # "готово поставить", "выразила готовность передать", "готово рассмотреть …"
        if main.trigger.cls == "service":
            return "service"
        tok = sent[main.index]
        if main.verbal and tok.reading.future and not tok.reading.past:
            return "ordered"
        past = tok.reading.past or main.passive
        if main.verbal and main.trigger.cls in ("supply", "acquire", "arrive") and past:
            if main.passive and self._future_aux(sent, main.index):
                return "ordered"
            return "delivered"
        if main.trigger.cls in ("order", "sign", "acquire-order", "win-order", "produce"):
            return "ordered"
        if every & lex.status_words["ordered"] or any(h.trigger.cls == "order" for h in hits):
            return "ordered"
        if main.verbal and tok.has_pos("INFN"):
            return "ordered"  # "обязуется поставить", "прошу отгрузить"
        return main.trigger.status

    def _future_aux(self, sent: list[Token], index: int) -> bool:
        return any(t.norm in ("будут", "будет", "будем") for t in sent[max(0, index - 3) : index])

    def _negated(self, sent: list[Token], index: int) -> bool:
        if not sent[index].has_pos(*_VERBAL):
            # "Таких поставок из Республики Беларусь не осуществлялось": a negated light verb after the noun
            ahead = sent[index + 1 : index + 11]
            for k, tok in enumerate(ahead[1:], start=1):
                if tok.text in ",.;:":
                    break
                light = {lm[:-2] if lm.endswith("ся") else lm for lm in tok.lemmas}  # "не осуществлялось"
                negated = ahead[k - 1].norm in self.lex.negations
                if negated and light & (self.lex.light_verbs | self.lex.auxiliaries):
                    return True
        j = index - 1
        while j >= 0 and (sent[j].lemmas & (self.lex.auxiliaries | self.lex.light_verbs)) and index - j <= 3:
            j -= 1
        if j < 0 or sent[j].norm not in self.lex.negations:
            return False
        return not (index + 1 < len(sent) and sent[index].norm in self.lex.negation_exceptions)

    def _reach(self, sent: list[Token], lo: int) -> int:
        """A reported clause (", что …") hears the words of the clause that reports it: "опроверг, что …"."""
        return 0 if lo > 0 and sent[lo].norm in ("что", "будто") else lo

    def _hedged(self, sent: list[Token], lo: int, main: Hit) -> bool:
        lo = self._reach(sent, lo)
        window = sent[max(lo, main.index - 8) : main.index] + sent[main.index + 1 : main.index + 3]
        if main.trigger.cls == "offer":
            return False
        if any(t.lemmas & self.lex.ready for t in sent[max(lo, main.index - 3) : main.index]):
            return False  # "готово рассмотреть поставку": a seller's offer, not a guess
        if (
            not main.verbal
            and main.index > 0
            and sent[main.index - 1].norm == "за"
            and any(t.lemmas & self.lex.penalties for t in sent[lo : main.index])
        ):
            return True  # "санкции против Турции за покупку С-400": a penalty, not a report of the deal
        return any(t.lemmas & self.lex.hedges or t.norm in self.lex.hedges for t in window)

    def _domestic(self, sent: list[Token], lo: int, hi: int, phrases: list[Phrase]) -> bool:
        """ "для собственных вооружённых сил", "в свою армию": the supplier's own forces."""
        for i in range(lo, hi):
            if sent[i].lemmas & self.lex.domestic_markers and not any(p.start <= i < p.end for p in phrases):
                # "министерства национальной обороны Филиппин" names its state: not the supplier's own
                nxt = sent[i + 1 : i + 4]
                if any(t.lemmas & self.lex.institutions for t in nxt) and not any(
                    p.start > i and p.start <= i + 3 for p in phrases
                ):
                    return True
        return False

    # -- items ----------------------------------------------------------------
    def _items(
        self, sent: list[Token], mentions: list[Mention], blocked: set[int], trigger_at: set[int]
    ) -> list[ItemSpan]:
        lex = self.lex
        actor_at = {i for i in blocked} - {
            i for m in mentions if m.kind == "system" for i in range(m.start, m.end)
        }
        raw: list[tuple[int, int, Mention | None, str]] = []  # start, end, mention, head lemma
        for m in mentions:
            if m.kind == "equip" and any(i in actor_at for i in range(m.start, m.end)):
                continue  # "войск противовоздушной обороны": part of an institution's name, not goods
            if m.kind in ("system", "equip"):
                raw.append((m.start, m.end, m, ""))
        covered = {i for s, e, _, _ in raw for i in range(s, e)}
        for i, tok in enumerate(sent):
            if i in covered or i in actor_at or i in trigger_at or not tok.has_pos("NOUN", "UNKN"):
                continue
            head = self._item_head(tok)
            if head is None and _MODEL.fullmatch(tok.text):
                head = ""  # a designation the catalogue does not know is still goods: "Су-57"
            if head is None or (head in lex.measure_words and not self._item_follows(sent, i)):
                continue
            if head in lex.generic_items and (
                (i > 0 and sent[i - 1].lemmas & lex.money_words)
                or (i + 1 < len(sent) and sent[i + 1].lemmas & lex.money_words)
            ):
                continue  # "уплаченные средства", "средства массовой информации": money or media, not goods
            raw.append((i, i + 1, None, head))
        raw.sort(key=lambda r: r[0])
        # a head noun right before a catalogue name is one item: "комплексов «Гроза-С»"
        groups: list[list[tuple[int, int, Mention | None, str]]] = []
        for r in raw:
            if groups:
                last = groups[-1][-1]
                gap = sent[last[1] : r[0]]
                # "комплексов «Гроза-С»", "станции противодронной защиты «Гроза-С»"
                if (
                    all(
                        t.is_quote
                        or t.has_pos("ADJF", "PRTF")
                        or t.text in "-–"
                        or (t.lemmas & lex.item_tail and "gent" in t.cases)
                        for t in gap
                    )
                    and len(gap) <= 3
                ):
                    groups[-1].append(r)
                    continue
            groups.append([r])
        out: list[ItemSpan] = []
        for g in groups:
            start, end = g[0][0], g[-1][1]
            system = next((m.system for _, _, m, _ in g if m is not None and m.system), None)
            equip = next((m.equip for _, _, m, _ in g if m is not None and m.equip), None)
            heads = [h for _, _, m, h in g if m is None]
            start = self._grow_left(sent, start, blocked | trigger_at)
            end = self._grow_right(sent, end, blocked | trigger_at)
            if sent[end - 1].text == "»" and start > 0 and sent[start - 1].text == "«":
                start -= 1  # "«Панцири»": a bare quoted name keeps both its quotes
            text = _text(sent, start, end)
            if system is not None:
                item = Item(text=text, system=system.id, category=system.category)
            elif equip is not None:
                item = Item(text=text, system=None, category=equip.category)
            else:
                category = lex.item_heads.get(heads[-1] if heads else "", "other")
                item = Item(text=text, system=None, category=category)
            generic = system is None and equip is None and all(h in lex.generic_items for h in heads)
            out.append(ItemSpan(start, end, item, generic, self._quantity(sent, start, end)))
        return self._purposes(sent, out, blocked | trigger_at)

    def _purposes(self, sent: list[Token], items: list[ItemSpan], stop: set[int]) -> list[ItemSpan]:
        """ "прицел для 82-мм миномёта", "комплекс для борьбы с дронами": a purpose is part of the item."""
        out: list[ItemSpan] = []
        for it in items:
            if out:
                prev = out[-1]
                gap = sent[prev.end : it.start]
                fitted = (
                    len(gap) >= 2 and gap[0].norm in ("с", "со") and bool(gap[1].lemmas & self.lex.fittings)
                )
                if (
                    gap
                    and len(gap) <= 4
                    and (gap[0].norm in self.lex.purposes or fitted)
                    and not any(k in stop for k in range(prev.end, it.start))
                    and all(
                        not (t.is_punct and t.text not in "-–") and not t.has_pos("VERB", "INFN", "CONJ")
                        for t in gap[1:]
                    )
                ):
                    keep = prev.item if prev.item.system or not it.item.system else it.item
                    text = _text(sent, prev.start, it.end)
                    item = Item(text=text, system=keep.system, category=keep.category)
                    out[-1] = ItemSpan(prev.start, it.end, item, prev.generic and it.generic, prev.quantity)
                    continue
            out.append(it)
        return out

    def _item_head(self, tok: Token) -> str | None:
        """The item-head lemma of a word: "танков" -> танк, "БТР" -> бтр, "БРДМ-2МС" -> брдм (its type)."""
        heads = self.lex.item_heads
        head = next((lm for lm in tok.lemmas if lm in heads), None)
        if head is None and tok.text.isupper() and tok.norm in heads:
            head = tok.norm
        if head is None and tok.text[:2].isupper() and "-" in tok.norm and tok.norm.split("-")[0] in heads:
            head = tok.norm.split("-")[0]  # a model designation: the type before the hyphen
        return head

    def _item_follows(self, sent: list[Token], i: int) -> bool:
        """A measure word that is goods itself: an item head follows ("комплект РЛС"), or a designation does
        ("машины Bastion"), or an adjective qualifies it ("бронированные машины")."""
        if i + 1 < len(sent) and self._item_head(sent[i + 1]) is not None:
            return True
        if i + 1 < len(sent) and (sent[i + 1].text[:1] in '«"' or sent[i + 1].has_pos("UNKN", "OTHER")):
            return sent[i + 1].text[:1].isupper() or sent[i + 1].text[:1] in '«"'
        return (
            i > 0
            and bool(sent[i].lemmas & self.lex.goods_measures)
            and sent[i - 1].has_pos("ADJF", "PRTF")
            and not sent[i - 1].has_pos("NUMR", "NPRO")
        )

    def _grow_left(self, sent: list[Token], start: int, stop: set[int]) -> int:
        while (
            start > 0
            and start - 1 not in stop
            and sent[start - 1].has_pos("ADJF", "PRTF")
            and not sent[start - 1].has_pos("NUMR", "PREP", "CONJ", "NPRO", "PRCL")
            and not sent[start - 1].lemmas & self.lex.domestic_markers
        ):
            start -= 1
        return start

    def _grow_right(self, sent: list[Token], end: int, stop: set[int]) -> int:
        """Genitive dependents that belong to the description: "станции радиоэлектронной борьбы"."""
        n = 0
        while end < len(sent) and end not in stop and n < 4:
            tok = sent[end]
            if (tok.lemmas & self.lex.item_tail and "gent" in tok.cases) or (
                tok.is_quote and end + 1 < len(sent) and sent[end + 1].text[:1].isupper()
            ):
                end += 1
                n += 1
                continue
            if tok.text == "»":
                end += 1
                continue
            if _DESIGNATION.fullmatch(tok.text) or _MODEL.fullmatch(tok.text):
                end += 1  # a model designation after its head: "установок 2С3", "станций П-18"
                n += 1
                continue
            if tok.is_quote is False and tok.text[:1].isupper() and end > 0 and sent[end - 1].text == "«":
                end += 1
                continue
            break
        if end > 0 and sent[end - 1].text == "«":
            end -= 1
        return end

    def _quantity(self, sent: list[Token], start: int, end: int) -> int | None:
        """ "4 (четыре) единицы комплекса", "шесть РСЗО", "… в количестве 4 (четырёх) единиц"."""
        j = start - 1
        steps = 0
        while j >= 0 and steps < 6:
            tok = sent[j]
            if tok.text.isdigit() and not _is_year(tok.text):
                return int(tok.text)
            word = next((self.lex.number_words[lm] for lm in tok.lemmas if lm in self.lex.number_words), None)
            if word is not None and not (j > 0 and sent[j - 1].text == "("):
                return word
            if tok.text in "()" or tok.lemmas & self.lex.measure_words or word is not None:
                j -= 1
                steps += 1
                continue
            break
        if end + 2 < len(sent) and sent[end].text == "," and sent[end + 1].text.isdigit():
            # "станции радиоэлектронной разведки, 3 (три) комплекта": a count with its measure word
            k = end + 2
            while k < len(sent) and (sent[k].text in "()" or sent[k].lemmas & set(self.lex.number_words)):
                k += 1
            if k < len(sent) and sent[k].lemmas & self.lex.measure_words and not _is_year(sent[end + 1].text):
                return int(sent[end + 1].text)
        for k in range(end, min(end + 8, len(sent) - 1)):
            if sent[k].norm in ("количестве", "количество") and k + 1 < len(sent):
                # "в количестве 4 (четырёх) единиц", "количество: 40 шт."
                nxt = sent[k + 2] if sent[k + 1].text in ":—–-" and k + 2 < len(sent) else sent[k + 1]
                if nxt.text.isdigit():
                    return int(nxt.text)
                words = self.lex.number_words
                return next((words[lm] for lm in nxt.lemmas if lm in words), None)
        return None

    # -- years -----------------------------------------------------------------
    def _years(self, text: str, reference_year: int | None) -> tuple[int, int] | None:
        # "на условиях CIP Баку (Инкотермс 2010)", "ГОСТ 15150-69", "ISO 9001:2015": editions, not dates
        text = _EDITION.sub(lambda m: " " * len(m.group(0)), text)
        found: list[int] = []
        for m in _RANGE.finditer(text):
            found += [int(m.group(1)), int(m.group(2))]
        if not found:
            found = [int(m.group(1)) for m in _SINGLE.finditer(text)]
        since = [int(m.group(1)) for m in _SINCE.finditer(text)]
        if since and reference_year and reference_year >= max(since):
            found.append(reference_year)
        if not found:
            return None
        return min(found), max(found)


def _is_year(text: str) -> bool:
    return len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2100


def _text(sent: list[Token], start: int, end: int) -> str:
    """The surface text of tokens start..end, with the page's own spacing."""
    out = sent[start].text
    for a, b in zip(sent[start : end - 1], sent[start + 1 : end], strict=True):
        out += (" " if b.start > a.end else "") + b.text
    return out
