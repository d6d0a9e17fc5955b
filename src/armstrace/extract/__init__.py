"""Extraction: from the text of a document to transfers with evidence spans.

`extract_document` is the one entry point the rest of the pipeline calls. The
language packs under `lang/` have the same shape (`lang/<code>/extractor.py`
with a class that has `extract_page`); this module picks one per document,
runs it page by page and merges what different sentences say about the same
transfer into one transfer with several pieces of evidence.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from armstrace.extract.anatomy import DocumentContext, paperwork_transfers, read_anatomy
from armstrace.kb.model import KnowledgeBase
from armstrace.records import Document, Transfer

_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


class LanguagePack(Protocol):
    language: str

    def extract_page(
        self, text: str, *, doc_id: str, path: str, page: int, reference_year: int | None = None
    ) -> list[Transfer]: ...


@runtime_checkable
class PaperworkPack(Protocol):
    """A pack that also reads the document's paperwork (`anatomy.DocumentContext`) for unnamed parties."""

    language: str
    reads_paperwork: bool

    def extract_page(
        self,
        text: str,
        *,
        doc_id: str,
        path: str,
        page: int,
        reference_year: int | None = None,
        context: DocumentContext | None = None,
    ) -> list[Transfer]: ...


def _english(kb: KnowledgeBase) -> LanguagePack:
    from armstrace.extract.lang.en.extractor import EnglishExtractor

    return EnglishExtractor(kb)


def _russian(kb: KnowledgeBase) -> LanguagePack:
    from armstrace.extract.lang.ru.extractor import RussianExtractor

    return RussianExtractor(kb)


# language code → factory; a language without its own pack is read by the English one
PACKS: dict[str, Callable[[KnowledgeBase], LanguagePack]] = {"en": _english, "ru": _russian}


# packs hold the knowledge base they were built from, so an id is never reused while cached
_PACK_CACHE: dict[tuple[str, int], LanguagePack] = {}


def pack_for(language: str | None, kb: KnowledgeBase) -> LanguagePack:
    """The language pack for a document, built once per knowledge base (building compiles matchers)."""
    code = language if language in PACKS else "en"
    key = (code, id(kb))
    pack = _PACK_CACHE.get(key)
    if pack is None:
        if len(_PACK_CACHE) > 8:
            _PACK_CACHE.clear()
        pack = _PACK_CACHE[key] = PACKS[code](kb)
    return pack


def reference_year(doc: Document) -> int | None:
    """The latest year a document speaks of: the end of an open range like "since 2016"."""
    date = doc.metadata.get("date", "")
    years = [int(y) for y in _YEAR.findall(date)]
    if not years:
        for page in doc.pages:
            years.extend(int(y) for y in _YEAR.findall(page))
    return max(years) if years else None


def extract_document(doc: Document, kb: KnowledgeBase) -> list[Transfer]:
    """Transfers a document states; its class and header fields go into `doc.metadata` on the way."""
    pack = pack_for(doc.language, kb)
    anatomy = read_anatomy(doc, kb)
    for key, value in anatomy.metadata().items():
        doc.metadata.setdefault(key, value)  # what the ingest read from the file itself comes first
    ref = reference_year(doc)
    context = anatomy.context(kb)
    found: list[Transfer] = []
    for number, text in enumerate(doc.pages, start=1):
        if isinstance(pack, PaperworkPack):
            found.extend(
                pack.extract_page(
                    text, doc_id=doc.sha256, path=doc.path, page=number, reference_year=ref, context=context
                )
            )
        else:
            found.extend(
                pack.extract_page(text, doc_id=doc.sha256, path=doc.path, page=number, reference_year=ref)
            )
    found.extend(paperwork_transfers(anatomy, kb))
    return merge(fill_years(found))


def fill_years(transfers: list[Transfer]) -> list[Transfer]:
    """Date an undated transfer from the one period the document gives for the same two parties.

    The sentence that gives the period is added to the evidence, so the years stay defensible.
    """
    periods: dict[tuple[str, str], dict[tuple[int, int], Transfer]] = {}
    for t in transfers:
        if t.years:
            periods.setdefault((t.supplier.code, t.recipient.code), {}).setdefault(t.years, t)
    for t in transfers:
        known = periods.get((t.supplier.code, t.recipient.code), {})
        if t.years is None and len(known) == 1:
            ((years, source),) = known.items()
            t.years = years
            for ev in source.evidence[:1]:
                if ev not in t.evidence:
                    t.evidence.append(ev)
    return transfers


def extract_text(
    text: str, kb: KnowledgeBase, *, path: str = "<text>", language: str = "en"
) -> list[Transfer]:
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    doc = Document(sha256=sha, media_type="text/plain", pages=[text], paths=[path], language=language)
    return extract_document(doc, kb)


def _key(t: Transfer) -> tuple[str, str, str, str]:
    item = t.item.system or " ".join(t.item.text.lower().split())
    return (t.supplier.code, t.recipient.code, t.status, item)


def merge(transfers: list[Transfer]) -> list[Transfer]:
    """One transfer per (supplier, recipient, status, item) in a document, all evidence kept."""
    merged: dict[tuple[str, str, str, str], Transfer] = {}
    for t in transfers:
        key = _key(t)
        have = merged.get(key)
        if have is None:
            merged[key] = t
            continue
        for ev in t.evidence:
            if ev not in have.evidence:
                have.evidence.append(ev)
        if t.years:
            have.years = (
                t.years
                if not have.years
                else (min(have.years[0], t.years[0]), max(have.years[1], t.years[1]))
            )
        have.quantity = have.quantity or t.quantity
        have.confidence = max(have.confidence, t.confidence)
        if have.supplier.kind == "state" and t.supplier.kind != "state":
            have.supplier = t.supplier
    return _supersede(list(merged.values()))


def _supersede(transfers: list[Transfer]) -> list[Transfer]:
    """A deal the document later calls off is one cancelled transfer, not an order and a cancellation:
    "подписали контракт на … вертолётоносцы" then "объявили о расторжении сделки". The cancelled
    transfer keeps the order's evidence first, so the reader sees what was called off."""
    out = list(transfers)
    for cancelled in [t for t in transfers if t.status == "cancelled"]:
        ckey = _key(cancelled)
        for t in [t for t in out if t.status in ("ordered", "offered")]:
            if _key(t)[:2] == ckey[:2] and _key(t)[3] == ckey[3]:
                out.remove(t)
                cancelled.evidence[:0] = [ev for ev in t.evidence if ev not in cancelled.evidence]
                if t.years:
                    both = [*t.years, *(cancelled.years or ())]
                    cancelled.years = (min(both), max(both))
                cancelled.quantity = cancelled.quantity or t.quantity
    return out
