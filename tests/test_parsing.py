"""Tests for bot.parsing: every answer parser, its reason codes, and their texts.

All names, numbers and accounts are fictional (DE89370400440532013000 is the
well-known example IBAN).
"""

from __future__ import annotations

import ast
import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import yaml
from PIL import Image

from bot.parsing import (
    INPUT_TYPES,
    NOTICES,
    REASONS,
    ParseError,
    media_type_of,
    normalize_digits,
    parse_answer,
    parse_boolean,
    parse_choice,
)
from bot.parsing.dates import today
from bot.parsing.files import check_quota, checked_upload
from tests.rest import fictional_pdf

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "bot" / "parsing"
LOCALES = ROOT / "locales"
EXAMPLE_IBAN = "DE89370400440532013000"


def reason(input_type: str, text: str, lang: str = "de", options: Any = None) -> str:
    """The reason code a parse fails with; fails the test if it does not fail."""
    with pytest.raises(ParseError) as caught:
        parse_answer(input_type, text, lang, options)
    return caught.value.reason


# --- digits -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("٣/٣/١٩٥٨", "3/3/1958"),  # Arabic-Indic
        ("۱۲۳۴۵", "12345"),  # Persian
        ("１２３", "123"),  # full-width
        ("abc 42", "abc 42"),
        ("m²", "m²"),  # a superscript is no decimal digit
        ("", ""),
    ],
)
def test_normalize_digits(text: str, expected: str) -> None:
    assert normalize_digits(text) == expected


# --- text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("  Erika   Mustermann ", None, "Erika Mustermann"),
        ("Erika\u00a0Mustermann", None, "Erika Mustermann"),
        ("a123456780", {"uppercase": True, "pattern": "[A-Z][0-9]{9}"}, "A123456780"),
        ("A 123 456 780", {"remove_spaces": True, "pattern": "[A-Z][0-9]{9}"}, "A123456780"),
        ("A١٢٣٤٥٦٧٨٠", {"pattern": "[A-Z][0-9]{9}"}, "A123456780"),
        ("x" * 100, None, "x" * 100),
    ],
)
def test_text_valid(text: str, options: Any, expected: str) -> None:
    assert parse_answer("text", text, "de", options) == expected


@pytest.mark.parametrize(
    ("text", "options", "expected_reason"),
    [
        ("", None, "text.empty"),
        ("   \n ", None, "text.empty"),
        ("x" * 101, None, "text.too_long"),
        ("abc", {"max_length": 2}, "text.too_long"),
        ("ab", {"min_length": 3}, "text.too_short"),
        ("a123456780", {"pattern": "[A-Z][0-9]{9}"}, "text.pattern"),
        ("A12345678", {"pattern": "[A-Z][0-9]{9}", "uppercase": True}, "text.pattern"),
    ],
)
def test_text_invalid(text: str, options: Any, expected_reason: str) -> None:
    assert reason("text", text, "de", options) == expected_reason


def test_text_too_long_names_the_limit() -> None:
    with pytest.raises(ParseError) as caught:
        parse_answer("text", "abcdef", "de", {"max_length": 5})
    assert caught.value.params == {"max": "5"}


# --- dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "am 3. März 1958",
        "3.3.1958",
        "03.03.1958",
        "3. März 1958",
        "3. Maerz 1958",
        "geboren am 3. März 1958",
        "den 03.03.1958",
        "3.3.1958 geboren",
        "March 3, 1958",
        "3 March 1958",
        "3rd of March 1958",
        "on the 3rd of March, 1958",
        "03/03/1958",
        "3-3-1958",
        "1958-03-03",
        "٣/٣/١٩٥٨",
        "3.3.58",
        " 3 . 3 . 1958 ",
    ],
)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_date_formats(text: str, lang: str) -> None:
    assert parse_answer("date", text, lang) == "1958-03-03"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("29.02.2024", "2024-02-29"),  # leap day
        ("12/11/1958", "1958-11-12"),  # day first, also in English
        ("1958-11-12", "1958-11-12"),  # ISO is year-month-day, never year-day-month
        ("12/13/1958", "1958-12-13"),  # only month-first is possible here
        ("1. Januar 2000", "2000-01-01"),
        ("31 December 1999", "1999-12-31"),
    ],
)
def test_date_edge_cases(text: str, expected: str) -> None:
    assert parse_answer("date", text, "de") == expected


