"""The anatomy of a document: what kind of paper it is and what its header says.

Official paperwork carries facts outside its sentences: a letter's letterhead names the
sender, its addressee line the recipient of the letter, a contract's preamble names the
Seller and the Buyer, its specification table lists the goods. The extractors read
sentences; this module reads the paper around them, language-neutrally, with each
language's vocabulary in `lang/<code>/anatomy.yaml`.

What it gives:
- `Document.metadata` keys `class`, `date`, `ref_out`, `ref_in`, `sender`, `addressee`,
  `signatory`, `subject` (set only where the ingest has not set them);
- a `DocumentContext` for the language pack: parties named by the paperwork with the
  exact header or label line as evidence, so a letter from a state exporter about an order
  "для Вооружённых сил Азербайджанской Республики" yields a transfer from the exporter's state;
- transfers from specification table rows (item, quantity, prices) between the contract's
  parties, each with the row and the party lines as evidence.
Every span quotes the page exactly: `quote == page_text[start:end]`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import yaml

from armstrace.extract.segment import Segment, segments
from armstrace.kb.model import KnowledgeBase, normalise_name
from armstrace.records import Actor, Document, DocumentSpan, Item, Transfer, stable_id

LANG_DIR = Path(__file__).with_name("lang")
CLASSES = (
    "letter",
    "diplomatic-note",
    "contract",
    "specification",
    "export-passport",
    "end-user-certificate",
    "invoice",
    "news",
    "other",
)
# organisation kinds that sell: a letter from one of them speaks for the supplier
_SELLERS = ("export-agency", "defence-firm")
_BUYERS = ("ministry", "armed-force")
_NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?")
_TITLE_LINES = 12  # lines of page one searched for header fields
_LETTERHEAD_LINE = 160  # a letterhead line is short: a longer one is the body of a text
_CLASS_LINES = 6  # lines that make the title a class is read from first


@dataclass(frozen=True)
class Party:
    """A party the paperwork names, with the line that names it as evidence."""

    actor: Actor
    evidence: DocumentSpan


@dataclass(frozen=True)
class DocumentContext:
    """What a language pack may use to fill a party a sentence leaves unnamed."""

    cls: str
    sender: Party | None = None
    addressee: Party | None = None
    supplier: Party | None = None  # the seller by label or preamble, or a selling sender
    recipient: Party | None = None  # the buyer by label or preamble, or a buying sender
    end_user: Party | None = None
    years: tuple[int, int] | None = None

    def fill(
        self, supplier: Actor | None, recipient: Actor | None
    ) -> tuple[Actor | None, Actor | None, list[DocumentSpan]]:
        """Fill a side a sentence leaves open from the paperwork, with the line that names the party: the
        seller (by label, preamble or a selling sender, else the sender), the buyer (else the end user)."""
        spans: list[DocumentSpan] = []
        seller = self.supplier or self.sender
        buyer = self.recipient or self.end_user
        if (
            supplier is None
            and seller is not None
            and (recipient is None or seller.actor.code != recipient.code)
        ):
            supplier = seller.actor
            spans.append(seller.evidence)
        if (
            recipient is None
            and buyer is not None
            and (supplier is None or buyer.actor.code != supplier.code)
        ):
            recipient = buyer.actor
            spans.append(buyer.evidence)
        return supplier, recipient, spans


def _code(actor: Actor | None) -> str | None:
    return actor.code if actor is not None else None


@dataclass(frozen=True)
class SpecRow:
    """One row of a specification table."""

    item: str
    quantity: int | None
    unit_price: float | None
    total: float | None
    currency: str | None
    evidence: DocumentSpan


@dataclass
class Anatomy:
    cls: str = "other"
    fields: dict[str, str] = field(default_factory=dict)
    spans: dict[str, DocumentSpan] = field(default_factory=dict)
    parties: dict[str, Party] = field(default_factory=dict)
    rows: list[SpecRow] = field(default_factory=list)

    def metadata(self) -> dict[str, str]:
        """The keys `Document.metadata` carries for every document."""
        out = {"class": self.cls}
        for key in (
            "date",
            "ref_out",
            "ref_in",
            "sender",
            "addressee",
            "signatory",
            "position",
            "subject",
            "end_user",
            "delivery_terms",
        ):
            if key in self.fields:
                out[key] = self.fields[key]
        return out

    def context(self, kb: KnowledgeBase) -> DocumentContext:
        sender, addressee = self.parties.get("sender"), self.parties.get("addressee")
        supplier, recipient = self.parties.get("supplier"), self.parties.get("recipient")
        if supplier is None and sender is not None and _kind(sender.actor, kb) in _SELLERS:
            supplier = sender
        if recipient is None and sender is not None and _kind(sender.actor, kb) in _BUYERS:
            recipient = sender
            if supplier is None and addressee is not None and _kind(addressee.actor, kb) in _SELLERS:
                supplier = addressee
        if (
            recipient is None
            and sender is not None
            and addressee is not None
            and addressee.actor.code != sender.actor.code
            and _kind(sender.actor, kb) not in _BUYERS
            and _kind(addressee.actor, kb) in (*_BUYERS, "state")
        ):
            # a firm writing to a foreign ministry ("Начальнику Управления вооружения Министерства
            # обороны Республики Узбекистан") writes to its buyer
            recipient = addressee
            supplier = supplier or sender
        if (
            supplier is None
            and addressee is not None
            and _kind(addressee.actor, kb) in _SELLERS
            and (sender is None or sender.actor.code == addressee.actor.code)
        ):
            # a plant reporting to its state's exporter ("Директору департамента АО «Рособоронэкспорт»"):
            # the goods leave through the exporter
            supplier = addressee
        years = None
        if "date" in self.fields:
            year = int(self.fields["date"][:4])
            years = (year, year)
        return DocumentContext(
            cls=self.cls,
            sender=sender,
            addressee=addressee,
            supplier=supplier,
            recipient=recipient,
            end_user=self.parties.get("end_user"),
            years=years,
        )


@dataclass(frozen=True)
class Vocabulary:
    classes: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    fields: dict[str, tuple[re.Pattern[str], ...]]
    addressee: re.Pattern[str]
    signatory: re.Pattern[str]
    months: dict[str, int]
    labels: dict[str, re.Pattern[str]]
    hereinafter: re.Pattern[str]
    label_roles: dict[str, str]
    delivery: tuple[re.Pattern[str], ...]
    table_start: tuple[re.Pattern[str], ...]
    currencies: tuple[tuple[re.Pattern[str], str], ...]
    item_label: re.Pattern[str]
    between: re.Pattern[str]
    org_form: re.Pattern[str]


def _compile(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I | re.M) for p in patterns)


@lru_cache(maxsize=8)
def vocabulary(language: str) -> Vocabulary:
    """A language's paperwork vocabulary; languages without one are read with the English."""
    path = LANG_DIR / language / "anatomy.yaml"
    if not path.exists():
        path = LANG_DIR / "en" / "anatomy.yaml"
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    name = raw["name"]
    titles = "|".join(raw["signatory_titles"])
    label_roles = {}
    labels = {}
    for role, words in raw["party_labels"].items():
        for w in words:
            label_roles[str(w)] = role
        alternatives = "|".join(map(str, words))
        # a label opens a line, or follows the end of another label's sentence on the same line:
        # "Продавец: ГВТУП «…» (Республика Беларусь). Покупатель: Министерство обороны …"
        labels[role] = re.compile(
            r"(?:^[ \t]*(?:\d+(?:\.\d+)*\.?[ \t]*)?|(?<=[.;])[ \t]+)(?:"
            + alternatives
            + r")[ \t]*[:\-–—][ \t]*(.+)$"
            # or inside a sentence, in any case, with a dash: "представитель Поставщика — АО «…» и …"
            + r"|(?<=[\s(])(?:"
            + alternatives
            + r")\w{0,3}[ \t]+[—–][ \t]+(.+?)(?=\s+и\s+представител|\s+[—–]\s|;|,\s*с\s+(?:одной|другой)|$)",
            re.I | re.M,
        )
    return Vocabulary(
        classes=tuple((cls, _compile(ps)) for cls, ps in raw["classes"].items()),
        fields={k: _compile(v) for k, v in raw["fields"].items()},
        addressee=re.compile(r"^\s*(?:" + "|".join(raw["addressee_titles"]) + r")\b", re.I | re.M),
        signatory=re.compile(r"^\s*(" + titles + r")\b(.*?)(" + name + r")\s*$", re.I | re.M),
        months={str(k).lower(): int(v) for k, v in raw["months"].items()},
        labels=labels,
        hereinafter=re.compile(raw["hereinafter"], re.I),
        label_roles=label_roles,
        delivery=_compile(raw["delivery_terms"]),
        table_start=_compile(raw["table_start"]),
        currencies=tuple((re.compile(k, re.I), str(v)) for k, v in raw["currencies"].items()),
        item_label=re.compile(
            r"^[ \t]*(?:\d+(?:\.\d+)*\.?[ \t]*)?(?:"
            + "|".join(raw["item_labels"])
            + r")[ \t]*[:\-–—][ \t]*(.+)$",
            re.I | re.M,
        ),
        between=re.compile(raw["between"], re.I),
        # an abbreviation matches in capitals only ("АО", not the "ао" of a word); a word in any case
        org_form=re.compile(
            "|".join(
                rf"(?<!\w){re.escape(w)}(?!\w)" if w.isupper() else rf"(?i:\b{w}\w*)"
                for w in raw["org_forms"]
            )
        ),
    )


