"""Document anatomy: classes, header fields, contract parties and specification rows.

The documents are written for these tests (specimens); the firms are the knowledge base's.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from armstrace.extract import extract_document
from armstrace.extract.anatomy import classify, read_anatomy, vocabulary
from armstrace.kb import default_kb
from armstrace.kb.model import KnowledgeBase
from armstrace.records import Document, DocumentSpan

LETTER = """ГОСУДАРСТВЕННОЕ ВНЕШНЕТОРГОВОЕ УНИТАРНОЕ ПРЕДПРИЯТИЕ «БЕЛСПЕЦВНЕШТЕХНИКА»
220012, г. Минск, ул. Образцовая, 1 (образец)

Исх. № 03-2/1456 от 14.02.2019
На № 17/88 от 05.02.2019

Генеральному директору
ОАО «КБ Радар»
И.И. Петрову

О выполнении заказа

Уважаемый Иван Иванович!

В рамках исполнения контракта № AZ/2018-112 прошу обеспечить изготовление
4 (четырёх) единиц станций «Гроза-С» для Вооружённых сил Азербайджанской Республики
в IV квартале 2019 г.

С уважением,
Генеральный директор                                  А.А. Сидоров
"""

CONTRACT = """КОНТРАКТ № BY-AZ/2019-07 (образец)

г. Минск                                                  12 марта 2019 г.

ГВТУП «Белспецвнештехника», именуемое в дальнейшем «Продавец», в лице генерального
директора, с одной стороны, и Министерство обороны Азербайджанской Республики,
именуемое в дальнейшем «Покупатель», с другой стороны, заключили настоящий контракт
о нижеследующем.

1. Предмет контракта
Продавец обязуется поставить, а Покупатель принять и оплатить продукцию согласно
Спецификации (Приложение № 1).

2. Условия поставки: FCA Минск (Инкотермс 2010).

3. Конечный пользователь: Министерство обороны Азербайджанской Республики.

СПЕЦИФИКАЦИЯ
№ | Наименование | Кол-во | Цена за ед., долл. США | Сумма, долл. США
1 | Станция РЭБ «Гроза-С» | 4 | 1 250 000 | 5 000 000
2 | Комплект ЗИП | 2 | 40 000 | 80 000
"""

ENGLISH_CONTRACT = """CONTRACT No. BY-AZ/2019-08 (specimen)

Minsk, 12 March 2019

Belspetsvneshtechnika, hereinafter referred to as the "Seller", and the Ministry of Defence
of the Republic of Azerbaijan, hereinafter referred to as the "Buyer", have concluded this
contract.

Delivery terms: FCA Minsk.

Specification
No. | Description | Qty | Unit price, USD | Total, USD
1 | Polonez MLRS launcher | 2 | 3,000,000 | 6,000,000