@pytest.mark.parametrize(
    ("text", "expected_reason"),
    [
        ("30.02.1958", "date.invalid"),
        ("29.02.2023", "date.invalid"),
        ("31.04.1990", "date.invalid"),
        ("hello", "date.invalid"),
        ("Helga", "date.invalid"),
        ("42", "date.invalid"),
        ("2", "date.invalid"),
        ("Montag", "date.invalid"),
        ("heute", "date.invalid"),  # relative dates are switched off
        ("vor 3 Tagen", "date.invalid"),
        ("1234567890", "date.invalid"),  # no timestamps
        ("3.3.958", "date.invalid"),  # three-digit year
        ("1.1.1402", "date.invalid"),  # outside any application's range
        ("", "date.invalid"),
        ("März 1958", "date.incomplete"),
        ("March 1958", "date.incomplete"),
        ("1958", "date.incomplete"),
        ("3.3.", "date.incomplete"),
        ("3. März", "date.incomplete"),
        ("März", "date.incomplete"),
    ],
)
def test_date_invalid(text: str, expected_reason: str) -> None:
    assert reason("date", text, "de") == expected_reason


def test_future_birth_date_is_too_late() -> None:
    future = today() + timedelta(days=400)
    with pytest.raises(ParseError) as caught:
        parse_answer("date", future.strftime("%d.%m.%Y"), "de", {"max": "today"})
    assert caught.value.reason == "date.too_late"
    assert str(today().year) in str(caught.value.params["max"])


def test_today_is_within_max_today() -> None:
    now = today()
    assert parse_answer("date", now.strftime("%d.%m.%Y"), "de", {"max": "today"}) == (
        now.isoformat()
    )


@pytest.mark.parametrize(
    ("lang", "formatted"), [("de", "1. Januar 2000"), ("en", "1 January 2000")]
)
def test_date_too_early_names_the_limit_in_the_dialogue_language(lang: str, formatted: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_answer("date", "31.12.1999", lang, {"min": "2000-01-01"})
    assert caught.value.reason == "date.too_early"
    assert caught.value.params == {"min": formatted}


def test_date_within_iso_limits() -> None:
    options = {"min": "1900-01-01", "max": "2000-12-31"}
    assert parse_answer("date", "3.3.1958", "de", options) == "1958-03-03"


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("3.3.58", {"max": "today"}, "1958-03-03"),
        ("3.3.15", {"max": "today"}, "2015-03-03"),
        ("3 March 58", {"max": "today"}, "1958-03-03"),
        ("29.02.00", {"max": "today"}, "2000-02-29"),  # 1900 was no leap year
        ("3.3.58", {"max": "1970-01-01"}, "1958-03-03"),
    ],
)
def test_two_digit_year(text: str, options: dict[str, str], expected: str) -> None:
    assert parse_answer("date", text, "de", options) == expected


def test_two_digit_year_uses_the_next_century_when_min_requires_it() -> None:
    year = today().year + 2
    text = f"1.6.{year % 100:02d}"
    assert parse_answer("date", text, "de", {"min": "today"}) == f"{year}-06-01"


@pytest.mark.parametrize(
    ("text", "lang"),
    [("٣ مارس ١٩٥٨", "ar"), ("3 Mart 1958", "tr"), ("3 марта 1958", "ru"), ("3.3.1958", "fa")],
)
def test_date_in_later_dialogue_languages(text: str, lang: str) -> None:
    assert parse_answer("date", text, lang) == "1958-03-03"


def test_unknown_language_falls_back_to_german_and_english() -> None:
    assert parse_answer("date", "3. März 1958", "xx") == "1958-03-03"
    assert parse_answer("date", "March 3, 1958", "de-x-ls") == "1958-03-03"


