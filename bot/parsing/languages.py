"""Dialogue language codes to what babel and dateparser understand.

The dialogue may run in "de", "de-x-ls" (Leichte Sprache), "ar", "tr", ... but the
citizen may always answer in the base languages (German and English) too, so every
parser accepts the dialogue language plus those. A language unknown to a library is
skipped there. Babel names and base languages: data/languages.yml.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from dateparser.data import languages_info

from bot.languages import BASE_LANGUAGES, DEFAULT_LANGUAGE, babel_name, primary_language


@lru_cache(maxsize=64)
def accepted_languages(lang: str | None) -> tuple[str, ...]:
    """The dialogue's primary language first, then the base languages (de, en), once each."""
    ordered = (primary_language(lang), *BASE_LANGUAGES)
    return tuple(dict.fromkeys(ordered))


@lru_cache(maxsize=64)
def _locale_or_none(primary: str) -> Locale | None:
    try:
        return Locale.parse(babel_name(primary))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def babel_locale(lang: str | None) -> Locale:
    """The babel locale of the dialogue language, German when babel does not know it."""
    return _locale_or_none(primary_language(lang)) or _locale_or_none(DEFAULT_LANGUAGE)


def babel_locales(lang: str | None) -> list[Locale]:
    """Babel locales of all accepted languages, in order, unknown ones left out."""
    locales = (_locale_or_none(code) for code in accepted_languages(lang))
    return [locale for locale in locales if locale is not None]


def dateparser_languages(lang: str | None) -> tuple[str, ...]:
    """Accepted languages that dateparser has data for."""
    known = set(languages_info.language_order)
    return tuple(code for code in accepted_languages(lang) if code in known)
