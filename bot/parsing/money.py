"""Euro amounts such as "420,50 €", "€ 420.50", "1.234,56", "65 Euro", "65,-" or "dreihundert Euro".

"1.500 €" in an English, Russian or Arabic dialogue: a dot followed by groups of
exactly three digits, and nothing else, is a thousands separator in a money
answer, whatever the dialogue's convention. The other reading (1.5 with three
decimals) is no euro amount, since euros have two decimals; so the rule guesses
nothing. "1.50" or "1.5" stay decimals where the dialogue writes decimal dots.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from . import lexicon
from .errors import ParseError
from .numbers import decimal_candidates, extract_number, format_number, to_json_number
from .text import fold

DEFAULT_MAX = 10_000_000
_DOT_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")


@lru_cache(maxsize=1)
def _foreign_currency_words() -> frozenset[str]:
    return frozenset(fold(word) for word in lexicon.load("money")["foreign_currencies"])


def _names_other_currency(words: str) -> bool:
    """True for "$", "£", "Dollar", "TL" ...: we must not store those as euros."""
    if any(unicodedata.category(char) == "Sc" and char != "€" for char in words):
        return True
    folded = fold(words)
    tokens = folded.split()
    phrases = set(tokens) | {" ".join(pair) for pair in itertools.pairwise(tokens)}
    return not phrases.isdisjoint(_foreign_currency_words())


def parse_money(text: str, lang: str, options: Mapping[str, Any] | None = None) -> int | float:
    """An amount in euro: int when whole, else float with at most two decimals. Option: max.

    The dialogue locale's reading wins ("1,234" is 1,234 € in German and so too
    precise); another convention is used only where the dialogue's cannot read it.
    """
    options = options or {}
    extracted = extract_number(text, lang)
    if extracted is None:
        raise ParseError("money.invalid")
    number, negative, rest = extracted
    if _names_other_currency(rest):
        raise ParseError("money.invalid")
    if _DOT_GROUPED.fullmatch(number):
        number = number.replace(".", "")  # "1.500 €" is 1500 € in every dialogue
    readings = decimal_candidates(number, lang)
    if not readings:
        raise ParseError("money.invalid")
    value: Decimal = readings[0]
    if negative and value != 0:
        raise ParseError("money.negative")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ParseError("money.too_precise")
    maximum = Decimal(str(options.get("max", DEFAULT_MAX)))
    if value > maximum:
        raise ParseError("money.too_large", max=format_number(maximum, lang))
    return to_json_number(round(value, 2))
