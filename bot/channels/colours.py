"""Brand colours a city may configure, accepted only where they keep text readable."""

from __future__ import annotations

import re

HEX_RE = re.compile(r"#?([0-9a-fA-F]{6})")
MIN_TEXT_CONTRAST = 4.5  # WCAG 1.4.3, for the white text on buttons in the accent colour


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    """Relative luminance as WCAG defines it."""
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _linear(red) + 0.7152 * _linear(green) + 0.0722 * _linear(blue)


def contrast_with_white(hex_colour: str) -> float:
    return 1.05 / (luminance(hex_colour) + 0.05)


def usable_accent(value: str | None) -> str | None:
    """`#rrggbb` when white text on it reaches 4.5:1, else None (the default colour stays)."""
    match = HEX_RE.fullmatch(value or "")
    if not match or contrast_with_white(match[1]) < MIN_TEXT_CONTRAST:
        return None
    return f"#{match[1].lower()}"
