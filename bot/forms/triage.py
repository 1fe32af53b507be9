"""A citizen's answer to one of the guide's triage questions, by button or in own words."""

from __future__ import annotations

import re
from datetime import date

from bot.forms.answers import YES_NO_INTENTS, match_languages
from bot.forms.guide import BIRTH_DATE, NO, YES, Guide, Question
from bot.forms.turn import UserTurn
from bot.nlg.texts import lookup, t
from bot.parsing import ParseError, normalize_digits, parse_boolean, parse_choice
from bot.parsing.dates import parse_date

# "72", "ich bin 72", "72 Jahre alt": an age; a year alone ("1958") is a year of birth.
_AGE = re.compile(r"^\D*?(?<!\d)(\d{2,3})(?!\d)\D*$")
_YEAR = re.compile(r"^\D*?(?<!\d)(19\d\d|20\d\d)(?!\d)\D*$")
OLDEST_RETIREMENT_AGE = 67
YOUNGEST_RETIREMENT_AGE = 65
NEED_BIRTH_DATE = "need_birth_date"
UNCLEAR = "unclear"


class NotAnAnswer(Exception):
    """The reply answers no choice; `reason` names the text that says what is missing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def question_key(question: str, what: str) -> str:
    return f"guide.questions.{question}.{what}"


def choice_key(question: str, code: str) -> str:
    return question_key(question, f"choices.{code}")


def _words(question: Question, lang: str) -> list[tuple[str, list[str]]]:
    """Each choice with its label and synonyms in the dialogue language, German and English."""
    return [
        (
            code,
            [
                *(t(choice_key(question.id, code), one) for one in match_languages(lang)),
                *(
                    word
                    for one in match_languages(lang)
                    for word in lookup(question_key(question.id, f"synonyms.{code}"), one) or ()
                ),
            ],
        )
        for code in question.choices
    ]


def _yes_no(reached: bool) -> str:
    return YES if reached else NO


def _from_age_or_birth(
    guide: Guide, question: Question, text: str, lang: str, today: date
) -> dict[str, str] | None:
    """An age, a year of birth or a birth date says whether the pension age is reached."""
    digits = normalize_digits(text)
    year = _YEAR.match(digits)
    if year:
        born = int(year[1])
        first = guide.reached_retirement_age(date(born, 12, 31), today)
        last = guide.reached_retirement_age(date(born, 1, 1), today)
        if first != last:
            raise NotAnAnswer(NEED_BIRTH_DATE)
        return {question.id: _yes_no(first)}
    age = _AGE.match(digits)
    if age:
        years = int(age[1])
        if YOUNGEST_RETIREMENT_AGE < years < OLDEST_RETIREMENT_AGE:
            raise NotAnAnswer(NEED_BIRTH_DATE)
        return {question.id: _yes_no(years >= OLDEST_RETIREMENT_AGE)}
    try:
        birth = parse_date(text, lang, {"min": "1900-01-01", "max": "today"})
    except ParseError:
        return None
    reached = guide.reached_retirement_age(date.fromisoformat(birth), today)
    return {question.id: _yes_no(reached), BIRTH_DATE: birth}


def interpret(
    guide: Guide, question: Question, turn: UserTurn, lang: str, today: date
) -> dict[str, str]:
    """The facts the answer gives; NotAnAnswer(UNCLEAR or NEED_BIRTH_DATE) when it gives none."""
    chosen = turn.entities.get("value")
    if chosen in question.choices:
        return {question.id: str(chosen)}
    if question.birth_date:
        found = _from_age_or_birth(guide, question, turn.text, lang, today)
        if found is not None:
            return found
    yes_no = set(question.choices) == {YES, NO}
    if yes_no and turn.is_button and turn.intent in YES_NO_INTENTS:
        return {question.id: _yes_no(YES_NO_INTENTS[turn.intent])}
    try:  # the choices' own words first: "عندي إعاقة" ("I have a disability") is not a "yes"
        return {question.id: parse_choice(turn.text, _words(question, lang))}
    except ParseError:
        pass
    try:
        if yes_no:
            return {question.id: _yes_no(parse_boolean(turn.text, lang))}
    except ParseError:
        pass
    raise NotAnAnswer(UNCLEAR)
