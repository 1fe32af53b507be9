"""The facts about each dialogue language, from one table: data/languages.yml.

Parsers, texts, the chat page and the NLU routing once each kept their own list of
babel names, right-to-left languages and scripts, and the lists drifted apart. Now
each reads this module, so adding a language is an entry in the table (plus its
texts and training data). Direction and script are not in the table: CLDR knows
them for the entry's babel locale. Bottom layer: imports nothing of the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from babel import Locale
from babel.core import get_global, parse_locale

from bot.yaml_files import read_yaml

TABLE = Path(__file__).resolve().parents[1] / "data" / "languages.yml"


@dataclass(frozen=True)
class Language:
    code: str
    locale: str
    spacy: str
    langid: str | None = None
    marks: str = ""
    base: bool = False
    number_words: str | None = None
    calendars: tuple[str, ...] = ()

    @cached_property
    def direction(self) -> str:
        """ "rtl" or "ltr", as CLDR writes the locale (the HTML `dir` value)."""
        return "rtl" if Locale.parse(self.locale).character_order == "right-to-left" else "ltr"

    @cached_property
    def script(self) -> str:
        """ISO 15924 code of the script CLDR expects for the locale: "Latn", "Arab", "Cyrl"."""
        likely = get_global("likely_subtags")[Locale.parse(self.locale).language]
        return str(parse_locale(likely)[2])


_TABLE: dict[str, Any] = read_yaml(TABLE)
DEFAULT_LANGUAGE: str = _TABLE["default"]
LANGUAGES: dict[str, Language] = {
    code: Language(code=code, **{**facts, "calendars": tuple(facts.get("calendars", ()))})
    for code, facts in _TABLE["languages"].items()
}
BASE_LANGUAGES: tuple[str, ...] = tuple(code for code, lang in LANGUAGES.items() if lang.base)
# Script -> a regex for its letters, in the order the NLU routing tries them.
SCRIPT_LETTERS: dict[str, re.Pattern[str]] = {
    script: re.compile(f"[{letters}]") for script, letters in _TABLE["scripts"].items()
}


def primary_language(lang: str | None) -> str:
    """ "de-x-ls" -> "de", "en_GB" -> "en", "" -> "de"."""
    primary = (lang or "").replace("_", "-").split("-")[0].strip().lower()
    return primary or DEFAULT_LANGUAGE


def language(lang: str | None) -> Language | None:
    """The table's entry for a tag, else for its primary language ("ar-SY" -> ar)."""
    return LANGUAGES.get(lang or "") or LANGUAGES.get(primary_language(lang))


def babel_name(lang: str | None) -> str:
    """The babel locale name for a tag ("en" -> "en_GB"); an unknown one as it is."""
    entry = language(lang)
    return entry.locale if entry else primary_language(lang)


def text_direction(lang: str) -> str:
    """The writing direction of a language, left to right when the table does not know it."""
    entry = language(lang)
    return entry.direction if entry else "ltr"


def script(lang: str) -> str | None:
    """The script a language is written in ("Arab"), None when the table does not know it."""
    entry = language(lang)
    return entry.script if entry else None


def calendars(lang: str) -> tuple[str, ...]:
    """Calendars besides the Gregorian one that citizens of this language date in."""
    entry = language(lang)
    return entry.calendars if entry else ()


def number_words(lang: str) -> str | None:
    """Where the language's number words are read from, None when nowhere."""
    entry = language(lang)
    return entry.number_words if entry else None


@cache
def spacy_languages() -> tuple[str, ...]:
    """Every spaCy pipeline the NLU needs, each once, in table order."""
    return tuple(dict.fromkeys(lang.spacy for lang in LANGUAGES.values()))


@cache
def spacy_languages_in(script: str) -> tuple[Language, ...]:
    """Per spaCy language written in a script, the entry that names it (with its langid)."""
    found: dict[str, Language] = {}
    for lang in LANGUAGES.values():
        if lang.script == script and (lang.spacy not in found or found[lang.spacy].langid is None):
            found[lang.spacy] = lang
    return tuple(found.values())
