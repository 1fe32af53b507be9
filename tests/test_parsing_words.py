"""Numbers and dates as people type them: number words, day ordinals, month and year
where the day does not matter, and Solar Hijri dates in a Persian dialogue.

Checked against num2words where a number is written out, so the cases do not merely
repeat the vocabulary the parser was built from. All data fictional.
"""

from __future__ import annotations

from typing import Any

import pytest
from num2words import num2words

from bot.nlg.texts import supported_languages, t
from bot.parsing import NOTICES, ParseError, parse_answer, read_answer

DAY_OPTIONAL = {"min": "1900-01-01", "max": "today", "day": "optional"}
DAY_NEEDED = {"min": "1900-01-01", "max": "today"}


def reason(input_type: str, text: str, lang: str, options: Any = None) -> str:
    with pytest.raises(ParseError) as caught:
        parse_answer(input_type, text, lang, options)
    return caught.value.reason


# --- numbers as words ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text", "lang", "expected"),
    [
        ("money", "dreihundert Euro", "de", 300),
        ("money", "zweitausendfünfhundert", "de", 2500),
        ("count", "zwei Kinder", "de", 2),
        ("count", "two children", "en", 2),
        ("money", "three hundred euros", "en", 300),
        ("count", "iki", "tr", 2),
        ("money", "üç yüz euro", "tr", 300),
        ("money", "iki bin beş yüz", "tr", 2500),
        ("money", "триста", "ru", 300),
        ("money", "сто двадцать пять евро", "ru", 125),
        ("count", "двое детей", "ru", 2),
        ("money", "двісті", "uk", 200),
        ("money", "сто двадцять п'ять", "uk", 125),
        ("count", "троє", "uk", 3),
        ("money", "سیصد", "fa", 300),
        ("money", "دو هزار و پانصد یورو", "fa", 2500),
        ("money", "ثلاثمائة", "ar", 300),
        ("money", "ثلاثمئة يورو", "ar", 300),
        ("money", "مائة وخمسة وعشرون", "ar", 125),
        ("number", "achtundvierzig Quadratmeter", "de", 48),
        ("count", "zwei", "en", 2),  # German is always understood
    ],
)
def test_numbers_written_as_words(kind: str, text: str, lang: str, expected: int) -> None:
    assert parse_answer(kind, text, lang) == expected


@pytest.mark.parametrize("lang", ["ru", "uk", "tr", "ar", "fa"])
@pytest.mark.parametrize("number", [7, 19, 45, 300, 999, 2500, 31000])
def test_number_words_as_num2words_writes_them(lang: str, number: int) -> None:
    assert parse_answer("money", num2words(number, lang=lang), lang) == number


@pytest.mark.parametrize(
    ("kind", "text", "lang"),
    [
        ("money", "zwischen vierhundert und fünfhundert", "de"),
        ("money", "между четыреста и пятьсот", "ru"),
        ("count", "два три", "ru"),
        ("count", "ein paar", "de"),
        ("count", "bir kaç", "tr"),
        ("count", "dritte", "de"),  # an ordinal is no amount
        ("count", "первое", "ru"),
    ],
)
def test_vague_or_several_number_words_are_refused(kind: str, text: str, lang: str) -> None:
    assert reason(kind, text, lang).endswith(".invalid")


# --- day ordinals ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("am fünften Mai 1990", "de", "1990-05-05"),
        ("the third of March 1958", "en", "1958-03-03"),
        ("первое июля 1985", "ru", "1985-07-01"),
        ("двадцать первое июля 1985", "ru", "1985-07-21"),
        ("третьего марта 1958", "ru", "1958-03-03"),
        ("перше липня 1985", "uk", "1985-07-01"),
        ("третього березня 1958", "uk", "1958-03-03"),
        ("üçüncü Mart 1958", "tr", "1958-03-03"),
        ("الثالث من مارس 1958", "ar", "1958-03-03"),
        ("الأول من تموز 1985", "ar", "1985-07-01"),
        ("سوم مارس ۱۹۵۸", "fa", "1958-03-03"),
    ],
)
def test_day_ordinals_as_words(text: str, lang: str, expected: str) -> None:
    assert parse_answer("date", text, lang, DAY_NEEDED) == expected


