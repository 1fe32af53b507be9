"""Finds which earlier answer the citizen wants to change ("my date of birth is wrong")."""

from __future__ import annotations

import re

from bot.definitions import Application
from bot.forms.answers import match_languages
from bot.forms.plan import Step
from bot.forms.turn import UserTurn
from bot.nlg.texts import lookup


def _words(app: Application, step: Step, lang: str) -> list[str]:
    if step.field is not None:
        base = f"apps.{app.id}.fields.{step.field.id}"
    elif step.document is not None:
        base = f"apps.{app.id}.documents.{step.document.id}"
    else:
        assert step.group is not None
        base = f"apps.{app.id}.groups.{step.group.id}"
    words: list[str] = []
    for language in match_languages(lang):
        label = lookup(f"{base}.label", language)
        if label:
            words.append(str(label))
        words.extend(lookup(f"{base}.keywords", language) or ())
    return [w.casefold() for w in words if w]


def mentions(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}", text) is not None


def find_target(app: Application, steps: list[Step], turn: UserTurn, lang: str) -> Step | None:
    """The answered step named by a button payload or by the longest keyword in the text.

    Among repeated items the latest one wins: people usually correct what they just said.
    """
    wanted = turn.entities.get("field")
    if wanted:
        return next((s for s in steps if s.key == wanted), None)
    text = turn.text.casefold()
    best: tuple[int, int] | None = None
    found: Step | None = None
    for position, step in enumerate(steps):
        lengths = [len(w) for w in _words(app, step, lang) if mentions(text, w)]
        if lengths and (best is None or (max(lengths), position) >= best):
            best, found = (max(lengths), position), step
    return found
