"""The Russian language pack: roles from grammar, vocabulary, dates, quantities, negatives.

The sentences are written for these tests (invented firms where a firm is not in the
knowledge base); the blind gold cases under `tests/cases/ru/` are scored by `armstrace eval`.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from armstrace.extract import PACKS, extract_text, pack_for
from armstrace.extract.lang.ru.extractor import RussianExtractor
from armstrace.extract.lang.ru.morph import read, tokenize
from armstrace.kb import default_kb
from armstrace.kb.model import KnowledgeBase
from armstrace.records import DocumentSpan, Transfer


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return default_kb()


def ru(text: str, kb: KnowledgeBase) -> list[Transfer]:
    return extract_text(text, kb, language="ru")


def triples(transfers: list[Transfer]) -> set[tuple[str, str, str]]:
    return {(t.supplier.code, t.recipient.code, t.status) for t in transfers}


# (sentence, expected (supplier, recipient, status) set, a word the item text must contain or None)
POSITIVE: list[tuple[str, set[tuple[str, str, str]], str | None]] = [
    # the dative recipient, whatever the order of words
    ("Белоруссия поставила Азербайджану четыре комплекса «Гроза-С».", {("BY", "AZ", "delivered")}, "Гроза"),
    ("Азербайджану Белоруссия поставила комплексы «Гроза-С».", {("BY", "AZ", "delivered")}, "Гроза"),
    ("Комплексы «Гроза-С» поставила Азербайджану Беларусь.", {("BY", "AZ", "delivered")}, "Гроза"),
    # для + genitive, with an organisation whose state the knowledge base knows
    (
        "ОАО «КБ Радар» изготовило станции «Гроза-С» для Вооружённых сил Азербайджанской Республики.",
        {("BY", "AZ", "ordered")},
        "Гроза",
    ),
    # в + accusative destination, passive
    (
        "В 2018 году комплексы «Полонез» были доставлены в Азербайджан из Белоруссии.",
        {("BY", "AZ", "delivered")},
        None,
    ),
    # из / от / у + genitive origin with a verb of acquiring
    ("Азербайджан закупил у Белоруссии РСЗО «Полонез».", {("BY", "AZ", "delivered")}, "Полонез"),
    (
        "Минобороны Азербайджана получило от Белспецвнештехники радиолокационные станции.",
        {("BY", "AZ", "delivered")},
        "станции",
    ),
    # nominal: поставка … в адрес …, контракт на поставку
    (
        "Поставка комплексов «Гроза-С» в адрес Минобороны Азербайджана осуществлена 12 марта 2019 г.",
        {("BY", "AZ", "delivered")},
        "Гроза",
    ),
    (
        "ГВТУП «Белспецвнештехника» заключило контракт с Министерством обороны Азербайджанской Республики "
        "на поставку 4 (четырёх) единиц комплекса «Гроза-С».",
        {("BY", "AZ", "ordered")},
        "Гроза",
    ),
    # the buyer signs with the seller
    (
        "Азербайджан подписал с Белоруссией контракт на поставку РСЗО «Полонез».",
        {("BY", "AZ", "ordered")},
        None,
    ),
    # Latin spelling in a Russian text resolves to the same system
    ("Беларусь поставила Азербайджану станции Groza-S.", {("BY", "AZ", "delivered")}, "Groza"),
    # services
    (
        "ОАО «558 АРЗ» выполнило капитальный ремонт вертолётов для Вооружённых сил Азербайджана.",
        {("BY", "AZ", "service")},
        "вертол",
    ),
    (
        "Белорусская сторона осуществила модернизацию артиллерийских систем ВС Азербайджана.",
        {("BY", "AZ", "service")},
        "систем",
    ),
    # a gift is a transfer; capitals stand for governments in a state act
    ("Минск безвозмездно передал Баку партию прицелов.", {("BY", "AZ", "delivered")}, "прицел"),
    # abbreviations
    ("РБ поставила АР комплексы «Гроза-С».", {("BY", "AZ", "delivered")}, None),
    # future and obligation are orders
    (
        "Белоруссия поставит Азербайджану комплексы «Гроза-С» в IV квартале 2019 г.",
        {("BY", "AZ", "ordered")},
        None,
    ),
    # gapping: the second clause reuses the verb
    (
        "Белоруссия поставила Азербайджану комплексы «Гроза-С», а Армении — станции РЭБ.",
        {("BY", "AZ", "delivered"), ("BY", "AM", "delivered")},
        None,
    ),
    # an origin adjective names the supplier of a purchase
    ("Азербайджан приобрёл белорусские комплексы «Гроза-С».", {("BY", "AZ", "delivered")}, None),
    # offers
    ("Белоруссия предложила Азербайджану комплексы «Полонез».", {("BY", "AZ", "offered")}, None),
    # readiness before an infinitive is an offer; a state adjective before a legal form names the state
    (
        "Российское АО «Уралвагонзавод» готово поставить Министерству обороны Республики Беларусь "
        "танки Т-72.",
        {("RU", "BY", "offered")},
        "Т-72",
    ),
    # a passive purchase: the instrumental agent buys, "у" + genitive sells
    ("Зенитные комплексы «Тор-М2» были закуплены Египтом у России.", {("RU", "EG", "delivered")}, "Тор"),
    # a dative-or-genitive name right after a noun of supply, with the supplier known, is the buyer
    ("Рособоронэкспорт начал поставку Индии систем С-400.", {("RU", "IN", "delivered")}, "С-400"),
    # two coordinated parties that sign a contract: the exporter sells, the ministry buys
    (
        "Рособоронэкспорт и Минобороны Индии подписали контракт на поставку систем С-400.",
        {("RU", "IN", "ordered")},
        "С-400",
    ),
    # "между X (state) и Y": a state in brackets speaks for an unknown firm; the ministry buys
    (
        "Контракт между ООО «Альфа-Трейд» (Республика Беларусь) и Министерством обороны Республики "
        "Казахстан на поставку прицелов для гранатомётов.",
        {("BY", "KZ", "ordered")},
        "прицелов для гранатомётов",
    ),
    # a colon between two statements; a pronoun for the supplier; two coordinated recipients
    (
        "Израиль вооружал обе стороны: беспилотники Harop от него получили и Азербайджан, и Армения.",
        {("IL", "AZ", "delivered"), ("IL", "AM", "delivered")},
        "Harop",
    ),
    # the supplier's own army is no transfer, the other recipient of the same verb is
    (
        "ОАО «КБ Радар» поставляет станции как в белорусскую армию, так и в Казахстан.",
        {("BY", "KZ", "delivered")},
        "станции",
    ),
    # a participle clause states an earlier delivery; the service is for the owner it names
    (
        "Белорусское ОАО «Минский ремонтный завод» выполняет ремонт вертолётов Ми-8, ранее поставленных "
        "Казахстану Россией.",
        {("RU", "KZ", "delivered"), ("BY", "KZ", "service")},
        "вертол",
    ),
    # trainees named by a state adjective receive a training service
    (
        "Белорусские инструкторы провели обучение армянских экипажей работе на комплексах «Полонез».",
        {("BY", "AM", "service")},
        "Полонез",
    ),
    # an embassy's seat is not a destination; a dative governed by another verb is not the recipient
    (
        "Посольство Российской Федерации в Минске сообщило о поставке Беларуси комплексов «Тор-М2».",
        {("RU", "BY", "delivered")},
        "Тор",
    ),
    # "силами" names who does the work; the genitive owner of the systems receives the service
    (
        "Министерство обороны Республики Казахстан подтвердило заказ на ремонт танков Сухопутных войск "
        "Республики Казахстан силами белорусских предприятий.",
        {("BY", "KZ", "service")},
        "танков",
    ),
    # "из состава"/"из наличия" + an armed service abbreviation (ВКС, ВДВ, ВМФ) names the supplier
    (
        "Двенадцать вертолётов Ми-8МТВ-5 из состава ВКС России были переданы Казахстану в 2016 году.",
        {("RU", "KZ", "delivered")},
        "Ми-8",
    ),
    # an indeclinable name after a noun of time is the subject, not a genitive of that noun
    ("В 2010–2012 годах КНР поставила Пакистану фрегаты.", {("CN", "PK", "delivered")}, "фрегат"),
    # receiving an order is selling: the subject sells, the party the order comes from buys
    (
        "Турецкая компания Aselsan получила от министерства обороны Азербайджана контракт на поставку "
        "радиостанций.",
        {("TR", "AZ", "ordered")},
        "радиостанц",
    ),
    # "в" + an institution followed by a verb is the speaker ("В МИД … опровергли"), not a destination
    (
        "В МИД Белоруссии заявили о поставке Азербайджану комплексов «Гроза-С».",
        {("BY", "AZ", "delivered")},
        "Гроза",
    ),
    # adjectives inside an institution's name ("Военно-воздушных сил", "национальной обороны")
    (
        "ОАО «558 авиационный ремонтный завод» выполнил ремонт двух вертолётов Ми-24 "
        "Военно-воздушных сил Республики Сербия.",
        {("BY", "RS", "service")},
        "Ми-24",
    ),
    (
        "Министерство национальной обороны Польши заказало танки K2 у Республики Корея.",
        {("KR", "PL", "ordered")},
        "танки",
    ),
    # training without goods: the provider is named before the service noun, the trainees after it
    (
        "В 2019 году на базе учебного центра Вооружённых сил Республики Беларусь прошли подготовку "
        "20 специалистов Вооружённых сил Казахстана.",
        {("BY", "KZ", "service")},
        "подготовк",
    ),
    # a currency word before a nominative name does not hide it: "кредита в 100 млн долларов Киргизия"
    (
        "За счёт кредита в 100 млн долларов Киргизия получила от России вертолёты Ми-8МТВ-5.",
        {("RU", "KG", "delivered")},
        "Ми-8",
    ),
    # a model designation token carries its type: "БТР-82А" is an armoured vehicle
    (
        "Россия передала Таджикистану машины БТР-80 в количестве 6 (шести) единиц.",
        {("RU", "TJ", "delivered")},
        "БТР-80",
    ),
    # arrival verbs and nouns: the goods are the subject, в/из give the roles
    (
        "В 2020 году в Вооружённые силы Сербии из России поступили зенитные комплексы «Панцирь-С1».",
        {("RU", "RS", "delivered")},
        "Панцирь",
    ),
    ("Поступление в Армению российских систем РЭБ началось в 2019 году.", {("RU", "AM", "delivered")}, "РЭБ"),
    # ship heads by family: вертолётоносец, авианосец, эсминец
    ("В 2016 году Франция передала Египту два вертолётоносца.", {("FR", "EG", "delivered")}, "вертолётоносц"),
    # "г." before a number does not end the sentence
    (
        "Белоруссия поставит Казахстану в I квартале 2021 г. 4 (четыре) радиолокационные станции.",
        {("BY", "KZ", "ordered")},
        "станции",
    ),
    # coordinated predicates share the subject; a serviced item's state adjective names its owner
    (
        "Россия поставила Сербии истребители МиГ-29 и модернизировала сербские вертолёты.",
        {("RU", "RS", "delivered"), ("RU", "RS", "service")},
        None,
    ),
    # reported speech: the speaker's side is the actor of a clause that names none
    (
        "Пресс-секретарь Минобороны Израиля заявил, что ведомство никогда не продавало Армении беспилотники.",
        {("IL", "AM", "denied")},
        "беспилотник",
    ),
]

# denials and cancellations are statements about a transfer, with their own status
NEGATED: list[tuple[str, set[tuple[str, str, str]]]] = [
    ("Белоруссия не поставляла Азербайджану комплексы «Гроза-С».", {("BY", "AZ", "denied")}),
    (
        "Минобороны Беларуси опровергло информацию о поставках вооружения Азербайджану.",
        {("BY", "AZ", "denied")},
    ),
    ("Сделка по продаже комплексов «Полонез» Азербайджану не состоялась.", {("BY", "AZ", "cancelled")}),
    ("Азербайджан отказался от закупки белорусских комплексов «Полонез».", {("BY", "AZ", "cancelled")}),
    ("Контракт на поставку Азербайджану комплексов «Гроза-С» был расторгнут.", {("BY", "AZ", "cancelled")}),
    # the buyer is a dative-or-genitive after "продажа"; the supplier is the origin of the goods
    (
        "Сделка о продаже армянской компании «Ереван-Оборона» белорусских прицелов не состоялась.",
        {("BY", "AM", "cancelled")},
    ),
    # two states in one compound adjective of a deal noun: the maker of the goods sells
    (
        "Белорусско-вьетнамский договор о поставке зенитных ракетных комплексов «Печора-2М» был расторгнут.",
        {("BY", "VN", "cancelled")},
    ),
    (
        "Индийско-российский контракт на поставку комплексов С-400 заморожен.",
        {("RU", "IN", "cancelled")},
    ),
    # a ministry's denial voiced as "В Минобороны X опровергли"
    (
        "В Минобороны Беларуси опровергли информацию о поставках вооружения Азербайджану.",
        {("BY", "AZ", "denied")},
    ),
]

# hard negatives: no transfer between two states
NEGATIVE: list[str] = [
    # a domestic delivery to one's own army
    "Министерство обороны Беларуси получило от ОАО «КБ Радар» комплексы «Гроза-С» "
    "для собственных вооружённых сил.",
    "ОАО «КБ Радар» поставило в войска первые комплексы «Гроза-С».",
    # combat use
    "Комплексы «Полонез» применялись азербайджанской армией в ходе боевых действий.",
    # an exhibition
    "На выставке MILEX в Минске ОАО «КБ Радар» представило комплекс «Гроза-С».",
    # a test firing
    "В Беларуси прошли испытания РСЗО «Полонез»: расчёты провели пуски ракет.",
    # an opinion about a possible sale
    "Азербайджан может закупить белорусские комплексы «Полонез».",
    "Стороны обсуждают возможность поставки Азербайджану комплексов «Полонез».",
    # a compound adjective of two states that qualifies no deal
    "Армяно-азербайджанский конфликт обострился осенью 2020 года, и Баку закупал вооружение.",
]


@pytest.mark.parametrize(("text", "expected", "word"), POSITIVE)
def test_roles_come_from_grammar(
    kb: KnowledgeBase, text: str, expected: set[tuple[str, str, str]], word: str | None
) -> None:
    found = ru(text, kb)
    assert triples(found) == expected
    if word is not None:
        assert any(word.lower() in t.item.text.lower() for t in found), [t.item.text for t in found]


@pytest.mark.parametrize(("text", "expected"), NEGATED)
def test_denials_and_cancellations(kb: KnowledgeBase, text: str, expected: set[tuple[str, str, str]]) -> None:
    assert triples(ru(text, kb)) == expected


@pytest.mark.parametrize("text", NEGATIVE)
def test_hard_negatives_yield_nothing(kb: KnowledgeBase, text: str) -> None:
    assert ru(text, kb) == []


def test_cyrillic_and_latin_names_resolve_to_one_system(kb: KnowledgeBase) -> None:
    cyr = ru("Белоруссия поставила Азербайджану РСЗО «Полонез».", kb)
    lat = ru("Белоруссия поставила Азербайджану РСЗО Polonez.", kb)
    assert [t.item.system for t in cyr] == [t.item.system for t in lat] == ["polonez"]
    groza = ru("Беларусь поставила Азербайджану комплексы «Гроза-С».", kb)
    assert groza[0].item.system == kb.system_named("Groza-S").id  # type: ignore[union-attr]


def test_names_match_in_any_case(kb: KnowledgeBase) -> None:
    pack = RussianExtractor(kb)
    forms = [
        "Азербайджанской Республики",
        "Азербайджану",
        "Азербайджанской Республикой",
        "Республике Беларусь",
        "Минобороны Азербайджана",
        "Вооружённым силам Республики Беларусь",
    ]
    codes = []
    for form in forms:
        mentions = pack.gazetteer.mentions(tokenize(form))
        actors = [m.actor for m in mentions if m.actor is not None]
        codes.append(actors[0].code if actors else None)
    assert codes == ["AZ", "AZ", "AZ", "BY", "AZ", "BY"]


def test_lemmas_cover_inflection() -> None:
    assert {read(w).lemma for w in ("поставка", "поставки", "поставку", "поставкой")} == {"поставка"}
    assert "поставить" in read("поставлены").lemmas
    assert read("доставлены").passive


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("Белоруссия поставила Азербайджану комплексы «Гроза-С» 12 марта 2019 г.", (2019, 2019)),
        ("Белоруссия поставила Азербайджану комплексы «Гроза-С» (акт от 12.03.2019).", (2019, 2019)),
        ("Белоруссия поставит Азербайджану комплексы «Гроза-С» в IV квартале 2020 г.", (2020, 2020)),
        ("В 2018–2020 годах Белоруссия поставляла Азербайджану комплексы «Гроза-С».", (2018, 2020)),
        ("С 2016 по 2019 год Белоруссия поставляла Азербайджану прицелы.", (2016, 2019)),
    ],
)
def test_russian_dates(kb: KnowledgeBase, text: str, years: tuple[int, int]) -> None:
    found = ru(text, kb)
    assert found and all(t.years == years for t in found)


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("Белоруссия поставила Азербайджану 4 (четыре) единицы комплекса «Гроза-С».", 4),
        ("Белоруссия поставила Азербайджану шесть РСЗО «Полонез».", 6),
        ("Белоруссия поставила Азербайджану комплексы «Гроза-С» в количестве 2 (двух) единиц.", 2),
        ("Белоруссия поставила Азербайджану комплексы «Гроза-С».", None),
        # a labelled count, and a count with its measure word after the item
        ("Беларусь поставит Казахстану прицелы для гранатомётов; количество: 25 шт.", 25),
        ("Беларусь поставит Казахстану станции радиоэлектронной разведки, 2 (два) комплекта.", 2),
    ],
)
def test_quantities_in_digits_and_words(kb: KnowledgeBase, text: str, quantity: int | None) -> None:
    found = ru(text, kb)
    assert [t.quantity for t in found] == [quantity]


def test_a_bare_head_noun_after_a_named_item_is_that_item(kb: KnowledgeBase) -> None:
    text = (
        "Казахстан заказал у России зенитные комплексы «Тор-М2». "
        "Поставку четырёх комплексов завершат в 2022 г."
    )
    found = ru(text, kb)
    assert {t.item.system for t in found} == {"tor-m2"}
    assert 4 in {t.quantity for t in found}


def test_a_letter_dates_the_order_it_places(kb: KnowledgeBase) -> None:
    text = (
        "Госкомвоенпром\nИсх. № 5/77 от 2 февраля 2021 г.\n"
        "Просим изготовить для Вооружённых сил Республики Казахстан 2 (два) комплекса «Гроза-С» "
        "с поставкой в 2022 г.\n"
    )
    found = ru(text, kb)
    assert triples(found) == {("BY", "KZ", "ordered")}
    assert all(t.years == (2021, 2022) for t in found)


def test_two_contract_labels_on_one_line_are_two_parties(kb: KnowledgeBase) -> None:
    text = (
        "Спецификация № 3 к контракту № 7/2021 от 1 марта 2021 г.\n"
        "Продавец: ГВТУП «Белспецвнештехника». Покупатель: Министерство обороны Республики Казахстан.\n"
        "№ | Наименование | Кол-во | Цена | Сумма\n"
        "1 | Комплекс «Гроза-С» | 2 | 100 | 200\n"
    )
    found = ru(text, kb)
    assert triples(found) == {("BY", "KZ", "ordered")}
    check_evidence(text, found)


def test_ru_is_a_registered_pack(kb: KnowledgeBase) -> None:
    assert "ru" in PACKS
    assert isinstance(pack_for("ru", kb), RussianExtractor)


def test_sentences_do_not_end_at_abbreviations(kb: KnowledgeBase) -> None:
    pack = RussianExtractor(kb)
    text = "Поставка выполнена в 2019 г. Контракт подписал ген. директор А. Иванов. Далее — отчёт."
    bounds = pack.sentences(tokenize(text))
    starts = [tokenize(text)[lo].text for lo, _ in bounds]
    assert starts == ["Поставка", "Контракт", "Далее"]


def check_evidence(text: str, transfers: list[Transfer]) -> None:
    for t in transfers:
        for ev in t.evidence:
            assert isinstance(ev, DocumentSpan)
            assert ev.quote == text[ev.start : ev.end]


_PARTS = st.sampled_from(
    [
        "Белоруссия поставила Азербайджану комплексы «Гроза-С».",
        "ГВТУП «Белспецвнештехника»\nИсх. № 12/3 от 14.02.2019\n",
        "Поставка  РСЗО\n«Полонез» в адрес\tМинобороны Азербайджана осуществлена в 2019 г.",
        "Азербайджан закупил у РБ 4 (четыре) единицы станций РЭБ.",
        "\n\n",
        "   ",
        "Продавец обязуется поставить Покупателю продукцию.",
        "1 | Станция «Гроза-С» | 4 | 1 000 | 4 000\n",
        "ё Ё « » — ",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_PARTS, st.text(max_size=30)), min_size=1, max_size=8))
def test_every_evidence_quote_is_the_text_at_its_offsets(kb: KnowledgeBase, parts: list[str]) -> None:
    text = "".join(parts)
    check_evidence(text, ru(text, kb))


def test_a_variant_designation_resolves_to_its_base_system(kb: KnowledgeBase) -> None:
    """ "С-300ПМУ1", "Ми-17В-5", "С-125-2ТМ" are variants of catalogue systems; an exact name wins."""
    found = ru("Россия поставила Египту комплексы С-300ВМ и вертолёты Ми-17В-5.", kb)
    assert {t.item.system for t in found} == {"s-300", "mi-17"}
    found = ru("Белоруссия поставила Азербайджану комплексы «Гроза-С».", kb)
    assert {t.item.system for t in found} == {"groza-s"}


def test_a_shared_object_stands_in_the_next_clause(kb: KnowledgeBase) -> None:
    text = (
        "АО «Рособоронэкспорт», именуемое в дальнейшем «Продавец», и Министерство обороны Республики "
        "Индонезия, именуемое в дальнейшем «Покупатель», заключили настоящий контракт.\n"
        "Продавец обязуется поставить, а Покупатель принять и оплатить самолёты Су-35 "
        "в количестве 2 (двух) единиц."
    )
    found = ru(text, kb)
    assert triples(found) == {("RU", "ID", "ordered")}
    assert {(t.item.system, t.quantity) for t in found} == {("su-35", 2)}
    check_evidence(text, found)


def test_an_unnumbered_row_of_a_ruled_invoice_table(kb: KnowledgeBase) -> None:
    text = (
        "СЧЁТ-ФАКТУРА № 12 от 1 марта 2022 г.\n"
        "Грузоотправитель: ГВТУП «Белспецвнештехника»\n"
        "Грузополучатель: Министерство обороны Республики Казахстан\n"
        "Наименование | Кол-во | Сумма, USD\n"
        "Прицел ночного видения | 40 | 120 000\n"
    )
    found = ru(text, kb)
    assert triples(found) == {("BY", "KZ", "ordered")}
    assert [t.quantity for t in found] == [40]
    check_evidence(text, found)


def test_the_hand_back_after_a_repair_is_part_of_the_service(kb: KnowledgeBase) -> None:
    text = (
        "ОАО «558 авиационный ремонтный завод» завершило ремонт двух самолётов Су-25 Вооружённых сил "
        "Республики Казахстан. Самолёты переданы заказчику."
    )
    assert triples(ru(text, kb)) == {("BY", "KZ", "service")}


def test_generic_goods_after_a_list_are_the_listed_goods(kb: KnowledgeBase) -> None:
    text = (
        "Из России в Таджикистан доставлены 10 бронетранспортёров БТР-80 и партия стрелкового оружия. "
        "Техника передана безвозмездно."
    )
    items = {t.item.text.lower() for t in ru(text, kb)}
    assert items and "техника" not in items


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a name spelled like a pronoun ("Того") is not every form of the pronoun
        (
            "Тем не менее в 2018–2022 годах Минск поставлял Баку военную технику.",
            {("BY", "AZ", "delivered")},
        ),
        # a people stands for its state; the «-ся» passive of a trigger verb
        ("Китайцы привезли сербской армии зенитные комплексы FK-3.", {("CN", "RS", "delivered")}),
        (
            "В 2017–2019 годах беспилотники Wing Loong II экспортировались из КНР в ОАЭ и Египет.",
            {("CN", "AE", "delivered"), ("CN", "EG", "delivered")},
        ),
        # a later clause's year does not date an earlier one; a compound conjunction opens a clause
        (
            "Вашингтон аннулировал поставку Анкаре истребителей F-35 после того, как в 2019 году Турция "
            "получила от России зенитные ракетные системы С-400.",
            {("US", "TR", "cancelled"), ("RU", "TR", "delivered")},
        ),
        # a firm placed by the town in its name works where the service is done
        (
            "На Оршанском авиаремонтном заводе завершили капитальный ремонт вертолётов Ми-24 для "
            "Вооружённых сил Республики Казахстан.",
            {("BY", "KZ", "service")},
        ),
    ],
)
def test_constructions_of_this_round(
    text: str, expected: set[tuple[str, str, str]], kb: KnowledgeBase
) -> None:
    found = ru(text, kb)
    assert triples(found) == expected
    check_evidence(text, found)


def test_the_clause_gives_its_own_years(kb: KnowledgeBase) -> None:
    found = ru(
        "Вашингтон аннулировал поставку Анкаре истребителей F-35 после того, как в 2019 году Турция "
        "получила от России зенитные ракетные системы С-400.",
        kb,
    )
    assert {t.supplier.code: t.years for t in found} == {"US": None, "RU": (2019, 2019)}
