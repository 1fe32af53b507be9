"""A bot message as a pure text dialogue: what a messenger shows and a screen reader reads.

The web page draws `custom` (contracts/conversation.md) as progress bar, input and
buttons. A messenger, or a screen reader reading one, has only the text, so
everything the citizen needs goes into it, in reading order: how far along
("Frage 12 von 40"), the message (which already holds the summary, the reference
and hints), then the choices as a numbered list, since "2", "zwei" or the label
answer them (bot/forms/numbered.py). Buttons, where a platform has them, are an
extra.

Messages longer than a platform allows are split at blank lines, then lines, then
words, so a summary item (one line) is never cut in two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.nlg.texts import language_or_default, t

PROGRESS_STEPS = ("ask", "invalid")


def as_text(message: dict[str, Any]) -> str:
    """The whole message in reading order, for a dialogue without any widgets."""
    custom = message.get("custom") or {}
    lang = language_or_default(custom.get("lang"))
    blocks = []
    progress = custom.get("progress")
    if progress and custom.get("step") in PROGRESS_STEPS:
        current = min(progress["answered"] + 1, progress["total"])
        blocks.append(t("messenger.progress", lang, current=current, total=progress["total"]))
    if message.get("text"):
        blocks.append(message["text"])
    choices = custom.get("choices") or []
    if choices:
        blocks.append("\n".join(f"{n}. {c['title']}" for n, c in enumerate(choices, 1)))
        several = (custom.get("input") or {}).get("type") == "multi_choice"
        blocks.append(t("messenger.choose_several" if several else "messenger.choose", lang))
    return "\n\n".join(blocks)


def utf16_length(text: str) -> int:
    """Telegram counts its 4,096 characters in UTF-16 code units: an emoji counts twice."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int, length: Callable[[str], int] = len) -> list[str]:
    """Chunks of at most `limit`, cut at the largest boundary that fits: paragraph, line, word."""
    if length(text) <= limit:
        return [text]
    for separator in ("\n\n", "\n", " "):
        pieces = text.split(separator)
        if len(pieces) > 1:
            return _packed(pieces, separator, limit, length)
    cut = limit  # one word longer than the limit: cut it where it must be cut
    while length(text[:cut]) > limit:
        cut -= 1
    return [text[:cut], *split_message(text[cut:], limit, length)]


def _packed(
    pieces: list[str], separator: str, limit: int, length: Callable[[str], int]
) -> list[str]:
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        joined = f"{current}{separator}{piece}" if current else piece
        if length(joined) <= limit:
            current = joined
            continue
        if current:
            chunks.append(current)
        if length(piece) <= limit:
            current = piece
        else:
            *whole, current = split_message(piece, limit, length)
            chunks.extend(whole)
    if current:
        chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()]