General Director    A. Sidorov
"""


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return default_kb()


def document(text: str, language: str) -> Document:
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Document(
        sha256=sha, media_type="text/plain", pages=[text], paths=["specimen.txt"], language=language
    )


def assert_spans(doc: Document, spans: list[DocumentSpan]) -> None:
    for span in spans:
        assert span.quote == doc.pages[span.page - 1][span.start : span.end]


def test_letter_header_fields(kb: KnowledgeBase) -> None:
    doc = document(LETTER, "ru")
    anatomy = read_anatomy(doc, kb)
    assert anatomy.cls == "letter"
    meta = anatomy.metadata()
    assert meta["date"] == "2019-02-14"
    assert meta["ref_out"] == "03-2/1456"
    assert meta["ref_in"] == "17/88"
    assert meta["subject"] == "О выполнении заказа"
    assert meta["signatory"] == "А.А. Сидоров"
    assert meta["position"] == "Генеральный директор"
    assert "КБ Радар" in meta["addressee"]
    assert anatomy.parties["sender"].actor.id == "by-bsvt"
    assert anatomy.parties["addressee"].actor.id == "by-kb-radar"
    assert_spans(doc, list(anatomy.spans.values()) + [p.evidence for p in anatomy.parties.values()])


def test_letter_from_the_exporter_yields_an_order_with_its_header_as_evidence(kb: KnowledgeBase) -> None:
    doc = document(LETTER, "ru")
    transfers = extract_document(doc, kb)
    assert [(t.supplier.code, t.recipient.code, t.status, t.item.system) for t in transfers] == [
        ("BY", "AZ", "ordered", "groza-s")
    ]
    (transfer,) = transfers
    assert transfer.quantity == 4
    assert transfer.years == (2019, 2019)
    quotes = [ev.quote for ev in transfer.evidence if isinstance(ev, DocumentSpan)]
    assert any("Вооружённых сил Азербайджанской Республики" in q for q in quotes)
    assert any("БЕЛСПЕЦВНЕШТЕХНИКА" in q for q in quotes)  # the letterhead
    assert_spans(doc, [ev for ev in transfer.evidence if isinstance(ev, DocumentSpan)])
    assert doc.metadata["class"] == "letter"
    assert doc.metadata["sender"] == "Belspetsvneshtechnika"


def test_contract_parties_terms_and_specification_rows(kb: KnowledgeBase) -> None:
    doc = document(CONTRACT, "ru")
    anatomy = read_anatomy(doc, kb)
    assert anatomy.cls == "contract"
    assert anatomy.fields["ref_out"] == "BY-AZ/2019-07"
    assert anatomy.fields["date"] == "2019-03-12"
    assert anatomy.fields["delivery_terms"].startswith("FCA Минск")
    assert anatomy.parties["supplier"].actor.id == "by-bsvt"
    assert anatomy.parties["recipient"].actor.id == "az-mod"
    assert anatomy.parties["end_user"].actor.code == "AZ"
    rows = [(r.item, r.quantity, r.unit_price, r.total, r.currency) for r in anatomy.rows]
    assert rows == [
        ("Станция РЭБ «Гроза-С»", 4, 1_250_000.0, 5_000_000.0, "USD"),
        ("Комплект ЗИП", 2, 40_000.0, 80_000.0, "USD"),
    ]
    assert_spans(doc, [r.evidence for r in anatomy.rows] + [p.evidence for p in anatomy.parties.values()])


def test_contract_rows_become_ordered_transfers_between_the_parties(kb: KnowledgeBase) -> None:
    doc = document(CONTRACT, "ru")
    transfers = extract_document(doc, kb)
    groza = [t for t in transfers if t.item.system == "groza-s"]
    assert [(t.supplier.code, t.recipient.code, t.status, t.quantity, t.value) for t in groza] == [
        ("BY", "AZ", "ordered", 4, 5_000_000.0)
    ]
    assert all((t.supplier.code, t.recipient.code) == ("BY", "AZ") for t in transfers)  # never "США"
    for t in transfers:
        assert_spans(doc, [ev for ev in t.evidence if isinstance(ev, DocumentSpan)])


def test_english_paperwork_has_the_same_structure(kb: KnowledgeBase) -> None:
    doc = document(ENGLISH_CONTRACT, "en")
    anatomy = read_anatomy(doc, kb)
    assert anatomy.cls == "contract"
    assert anatomy.fields["ref_out"] == "BY-AZ/2019-08"
    assert anatomy.fields["date"] == "2019-03-12"
    assert anatomy.fields["delivery_terms"] == "FCA Minsk"
    assert anatomy.parties["supplier"].actor.id == "by-bsvt"
    assert anatomy.parties["recipient"].actor.code == "AZ"
    assert [(r.item, r.quantity, r.total, r.currency) for r in anatomy.rows] == [
        ("Polonez MLRS launcher", 2, 6_000_000.0, "USD")
    ]
    transfers = extract_document(doc, kb)
    assert ("BY", "AZ", "ordered", "polonez") in {
        (t.supplier.code, t.recipient.code, t.status, t.item.system) for t in transfers
    }


@pytest.mark.parametrize(
    ("language", "text", "cls"),
    [
        ("ru", "ПАСПОРТ ЭКСПОРТНЫЙ № 112\nНаименование продукции: станция «Гроза-С»", "export-passport"),
        ("ru", "ЛИЦЕНЗИЯ НА ЭКСПОРТ № 7\nПродукция военного назначения", "export-passport"),
        ("ru", "СЕРТИФИКАТ КОНЕЧНОГО ПОЛЬЗОВАТЕЛЯ\nНастоящим подтверждаем", "end-user-certificate"),
        (
            "ru",
            "НОТА № 45\nПосольство Республики Беларусь свидетельствует своё уважение Министерству",
            "diplomatic-note",
        ),
        ("ru", "СПЕЦИФИКАЦИЯ\nк контракту № 12", "specification"),
        ("ru", "СЧЁТ-ФАКТУРА № 9 от 01.02.2020", "invoice"),
        ("ru", "Уважаемый Иван Иванович!\nПрошу рассмотреть.", "letter"),
        ("ru", "Минск, 3 мая. По данным источника, поставки продолжаются.", "news"),
        ("ru", "Протокол заседания", "other"),
        ("en", "END-USER CERTIFICATE\nWe certify", "end-user-certificate"),
        ("en", "The Embassy presents its compliments to the Ministry", "diplomatic-note"),
        ("en", "INVOICE No. 5", "invoice"),
        ("en", "Dear Sir,\nYours sincerely", "letter"),
    ],
)
def test_classes(language: str, text: str, cls: str) -> None:
    assert classify(text, vocabulary(language)) == cls


def test_ingested_metadata_is_not_overwritten(kb: KnowledgeBase) -> None:
    doc = document(LETTER, "ru")
    doc.metadata["date"] = "2024-06-13"
    extract_document(doc, kb)
    assert doc.metadata["date"] == "2024-06-13"
    assert doc.metadata["ref_out"] == "03-2/1456"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(LETTER.splitlines(keepends=True) + CONTRACT.splitlines(keepends=True) + [" ", "\n"]),
        min_size=1,
        max_size=25,
    )
)
def test_anatomy_spans_quote_the_page(kb: KnowledgeBase, lines: list[str]) -> None:
    doc = document("".join(lines), "ru")
    anatomy = read_anatomy(doc, kb)
    spans = list(anatomy.spans.values()) + [p.evidence for p in anatomy.parties.values()]
    assert_spans(doc, spans + [r.evidence for r in anatomy.rows])
    for t in extract_document(doc, kb):
        assert_spans(doc, [ev for ev in t.evidence if isinstance(ev, DocumentSpan)])


# -- firms the knowledge base does not list, and what places them --------------------------------


def test_an_unlisted_firm_is_placed_by_the_town_on_its_letterhead(kb: KnowledgeBase) -> None:
    text = (
        "АО «Ковровский оружейный завод «Кварц» (образец)\n"
        "601900, Владимирская обл., г. Ковров, ул. Социалистическая, 41\n"
        "Исх. № 312/вэд от 21.08.2019\n\n"
        "Директору департамента\nАО «Рособоронэкспорт»\n\n"
        "Доводим до Вашего сведения, что в адрес Армии Никарагуа отгружены 300 (триста) пулемётов ПКМ.\n"
    )
    anatomy = read_anatomy(document(text, "ru"), kb)
    sender = anatomy.parties["sender"]
    assert sender.actor.kind == "organisation" and sender.actor.state == "RU"
    assert "Ковровский" in sender.actor.name and "г. Ковров" in sender.evidence.quote
    found = extract_document(document(text, "ru"), kb)
    assert {(t.supplier.code, t.recipient.code, t.status) for t in found} == {("RU", "NI", "delivered")}


def test_an_e_mail_sender_is_placed_by_the_country_domain(kb: KnowledgeBase) -> None:
    text = (
        "От: Драган М. <d.m@yugoimport-sales.rs>\nКому: Павел Г.\nТема: Нора\n\n"
        "Кипрская Национальная гвардия подписала с нами контракт на самоходные гаубицы Нора B-52.\n"
    )
    anatomy = read_anatomy(document(text, "ru"), kb)
    assert anatomy.parties["sender"].actor.state == "RS"
    found = extract_document(document(text, "ru"), kb)
    assert {(t.supplier.code, t.recipient.code) for t in found} == {("RS", "CY")}


def test_a_title_names_both_parties_and_the_goods_field_its_rows(kb: KnowledgeBase) -> None:
    text = (
        "Спецификация № 1\n"
        "к Контракту № 643/К-2207 от 05.04.2021 между АО «Рособоронэкспорт» и Министерством обороны "
        "Республики Казахстан\n"
        "Товар: бронетранспортёры БТР-82А — 12 (двенадцать) ед.\n"
    )
    anatomy = read_anatomy(document(text, "ru"), kb)
    assert anatomy.parties["supplier"].actor.code == "RU"
    assert anatomy.parties["recipient"].actor.code == "KZ"
    assert [(row.item, row.quantity) for row in anatomy.rows] == [("бронетранспортёры БТР-82А", 12)]


def test_ocr_look_alikes_are_read_through_and_offsets_stay(kb: KnowledgeBase) -> None:
    text = (
        "ПАСП0РТ ЭКСП0РТН0Й СДЕЛКИ № 643/0187-21\n"
        "Экспортёр: АО «Р0соборонэкспорт», г. М0сква\n"
        "Имп0ртёр: Министерство обороны Республики Мали\n"
        "Наименование продукции: вертолёты Ми-171Ш — 2 (две) ед.\n"
    )
    doc = document(text, "ru")
    anatomy = read_anatomy(doc, kb)
    assert anatomy.cls == "export-passport"
    assert anatomy.parties["supplier"].actor.code == "RU" and anatomy.parties["recipient"].actor.code == "ML"
    found = extract_document(doc, kb)
    assert found and {(t.supplier.code, t.recipient.code) for t in found} == {("RU", "ML")}
    for t in found:
        for ev in t.evidence:
            assert isinstance(ev, DocumentSpan) and text[ev.start : ev.end] == ev.quote
