"""Turns the citizen's answer to one question into the value the payload needs."""

from __future__ import annotations

from typing import Any

from bot.definitions import Application
from bot.definitions.model import NONE
from bot.forms.plan import Step
from bot.forms.reply import Reply, typed
from bot.forms.turn import UserTurn
from bot.languages import BASE_LANGUAGES
from bot.nlg.texts import lookup, t
from bot.parsing import (
    ParseError,
    Reading,
    parse_answer,
    parse_boolean,
    parse_choice,
    parse_choices,
    read_answer,
)

DOCUMENT_CHOICES = ("later", "not_available")

YES_NO_INTENTS = {"affirm": True, "deny": False}


def match_languages(lang: str) -> tuple[str, ...]:
    """Whose words count as an answer: citizens mix in German and English words."""
    return tuple(dict.fromkeys((lang, *BASE_LANGUAGES)))


def choice_label_key(app: Application, step: Step, code: str) -> str:
    assert step.field is not None
    return f"apps.{app.id}.fields.{step.field.id}.choices.{code}"


def _choice_words(app: Application, step: Step, code: str, lang: str) -> list[str]:
    assert step.field is not None
    words = [code]
    for language in match_languages(lang):
        words.append(t(choice_label_key(app, step, code), language))
        synonyms_key = f"apps.{app.id}.fields.{step.field.id}.synonyms.{code}"
        words.extend(lookup(synonyms_key, language) or ())
    return words


def parse_yes_no(text: str, lang: str) -> bool | None:
    """Yes, no, or None when the text says neither."""
    try:
        return parse_boolean(text, lang)
    except ParseError:
        return None


def document_choice_key(code: str) -> str:
    return f"common.document_choices.{code}"


def document_label(app: Application, step: Step) -> dict[str, Any]:
    """The name of the asked document; a per-item one also names its item ("Kind 2").

    The item's name is its group's label, so "Kind 2" reads the same in the
    document question, in the list of documents and in the summary.
    """
    assert step.document is not None
    label = {"key": f"apps.{app.id}.documents.{step.document.id}.label"}
    if step.of_item is None or step.group is None:
        return label
    item = {
        "key": f"apps.{app.id}.groups.{step.group.id}.label",
        "params": {"number": step.number, "parent_number": step.parent_number},
    }
    return {"format": "for_item", "value": None, **label, "item": item}


def _document(step: Step, turn: UserTurn, lang: str) -> dict[str, str]:
    """An uploaded file of this kind (by its id), or "later" / "not available"."""
    assert step.document is not None
    words = [
        (
            code,
            [code]
            + [t(document_choice_key(code), one) for one in match_languages(lang)]
            + [
                word
                for one in match_languages(lang)
                for word in lookup(f"common.document_synonyms.{code}", one) or ()
            ],
        )
        for code in DOCUMENT_CHOICES
    ]
    options = {"document": step.document.id, "attachments": turn.attachments, "choices": words}
    return parse_answer("file", turn.entities.get("value") or turn.text, lang, options)


def _yes_no(turn: UserTurn, lang: str) -> bool:
    if turn.entities.get("value") in ("true", "false"):
        return turn.entities["value"] == "true"
    if turn.means(*YES_NO_INTENTS, confidence=0.5):
        return YES_NO_INTENTS[turn.intent or ""]
    return parse_boolean(turn.text, lang)


def _multi_choice(app: Application, step: Step, turn: UserTurn, lang: str) -> list[str]:
    """Codes from buttons ("lunch,school_trips"), or labels and synonyms named in the text."""
    assert step.field is not None
    value = turn.entities.get("value") or ""
    if value and set(value.split(",")) <= set(step.choices):
        return list(dict.fromkeys(value.split(",")))
    options = [(c, _choice_words(app, step, c, lang)) for c in step.choices]
    return parse_choices(turn.text, options)


def _without_stray_none(codes: list[str]) -> list[str]:
    """ "Schwanger, sonst nichts" names a need: "none" counts only when nothing else is named."""
    named = [code for code in codes if code != NONE]
    return named or codes


def interpret(app: Application, step: Step, turn: UserTurn, lang: str) -> Any:
    """The parsed value, or ParseError with a reason the NLG can explain."""
    kind = step.kind
    if kind in ("add_another", "boolean"):
        return _yes_no(turn, lang)
    if kind == "confirm":
        if turn.means("affirm", confidence=0.5):
            return True
        if turn.means("deny", confidence=0.5):
            raise ParseError("confirm.required")
        return parse_answer("confirm", turn.text, lang)
    if kind == "file":
        return _document(step, turn, lang)
    assert step.field is not None
    if kind == "multi_choice":
        return _without_stray_none(_multi_choice(app, step, turn, lang))
    if kind == "choice":
        if turn.entities.get("value") in step.choices:
            return turn.entities["value"]
        options = [(c, _choice_words(app, step, c, lang)) for c in step.choices]
        return parse_choice(turn.text, options)
    if turn.is_button:
        raise ParseError("choice.unknown")
    return parse_answer(kind, turn.text, lang, step.field.options)


def interpret_noted(app: Application, step: Step, turn: UserTurn, lang: str) -> Reading:
    """The parsed value and the notices to say with it ("Ich notiere den 1. März 2015")."""
    if step.kind == "date" and step.field is not None and not turn.is_button:
        return read_answer("date", turn.text, lang, step.field.options)
    return Reading(interpret(app, step, turn, lang))


def noted(reading: Reading) -> Reply:
    """What the citizen hears about how an answer was read, before the next question."""
    reply = Reply()
    for notice in reading.notices:
        values = {name: typed(kind, value) for name, (kind, value) in notice.values.items()}
        reply.say(notice.locale_key, **values)
    return reply
