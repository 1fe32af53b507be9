"""Dialogue language codes to what babel and dateparser understand.

The dialogue may run in "de", "de-x-ls" (Leichte Sprache), "ar", "tr", ... but the
citizen may always answer in German or English too, so every parser accepts the
dialogue language plus de and en. A language unknown to a library is skipped there.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from dateparser.data import languages_info

FALLBACK_LANGUAGES: tuple[str, ...] = ("de", "en")
# Babel locale used for a primary language; English is the British variant because
# our English-speaking citizens live in Germany and write day-first dates.
_BABEL_LOCALE: dict[str, str] = {"de": "de_DE", "en": "en_GB"}


def primary_language(lang: str | None) -> str:
    """ "de-x-ls" -> "de", "en_GB" -> "en", "" -> "de"."""
    primary = (lang or "").replace("_", "-").split("-")[0].strip().lower()
    return primary or FALLBACK_LANGUAGES[0]


@lru_cache(maxsize=64)
def accepted_languages(lang: str | None) -> tuple[str, ...]:
    """The dialogue's primary language first, then de and en, without duplicates."""
    ordered = (primary_language(lang), *FALLBACK_LANGUAGES)
    return tuple(dict.fromkeys(ordered))


@lru_cache(maxsize=64)
def _locale_or_none(primary: str) -> Locale | None:
    try:
        return Locale.parse(_BABEL_LOCALE.get(primary, primary))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def babel_locale(lang: str | None) -> Locale:
    """The babel locale of the dialogue language, German when babel does not know it."""
    return _locale_or_none(primary_language(lang)) or _locale_or_none(FALLBACK_LANGUAGES[0])


def babel_locales(lang: str | None) -> list[Locale]:
    """Babel locales of all accepted languages, in order, unknown ones left out."""
    locales = (_locale_or_none(code) for code in accepted_languages(lang))
    return [locale for locale in locales if locale is not None]


def dateparser_languages(lang: str | None) -> tuple[str, ...]:
    """Accepted languages that dateparser has data for."""
    known = set(languages_info.language_order)
    return tuple(code for code in accepted_languages(lang) if code in known)