# --- money ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("420", "de", 420),
        ("420,50", "de", 420.5),
        ("420,50 €", "de", 420.5),
        ("420,50€", "de", 420.5),
        ("€ 420.50", "en", 420.5),
        ("420.50", "de", 420.5),  # no German number, unambiguous in English
        ("420,50", "en", 420.5),  # no English number, unambiguous in German
        ("1.234,56", "de", 1234.56),
        ("1.234,56", "en", 1234.56),
        ("1,234.56", "en", 1234.56),
        ("1,234.56", "de", 1234.56),
        ("1.234", "de", 1234),
        ("1,234", "en", 1234),
        # A dot before exactly three digits groups thousands in any dialogue: 1.5 with
        # three decimals is no euro amount.
        ("1.500 €", "en", 1500),
        ("1.500 €", "tr", 1500),
        ("1.500 €", "ru", 1500),
        ("1.500", "ar", 1500),
        ("€1.50", "en", 1.5),
        ("1 234,56 €", "de", 1234.56),
        ("65 Euro", "de", 65),
        ("65 EUR", "de", 65),
        ("EUR 65", "en", 65),
        ("65,-", "de", 65),
        ("65,- €", "de", 65),
        ("0", "de", 0),
        ("ca. 400 Euro im Monat", "de", 400),
        ("٤٢٠٫٥٠", "ar", 420.5),
        ("١٢٣", "de", 123),
        ("10.000.000", "de", 10000000),
    ],
)
def test_money_valid(text: str, lang: str, expected: float) -> None:
    result = parse_answer("money", text, lang)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("text", "lang", "expected_reason"),
    [
        ("viel", "de", "money.invalid"),
        ("", "de", "money.invalid"),
        ("zwischen 400 und 500", "de", "money.invalid"),
        ("420 $", "en", "money.invalid"),
        ("420 Dollar", "de", "money.invalid"),
        ("1e5", "en", "money.invalid"),
        ("12.34.56", "de", "money.invalid"),
        ("-5 €", "de", "money.negative"),
        ("−420,00", "de", "money.negative"),
        ("420,505", "de", "money.too_precise"),
        ("1,234", "de", "money.too_precise"),  # German reading wins in a German dialogue
        ("1.50.0", "en", "money.invalid"),
        ("10.000.001", "de", "money.too_large"),
    ],
)
def test_money_invalid(text: str, lang: str, expected_reason: str) -> None:
    assert reason("money", text, lang) == expected_reason


@pytest.mark.parametrize(("lang", "formatted"), [("de", "1.000"), ("en", "1,000")])
def test_money_max_option_is_formatted_for_the_dialogue(lang: str, formatted: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_answer("money", "1001", lang, {"max": 1000})
    assert caught.value.reason == "money.too_large"
    assert caught.value.params == {"max": formatted}


# --- numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("48", "de", 48),
        ("48,5 m²", "de", 48.5),
        ("48 qm", "de", 48),
        ("48m2", "de", 48),
        ("48 Quadratmeter", "de", 48),
        ("48.5 square metres", "en", 48.5),
        ("٤٨", "ar", 48),
        ("1.250", "de", 1250),
    ],
)
def test_number_valid(text: str, lang: str, expected: float) -> None:
    result = parse_answer("number", text, lang)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("text", "options", "expected_reason"),
    [
        ("viel", None, "number.invalid"),
        ("vierzig oder fünfzig", None, "number.invalid"),
        ("48 oder 50", None, "number.invalid"),
        ("4 8 5", None, "number.invalid"),
        ("5", {"min": 10}, "number.too_small"),
        ("0", {"min": 0, "exclusive_min": True}, "number.too_small_exclusive"),
        ("-1", {"min": 0}, "number.too_small"),
        ("1000", {"max": 500}, "number.too_large"),
    ],
)
def test_number_invalid(text: str, options: Any, expected_reason: str) -> None:
    assert reason("number", text, "de", options) == expected_reason


def test_number_exclusive_min_accepts_values_above() -> None:
    assert parse_answer("number", "0,5", "de", {"min": 0, "exclusive_min": True}) == 0.5


