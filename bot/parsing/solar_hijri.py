"""Dates of the Iranian (Solar Hijri, Jalali) calendar in a Persian dialogue: "۱۲ اسفند ۱۳۳۶".

Citizens from Iran and Afghanistan know their birth or entry date in this calendar.
In a Persian dialogue a date is Solar Hijri when it names one of its months (فروردین
... اسفند, "Esfand"; the Afghan names حمل ... حوت are rewritten to these through
vocab/month_aliases.yml), or when its year lies in 1300-1450; years from 1800 on are
Gregorian. persiantools converts, so the bot can say back the Gregorian date it stores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from persiantools.jdatetime import MONTH_NAMES_EN, MONTH_NAMES_FA, JalaliDate

from bot.languages import calendars

from .text import letters

FIRST_YEAR, LAST_YEAR = 1300, 1450  # 1921-2072: every date an application asks for
_NUMERIC = (
    re.compile(
        r"(?P<year>\d{4})\s*(?P<sep>[./-])\s*(?P<month>\d{1,2})(?:\s*(?P=sep)\s*(?P<day>\d{1,2}))?"
    ),
    re.compile(
        r"(?:(?P<day>\d{1,2})\s*(?P<sep>[./-])\s*)?(?P<month>\d{1,2})\s*[./-]\s*(?P<year>\d{4})"
    ),
)
# Words around a named month: "اسفند ماه", "سال ۱۳۳۶", "۱۳۳۶ شمسی", "ه.ش".
_FILLERS = frozenset(letters(w) for w in ("ماه", "سال", "شمسی", "هجری", "ه.ش", "هـ.ش", "روز"))
_TOKEN = re.compile(r"[^\s,،]+")


@dataclass(frozen=True)
class SolarDate:
    """A Solar Hijri date as typed; day is None when only month and year were given."""

    year: int
    month: int
    day: int | None

    def to_gregorian(self, day: int | None = None) -> date | None:
        """The Gregorian date (of `day` when the citizen gave none), None if it does not exist."""
        try:
            return JalaliDate(self.year, self.month, self.day or day or 1).to_gregorian()
        except ValueError:
            return None


@cache
def _months() -> dict[str, int]:
    names = {letters(name): number for number, name in enumerate(MONTH_NAMES_FA) if name}
    names.update({letters(name): number for number, name in enumerate(MONTH_NAMES_EN) if name})
    return names


def _named(text: str) -> SolarDate | None:
    """ "12 اسفند 1336", "اسفند ماه 1336", "12 Esfand 1336": a day, a month name and a year."""
    tokens = [t for t in _TOKEN.findall(text) if letters(t).strip(".") not in _FILLERS]
    months = [i for i, t in enumerate(tokens) if letters(t).strip(".") in _months()]
    if len(months) != 1:
        return None
    at = months[0]
    before, after = tokens[at - 1 : at] if at else [], tokens[at + 1 : at + 2]
    day = int(before[0]) if before and before[0].isdigit() and len(before[0]) <= 2 else None
    if not after or not after[0].isdigit() or len(after[0]) != 4:
        return None
    return SolarDate(int(after[0]), _months()[letters(tokens[at]).strip(".")], day)


def _numeric(text: str) -> SolarDate | None:
    """ "1336/12/12", "12.12.1336", "1400/8": only with a year in the Solar Hijri range."""
    for pattern in _NUMERIC:
        match = pattern.fullmatch(text.strip(" .")) or pattern.fullmatch(text.strip())
        if match and FIRST_YEAR <= int(match["year"]) <= LAST_YEAR:
            day = match["day"]
            return SolarDate(int(match["year"]), int(match["month"]), int(day) if day else None)
    return None


def read_solar_hijri(text: str, lang: str) -> SolarDate | None:
    """The Solar Hijri date in a Persian dialogue's answer, or None (then it is Gregorian).

    Persian: the languages whose calendars in data/languages.yml include solar_hijri.

    text has ASCII digits (parsing.text.clean). A named month decides the calendar; so
    does a numeric year in 1300-1450 (a Gregorian year there is no date we ask for).
    """
    if "solar_hijri" not in calendars(lang):
        return None
    found = _named(text) or _numeric(text)
    if found is None or not 1 <= found.month <= 12:
        return None
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        return None
    return found
