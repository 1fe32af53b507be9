"""Bank account (IBAN) and German postal code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from schwifty import IBAN
from schwifty.exceptions import (
    InvalidBBANChecksum,
    InvalidChecksumDigits,
    SchwiftyException,
)

from .errors import ParseError
from .text import clean

_IBAN_PREFIX = re.compile(r"(?i)^\s*iban\s*(?:nr\.?|no\.?|nummer|number)?\s*[:.]?\s*")
_IBAN_SEPARATORS = re.compile(r"[\s.\-/]+")
IBAN_PATTERN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")  # as in common.schema.json
_POSTAL_CODE = re.compile(r"(?i)(?:D|DE)?\s*-?\s*([0-9]{5})(?:\s+[^\W\d_][^\d]*)?")


def parse_iban(text: str, lang: str, options: Mapping[str, Any] | None = None) -> str:
    """Compact upper-case IBAN from "IBAN: de89 3704 0044 0532 0130 00" and the like.

    A wrong check digit (a typo) is told apart from something that is no IBAN at all,
    so the citizen knows whether to look for a mistyped digit or at the wrong number.
    The bank code is not looked up: schwifty's registry may lag behind new banks.
    """
    compact = _IBAN_SEPARATORS.sub("", _IBAN_PREFIX.sub("", clean(text))).upper()
    if not IBAN_PATTERN.fullmatch(compact):
        raise ParseError("iban.invalid")
    try:
        iban = IBAN(compact)
    except (InvalidChecksumDigits, InvalidBBANChecksum):
        raise ParseError("iban.checksum") from None
    except SchwiftyException:
        raise ParseError("iban.invalid") from None
    result = str(iban.compact)
    if not IBAN_PATTERN.fullmatch(result):
        raise ParseError("iban.invalid")
    return result


def parse_postal_code(text: str, lang: str, options: Mapping[str, Any] | None = None) -> str:
    """Five-digit German postal code from "65185", "D-65185" or "65185 Wiesbaden"."""
    match = _POSTAL_CODE.fullmatch(clean(text))
    if not match or match[1].startswith("00"):  # no German code starts with 00
        raise ParseError("postal_code.invalid")
    return match[1]
