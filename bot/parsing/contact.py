"""Phone numbers and e-mail addresses, as the back office stores them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import phonenumbers

from .errors import ParseError
from .text import clean

DEFAULT_REGION = "DE"
E164_PATTERN = re.compile(r"\+[1-9][0-9]{6,14}")  # as in common.schema.json
_MAX_PHONE_LENGTH = 40

MAX_EMAIL_LENGTH = 254
_MAILTO = re.compile(r"(?i)^(?:e-?mail\s*:?\s*|mailto:)")
_LOCAL = re.compile(r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*")
_LABEL = re.compile(r"[^\W_](?:[\w-]*[^\W_])?")
_TLD = re.compile(r"[^\W\d_]{2,}|xn--[a-z0-9-]+")


def parse_phone(text: str, lang: str, options: Mapping[str, Any] | None = None) -> str:
    """E.164 ("+496111234567") from "0611 1234567", "0049 611 ...", "0151/23456789".

    A number without country code is German; phonenumbers knows each country's
    lengths and prefixes, so typos that leave a digit out are caught.
    """
    value = clean(text)
    if not value or len(value) > _MAX_PHONE_LENGTH:
        raise ParseError("phone.invalid")
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ParseError("phone.invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ParseError("phone.invalid")
    result = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not E164_PATTERN.fullmatch(result):
        raise ParseError("phone.invalid")
    return result


def parse_email(text: str, lang: str, options: Mapping[str, Any] | None = None) -> str:
    """A plausible address with the domain lower-cased; no network look-up.

    The local part keeps its case: in principle it is case-sensitive, and the
    citizen should get mail at exactly what they typed.
    """
    value = _MAILTO.sub("", clean(text)).strip("<>").rstrip(".")
    if not value or len(value) > MAX_EMAIL_LENGTH or " " in value or value.count("@") != 1:
        raise ParseError("email.invalid")
    local, domain = value.split("@")
    domain = domain.lower()
    labels = domain.split(".")
    if (
        len(local) > 64
        or not _LOCAL.fullmatch(local)
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) and len(label) <= 63 for label in labels)
        or not _TLD.fullmatch(labels[-1])
    ):
        raise ParseError("email.invalid")
    return f"{local}@{domain}"
