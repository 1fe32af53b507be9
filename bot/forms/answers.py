"""Turns the citizen's answer to one question into the value the payload needs."""

from __future__ import annotations

from typing import Any

from bot.definitions import Application
from bot.forms.plan import Step
from bot.forms.turn import UserTurn
from bot.nlg.texts import lookup, t
from bot.parsing import ParseError, parse_answer, parse_boolean, parse_choice, parse_choices

DOCUMENT_CHOICES = ("later", "not_available")

YES_NO_INTENTS = {"affirm": True, "deny": False}
MATCH_LANGUAGES = ("de", "en")


def match_languages(lang: str) -> tuple[str, ...]:
    """Whose words count as an answer: citizens mix in German and English words."""
    return tuple(dict.fromkeys((lang, *MATCH_LANGUAGES)))


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


def document_choice_key(code: str) -> str:
    return f"common.document_choices.{code}"


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
        value = turn.entities.get("value") or ""
        if value and set(value.split(",")) <= set(step.field.choices):
            return list(dict.fromkeys(value.split(",")))
        options = [(c, _choice_words(app, step, c, lang)) for c in step.field.choices]
        return parse_choices(turn.text, options)
    if kind == "choice":
        if turn.entities.get("value") in step.field.choices:
            return turn.entities["value"]
        options = [(c, _choice_words(app, step, c, lang)) for c in step.field.choices]
        return parse_choice(turn.text, options)
    if turn.is_button:
        raise ParseError("choice.unknown")
    return parse_answer(kind, turn.text, lang, step.field.options)