@pytest.mark.parametrize(
    ("input_type", "text", "lang", "expected"),
    [
        ("integer", "3", "de", 3),
        ("integer", "3 Kinder", "de", 3),
        ("integer", "1.200", "en", 1200),  # only the German reading is whole
        ("integer", "-2", "de", -2),
        ("count", "0", "de", 0),
        ("count", "2 children", "en", 2),
        ("count", "٣", "ar", 3),
    ],
)
def test_integer_valid(input_type: str, text: str, lang: str, expected: int) -> None:
    result = parse_answer(input_type, text, lang)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    ("input_type", "text", "options", "expected_reason"),
    [
        ("integer", "2,5", None, "integer.invalid"),
        ("integer", "ein paar", None, "integer.invalid"),  # vague, not 1
        ("integer", "dritte", None, "integer.invalid"),  # an ordinal is no amount
        ("integer", "0", {"min": 1}, "integer.too_small"),
        ("integer", "0", {"min": 0, "exclusive_min": True}, "integer.too_small"),
        ("integer", "21", {"max": 20}, "integer.too_large"),
        ("count", "-1", None, "integer.too_small"),  # a count is never negative
        ("count", "1,5", None, "integer.invalid"),
    ],
)
def test_integer_invalid(input_type: str, text: str, options: Any, expected_reason: str) -> None:
    assert reason(input_type, text, "de", options) == expected_reason


# --- IBAN and postal code -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        EXAMPLE_IBAN,
        "DE89 3704 0044 0532 0130 00",
        "de89 3704 0044 0532 0130 00",
        "IBAN: DE89 3704 0044 0532 0130 00",
        "IBAN DE89-3704-0044-0532-0130-00",
        "DE٨٩٣٧٠٤٠٠٤٤٠٥٣٢٠١٣٠٠٠",
    ],
)
def test_iban_valid(text: str) -> None:
    assert parse_answer("iban", text, "de") == EXAMPLE_IBAN


def test_foreign_iban_is_accepted() -> None:
    assert parse_answer("iban", "GB82 WEST 1234 5698 7654 32", "en") == "GB82WEST12345698765432"


@pytest.mark.parametrize(
    ("text", "expected_reason"),
    [
        ("DE89370400440532013001", "iban.checksum"),  # last digit changed
        ("DE88370400440532013000", "iban.checksum"),  # check digits changed
        ("DE8937040044053201300", "iban.invalid"),  # one digit short for Germany
        ("XX89370400440532013000", "iban.invalid"),  # no such country
        ("89370400440532013000", "iban.invalid"),  # country missing
        ("Mein Konto", "iban.invalid"),
        ("", "iban.invalid"),
    ],
)
def test_iban_invalid(text: str, expected_reason: str) -> None:
    assert reason("iban", text) == expected_reason


@pytest.mark.parametrize(
    "text", ["65185", "D-65185", "D 65185", "DE-65185", " 65185 ", "65185 Wiesbaden", "٦٥١٨٥"]
)
def test_postal_code_valid(text: str) -> None:
    assert parse_answer("postal_code", text, "de") == "65185"


@pytest.mark.parametrize("text", ["6518", "651855", "00123", "A-1010", "abcde", ""])
def test_postal_code_invalid(text: str) -> None:
    assert reason("postal_code", text) == "postal_code.invalid"


# --- contact ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0611 1234567", "+496111234567"),
        ("+49 611 1234567", "+496111234567"),
        ("0049 611 1234567", "+496111234567"),
        ("(0611) 123 45 67", "+496111234567"),
        ("+49 (0) 611 1234567", "+496111234567"),
        ("0151/23456789", "+4915123456789"),
        ("٠١٥١ ٢٣٤٥٦٧٨٩", "+4915123456789"),
        ("+1 202 555 0143", "+12025550143"),
    ],
)
def test_phone_valid(text: str, expected: str) -> None:
    assert parse_answer("phone", text, "de") == expected


@pytest.mark.parametrize("text", ["12345", "0611", "abc", "", "0151/2345678901234567890"])
def test_phone_invalid(text: str) -> None:
    assert reason("phone", text) == "phone.invalid"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("erika.mustermann@example.org", "erika.mustermann@example.org"),
        (" Erika.Mustermann@EXAMPLE.ORG ", "Erika.Mustermann@example.org"),
        ("mailto:e.muster+antrag@Beispiel.de", "e.muster+antrag@beispiel.de"),
        ("<erika@example.org>", "erika@example.org"),
        ("jürgen@müller-beispiel.de", "jürgen@müller-beispiel.de"),
    ],
)
def test_email_valid(text: str, expected: str) -> None:
    assert parse_answer("email", text, "de") == expected


@pytest.mark.parametrize(
    "text",
    [
        "erika.mustermann",
        "erika@example",
        "erika@@example.org",
        "erika@exa mple.org",
        "er ika@example.org",
        "erika..muster@example.org",
        "@example.org",
        "erika@.org",
        "erika@example.1",
        "a@" + "b" * 250 + ".de",
        "",
    ],
)
def test_email_invalid(text: str) -> None:
    assert reason("email", text) == "email.invalid"


