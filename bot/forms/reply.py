"""What the dialogue answers: text keys with parameters, and the conversation state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    """Text keys with parameters, and the state object of the conversation contract."""

    parts: list[dict[str, Any]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    submit: bool = False  # the citizen confirmed: the caller submits and calls `submitted`
    forget: bool = False  # the citizen cancelled: the caller deletes draft and history
    pause: bool = False  # the caller issues a resume code and calls `paused`
    resume_code: str | None = None  # the caller looks it up and calls `resumed`/`resume_failed`
    status_of: str | None = None  # the caller looks up the inbox status and calls `status`

    def say(self, key: str, **params: Any) -> Reply:
        self.parts.append({"key": key, "params": params})
        return self


def typed(kind: str, value: Any, label_key: str | None = None) -> dict[str, Any]:
    """A value the NLG formats for the citizen's locale (dates, money, codes)."""
    return {"format": kind, "value": value, "key": label_key}


def typed_list(keys: list[Any]) -> dict[str, Any]:
    """A bulleted list of texts (keys or labels with parameters), e.g. the documents needed."""
    return {"format": "list", "value": None, "keys": keys}
