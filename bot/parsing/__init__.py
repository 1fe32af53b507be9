"""Answer parsers: the citizen's free-text answer -> the JSON value the payload needs.

The dialogue asks one field at a time; `parse_answer` turns the reply into the
field's value or raises `ParseError`, whose `reason` the bot renders as the
localized text `errors.<reason>` from locales/<lang>/errors.yml. `read_answer`
also returns the notices the citizen must hear about how the answer was read
("Ich notiere den 1. November 2021"), `notices.<reason>` in locales/<lang>/notices.yml.

Every parser accepts the dialogue language plus German and English, because a
citizen may write "03.03.1958" in an English dialogue or "yes" in a German one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .booleans import parse_boolean, parse_confirmation
from .choices import choices_from_options, parse_choice, parse_choices
from .contact import parse_email, parse_phone
from .countries import parse_country
from .dates import parse_date, read_date
from .digits import normalize_digits
from .errors import REASONS, ParseError
from .files import media_type_of, parse_document_answer
from .identifiers import parse_iban, parse_postal_code
from .money import parse_money
from .notices import NOTICES, Notice, Reading
from .numbers import parse_count, parse_integer, parse_number
from .text import parse_text

__all__ = [
    "INPUT_TYPES",
    "NOTICES",
    "REASONS",
    "Notice",
    "ParseError",
    "Reading",
    "normalize_digits",
    "parse_answer",
    "read_answer",
    "parse_boolean",
    "parse_choice",
    "parse_choices",
    "media_type_of",
]

Parser = Callable[[str, str, Mapping[str, Any]], Any]


def _choice(text: str, lang: str, options: Mapping[str, Any]) -> str:
    return parse_choice(text, choices_from_options(options))


def _multi_choice(text: str, lang: str, options: Mapping[str, Any]) -> list[str]:
    return parse_choices(text, choices_from_options(options))


def _boolean(text: str, lang: str, options: Mapping[str, Any]) -> bool:
    return parse_boolean(text, lang)


def _confirm(text: str, lang: str, options: Mapping[str, Any]) -> bool:
    return parse_confirmation(text, lang)


_PARSERS: dict[str, Parser] = {
    "text": parse_text,
    "date": parse_date,
    "money": parse_money,
    "number": parse_number,
    "integer": parse_integer,
    "count": parse_count,
    "iban": parse_iban,
    "email": parse_email,
    "phone": parse_phone,
    "postal_code": parse_postal_code,
    "country": parse_country,
    "choice": _choice,
    "multi_choice": _multi_choice,
    "boolean": _boolean,
    "confirm": _confirm,
    "file": parse_document_answer,
}
INPUT_TYPES: tuple[str, ...] = tuple(_PARSERS)
# Types whose reading can come with notices; the others' value is all there is to say.
_READERS: dict[str, Callable[[str, str, Mapping[str, Any]], Reading]] = {"date": read_date}


def parse_answer(
    input_type: str, text: str, lang: str, options: Mapping[str, Any] | None = None
) -> Any:
    """Dispatch to the parser for input_type; returns a JSON-ready value or raises ParseError."""
    parser = _PARSERS.get(input_type)
    if parser is None:
        raise ValueError(f"unknown input type {input_type!r}")  # a definition bug, not the user's
    return parser(text if text is not None else "", lang, options or {})


def read_answer(
    input_type: str, text: str, lang: str, options: Mapping[str, Any] | None = None
) -> Reading:
    """Like parse_answer, with what to tell the citizen about the reading (first of the month)."""
    reader = _READERS.get(input_type)
    if reader is None:
        return Reading(parse_answer(input_type, text, lang, options))
    return reader(text if text is not None else "", lang, options or {})