# --- countries ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Deutschland", "DE"),
        ("Germany", "DE"),
        ("Türkei", "TR"),
        ("Turkey", "TR"),
        ("Tuerkei", "TR"),
        ("Syrien", "SY"),
        ("Syria", "SY"),
        ("DE", "DE"),
        ("de", "DE"),
        ("tr", "TR"),
        ("deutsch", "DE"),
        ("deutsche", "DE"),
        ("Deutscher", "DE"),
        ("German", "DE"),
        ("türkisch", "TR"),
        ("Turkish", "TR"),
        ("syrisch", "SY"),
        ("Syrian", "SY"),
        ("ukrainisch", "UA"),
        ("Ukrainian", "UA"),
        ("afghanisch", "AF"),
        ("Afghan", "AF"),
        ("eritreische", "ER"),
        ("staatenlos", "XX"),
        ("stateless", "XX"),
        ("unbekannt", "XX"),
        ("unknown", "XX"),
        ("Deutschlnd", "DE"),  # one letter missing
        ("Syrein", "SY"),  # two letters swapped
        ("Österreich", "AT"),
        ("Oesterreich", "AT"),
        ("Weißrussland", "BY"),
        ("Bosnien-Herzegowina", "BA"),
        ("Ich komme aus Syrien", "SY"),
        ("I am from Afghanistan", "AF"),
        ("Staatsangehörigkeit: deutsch", "DE"),
    ],
)
def test_country_valid(text: str, expected: str) -> None:
    assert parse_answer("country", text, "de") == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Сирия", "ru", "SY"),
        ("سوريا", "ar", "SY"),
        ("Almanya", "tr", "DE"),
        ("Germany", "xx", "DE"),
    ],
)
def test_country_in_later_dialogue_languages(text: str, lang: str, expected: str) -> None:
    assert parse_answer("country", text, lang) == expected


@pytest.mark.parametrize(
    "text",
    [
        "hallo",
        "Erika",
        "man",  # not "Oman"
        "nicht deutsch",
        "deutsch und türkisch",  # two countries: ask again
        "Kongo",  # two Congos
        "EU",
        "ZZ",
        "",
    ],
)
def test_country_unknown(text: str) -> None:
    assert reason("country", text) == "country.unknown"


# --- choices ------------------------------------------------------------------

EMPLOYMENT = [
    ("employed", ["Angestellt", "Employed"]),
    ("self_employed", ["Selbstständig", "Self-employed"]),
    ("pension", ["Rente", "Pension"]),
    ("unemployed", ["Arbeitslos", "Unemployed"]),
    ("none", ["Nichts davon", "None of these"]),
]
LATER = [("later", ["später"]), ("not_available", ["habe ich nicht"])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pension", "pension"),  # the code, as a button sends it
        ("2", "self_employed"),
        ("2.", "self_employed"),
        ("Nr. 2", "self_employed"),
        ("#2", "self_employed"),
        ("٢", "self_employed"),
        ("Rente", "pension"),
        ("RENTE", "pension"),
        ("Self-employed", "self_employed"),
        ("I receive a pension", "pension"),
        ("ich bekomme Rente", "pension"),
        ("angest", "employed"),  # start of a label
        ("Selbststandig", "self_employed"),  # typo
        ("Arbeitslso", "unemployed"),
    ],
)
def test_choice_valid(text: str, expected: str) -> None:
    assert parse_choice(text, EMPLOYMENT) == expected


