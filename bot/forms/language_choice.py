"""Which dialogue language the citizen names ("auf Arabisch bitte") or writes in.

Names come from babel (every language's name in every supported language) plus
vocab/language_names.yml; the language of a free-text message from py3langid,
restricted to the languages of data/languages.yml it can recognise (not Leichte Sprache).
"""

from __future__ import annotations

import re
from functools import cache

from babel import Locale, UnknownLocaleError

from bot.languages import LANGUAGES
from bot.nlg.texts import supported_languages
from bot.nlp.language_id import classify
from bot.parsing import lexicon
from bot.parsing.text import fold

DETECTION_CONFIDENCE = 0.8  # below this a short message ("hallo", "salam") proves nothing


def _babel_name(code: str, display: str) -> str | None:
    try:
        return Locale.parse(code).get_display_name(Locale.parse(display.split("-")[0]))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


@cache
def _names() -> list[tuple[str, str]]:
    """(folded name, language code), longest first so "leichte sprache" beats "deutsch"."""
    languages = supported_languages()
    extra = lexicon.load("language_names")
    pairs = set()
    for code in languages:
        babel = [] if "-" in code else [_babel_name(code, display) for display in languages]
        pairs |= {(fold(name), code) for name in [*babel, *extra.get(code, ())] if name}
    return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)


def find_language(text: str) -> str | None:
    """The supported language a message names, if any."""
    folded = fold(text)
    for name, code in _names():
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
            return code
    return None


def detect_language(text: str) -> str | None:
    """The language a free-text message is written in, when the evidence is strong."""
    if len(text.strip()) < 2:
        return None
    by_langid = {lang.langid: code for code, lang in LANGUAGES.items() if lang.langid}
    code, probability = classify(text, tuple(sorted(by_langid)))
    return by_langid[code] if probability >= DETECTION_CONFIDENCE else None
