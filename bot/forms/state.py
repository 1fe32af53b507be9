"""The reply's state (`custom` in contracts/conversation.md), built here and only here.

The web page (bot/channels/static/chat.js) and REST clients read it: which step,
which field, what input fits, which buttons, how far along. Keys always come in
the order of `KEYS`, so the same state is the same JSON.
"""

from __future__ import annotations

from typing import Any

KEYS = ("step", "field", "input", "choices", "progress", "reference", "guide")


def state(step: str, **parts: Any) -> dict[str, Any]:
    """A state: `step` and any of the other `KEYS` (a part given as None is kept)."""
    unknown = set(parts) - set(KEYS)
    if unknown:
        raise ValueError(f"not a state key: {sorted(unknown)}")
    return {"step": step, **{key: parts[key] for key in KEYS if key in parts}}


def extended(current: dict[str, Any], **parts: Any) -> dict[str, Any]:
    """`current` with `parts` added or replaced, the keys still in their order."""
    merged = {**current, **parts}
    return state(merged.pop("step"), **merged)


def answer_input(
    kind: str, required: bool = True, autocomplete: str | None = None, **limits: Any
) -> dict[str, Any]:
    """What the input field accepts: its type, whether it may stay empty, its limits."""
    return {"type": kind, "required": required, "autocomplete": autocomplete, **limits}


def choice(value: str, label_key: str, payload: str, **label: Any) -> dict[str, Any]:
    """A button: its value, its text (`label_params` or `label_lang` in `label`), its payload."""
    return {"value": value, "label_key": label_key, **label, "payload": payload}


def yes_no_input() -> dict[str, Any]:
    """Yes or no, by button or in words."""
    return answer_input("confirm")


def text_input() -> dict[str, Any]:
    """A code or a triage answer: text the browser must not suggest from earlier input."""
    return answer_input("text", autocomplete="off")


def yes(label_key: str = "common.yes", payload: str = "/affirm") -> dict[str, Any]:
    return choice("true", label_key, payload)


def no(label_key: str = "common.no", payload: str = "/deny") -> dict[str, Any]:
    return choice("false", label_key, payload)
