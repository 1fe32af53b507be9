"""Decimal numbers in the citizen's writing convention, and whole numbers.

"1.234,56" is German, "1,234.56" English; babel knows each locale's separators
and, parsing strictly, refuses a thousands group that is not three digits long.
So we read the text in the dialogue's locale first and fall back to de and en:
"420.50" in a German dialogue is no German number (a group needs 3 digits), but
is unambiguous as English, while "1.234" stays German 1234 in a German dialogue.
Numbers written as words ("drei Kinder", "триста") are read by number_words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from .errors import ParseError
from .languages import babel_locale, babel_locales
from .number_words import has_digits, words_to_digits
from .text import clean

# One number: digits, possibly grouped with . , ' or spaces, ending in a digit or
# a lone trailing separator ("5," / "5."). A leading separator allows ",5".
# It must not stick to a letter, so "m2" or "A123" hold no number.
_NUMBER = re.compile(r"(?<![^\W\d_])[.,]?\d(?:[\d.,' ]*\d)?[.,]?")
_SQUARE = re.compile(r"(?i)(?<![^\W\d_])(k?m)\s*\^?2(?![0-9])")  # "m2" -> "m²"
_SPACE_GROUPED = re.compile(r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?")
_APOSTROPHE_GROUPED = re.compile(r"\d{1,3}(?:'\d{3})+(?:[.,]\d+)?")
_DASH_CENTS = re.compile(r"(?<=\d)\s*[.,]\s*[-–—]{1,2}")  # "65,-" means 65,00
_MINUS = re.compile(r"[-−–](?:\s*)$")
# Arabic decimal and thousands separators, and spaces used as thousands separators.
_SEPARATORS = str.maketrans({"٫": ".", "٬": ",", "\u00a0": " ", "\u202f": " ", "\u2009": " "})
_MAX_WORDS = 8  # a longer answer is a story, not a number
_MAX_DIGITS = 30  # far beyond any amount; keeps Decimal away from absurd inputs


def extract_number(text: str, lang: str | None = None) -> tuple[str, bool, str] | None:
    """Split an answer into (number text, negative, surrounding words).

    Returns None unless the answer holds exactly one number among at most a few
    words, so "zwischen 400 und 500" or a long story is refused, not guessed. With
    lang, an answer without digits may write its number as words ("dreihundert Euro").
    """
    value = clean(text)
    if lang is not None and not has_digits(value):
        value = words_to_digits(value, lang)
    value = _DASH_CENTS.sub("", value.translate(_SEPARATORS))
    value = _SQUARE.sub(r"\1²", value)
    matches = list(_NUMBER.finditer(value))
    if len(matches) != 1:
        return None
    match = matches[0]
    before, number, after = value[: match.start()], match.group(), value[match.end() :]
    negative = bool(_MINUS.search(before))
    if negative:
        before = _MINUS.sub("", before)
    rest = f"{before} {after}".strip()
    if len(rest.split()) > _MAX_WORDS or re.search(r"[0-9]", rest):
        return None
    return number.strip(" '"), negative, rest


def _ungroup(number: str) -> str | None:
    """Drop space and apostrophe thousands separators; None if they are misplaced."""
    if " " in number:
        return number.replace(" ", "") if _SPACE_GROUPED.fullmatch(number) else None
    if "'" in number:
        return number.replace("'", "") if _APOSTROPHE_GROUPED.fullmatch(number) else None
    return number


def decimal_candidates(number: str, lang: str) -> list[Decimal]:
    """Readings of a bare number, dialogue locale first, then de and en, without duplicates."""
    ungrouped = _ungroup(number)
    if ungrouped is None or len(ungrouped) > _MAX_DIGITS:
        return []
    readings: list[Decimal] = []
    for locale in babel_locales(lang):
        try:
            value = parse_decimal(ungrouped, locale=locale, strict=True)
        except (NumberFormatError, InvalidOperation):
            continue
        if value.is_finite() and value not in readings:
            readings.append(value)
    return readings


def to_json_number(value: Decimal) -> int | float:
    """int when whole (48), else float (48.5): what the JSON payload expects."""
    return int(value) if value == value.to_integral_value() else float(value)


def format_number(value: object, lang: str) -> str:
    """A limit as the citizen writes numbers: 10.000 in German, 10,000 in English."""
    return format_decimal(Decimal(str(value)), locale=babel_locale(lang))


def _limit(options: Mapping[str, Any], key: str) -> Decimal | None:
    value = options.get(key)
    return None if value is None else Decimal(str(value))


def _bounds(
    options: Mapping[str, Any], default_min: int | None = None
) -> tuple[Decimal | None, Decimal | None, bool]:
    """(min, max, exclusive_min) from the field's options."""
    minimum = _limit(options, "min")
    if minimum is None and default_min is not None:
        minimum = Decimal(default_min)
    exclusive = bool(options.get("exclusive_min")) and minimum is not None
    return minimum, _limit(options, "max"), exclusive


def _readings(text: str, lang: str, reason: str) -> list[Decimal]:
    extracted = extract_number(text, lang)
    if extracted is None:
        raise ParseError(reason)
    number, negative, _rest = extracted
    readings = decimal_candidates(number, lang)
    if not readings:
        raise ParseError(reason)
    return [-value if negative else value for value in readings]


def parse_number(text: str, lang: str, options: Mapping[str, Any] | None = None) -> int | float:
    """A decimal such as living space ("48,5 m²", "48 qm"). Options: min, max, exclusive_min."""
    value = _readings(text, lang, "number.invalid")[0]
    minimum, maximum, exclusive = _bounds(options or {})
    if minimum is not None and exclusive and value <= minimum:
        raise ParseError("number.too_small_exclusive", min=format_number(minimum, lang))
    if minimum is not None and value < minimum:
        raise ParseError("number.too_small", min=format_number(minimum, lang))
    if maximum is not None and value > maximum:
        raise ParseError("number.too_large", max=format_number(maximum, lang))
    return to_json_number(value)


def parse_integer(
    text: str,
    lang: str,
    options: Mapping[str, Any] | None = None,
    default_min: int | None = None,
) -> int:
    """A whole number ("3", "3 Kinder", "1.200"). Options: min, max.

    Among the readings the first whole one wins, so "1.200" means 1200 even in an
    English dialogue, where 1.2 could not be the answer to a whole-number question.
    """
    options = options or {}
    readings = _readings(text, lang, "integer.invalid")
    whole = [value for value in readings if value == value.to_integral_value()]
    if not whole:
        raise ParseError("integer.invalid")
    value = whole[0]
    minimum, maximum, exclusive = _bounds(options, default_min)
    if minimum is not None and exclusive:  # "more than 0" is "at least 1" for whole numbers
        minimum = minimum.to_integral_value(rounding=ROUND_FLOOR) + 1
    if minimum is not None and value < minimum:
        raise ParseError("integer.too_small", min=format_number(minimum, lang))
    if maximum is not None and value > maximum:
        raise ParseError("integer.too_large", max=format_number(maximum, lang))
    return int(value)


def parse_count(text: str, lang: str, options: Mapping[str, Any] | None = None) -> int:
    """How many of something: a whole number, at least 0 unless options say otherwise."""
    return parse_integer(text, lang, options, default_min=0)