@pytest.mark.parametrize(
    ("text", "expected_reason"),
    [
        ("6", "choice.unknown"),
        ("0", "choice.unknown"),
        ("Urlaub", "choice.unknown"),
        ("keine Rente", "choice.unknown"),  # a negation must not pick "Rente"
        ("", "choice.unknown"),
        ("emp", "choice.ambiguous"),
        ("angestellt und selbstständig", "choice.ambiguous"),
    ],
)
def test_choice_invalid(text: str, expected_reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_choice(text, EMPLOYMENT)
    assert caught.value.reason == expected_reason


def test_choice_ambiguous_names_the_candidates_in_display_order() -> None:
    with pytest.raises(ParseError) as caught:
        parse_choice(
            "rente", [("old_age", ["Altersrente"]), ("disability", ["Erwerbsminderungsrente"])]
        )
    assert caught.value.params == {"options": "Altersrente / Erwerbsminderungsrente"}


def test_choice_longest_label_wins_inside_a_sentence() -> None:
    choices = [("housing_benefit", ["Wohngeld"]), ("no_housing_benefit", ["Kein Wohngeld"])]
    assert parse_choice("ich bekomme kein Wohngeld", choices) == "no_housing_benefit"
    assert parse_choice("ich bekomme Wohngeld", choices) == "housing_benefit"


@pytest.mark.parametrize(
    "choices",
    [
        [["single", ["ledig", "single"]], ["married", ["verheiratet", "married"]]],
        [{"code": "single", "labels": ["ledig"]}, {"code": "married", "labels": ["verheiratet"]}],
        [
            {"code": "single", "label": {"de": "ledig", "en": "single"}},
            {"code": "married", "label": {"de": "verheiratet", "en": "married"}},
        ],
        {"single": ["ledig"], "married": ["verheiratet"]},
    ],
)
def test_choice_via_parse_answer_accepts_yaml_shapes(choices: Any) -> None:
    assert parse_answer("choice", "verheiratet", "de", {"choices": choices}) == "married"
    assert parse_answer("choice", "1", "de", {"choices": choices}) == "single"


def test_choice_without_choices_is_a_programming_error() -> None:
    with pytest.raises(ValueError) as caught:
        parse_answer("choice", "1", "de", {})
    assert not isinstance(caught.value, ParseError)


# --- booleans -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["ja", "Ja!", "jawohl", "genau", "stimmt", "doch", "yes", "Yes.", "yeah", "yep", "correct"],
)
@pytest.mark.parametrize("lang", ["de", "en", "ar"])
def test_boolean_yes(text: str, lang: str) -> None:
    assert parse_boolean(text, lang) is True


@pytest.mark.parametrize(
    "text",
    ["nein", "Nein.", "ne", "nö", "noe", "no", "nope", "stimmt nicht", "nein, danke", "not really"],
)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_boolean_no(text: str, lang: str) -> None:
    assert parse_boolean(text, lang) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ja, ich habe zwei Kinder", True),
        ("nein, leider nicht", False),
        ("of course not", False),
        ("I don't", False),
        ("👍", True),
        ("👍🏽", True),
        ("👎", False),
    ],
)
def test_boolean_phrases(text: str, expected: bool) -> None:
    assert parse_answer("boolean", text, "de") is expected


@pytest.mark.parametrize(
    "text",
    [
        "vielleicht",
        "ja nein",
        "weiß nicht",
        "ich weiß es nicht",
        "I'm not sure",
        "keine Ahnung",
        "",
        "hmm",
        "ja " + "und so weiter " * 5,
    ],
)
def test_boolean_invalid(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_boolean(text, "de")
    assert caught.value.reason == "boolean.invalid"


# --- dispatch and errors --------------------------------------------------------


def test_unknown_input_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError) as caught:
        parse_answer("shoe_size", "42", "de")
    assert not isinstance(caught.value, ParseError)


def test_parse_error_rejects_unknown_reason_and_wrong_params() -> None:
    with pytest.raises(ValueError):
        ParseError("date.wrong")
    with pytest.raises(ValueError):
        ParseError("text.too_long")  # needs max
    error = ParseError("text.too_long", max="100")
    assert isinstance(error, ValueError)
    assert (error.reason, error.params, error.locale_key) == (
        "text.too_long",
        {"max": "100"},
        "errors.text.too_long",
    )


ODD_INPUTS = [
    "",
    " ",
    ".",
    ",-",
    "€",
    "٫٬",
    "-0",
    "1e309",
    "NaN",
    "Infinity",
    "😀" * 50,
    "x" * 5000,
    "1" * 500,
    "1." * 200,
    "\u202e\u200f",
    "%{max}",
    "\x00",
    "ﬃ",
    "½",
    "31.12.9999",
    "9999-99-99",
    "+",
    "@",
]


