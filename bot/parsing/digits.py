"""Unicode digits to ASCII, so every parser sees "1958" whether typed as "١٩٥٨" or "۱۹۵۸"."""

from __future__ import annotations

import unicodedata


def normalize_digits(text: str) -> str:
    """Arabic-Indic (٠-٩) and Persian (۰-۹) and other Unicode decimal digits to ASCII."""
    if text.isascii():
        return text
    out = []
    for char in text:
        value = unicodedata.decimal(char, None) if not char.isascii() else None
        out.append(str(value) if value is not None else char)
    return "".join(out)
