"""Shows stored answers the way a citizen reads them in their language."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import phonenumbers
from babel import Locale
from babel.dates import format_date, format_timedelta
from babel.numbers import format_currency, format_decimal
from persiantools.digits import en_to_fa
from persiantools.jdatetime import MONTH_NAMES_EN, MONTH_NAMES_FA, JalaliDate

from bot.languages import babel_name, calendars, script
from bot.nlg.texts import t


def _country(code: str, lang: str) -> str:
    if code == "XX":
        return t("common.stateless", lang)
    return Locale.parse(babel_name(lang)).territories.get(code, code)


def solar_hijri_date(value: str, lang: str) -> str:
    """A stored (Gregorian) date in the Iranian calendar: "۱۲ اسفند ۱۳۳۶" / "12 Esfand 1336".

    Month names in Arabic script where the language is written in it, and Persian
    digits where the calendar is the language's own.
    """
    solar = JalaliDate(datetime.date.fromisoformat(value))
    if script(lang) == "Arab":
        text = f"{solar.day} {MONTH_NAMES_FA[solar.month]} {solar.year}"
        return en_to_fa(text) if "solar_hijri" in calendars(lang) else text
    return f"{solar.day} {MONTH_NAMES_EN[solar.month]} {solar.year}"


def label_text(label: str | Mapping[str, Any], lang: str) -> str:
    """A text key, a key with parameters ({"key", "params"}) or a formatted value."""
    if isinstance(label, str):
        return t(label, lang)
    if "format" in label:
        return format_value(label, lang)
    return t(str(label["key"]), lang, **(label.get("params") or {}))


def format_value(spec: Mapping[str, Any], lang: str) -> str:
    """spec: {"format": input type, "value": stored value, "key": label key for codes}.

    "for_item": a label that belongs to a group item, {"key", "item": the item's label},
    shown as "Kind 2 – Schulbescheinigung", the item first as in the group's field labels.
    """
    kind, value, locale = spec.get("format"), spec.get("value"), babel_name(lang)
    if kind == "for_item":
        return f"{label_text(spec['item'], lang)} – {t(str(spec['key']), lang)}"
    if spec.get("keys") is not None:
        labels = [label_text(key, lang) for key in spec["keys"]]
        return "\n".join(f"• {label}" for label in labels) if kind == "list" else ", ".join(labels)
    if spec.get("key"):
        return t(str(spec["key"]), lang)
    if kind in ("boolean", "confirm", "add_another"):
        return t("common.yes" if value else "common.no", lang)
    if kind == "date":
        return format_date(datetime.date.fromisoformat(str(value)), "long", locale=locale)
    if kind == "solar_hijri_date":
        return solar_hijri_date(str(value), lang)
    if kind == "duration":
        return format_timedelta(datetime.timedelta(seconds=float(value)), locale=locale)
    if kind == "money":
        return format_currency(value, "EUR", locale=locale)
    if kind in ("number", "integer", "count"):
        return format_decimal(value, locale=locale)
    if kind == "country":
        return _country(str(value), lang)
    if kind == "iban":
        text = str(value)
        return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
    if kind == "phone":
        number = phonenumbers.parse(str(value))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return str(value)
