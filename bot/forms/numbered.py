"""A number answers the choices last shown: "2", "zwei", "two", "٢" pick the second.

Messengers and screen readers get the choices as a numbered list in the text
(bot/channels/text_dialogue.py), and Matrix or Threema have no buttons at all. So
whatever the step — menu, question, summary, language — the number of a choice
shown last turn stands for its button. The draft keeps the buttons' payloads, so
this works on every instance and after a switch of channel.

A messenger's button cannot carry our payload (Telegram allows 64 bytes), so it
carries the payload's digest (`metadata.choice`) and the label as text: a button of
an older message, whose digest is no longer offered, is read as the label typed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from typing import Any

from bot.forms.turn import UserTurn
from bot.parsing import normalize_digits
from bot.parsing.number_words import words_to_digits

_NUMBER = re.compile(r"(?:nr\.?|no\.?|#)?\s*([0-9]{1,2})\s*[.)]?", re.IGNORECASE)
_PAYLOAD = re.compile(r"/(\w+)(\{.*\})?", re.DOTALL)


def offered(state: dict[str, Any]) -> list[str]:
    """The payloads a number may stand for; none for several-at-once choices ("1, 3")."""
    if (state.get("input") or {}).get("type") == "multi_choice":
        return []
    return [choice["payload"] for choice in state.get("choices") or [] if choice.get("payload")]


def choice_digest(payload: str) -> str:
    """16 hex characters naming a button's payload in a messenger's callback."""
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def by_number(turn: UserTurn, payloads: list[str], lang: str) -> UserTurn:
    """The turn as the button it names by digest or number, else unchanged."""
    if turn.is_button or not payloads:
        return turn
    digest = turn.metadata.get("choice")
    if isinstance(digest, str):
        pressed = [payload for payload in payloads if choice_digest(payload) == digest]
        return as_button(turn, pressed[0]) if pressed else turn
    written = normalize_digits(words_to_digits(turn.text, lang)).strip()
    number = _NUMBER.fullmatch(written)
    if number is None or not 1 <= int(number[1]) <= len(payloads):
        return turn
    return as_button(turn, payloads[int(number[1]) - 1])


def as_button(turn: UserTurn, payload: str) -> UserTurn:
    """What Rasa makes of a button payload "/intent{json}": that intent, certain, its entities."""
    match = _PAYLOAD.fullmatch(payload)
    if match is None:
        return turn
    entities = json.loads(match[2]) if match[2] else {}
    return replace(
        turn,
        text=payload,
        intent=match[1],
        confidence=1.0,
        entities={str(k): str(v) for k, v in entities.items()},
        ranking={match[1]: 1.0},
    )