@pytest.mark.parametrize("text", ODD_INPUTS)
@pytest.mark.parametrize("input_type", INPUT_TYPES)
def test_odd_input_gives_a_value_or_a_parse_error(input_type: str, text: str) -> None:
    options = {"choices": EMPLOYMENT} if "choice" in input_type else None
    if input_type == "file":
        options = {"document": "lease", "choices": LATER}
    try:
        parse_answer(input_type, text, "de", options)
    except ParseError as error:
        assert error.reason in REASONS


# One failing answer per reason code: proves each is reachable and raised as listed.
REACHING_EXAMPLES: list[tuple[str, str, dict[str, Any] | None, str]] = [
    ("text", " ", None, "text.empty"),
    ("text", "ab", {"min_length": 3}, "text.too_short"),
    ("text", "abc", {"max_length": 2}, "text.too_long"),
    ("text", "abc", {"pattern": "[0-9]+"}, "text.pattern"),
    ("date", "Helga", None, "date.invalid"),
    ("date", "März 1958", None, "date.incomplete"),
    ("date", "1.1.1999", {"min": "2000-01-01"}, "date.too_early"),
    ("date", "1.1.2001", {"max": "2000-01-01"}, "date.too_late"),
    ("money", "viel", None, "money.invalid"),
    ("money", "-1", None, "money.negative"),
    ("money", "20000000", None, "money.too_large"),
    ("money", "1,001", None, "money.too_precise"),
    ("number", "viel", None, "number.invalid"),
    ("number", "1", {"min": 2}, "number.too_small"),
    ("number", "0", {"min": 0, "exclusive_min": True}, "number.too_small_exclusive"),
    ("number", "3", {"max": 2}, "number.too_large"),
    ("integer", "1,5", None, "integer.invalid"),
    ("integer", "1", {"min": 2}, "integer.too_small"),
    ("integer", "3", {"max": 2}, "integer.too_large"),
    ("iban", "DE00", None, "iban.invalid"),
    ("iban", "DE89370400440532013001", None, "iban.checksum"),
    ("email", "erika", None, "email.invalid"),
    ("phone", "123", None, "phone.invalid"),
    ("postal_code", "123", None, "postal_code.invalid"),
    ("country", "Atlantis", None, "country.unknown"),
    ("choice", "Urlaub", {"choices": EMPLOYMENT}, "choice.unknown"),
    ("choice", "emp", {"choices": EMPLOYMENT}, "choice.ambiguous"),
    ("boolean", "vielleicht", None, "boolean.invalid"),
    ("confirm", "nein", None, "confirm.required"),
    ("multi_choice", "Urlaub und Rente", {"choices": EMPLOYMENT}, "choice.unknown"),
    ("file", "irgendwas", {"document": "lease", "choices": LATER}, "upload.expected"),
    (
        "file",
        "att_12345678",
        {"document": "lease", "attachments": {"att_12345678": "payslip"}, "choices": LATER},
        "upload.wrong_document",
    ),
]


@pytest.mark.parametrize(("input_type", "text", "options", "expected_reason"), REACHING_EXAMPLES)
def test_every_reason_is_reachable(
    input_type: str, text: str, options: Any, expected_reason: str
) -> None:
    assert reason(input_type, text, "de", options) == expected_reason


def _image(mode: str, size: tuple[int, int], kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, kind)
    return out.getvalue()


def _noise_png() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((128, 128), 64).save(out, "PNG")
    return out.getvalue()


def _pdf_with_javascript() -> bytes:
    with pikepdf.open(io.BytesIO(fictional_pdf())) as pdf:
        pdf.Root.Names = pikepdf.Dictionary(
            JavaScript=pikepdf.Dictionary(
                Names=[pikepdf.String("a"), pikepdf.Dictionary(S=pikepdf.Name.JavaScript)]
            )
        )
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


UPLOADS = [
    (b"", "upload.empty"),
    (b"MZ\x90\x00" + b"\x00" * 60, "upload.type"),
    (b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024) + b"\n%%EOF\n", "upload.too_large"),
    (b"%PDF-1.4\nnot really a document\n%%EOF\n", "upload.type"),
    (_noise_png()[:2000], "upload.type"),  # truncated: the header is fine, the pixels are not
    (_image("1", (8000, 6000)), "upload.pixels"),  # 48 megapixels, a few KB
    (_pdf_with_javascript(), "upload.pdf_active"),
    (fictional_pdf() + b"PK\x05\x06" + b"\x00" * 18, "upload.pdf_active"),  # bytes after %%EOF
]
QUOTA = [((30, 0, 1), "upload.quota"), ((3, 60 * 1024 * 1024 - 10, 11), "upload.quota")]