# --- month and year where the day does not matter ---------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("November 2021", "de", "2021-11-01"),
        ("11/2021", "de", "2021-11-01"),
        ("seit Nov. 2021", "de", "2021-11-01"),
        ("März 2015", "de", "2015-03-01"),
        ("since September 2023", "en", "2023-09-01"),
        ("Kasım 2021'den beri", "tr", "2021-11-01"),
        ("с ноября 2021 года", "ru", "2021-11-01"),
        ("з листопада 2021 року", "uk", "2021-11-01"),
        ("منذ نوفمبر 2021", "ar", "2021-11-01"),
        ("نوامبر ۲۰۲۱", "fa", "2021-11-01"),
    ],
)
def test_month_and_year_is_the_first_of_the_month_and_said(
    text: str, lang: str, expected: str
) -> None:
    reading = read_answer("date", text, lang, DAY_OPTIONAL)
    assert reading.value == expected
    assert [(n.reason, dict(n.values)) for n in reading.notices] == [
        ("date.first_of_month", {"date": ("date", expected)})
    ]


def test_a_full_date_is_kept_where_the_day_is_optional() -> None:
    reading = read_answer("date", "3. März 2015", "de", DAY_OPTIONAL)
    assert (reading.value, reading.notices) == ("2015-03-03", ())


@pytest.mark.parametrize(("text", "lang"), [("März 2015", "de"), ("September 2023", "en")])
def test_month_and_year_is_incomplete_where_the_day_matters(text: str, lang: str) -> None:
    assert reason("date", text, lang, DAY_NEEDED) == "date.incomplete"


def test_a_month_in_the_future_is_too_late() -> None:
    assert reason("date", "Januar 2199", "de", DAY_OPTIONAL) == "date.too_late"


# --- Solar Hijri dates in a Persian dialogue ---------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "۱۲ اسفند ۱۳۳۶",
        "12 اسفند 1336",
        "1336/12/12",
        "۱۳۳۶/۱۲/۱۲",
        "12/12/1336",
        "دوازدهم اسفند ۱۳۳۶",
        "۱۲ حوت ۱۳۳۶",
        "12 Esfand 1336",
        "متولد ۱۲ اسفند ماه ۱۳۳۶",
    ],
)
def test_solar_hijri_dates_are_converted_and_said_back(text: str) -> None:
    reading = read_answer("date", text, "fa", DAY_NEEDED)
    assert reading.value == "1958-03-03"
    assert [n.reason for n in reading.notices] == ["date.solar_hijri"]


@pytest.mark.parametrize("text", ["۳ مارس ۱۹۵۸", "03.03.1958", "1958-03-03"])
def test_gregorian_dates_in_a_persian_dialogue_stay_gregorian(text: str) -> None:
    reading = read_answer("date", text, "fa", DAY_NEEDED)
    assert (reading.value, reading.notices) == ("1958-03-03", ())


def test_solar_hijri_is_read_only_in_a_persian_dialogue() -> None:
    assert reason("date", "1336/12/12", "de", DAY_NEEDED) == "date.invalid"


def test_a_solar_hijri_day_that_does_not_exist_is_refused() -> None:
    assert reason("date", "31 اسفند 1336", "fa", DAY_NEEDED) == "date.invalid"  # 29 days


def test_a_solar_hijri_month_needs_its_day_unless_optional() -> None:
    assert reason("date", "آبان ۱۴۰۰", "fa", DAY_NEEDED) == "date.incomplete"
    assert read_answer("date", "آبان ۱۴۰۰", "fa", DAY_OPTIONAL).value == "2021-10-23"


# --- notices have texts --------------------------------------------------------------


@pytest.mark.parametrize("lang", supported_languages())
def test_every_notice_has_a_text_with_its_values(lang: str) -> None:
    for notice, names in NOTICES.items():
        values = {name: f"<{name}>" for name in names}
        text = t(f"notices.{notice}", lang, **values)
        assert all(f"<{name}>" in text for name in names), (lang, notice)
