"""Choosing the dialogue language: by metadata, by a menu, by name, or by what the citizen writes.

Switching keeps every answer; the next question comes in the new language.
Intents are given as Rasa would classify them (see test_dialogue.py).
"""

from __future__ import annotations

import pytest

from bot.definitions import load_applications
from bot.forms.dialogue import Conversation, Reply
from bot.forms.language_choice import detect_language, find_language
from bot.forms.turn import UserTurn
from bot.languages import text_direction
from bot.nlg.render import render
from bot.nlg.texts import supported_languages
from tests.test_dialogue import turn

APPLICATIONS = load_applications()


class Talk:
    def __init__(self) -> None:
        self.conversation = Conversation(APPLICATIONS)
        self.draft = None

    def send(self, said: UserTurn) -> Reply:
        self.draft, reply = self.conversation.respond(self.draft, said, "de")
        reply.state.setdefault("application", self.draft.application)
        return reply

    def rendered(self, reply: Reply) -> dict:
        return render({"parts": reply.parts, "state": reply.state}, self.draft.lang)


def test_switching_language_keeps_the_answers_and_asks_the_same_question() -> None:
    talk = Talk()
    talk.send(turn("/start", language="de", application="wohngeld"))
    talk.send(turn("Lena"))
    reply = talk.send(turn("Hoffmann"))
    asked = reply.state["field"]
    reply = talk.send(turn('/choose_language{"language":"en"}'))
    assert talk.draft.lang == "en" and reply.state["field"] == asked
    assert talk.draft.answers["/applicant/family_name"] == "Hoffmann"
    assert talk.rendered(reply)["custom"]["lang"] == "en"


def test_a_language_named_in_a_message_is_switched_to() -> None:
    talk = Talk()
    talk.send(turn("/start", language="de"))
    reply = talk.send(UserTurn("können wir bitte englisch schreiben", "choose_language", 0.9))
    assert talk.draft.lang == "en" and reply.state["step"] == "menu"


def test_an_unknown_language_wish_shows_each_language_in_its_own_name() -> None:
    talk = Talk()
    talk.send(turn("/start", language="de"))
    reply = talk.send(UserTurn("andere Sprache bitte", "choose_language", 0.9))
    assert reply.state["step"] == "language"
    titles = {c["value"]: c["title"] for c in talk.rendered(reply)["custom"]["choices"]}
    assert set(titles) == set(supported_languages())
    assert titles["de"] == "Deutsch" and titles["en"] == "English"


def test_the_first_message_in_another_language_is_confirmed_in_that_language() -> None:
    talk = Talk()
    reply = talk.send(UserTurn("I would like to apply for housing benefit please", "inform", 0.6))
    assert reply.state["step"] == "language" and talk.draft.lang == "en"
    assert [p["key"] for p in reply.parts] == ["common.welcome", "common.language_confirm"]
    reply = talk.send(turn("/deny"))
    assert talk.draft.lang == "de" and "common.privacy" in [p["key"] for p in reply.parts]
    # What the first message asked for is not forgotten: Wohngeld is offered.
    assert [c["value"] for c in reply.state["choices"]] == ["wohngeld", "menu"]


def test_a_confirmed_guess_continues_in_that_language() -> None:
    talk = Talk()
    talk.send(UserTurn("I would like to apply for housing benefit please", "inform", 0.6))
    reply = talk.send(turn('/choose_language{"language":"en"}'))
    assert talk.draft.lang == "en" and talk.draft.phase == "offer"
    assert "apps.wohngeld.info.who" in [p["key"] for p in reply.parts]


def test_a_guessed_language_with_a_plain_greeting_gets_the_menu() -> None:
    talk = Talk()
    talk.send(UserTurn("good morning to everyone", "greet", 0.9))
    reply = talk.send(turn('/choose_language{"language":"en"}'))
    assert talk.draft.lang == "en" and reply.state["step"] == "menu"


@pytest.mark.parametrize(("text", "code"), [("auf Deutsch bitte", "de"), ("English please", "en")])
def test_language_names(text: str, code: str) -> None:
    assert find_language(text) == code


def test_short_greetings_prove_no_language() -> None:
    assert detect_language("hallo") is None


@pytest.mark.parametrize("lang", supported_languages())
def test_direction_follows_the_script(lang: str) -> None:
    assert text_direction(lang) == ("rtl" if lang in ("ar", "fa") else "ltr")


def test_naming_the_current_language_offers_the_others() -> None:
    talk = Talk()
    talk.send(turn("/start", language="de"))
    reply = talk.send(UserTurn("ich spreche kein Deutsch", "choose_language", 0.9))
    assert reply.state["step"] == "language" and talk.draft.lang == "de"
