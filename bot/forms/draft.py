"""The citizen's unfinished application: everything the dialogue must remember."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from bot.forms.phase import Phase


@dataclass
class Draft:
    lang: str
    phase: Phase = Phase.MENU
    application: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)  # answer key -> value (None = skipped)
    history: list[str] = field(default_factory=list)  # answer keys, in the order given
    editing: str | None = None  # answer key asked again on the citizen's request
    return_phase: Phase | None = None  # where a detour (cancel? which answer?) returns to
    reference: str | None = None
    references: list[str] = field(default_factory=list)  # submitted here: status may be told
    hints_shown: list[str] = field(default_factory=list)
    language_checked: bool = False  # the first free-text message was checked for its language
    previous_lang: str | None = None  # to go back to if a guessed language is declined
    # the guide (phases guide and offer): facts, questions asked, the current question,
    # applications offered; "pending": a wish to follow once the language is settled
    guide: dict[str, Any] = field(default_factory=dict)
    offered: list[str] = field(default_factory=list)  # the last buttons: numbers pick them
    asked_document: str | None = None  # the proof asked for now: a messenger's file is it

    def __post_init__(self) -> None:
        """A phase stored as its string (JSON) or given as one comes back as the enum."""
        self.phase = Phase(self.phase)
        self.return_phase = Phase(self.return_phase) if self.return_phase else None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: the phases as their strings."""
        data = asdict(self)
        data["phase"] = str(self.phase)
        data["return_phase"] = str(self.return_phase) if self.return_phase else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def record(self, key: str, value: Any) -> None:
        self.answers[key] = value
        if key in self.history:
            self.history.remove(key)
        self.history.append(key)

    def forget(self, key: str) -> Any:
        if key in self.history:
            self.history.remove(key)
        return self.answers.pop(key, None)
