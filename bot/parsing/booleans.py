"""Yes or no, in the dialogue language and always in German and English."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from . import lexicon
from .errors import ParseError
from .text import clean, fold

_MAX_WORDS = 8  # longer answers explain something; we ask again rather than guess
_MAX_PHRASE = 4


@lru_cache(maxsize=32)
def _phrases(lang: str) -> dict[str, bool | None]:
    """Folded phrase -> True (yes), False (no) or None (unsure, which is neither)."""
    data = lexicon.load("booleans")
    phrases: dict[str, bool | None] = {}
    for key, meaning in (("yes", True), ("no", False), ("unsure", None)):
        for phrase in lexicon.words(data[key], lang):
            phrases[fold(phrase)] = meaning
    return phrases


@lru_cache(maxsize=1)
def _emoji() -> dict[str, bool]:
    data = lexicon.load("booleans")["emoji"]
    return {
        _bare_emoji(symbol): meaning
        for key, meaning in (("yes", True), ("no", False))
        for symbol in data[key]
    }


def _bare_emoji(text: str) -> str:
    """Without variation selectors and skin tones, so 👍🏽 counts as 👍."""
    return "".join(
        char
        for char in text
        if not ("\ufe00" <= char <= "\ufe0f" or "\U0001f3fb" <= char <= "\U0001f3ff")
        and not unicodedata.category(char).startswith("Z")
    )


def parse_confirmation(text: str, lang: str) -> bool:
    """A declaration the citizen must confirm: only a yes counts."""
    try:
        confirmed = parse_boolean(text, lang)
    except ParseError:
        confirmed = False
    if not confirmed:
        raise ParseError("confirm.required")
    return True


def parse_boolean(text: str, lang: str) -> bool:
    """yes/no words in de and en (ja, jawohl, genau, stimmt, nein, ne, yes, yeah, yep,
    correct, no, nope, ...) ; raise ParseError("boolean.invalid").

    Words of the dialogue language count too (vocab/booleans.yml). An answer with
    both a yes and a no word, or an "unsure" phrase, is invalid rather than guessed.
    """
    value = clean(text)
    emoji = _bare_emoji(value)
    if emoji in _emoji():
        return _emoji()[emoji]
    words = fold(value).split()
    if not words or len(words) > _MAX_WORDS:
        raise ParseError("boolean.invalid")
    phrases = _phrases(lang)
    meanings: set[bool | None] = set()
    covered = [False] * len(words)
    # Longest phrases first, anywhere: "weiß nicht" is not "nicht", "stimmt nicht" not "stimmt".
    for size in range(min(_MAX_PHRASE, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            span = range(start, start + size)
            phrase = " ".join(words[start : start + size])
            if phrase in phrases and not any(covered[i] for i in span):
                meanings.add(phrases[phrase])
                for i in span:
                    covered[i] = True
    if len(meanings) != 1 or None in meanings:
        raise ParseError("boolean.invalid")
    return bool(meanings.pop())