# -- finding actors in a line -------------------------------------------------
# knowledge base id -> (the knowledge base, its gazetteer): holding the base keeps its id unique
def _gazetteer(kb: KnowledgeBase) -> Any:
    """The Russian pack's gazetteer (Cyrillic and Latin names alike), so headers in either language
    are read with the same names, built once per knowledge base with the pack itself."""
    from armstrace.extract import pack_for

    return cast(Any, pack_for("ru", kb)).gazetteer


def actors_in(
    text: str, kb: KnowledgeBase, offset: int = 0, *, places: bool = False
) -> list[tuple[Actor, int, int]]:
    """States and organisations named in `text`, with page offsets (an organisation first).

    A state named only by its adjective comes after the names ("Военно-воздушных сил Лаосской
    Народной Армии"); with `places`, the states of the towns named ("г. Ковров") come last of all.
    """
    from armstrace.extract.lang.ru.morph import tokenize

    tokens = tokenize(text, offset)
    out: list[tuple[Actor, int, int]] = []
    adjectives: list[tuple[Actor, int, int]] = []
    towns: list[tuple[Actor, int, int]] = []
    for m in _gazetteer(kb).mentions(tokens):
        at = (tokens[m.start].start, tokens[m.end - 1].end)
        if m.actor is not None:
            (adjectives if m.form == "adjective" else out).append((m.actor, *at))
        elif places and m.place is not None and m.form != "adjective":
            code = m.place.state
            towns.append((Actor(id=code, name=kb.state_name(code), kind="state"), *at))
    out.sort(key=lambda a: (a[0].kind != "organisation", a[1]))
    return out + adjectives + towns