@pytest.mark.parametrize(("data", "expected_reason"), UPLOADS)
def test_bad_uploads_are_refused_with_a_reason(data: bytes, expected_reason: str) -> None:
    with pytest.raises(ParseError) as refused:
        media_type_of(data)
    assert refused.value.reason == expected_reason


@pytest.mark.parametrize(("held", "expected_reason"), QUOTA)
def test_a_full_conversation_refuses_the_next_file(
    held: tuple[int, int, int], expected_reason: str
) -> None:
    check_quota(29, 60 * 1024 * 1024 - 11, 11)  # the last file that still fits
    with pytest.raises(ParseError) as refused:
        check_quota(*held)
    assert refused.value.reason == expected_reason


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (_image("RGB", (20, 10), "JPEG"), "image/jpeg"),
        (_image("P", (20, 10), "PNG"), "image/png"),
        (_image("RGBA", (20, 10), "PNG"), "image/png"),
        (_image("CMYK", (20, 10), "JPEG"), "image/jpeg"),
    ],
)
def test_images_keep_their_type_after_re_encoding(data: bytes, media_type: str) -> None:
    checked = checked_upload(data)
    assert checked.media_type == media_type
    assert Image.open(io.BytesIO(checked.data)).size == (20, 10)


def test_reaching_examples_cover_all_reasons_and_input_types() -> None:
    reasons = {example[3] for example in REACHING_EXAMPLES} | {u[1] for u in UPLOADS + QUOTA}
    assert reasons == set(REASONS)
    assert {example[0] for example in REACHING_EXAMPLES} | {"count"} == set(INPUT_TYPES)


def _reason_literals() -> set[str]:
    """Every string constant in the package that looks like a reason code."""
    shape = re.compile(r"[a-z_]+\.[a-z_]+")
    families = {code.split(".")[0] for code in REASONS}
    found: set[str] = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and shape.fullmatch(node.value)
                and node.value.split(".")[0] in families
            ):
                found.add(node.value)
    return found


def test_reason_literals_in_the_code_match_the_catalogue() -> None:
    literals = _reason_literals()
    literals -= set(NOTICES)  # what a parser tells the citizen, not why it refused
    assert literals - set(REASONS) == set(), "a reason is raised that REASONS does not list"
    assert set(REASONS) - literals == set(), "REASONS lists a reason that no parser raises"


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _error_texts(lang: str) -> dict[str, Any]:
    data = yaml.safe_load((LOCALES / lang / "errors.yml").read_text(encoding="utf-8"))
    assert list(data) == ["errors"]
    return _flatten(data)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_reason_has_a_text(lang: str) -> None:
    texts = _error_texts(lang)
    assert set(texts) == {f"errors.{code}" for code in REASONS}
    for code, params in REASONS.items():
        text = texts[f"errors.{code}"]
        assert isinstance(text, str) and text.strip(), code
        assert set(re.findall(r"%\{(\w+)\}", text)) == set(params), code
        assert "{" not in re.sub(r"%\{\w+\}", "", text), f"{code}: placeholder syntax is %{{name}}"


def test_error_texts_have_the_same_keys_in_german_and_english() -> None:
    assert set(_error_texts("de")) == set(_error_texts("en"))


def test_german_error_texts_use_sie() -> None:
    informal = re.compile(r"\b(du|dein|deine|dir|dich|bitte schreib|gib)\b", re.IGNORECASE)
    for key, text in _error_texts("de").items():
        assert not informal.search(text), key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ich heiße Helga", "Helga"),
        ("my name is Inge", "Inge"),
        ("Mein Name ist: Helga Schneider", "Helga Schneider"),
        ("ich wohne in Wiesbaden", "Wiesbaden"),
        ("Isabel", "Isabel"),  # a name that merely starts like "I ..."
        ("my name is", "my name is"),  # nothing follows: kept as typed
        ("Hausnummer 12a", "12a"),
    ],
)
def test_text_drops_a_lead_in_phrase(text: str, expected: str) -> None:
    assert parse_answer("text", text, "de") == expected
