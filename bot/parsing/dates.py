"""Calendar dates such as "am 3. März 1958", "03.03.1958", "March 3, 1958" or "٣/٣/١٩٥٨".

All-numeric dates are read by a small regex of our own: it is exact about day-first
order and impossible days (30.02.), where dateparser reads "1958-11-12" as year-day-
month once told to prefer day-first. Everything with words goes to dateparser with
the dialogue language plus de and en. Relative expressions ("heute", "vor 3 Tagen")
and timestamps are switched off: an application needs the date itself, and they
make dateparser accept almost anything.

Day ordinals and numbers as words ("am fünften Mai 1990", "первое июля 1985") become
digits first (number_words). A field with `options: {day: optional}` (income since,
moved in) also takes month and year ("November 2021", "11/2021") as the first of the
month, and says so (a Notice). In a Persian dialogue a Solar Hijri date ("۱۲ اسفند
۱۳۳۶") is converted to the Gregorian one (solar_hijri), and the bot says it back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date
from dateparser.date import DateDataParser

from bot.languages import primary_language

from . import lexicon
from .errors import ParseError
from .languages import babel_locale, dateparser_languages
from .notices import Notice, Reading
from .number_words import words_to_digits
from .solar_hijri import read_solar_hijri
from .text import clean

_SETTINGS: dict[str, Any] = {
    "DATE_ORDER": "DMY",
    "PREFER_LOCALE_DATE_ORDER": False,
    "PREFER_DATES_FROM": "past",
    "PARSERS": ["custom-formats", "absolute-time"],
}
_COMPLETE = {**_SETTINGS, "REQUIRE_PARTS": ["day", "month", "year"]}
_MONTH_YEAR = {**_SETTINGS, "REQUIRE_PARTS": ["month", "year"], "PREFER_DAY_OF_MONTH": "first"}

_DAY_FIRST = re.compile(r"(\d{1,2})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})\.?")
_YEAR_FIRST = re.compile(r"(\d{4})([./-])(\d{1,2})\2(\d{1,2})\.?")
_MONTH_YEAR_NUMERIC = (
    re.compile(r"(?P<month>\d{1,2})\s*[./-]\s*(?P<year>\d{4})\.?"),
    re.compile(r"(?P<year>\d{4})\s*[./-]\s*(?P<month>\d{1,2})"),
)
_DIGIT_RUN = re.compile(r"[0-9]+")
_WORD = re.compile(r"[^\W\d_]{3,}")
# Nothing in an application lies outside these; a year such as 1402 (Solar Hijri)
# or 2958 (typo) is a misunderstanding, not a date to store. In a Persian dialogue
# solar_hijri reads years 1300-1450 as Solar Hijri and converts them first.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
_MAX_FILLER_WORDS = 3  # "geboren am", "on the", "ca." before the date itself
_MAX_LENGTH = 80  # dateparser is slow on long texts, and a date is short


def today() -> date:
    """Today in Germany, where the offices are; the server may run in UTC."""
    try:
        return datetime.now(ZoneInfo("Europe/Berlin")).date()
    except ZoneInfoNotFoundError:
        return date.today()


@lru_cache(maxsize=32)
def _parser(languages: tuple[str, ...], complete: bool, month_year: bool = False) -> DateDataParser:
    settings = _MONTH_YEAR if month_year else _COMPLETE if complete else _SETTINGS
    return DateDataParser(languages=list(languages), settings=dict(settings))


_SUFFIX = re.compile(r"(\d+)['’][a-zçğıöşü]+", re.IGNORECASE)
_ORDINAL = re.compile(r"(\d+)-(?:го|е|й|ого|ое|ше|ге|є)(?!\w)")


def _with_known_months(text: str, lang: str) -> str:
    """Levantine "آذار" -> "مارس" and other month names dateparser lacks (vocab/month_aliases)."""
    aliases = lexicon.load("month_aliases").get(primary_language(lang)) or {}
    for alias in sorted(aliases, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(alias)}(?!\w)", aliases[alias], text)
    return text


def _variants(text: str) -> list[str]:
    """The answer, then without up to three leading or two trailing filler words.

    "am 3. März 1958" and "3.3.1958 geboren" are common; dropping only words
    without digits never changes the numbers the citizen typed.
    """
    tokens = text.split()
    variants = [text]
    for start in range(1, min(_MAX_FILLER_WORDS, len(tokens) - 1) + 1):
        if _DIGIT_RUN.search(tokens[start - 1]):
            break
        variants.append(" ".join(tokens[start:]))
    for variant in list(variants):
        words = variant.split()
        for end in (1, 2):
            if len(words) > end and not any(_DIGIT_RUN.search(w) for w in words[-end:]):
                variants.append(" ".join(words[:-end]))
    # "Maerz" is how German is typed without umlauts; the CLDR data only knows "März".
    variants += [re.sub(r"(?i)\bmaerz\b", "März", v) for v in variants if "aerz" in v.lower()]
    # "3 Mart 1958'de": Turkish case endings after the year.
    variants += [_SUFFIX.sub(r"\1", v) for v in variants if _SUFFIX.search(v)]
    # "1-го июля", "3-го березня": the ordinal ending of Russian and Ukrainian dates.
    variants += [_ORDINAL.sub(r"\1", v) for v in variants if _ORDINAL.search(v)]
    return list(dict.fromkeys(v.strip(" ,;:") for v in variants if v.strip(" ,;:")))


def _numeric(text: str) -> tuple[str, int, int] | None:
    """An all-numeric date as (year as typed, month, day); None if the text is not one."""
    match = _YEAR_FIRST.fullmatch(text)
    if match:
        return match[1], int(match[3]), int(match[4])
    match = _DAY_FIRST.fullmatch(text)
    if not match:
        return None
    day, month = int(match[1]), int(match[3])
    if match[2] == "/" and month > 12 >= day:
        day, month = month, day  # "12/13/1958" can only be the US month-first order
    return match[4], month, day


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _typed_year(parsed: date, text: str) -> str | None:
    """The year as the citizen typed it: four digits, two digits, or None if neither."""
    runs = _DIGIT_RUN.findall(text)
    if f"{parsed.year:04d}" in runs:
        return f"{parsed.year:04d}"
    two = f"{parsed.year % 100:02d}"
    if any(len(run) <= 2 and run.zfill(2) == two for run in runs):
        return two
    return None


def _resolve(
    year_text: str, month: int, day: int, low: date | None, high: date | None
) -> date | None:
    """The date, with a two-digit year put in the century closest to today within the limits.

    Without limits "today" is the upper one, so "3.3.58" is 1958 and a birth date
    "3.3.15" is 2015; a field whose min is today reads "1.4.27" as 2027. None if
    the day does not exist (30.02.) in any candidate year.
    """
    if len(year_text) == 4:
        return _make(int(year_text), month, day)
    now = today()
    if low is None and high is None:
        high = now
    century = now.year // 100 * 100
    candidates = [
        candidate
        for offset in (-100, 0, 100)
        if (candidate := _make(century + offset + int(year_text), month, day))
    ]
    allowed = [c for c in candidates if (low is None or c >= low) and (high is None or c <= high)]
    pool = allowed or candidates
    return min(pool, key=lambda c: abs((c - now).days)) if pool else None


@lru_cache(maxsize=256)
def _is_month_name(word: str, languages: tuple[str, ...]) -> bool:
    data = _parser(languages, complete=False).get_date_data(word)
    return data.date_obj is not None and data.period == "month"


def _looks_partial(variants: list[str], languages: tuple[str, ...]) -> bool:
    """A date missing day, month or year ("März 1958", "3.3.") rather than no date at all.

    dateparser also reads "42" or "so" (Sunday) as partial dates, so we also require
    a four-digit year, two numbers, or a month name.
    """
    for variant in variants:
        if _parser(languages, complete=False).get_date_data(variant).date_obj is None:
            continue
        runs = _DIGIT_RUN.findall(variant)
        if any(len(run) == 4 for run in runs) or len(runs) >= 2:
            return True
        if any(_is_month_name(word, languages) for word in _WORD.findall(variant)):
            return True
    return False


def _limit(value: Any) -> date | None:
    """An option "min"/"max": None, "today", an ISO date string or a date."""
    if value is None:
        return None
    if isinstance(value, date):
        return value
    if str(value).strip().lower() == "today":
        return today()
    return date.fromisoformat(str(value).strip())


def format_limit(value: date, lang: str) -> str:
    """A limit as the citizen reads dates: "3. März 1958" / "3 March 1958"."""
    return format_date(value, format="long", locale=babel_locale(lang))


def day_optional(options: Mapping[str, Any]) -> bool:
    """`options: {day: optional}`: month and year are enough, the first of the month is noted."""
    return str(options.get("day", "")).strip().lower() == "optional"


def _month_year(variants: list[str], languages: tuple[str, ...]) -> date | None:
    """The first of the month of "November 2021", "seit Nov. 2021", "11/2021" or "2021-11"."""
    for variant in variants:
        for pattern in _MONTH_YEAR_NUMERIC:
            match = pattern.fullmatch(variant)
            if match:
                return _make(int(match["year"]), int(match["month"]), 1)
        result = _parser(languages, complete=False, month_year=True).get_date_data(variant)
        if result.date_obj is not None and f"{result.date_obj.year:04d}" in _DIGIT_RUN.findall(
            variant
        ):
            return _make(result.date_obj.year, result.date_obj.month, 1)
    return None


def _gregorian(value: str, lang: str, options: Mapping[str, Any]) -> Reading:
    """A date of the Gregorian calendar: complete, or month and year where the day is optional."""
    low, high = _limit(options.get("min")), _limit(options.get("max"))
    languages = dateparser_languages(lang)
    variants = _variants(value)
    found: tuple[str, int, int] | None = None
    for variant in variants:
        found = _numeric(variant)
        if found is not None:
            break
        result = _parser(languages, complete=True).get_date_data(variant).date_obj
        if result is not None:
            year_text = _typed_year(result.date(), variant)
            if year_text is None:
                raise ParseError("date.invalid")  # a three-digit year or a misread number
            found = year_text, result.month, result.day
            break
    if found is not None:
        return Reading(_checked(_resolve(*found, low, high)))
    if day_optional(options):
        first = _month_year(variants, languages)
        if first is not None:
            noted = _checked(first)
            return Reading(noted, (Notice("date.first_of_month", {"date": ("date", noted)}),))
    if _looks_partial(variants, languages):
        raise ParseError("date.incomplete")
    raise ParseError("date.invalid")


def _solar_hijri(value: str, lang: str, options: Mapping[str, Any]) -> Reading | None:
    """A Solar Hijri date of a Persian dialogue as its Gregorian date, said back to the citizen."""
    solar = read_solar_hijri(value, lang)
    if solar is None:
        return None
    if solar.day is None and not day_optional(options):
        raise ParseError("date.incomplete")
    noted = _checked(solar.to_gregorian())
    values = {"date": ("date", noted), "solar_hijri": ("solar_hijri_date", noted)}
    return Reading(noted, (Notice("date.solar_hijri", values),))


def _checked(parsed: date | None) -> str:
    """ISO date, or ParseError for a day that does not exist (30.02.) or a year such as 2958."""
    if parsed is None or not EARLIEST <= parsed <= LATEST:
        raise ParseError("date.invalid")
    return parsed.isoformat()


def read_date(text: str, lang: str, options: Mapping[str, Any] | None = None) -> Reading:
    """The ISO date "YYYY-MM-DD" and what to tell the citizen about how it was read.

    Options: min, max ("today" or ISO), day ("optional": month and year suffice).
    """
    options = options or {}
    value = clean(text)
    if not value or len(value) > _MAX_LENGTH:
        raise ParseError("date.invalid")
    value = words_to_digits(_with_known_months(value, lang), lang, ordinals=True)
    reading = _solar_hijri(value, lang, options) or _gregorian(value, lang, options)
    parsed = date.fromisoformat(reading.value)
    low, high = _limit(options.get("min")), _limit(options.get("max"))
    if low is not None and parsed < low:
        raise ParseError("date.too_early", min=format_limit(low, lang))
    if high is not None and parsed > high:
        raise ParseError("date.too_late", max=format_limit(high, lang))
    return reading


def parse_date(text: str, lang: str, options: Mapping[str, Any] | None = None) -> str:
    """ISO "YYYY-MM-DD" from a date in de, en or the dialogue language (see read_date)."""
    return str(read_date(text, lang, options).value)