# -- reading the document -------------------------------------------------------
def read_anatomy(doc: Document, kb: KnowledgeBase) -> Anatomy:
    """Classify a document and read its header fields, parties and specification rows."""
    from armstrace.extract.lang.ru.morph import deconfuse

    vocab = vocabulary(doc.language or "en")
    anatomy = Anatomy()
    if not doc.pages:
        return anatomy
    # read through OCR look-alikes ("ПАСП0РТ", "Имп0ртёр"); one character for one, so every offset
    # and every evidence span still points at the page as it is
    pages = [deconfuse(page) for page in doc.pages]
    first = pages[0]
    anatomy.cls = classify(first, vocab)
    span = _Spans(doc)
    _header(first, vocab, anatomy, span, kb)
    if "sender" not in anatomy.parties:
        _mail_sender(first, anatomy, span, kb)
    if "sender" not in anatomy.parties:
        _signature_firm(pages[-1], len(pages), vocab, anatomy, span, kb)
    for number, page in enumerate(pages, start=1):
        _parties(page, number, vocab, anatomy, span, kb)
        if "delivery_terms" not in anatomy.fields:
            for pattern in vocab.delivery:
                m = pattern.search(page)
                if m:
                    anatomy.fields["delivery_terms"] = " ".join(m.group(1).split()).rstrip(".;")
                    anatomy.spans["delivery_terms"] = span(number, *_line_at(page, m.start()))
                    break
        _rows(page, number, vocab, anatomy, span)
        _item_fields(page, number, vocab, anatomy, span)
        _list_rows(page, number, anatomy, span)
    _signature(pages[-1], len(pages), vocab, anatomy, span)
    return anatomy


