"""The bot says how it noted an answer that was not written as stored: the first of
the month where the day does not matter, and a Solar Hijri date converted.

The real applications and the real form engine in process, as tests/test_dialogue.py
drives them; the draft starts at the question, as a resumed draft would.
"""

from __future__ import annotations

from bot.definitions import load_applications
from bot.forms.dialogue import Conversation, Reply
from bot.forms.draft import Draft
from bot.nlg.render import render
from tests.test_dialogue import turn

ENTRY_DATE = "/residence_status/entry_date"  # asylblg: the day does not matter
BIRTH_DATE = "/applicant/birth_date"  # the day matters


def answer(text: str, lang: str, key: str) -> tuple[Draft, Reply, str]:
    conversation = Conversation(load_applications())
    draft = Draft(lang=lang, phase="asking", application="asylblg", editing=key)
    draft, reply = conversation.respond(draft, turn(text), lang)
    return draft, reply, render({"parts": reply.parts, "state": reply.state}, lang)["text"]


def test_month_and_year_is_noted_as_the_first_and_said() -> None:
    draft, reply, text = answer("seit März 2015", "de", ENTRY_DATE)
    assert draft.answers[ENTRY_DATE] == "2015-03-01"
    assert reply.parts[0]["key"] == "notices.date.first_of_month"
    assert "Ich notiere den 1. März 2015." in text
    assert reply.state["field"] != ENTRY_DATE  # the next question follows


def test_the_notice_is_in_the_dialogue_language() -> None:
    draft, _reply, text = answer("November 2021", "en", ENTRY_DATE)
    assert draft.answers[ENTRY_DATE] == "2021-11-01"
    assert "I am noting 1 November 2021." in text


def test_a_full_date_gets_no_notice() -> None:
    draft, reply, _text = answer("3. März 2015", "de", ENTRY_DATE)
    assert draft.answers[ENTRY_DATE] == "2015-03-03"
    assert not any(p["key"].startswith("notices.") for p in reply.parts)


def test_month_and_year_for_a_birth_date_asks_for_the_day() -> None:
    draft, reply, text = answer("März 2015", "de", BIRTH_DATE)
    assert BIRTH_DATE not in draft.answers
    assert reply.parts[0]["key"] == "errors.date.incomplete"
    assert "Tag, Monat und Jahr" in text
    assert reply.state["field"] == BIRTH_DATE


def test_a_solar_hijri_birth_date_is_stored_gregorian_and_confirmed_back() -> None:
    draft, reply, text = answer("۱۲ اسفند ۱۳۳۶", "fa", BIRTH_DATE)
    assert draft.answers[BIRTH_DATE] == "1958-03-03"
    assert reply.parts[0]["key"] == "notices.date.solar_hijri"
    assert "۱۲ اسفند ۱۳۳۶" in text  # what the citizen wrote
    assert "3 مارس 1958" in text  # the Gregorian date, as babel writes it in Persian


def test_going_back_after_a_wrong_conversion_asks_the_date_again() -> None:
    conversation = Conversation(load_applications())
    names = {"/applicant/given_names": "Maryam", "/applicant/family_name": "Ahmadi"}
    answers = {**names, "/applicant/birth_name": None}
    draft = Draft(lang="fa", phase="asking", application="asylblg", answers=answers)
    draft.history = list(answers)
    draft, reply = conversation.respond(draft, turn("1336/12/12"), "fa")
    assert reply.state["field"] != BIRTH_DATE
    draft, reply = conversation.respond(draft, turn("zurück"), "fa")
    assert reply.state["field"] == BIRTH_DATE
    assert BIRTH_DATE not in draft.answers
