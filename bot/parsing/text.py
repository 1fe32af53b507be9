"""Free-text answers, and the small text helpers every other parser shares."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from .digits import normalize_digits
from .errors import ParseError

_CONTROL = re.compile(r"[\u0000-\u001f\u007f-\u009f]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# Arabic and Persian keyboards type the same letters differently (ي/ی, ك/ک, ى, أ/إ/آ/ا,
# ة/ه): one form each, so a Persian word typed on an Arabic keyboard still matches.
_ARABIC_FORMS = str.maketrans(
    {"ي": "ی", "ى": "ی", "ك": "ک", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "\u200c": ""}
)
_APOSTROPHES = re.compile(r"['’‘`´]")
_NON_WORD = re.compile(r"[\W_]+")


def clean(text: str | None) -> str:
    """NFC, ASCII digits, no control or bidi characters, single spaces, stripped.

    Chat clients send non-breaking spaces, zero-width joiners and bidi marks
    (especially around Arabic text) that would otherwise break every regex.
    """
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    text = _INVISIBLE.sub("", _CONTROL.sub(" ", text))
    return " ".join(normalize_digits(text).split())


def fold(text: str) -> str:
    """A matching key: case-free, umlauts as ae/oe/ue, no accents, punctuation or Arabic
    letter variants.

    "Türkei", "TUERKEI" and "türkei!" all become "tuerkei", so a citizen without a
    German keyboard still matches; the same folding is applied to the vocabulary.
    """
    text = clean(text).casefold().translate(_UMLAUTS).translate(_ARABIC_FORMS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NON_WORD.sub(" ", text).split())


def letters(text: str) -> str:
    """A word as a matching key that keeps the letters: case-free, no accents, one form of
    each Arabic letter, no apostrophes.

    Unlike `fold`, umlauts are not spelled out: Turkish "üç" is typed "uc", not "uec".
    """
    text = unicodedata.normalize("NFKD", text.casefold().translate(_ARABIC_FORMS))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return _APOSTROPHES.sub("", text).replace("ı", "i").replace("ʼ", "")


def drop_lead_in(value: str, lead_ins: Iterable[str]) -> str:
    """ "Ich heiße Helga" -> "Helga": the first lead-in (pass longest first) if more follows."""
    for phrase in lead_ins:
        match = re.match(rf"{re.escape(phrase)}\b[\s:,.-]*(?=\S)", value, re.IGNORECASE)
        if match:
            return value[match.end() :]
    return value


def parse_text(text: str, lang: str, options: Mapping[str, Any] | None = None) -> str:
    """Names, places, reference numbers: cleaned text within length and pattern limits.

    Options: min_length (1), max_length (100), pattern (regex that must fullmatch),
    uppercase (bool, before the pattern check), remove_spaces (bool, for identifiers
    that citizens type in groups such as "A 123 456 780"). A lead-in such as "my name
    is" (vocab/lead_ins.yml) is dropped.
    """
    from .lexicon import lead_ins  # lexicon folds with this module's helpers

    options = options or {}
    value = drop_lead_in(clean(text), lead_ins(lang))
    if options.get("remove_spaces"):
        value = value.replace(" ", "")
    if options.get("uppercase"):
        value = value.upper()
    min_length = int(options.get("min_length", 1))
    max_length = int(options.get("max_length", 100))
    if not value:
        raise ParseError("text.empty")
    if len(value) < min_length:
        raise ParseError("text.too_short", min=str(min_length))
    if len(value) > max_length:
        raise ParseError("text.too_long", max=str(max_length))
    pattern = options.get("pattern")
    if pattern and re.fullmatch(pattern, value) is None:
        raise ParseError("text.pattern")
    return value