def classify(text: str, vocab: Vocabulary) -> str:
    """The class the title line names; else the first lines; else the body of page one."""
    lines = [line for line in text.splitlines() if line.strip()]
    regions = (lines[0] if lines else "", "\n".join(lines[:_CLASS_LINES]), text[:6000])
    for n, region in enumerate(regions):
        for cls, patterns in vocab.classes:
            if cls == "news" and n < 2:
                continue  # a news cue in a title is a letter or paper quoting the news
            if any(p.search(region) for p in patterns):
                return cls
    return "other"


@dataclass
class _Spans:
    doc: Document

    def __call__(self, page: int, start: int, end: int) -> DocumentSpan:
        text = self.doc.pages[page - 1]
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return DocumentSpan(self.doc.sha256, self.doc.path, page, start, end, text[start:end])


def _line_at(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def parse_date(text: str, vocab: Vocabulary) -> tuple[str, int, int] | None:
    """The first date in `text` as ISO `YYYY-MM-DD`, with its offsets."""
    months = "|".join(vocab.months)
    patterns = [
        (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.((?:19|20)\d\d)\b"), "dmy"),
        (re.compile(rf"\b(\d{{1,2}})\s+({months})\s+((?:19|20)\d\d)", re.I), "dMy"),
        (re.compile(rf"\b({months})\s+(\d{{1,2}}),?\s+((?:19|20)\d\d)", re.I), "Mdy"),
        (re.compile(r"\b((?:19|20)\d\d)-(\d{2})-(\d{2})\b"), "ymd"),
    ]
    best: tuple[str, int, int] | None = None
    for pattern, order in patterns:
        m = pattern.search(text)
        if m is None or (best is not None and m.start() >= best[1]):
            continue
        g = m.groups()
        try:
            if order == "dmy":
                day, month, year = int(g[0]), int(g[1]), int(g[2])
            elif order == "dMy":
                day, month, year = int(g[0]), vocab.months[g[1].lower()], int(g[2])
            elif order == "Mdy":
                day, month, year = int(g[1]), vocab.months[g[0].lower()], int(g[2])
            else:
                year, month, day = int(g[0]), int(g[1]), int(g[2])
            iso = dt.date(year, month, day).isoformat()
        except (ValueError, KeyError):
            continue
        best = (iso, m.start(), m.end())
    return best


def _header(text: str, vocab: Vocabulary, anatomy: Anatomy, span: _Spans, kb: KnowledgeBase) -> None:
    segs = segments(text)
    head_end = segs[min(len(segs), _TITLE_LINES) - 1].end if segs else 0
    head = text[:head_end]
    for key in ("ref_out", "ref_in"):
        for pattern in vocab.fields.get(key, ()):
            m = pattern.search(head)
            if m:
                anatomy.fields[key] = m.group(1).strip().rstrip(".,")
                anatomy.spans[key] = span(1, *_line_at(text, m.start()))
                break
    date = parse_date(head, vocab)
    if date is not None:
        anatomy.fields["date"] = date[0]
        anatomy.spans["date"] = span(1, date[1], date[2])
    for pattern in vocab.fields.get("subject", ()):
        m = pattern.search(head)
        if m:
            anatomy.fields["subject"] = m.group(1).strip()
            anatomy.spans["subject"] = span(1, m.start(1), m.end(1))
            break
    # the addressee: a line that opens with a position title in the dative, or "To:"
    addressee_at: int | None = None
    m = vocab.addressee.search(head)
    if m:
        a_start, a_end = _line_at(text, m.start())
        # the addressee block runs on over the next short lines ("ОАО «КБ Радар»", a name)
        nxt_start = a_end + 1
        while nxt_start < len(head):
            n_start, n_end = _line_at(text, nxt_start)
            line = text[n_start:n_end].strip()
            if not line or len(line) > 80 or vocab.fields["ref_out"][0].search(line):
                break
            a_end, nxt_start = n_end, n_end + 1
        addressee_at = a_start
        anatomy.fields["addressee"] = " ".join(text[a_start:a_end].split())
        anatomy.spans["addressee"] = span(1, a_start, a_end)
        actors = actors_in(text[a_start:a_end], kb, a_start)
        if actors:
            anatomy.parties["addressee"] = Party(actors[0][0], span(1, a_start, a_end))
    # the sender: the first organisation named on the letterhead (before the addressee)
    limit = addressee_at if addressee_at is not None else head_end
    # the letterhead is the first block of lines (up to the addressee): a party named further down, in
    # the body of a report ("1. Контракт с Министерством обороны …"), is not who wrote it
    letterhead = [seg for seg in segs[:_TITLE_LINES] if seg.start < limit and seg.block == segs[0].block]
    for n, seg in enumerate(letterhead):
        actors = [a for a in actors_in(text[seg.start : seg.end], kb, seg.start) if a[0].kind != "state"]
        sender = Party(actors[0][0], span(1, seg.start, seg.end)) if actors else None
        if sender is None and seg.end - seg.start <= _LETTERHEAD_LINE:
            # a firm the knowledge base does not list only on a short letterhead line, not in a lead
            sender = _unlisted_firm(text, letterhead[n : n + 3], vocab, span, kb)
        if sender is not None:
            anatomy.fields["sender"] = sender.actor.name
            anatomy.parties["sender"] = sender
            anatomy.spans["sender"] = sender.evidence
            break


_FROM = re.compile(r"^[ \t]*(?:от|from|отправитель|sender)[ \t]*:[ \t]*(.+)$", re.I | re.M)
_DOMAIN = re.compile(r"@((?:[\w-]+\.)+([a-z]{2}))\b", re.I)


def _mail_sender(text: str, anatomy: Anatomy, span: _Spans, kb: KnowledgeBase) -> None:
    """An e-mail's sender placed by the country domain of the address: "От: … <d.m@yugoimport-sales.rs>"."""
    head = "\n".join(text.splitlines()[:_TITLE_LINES])
    m = _FROM.search(head)
    domain = _DOMAIN.search(m.group(1)) if m else None
    if m is None or domain is None:
        return
    tld = domain.group(2).upper()
    code = "GB" if tld == "UK" else tld
    if code not in kb.states or kb.states[code].historical:
        return
    name = domain.group(1).lower()
    actor = Actor(id=f"firm:{code.lower()}:{name}", name=name, kind="organisation", state=code)
    anatomy.parties["sender"] = Party(actor, span(1, *_line_at(text, m.start(1))))
    anatomy.fields["sender"] = name


def _signature_firm(
    text: str, page: int, vocab: Vocabulary, anatomy: Anatomy, span: _Spans, kb: KnowledgeBase
) -> None:
    """A firm named with its town under the signature: "ОАО «Минский оптический завод «Линза-М», г. Минск"."""
    segs = [seg for seg in segments(text) if seg.end - seg.start <= _LETTERHEAD_LINE][-3:]
    for n, seg in enumerate(segs):
        found = actors_in(text[seg.start : seg.end], kb, seg.start)
        orgs = [a for a in found if a[0].kind == "organisation"]
        party = Party(orgs[0][0], span(page, seg.start, seg.end)) if orgs else None
        party = party or _unlisted_firm(text, segs[n : n + 2], vocab, span, kb, page)
        if party is not None:
            anatomy.parties["sender"] = party
            anatomy.fields["sender"] = party.actor.name
            return


def _unlisted_firm(
    text: str, lines: list[Segment], vocab: Vocabulary, span: _Spans, kb: KnowledgeBase, page: int = 1
) -> Party | None:
    """A letterhead firm the knowledge base does not list, placed by the state its letterhead names:
    "ОАО «Гомельский радиозавод» (Республика Беларусь)", or the firm's line and "г. Минск" below it."""
    first = lines[0]
    line = text[first.start : first.end]
    if not vocab.org_form.search(line) or vocab.addressee.search(line):
        return None
    for seg in lines:
        # "(Республика Беларусь)", "белорусская", or the town: "601900, г. Ковров"
        found = actors_in(text[seg.start : seg.end], kb, seg.start, places=True)
        states = [a for a in found if a[0].kind == "state"]
        if states:
            code = states[0][0].id
            name = line[: states[0][1] - first.start].strip(" ,(–—-") if seg is first else line.strip()
            name = name or line.strip()
            firm_id = f"firm:{code.lower()}:{stable_id(name)}"
            actor = Actor(id=firm_id, name=name, kind="organisation", state=code)
            return Party(actor, span(page, first.start, seg.end))
    return None


def _signature(text: str, page: int, vocab: Vocabulary, anatomy: Anatomy, span: _Spans) -> None:
    """The last line with a position title and a name: who signed, and as what."""
    matches = list(vocab.signatory.finditer(text))
    if not matches:
        return
    m = matches[-1]
    position = " ".join((m.group(1) + " " + m.group(2)).split()).strip(" ,")
    anatomy.fields["signatory"] = m.group(3).strip()
    anatomy.fields["position"] = position
    anatomy.spans["signatory"] = span(page, m.start(), m.end())


def _parties(
    text: str, page: int, vocab: Vocabulary, anatomy: Anatomy, span: _Spans, kb: KnowledgeBase
) -> None:
    """Contract parties by label line ("Продавец: …") or preamble ("…, именуемое в дальнейшем «Продавец»")."""
    for role, pattern in vocab.labels.items():
        if role in anatomy.parties:
            continue
        for m in pattern.finditer(text):
            group = 1 if m.group(1) is not None else 2
            line_start, line_end = _line_at(text, m.start(group))
            line_end = min(line_end, m.end(group)) if group == 2 else line_end
            # the value ends where the next sentence on the line begins (another label, most often)
            stop = re.search(r"[.;][ \t]+(?=[^\W\d_][^\W\d_]+\s*[:\-–—])", text[m.start(group) : line_end])
            value_end = m.start(group) + stop.start() + 1 if stop else line_end
            if group == 1 and not stop:
                value_end = _continued(text, value_end)
            value = text[m.start(group) : value_end]
            actors = actors_in(value, kb, m.start(group))
            if not actors and group == 1 and not stop:
                # "Грузополучатель: Командование противовоздушной обороны Боливарианских национальных" /
                # "вооружённых сил Венесуэлы, г. Каракас": a value wrapped onto a line of its own
                nxt = text.find("\n", value_end + 1)
                nxt = len(text) if nxt < 0 else nxt
                line = text[value_end + 1 : nxt]
                if value_end < len(text) and not re.match(r"\s*[^\W\d_][\w .]{0,40}:", line):
                    value_end = nxt
                    value = text[m.start(group) : value_end]
                    actors = actors_in(value, kb, m.start(group))
            sender = anatomy.parties.get("sender")
            if not actors and sender is not None and _same_name(sender.actor.name, value):
                # "Исполнитель: ТОО «…»" naming the firm of the letterhead, placed there by its address
                actors = [(sender.actor, m.start(group), value_end)]
            if actors:
                start = line_start if m.start() <= line_start else m.start()
                anatomy.parties[role] = Party(actors[0][0], span(page, start, value_end))
                if role == "end_user":
                    anatomy.fields["end_user"] = actors[0][0].name
                break
    for m in vocab.hereinafter.finditer(text):
        named = _label_role(m.group(1), vocab)
        if named is None or named in anatomy.parties:
            continue
        # the party is the last actor named between the previous clause boundary and the label
        bounds = [b.end() for b in _PARTY_BOUND.finditer(text, 0, m.start())]
        lo = bounds[-1] if bounds else 0
        actors = sorted(actors_in(text[lo : m.start()], kb, lo), key=lambda a: a[1])
        orgs = [a for a in actors if a[0].kind == "organisation"] or actors
        if orgs:
            anatomy.parties[named] = Party(orgs[0][0], span(page, lo, m.end()))
    if page == 1 and not {"supplier", "recipient"} <= anatomy.parties.keys():
        _between(text, vocab, anatomy, span, kb)


def _between(text: str, vocab: Vocabulary, anatomy: Anatomy, span: _Spans, kb: KnowledgeBase) -> None:
    """A title that names both parties: "Спецификация № 1 к Контракту № … между АО «Рособоронэкспорт» и
    Министерством обороны Республики Казахстан"; the seller is told from the buyer by kind."""
    line_start = 0
    for line in text.splitlines(keepends=True)[:_TITLE_LINES]:
        here, line_start = line_start, line_start + len(line)
        m = vocab.between.search(line)
        if m is None:
            continue
        actors = sorted(actors_in(line[m.start(1) :], kb, here + m.start(1)), key=lambda a: a[1])
        pair: list[tuple[Actor, int, int]] = []
        for a in actors:
            if all(a[0].code != b[0].code and not (b[1] <= a[1] < b[2]) for b in pair):
                pair.append(a)
        if len(pair) != 2:
            continue
        one, two = (_kind(x[0], kb) for x in pair)
        if one in _SELLERS or (two in _BUYERS and one not in _BUYERS):
            seller, buyer = pair
        elif two in _SELLERS or one in _BUYERS:
            buyer, seller = pair
        else:
            continue
        evidence = span(1, here, here + len(line.rstrip("\r\n")))
        anatomy.parties.setdefault("supplier", Party(seller[0], evidence))
        anatomy.parties.setdefault("recipient", Party(buyer[0], evidence))
        return


def _kind(actor: Actor, kb: KnowledgeBase) -> str:
    """A state, or the kind of organisation the knowledge base says it is (exporter, ministry…)."""
    if actor.kind != "organisation":
        return actor.kind
    org = kb.organisations.get(actor.id)
    return org.kind if org else ""


_UNITS = re.compile(
    r"[\s—–-]*(\d{1,5})\s*(?:\([^)]{2,40}\)\s*)?(?:ед|шт|компл|единиц|комплект\w*|units?|pcs|sets?)\b\.?",
    re.I,
)


_LIST_ROW = re.compile(
    r"^[ \t]*\d{1,3}[.)][ \t]+(\S.*?)[ \t]*[—–-][ \t]*(\d{1,5})[ \t]*(?:\([^)\n]{2,40}\)[ \t]*)?"
    r"(?:ед|шт|компл|единиц|комплект|units?|pcs|sets?)\b",
    re.I | re.M,
)


def _list_rows(text: str, page: int, anatomy: Anatomy, span: _Spans) -> None:
    """Numbered goods lines of an act or a letter: "1. Бронетранспортёр БТР-70М — 10 (десять) ед."."""
    known = {row.evidence.start for row in anatomy.rows if row.evidence.page == page}
    for m in _LIST_ROW.finditer(text):
        start, end = _line_at(text, m.start(1))
        if start in known or not re.search(r"[^\W\d_]{3,}", m.group(1)):
            continue
        item = m.group(1).strip(" ,;")
        anatomy.rows.append(SpecRow(item, int(m.group(2)), None, None, None, span(page, start, end)))


def _item_fields(text: str, page: int, vocab: Vocabulary, anatomy: Anatomy, span: _Spans) -> None:
    """The goods field of a passport, licence or certificate: "Товар: станция «Гроза-С» — 2 ед."."""
    for m in vocab.item_label.finditer(text):
        value = m.group(1).strip()
        units = _UNITS.search(value)
        quantity = int(units.group(1)) if units else None
        item = (value[: units.start()] if units else value).strip(" ,;.—–-")
        if re.search(r"[^\W\d_]{3,}", item):
            evidence = span(page, *_line_at(text, m.start(1)))
            anatomy.rows.append(SpecRow(item, quantity, None, None, None, evidence))


def _same_name(name: str, value: str) -> bool:
    """A label's value that repeats a name: the same words, quotes and case aside."""
    words = re.findall(r"\w+", name.lower())
    return bool(words) and " ".join(words) in " ".join(re.findall(r"\w+", value.lower()))


def _continued(text: str, end: int) -> int:
    """The end of a label's value that runs on over indented lines ("Грузополучатель: Министерство …
    Боливарианской Республики" / "                 Венесуэла, Каракас"), stopping at the next label."""
    while end < len(text) and text[end] == "\n":
        nxt_start, nxt_end = end + 1, text.find("\n", end + 1)
        nxt_end = len(text) if nxt_end < 0 else nxt_end
        line = text[nxt_start:nxt_end]
        if not line[:1].isspace() or not line.strip() or re.match(r"\s*[^\W\d_][\w .]{0,40}:", line):
            break
        end = nxt_end
    return end


# where the words naming one party of a preamble begin: after a full stop, a semicolon, a blank line,
# or "и"/"and" between two parties (with any spacing, a line break included)
_PARTY_BOUND = re.compile(r"\n\s*\n|[.;]\s|\s(?:и|and)\s", re.I)


def _label_role(word: str, vocab: Vocabulary) -> str | None:
    low = word.lower()
    for label, role in vocab.label_roles.items():
        if re.fullmatch(label, low, re.I) or low.startswith(label[:6]):
            return role
    return None


def _rows(text: str, page: int, vocab: Vocabulary, anatomy: Anatomy, span: _Spans) -> None:
    """Rows of a specification table: "1 | Комплекс «Гроза-С» | шт. | 4 | 1 200 000 | 4 800 000"."""
    start = None
    for pattern in vocab.table_start:
        m = pattern.search(text)
        if m and (start is None or m.start() < start):
            start = m.start()
    if start is None:
        return
    currency_default = _currency(text[start : start + 4000], vocab)
    pos = text.find("\n", start)
    while 0 <= pos < len(text):
        end = text.find("\n", pos + 1)
        end = len(text) if end < 0 else end
        line = text[pos + 1 : end]
        row = _row(line, vocab, currency_default)
        if row is not None:
            item, quantity, unit, total, currency = row
            anatomy.rows.append(SpecRow(item, quantity, unit, total, currency, span(page, pos + 1, end)))
        pos = end if end < len(text) else -1


def _row(
    line: str, vocab: Vocabulary, currency: str | None
) -> tuple[str, int | None, float | None, float | None, str | None] | None:
    separators = r"\s*\|\s*|\t|\s{2,}" + (r"|\s*;\s*" if line.count(";") >= 2 else "")
    cells = [c.strip() for c in re.split(separators, line.strip()) if c.strip()]
    if len(cells) < 3:
        return None
    # a numbered row ("1 | Комплекс …") or an unnumbered row of a ruled table ("Бронеавтомобиль … | шт. | 10")
    numbered = re.fullmatch(r"\d{1,3}[.)]?", cells[0]) is not None
    if not numbered and line.count("|") + line.count("\t") + line.count(";") < 2:
        return None
    texts = [c for c in cells[0 if not numbered else 1 :] if re.search(r"[^\W\d_]{3,}", c)]
    if not texts:
        return None
    item = texts[0]
    numbers = [_number(c) for c in cells[cells.index(item) + 1 :]]
    values = [n for n in numbers if n is not None]
    if not values:
        return None
    quantity = int(values[0]) if values[0] == int(values[0]) and values[0] < 100_000 else None
    unit = values[1] if len(values) > 2 else None
    total = values[-1] if len(values) > 1 else None
    return item, quantity, unit, total, _currency(line, vocab) or currency


def _number(cell: str) -> float | None:
    m = _NUMBER.fullmatch(cell.strip())
    if m is None:
        return None
    raw = re.sub(r"[ \u00a0\u202f]", "", m.group(0))
    if re.search(r"[.,]\d{3}(?:$|[.,])", raw):
        raw = re.sub(r"[.,](?=\d{3}(?:$|[.,]))", "", raw)
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        return None


def _currency(text: str, vocab: Vocabulary) -> str | None:
    for pattern, code in vocab.currencies:
        if pattern.search(text):
            return code
    return None


def paperwork_transfers(anatomy: Anatomy, kb: KnowledgeBase) -> list[Transfer]:
    """One ordered transfer per specification row between the contract's seller and buyer."""
    context = anatomy.context(kb)
    recipient = context.recipient or context.end_user
    # the seller by label or kind; else the firm whose letterhead lists goods for a foreign buyer
    supplier = context.supplier or context.sender
    if supplier is None or recipient is None or supplier.actor.code == recipient.actor.code:
        return []
    out: list[Transfer] = []
    for row in anatomy.rows:
        system = _system_in(row.item, kb)
        item = Item(
            text=row.item,
            system=system.id if system else None,
            category=system.category if system else "other",
        )
        out.append(
            Transfer(
                supplier=supplier.actor,
                recipient=recipient.actor,
                item=item,
                status="ordered",
                years=context.years,
                quantity=row.quantity,
                value=row.total,
                confidence=0.8,
                source="document",
                evidence=[row.evidence, supplier.evidence, recipient.evidence],
            )
        )
    return out


def _system_in(text: str, kb: KnowledgeBase) -> Any:
    key = f" {normalise_name(text)} "
    best = None
    for system in kb.systems.values():
        for alias in (system.name, *system.aliases):
            a = normalise_name(alias)
            if a and f" {a} " in key and (best is None or len(a) > best[0]):
                best = (len(a), system)
    return best[1] if best else None
