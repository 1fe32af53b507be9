"""The form engine's conversation logic, turn by turn, without Rasa's NLU in the way.

Intents are given as Rasa would classify them; the end-to-end test runs the
same scripts through the real model.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from bot.contracts import payload_problems
from bot.definitions import load_applications
from bot.forms.dialogue import Conversation, Reply
from bot.forms.draft import Draft
from bot.forms.turn import UserTurn
from bot.nlg.render import render
from bot.nlg.texts import t
from bot.submission.submit import payload_for
from tests.scripts import GRUNDSICHERUNG_DE, GRUNDSICHERUNG_EN, comparable, expected_payload

INTENTS = {
    "überspringen": "skip",
    "keine angabe": "skip",
    "skip": "skip",
    "ja": "affirm",
    "yes": "affirm",
    "nein": "deny",
    "no": "deny",
    "hilfe": "help",
    "zurück": "go_back",
    "abbrechen": "cancel",
    "warum?": "why",
    "ich möchte mit einem menschen sprechen": "human",
    "von vorne": "start_over",
}


def turn(text: str, **metadata: str) -> UserTurn:
    if text.startswith("/"):
        intent, _, entities = text[1:].partition("{")
        values = json.loads("{" + entities) if entities else {}
        return UserTurn(text, intent, 1.0, values, metadata)
    if "ändern" in text or "wrong" in text:
        return UserTurn(text, "change", 0.95, {}, metadata)
    return UserTurn(text, INTENTS.get(text.casefold(), "inform"), 0.95, {}, metadata)


class Chat:
    def __init__(self, lang: str) -> None:
        self.conversation = Conversation(load_applications())
        self.draft: Draft | None = None
        self.lang = lang

    def send(self, text: str, **metadata: str) -> Reply:
        return self.send_turn(turn(text, **metadata))

    def send_turn(self, said: UserTurn) -> Reply:
        self.draft, reply = self.conversation.respond(self.draft, said, self.lang)
        reply.state.setdefault("application", self.draft.application)
        return reply

    def text(self, reply: Reply) -> str:
        return render({"parts": reply.parts, "state": reply.state}, self.draft.lang)["text"]


def start(lang: str) -> tuple[Chat, Reply]:
    chat = Chat(lang)
    reply = chat.send("/start", language=lang)
    assert reply.state["step"] == "menu"
    assert [c["value"] for c in reply.state["choices"]] == list(load_applications())
    return chat, chat.send('/choose_application{"application":"grundsicherung"}')


@pytest.mark.parametrize(("lang", "script"), [("de", GRUNDSICHERUNG_DE), ("en", GRUNDSICHERUNG_EN)])
def test_complete_application_gives_the_expected_payload(lang: str, script) -> None:
    chat, reply = start(lang)
    for field, text in script:
        assert (reply.state["step"], reply.state["field"]) == ("ask", field), chat.text(reply)
        reply = chat.send(text)
    assert reply.state["step"] == "summary"
    assert "Helga" in chat.text(reply) and "Rheinstraße" in chat.text(reply)
    payload = payload_for(
        chat.conversation.applications["grundsicherung"],
        chat.draft,
        "WI-2026-ABCDEF",
        "rest",
        datetime(2026, 11, 25, 12, tzinfo=timezone.utc),
    )
    assert payload_problems(payload) == []
    assert comparable(payload) == comparable(expected_payload(lang))
    assert chat.send("/affirm").submit


def test_the_summary_is_also_sent_as_sections_for_the_web_chat() -> None:
    chat, reply = start("de")
    for _field, text in GRUNDSICHERUNG_DE:
        reply = chat.send(text)
    message = render({"parts": reply.parts, "state": reply.state}, "de")
    summary = message["custom"]["summary"]
    titles = [section["title"] for section in summary["sections"]]
    assert titles[0] == t("apps.grundsicherung.sections.applicant.title", "de")
    first = summary["sections"][0]["items"][0]
    assert first == {
        "label": t("apps.grundsicherung.fields.given_names.label", "de"),
        "value": "Helga",
    }
    # The plain text carries the same content, between the same texts, for text channels.
    assert message["text"].startswith(summary["before"])
    assert message["text"].endswith(summary["after"])
    assert t("common.summary_confirm", "de") in summary["after"]
    for section in summary["sections"]:
        assert section["title"] in message["text"]
        for item in section["items"]:
            assert t("common.summary_line", "de", **item) in message["text"]


def test_invalid_answer_explains_and_asks_again() -> None:
    chat, _ = start("de")
    chat.send("Helga")
    chat.send("Schneider")
    reply = chat.send("morgen vielleicht")
    assert (reply.state["step"], reply.state["field"]) == ("invalid", "/applicant/birth_date")
    assert reply.state["input"]["type"] == "date" and reply.state["input"]["autocomplete"] == "bday"
    assert reply.state["input"]["max"] == date.today().isoformat()
    text = chat.text(reply)
    assert "Zum Beispiel" in text and "Geburtsdatum" in text or "geboren" in text
    reply = chat.send("3.3.2099")
    assert reply.state["step"] == "invalid"
    assert chat.send("03.03.1957").state["field"] == "/applicant/birth_place"


def test_help_why_back_and_required_questions() -> None:
    chat, _ = start("en")
    reply = chat.send("hilfe")
    assert (reply.state["step"], reply.state["field"]) == ("help", "/applicant/given_names")
    chat.send("Helga")
    reply = chat.send("zurück")
    assert reply.state["field"] == "/applicant/given_names"
    assert "Helga" in chat.text(reply)
    assert chat.send("skip").state["step"] == "invalid"  # the name cannot be skipped


def test_change_an_earlier_answer_by_naming_it() -> None:
    chat, _ = start("de")
    for text in ("Helga", "Schneider", "3.3.1957"):
        chat.send(text)
    reply = chat.send("Ich möchte mein Geburtsdatum ändern")
    assert reply.state["field"] == "/applicant/birth_date"
    assert "3. März 1957" in chat.text(reply)
    reply = chat.send("4.3.1957")
    assert reply.state["field"] == "/applicant/birth_place", "continues where it was"
    assert chat.draft.answers["/applicant/birth_date"] == "1957-03-04"


def test_change_from_the_summary_returns_to_the_summary() -> None:
    chat, reply = start("de")
    for _, text in GRUNDSICHERUNG_DE:
        reply = chat.send(text)
    reply = chat.send("/deny")
    assert reply.state["step"] == "info" and reply.state["choices"]
    iban = next(c for c in reply.state["choices"] if c["value"] == "/payout/bank_account/iban")
    reply = chat.send(iban["payload"])
    assert reply.state["field"] == "/payout/bank_account/iban"
    reply = chat.send("DE02120300000000202051")
    assert reply.state["step"] == "summary"
    assert chat.draft.answers["/payout/bank_account/iban"] == "DE02120300000000202051"


def test_cancel_asks_then_forgets() -> None:
    chat, _ = start("de")
    chat.send("Helga")
    reply = chat.send("abbrechen")
    assert reply.state["step"] == "info" and not reply.forget
    reply = chat.send("/affirm")
    assert reply.forget and reply.state["step"] == "cancelled"


def test_talk_to_a_person_keeps_the_answers() -> None:
    chat, _ = start("de")
    chat.send("Helga")
    reply = chat.send("Ich möchte mit einem Menschen sprechen")
    assert reply.state["step"] == "handover" and "0611" in chat.text(reply)
    assert chat.send("Schneider").state["field"] == "/applicant/birth_date"


def test_deep_link_starts_the_application() -> None:
    chat = Chat("de")
    reply = chat.send("/start", language="en", application="grundsicherung")
    assert reply.state["field"] == "/applicant/given_names"
    assert chat.draft.lang == "en"


def test_menu_understands_the_application_by_name() -> None:
    chat = Chat("de")
    chat.send("/start", language="de")
    reply = chat.send("hilfe")
    assert reply.state["step"] == "menu" and "kenne ich" not in chat.text(reply)
    reply = chat.send("Grundsicherng")  # a typo
    assert reply.state["field"] == "/applicant/given_names"


def test_unknown_application_shows_the_menu_again() -> None:
    chat = Chat("en")
    chat.send("/start", language="en")
    reply = chat.send("a fishing licence")
    assert reply.state["step"] == "menu" and "do not know" in chat.text(reply)


def test_leaving_the_which_answer_question_returns_to_the_summary() -> None:
    chat, _ = start("de")
    for _, text in GRUNDSICHERUNG_DE:
        chat.send(text)
    assert chat.send("/deny").state["step"] == "info"
    assert chat.send("nein").state["step"] == "summary"


def test_a_language_without_texts_falls_back_to_german() -> None:
    chat = Chat("de")
    reply = chat.send("/start", language="xx")
    assert chat.draft.lang == "de" and "Guten Tag" in chat.text(reply)


def test_back_at_the_first_question_says_so() -> None:
    chat, _ = start("de")
    reply = chat.send("zurück")
    assert reply.state["field"] == "/applicant/given_names"
    assert "erste Frage" in chat.text(reply)


def test_an_answer_the_nlu_took_for_a_correction_is_still_an_answer() -> None:
    chat, _ = start("de")
    for text in ("Helga", "Schneider"):
        chat.send(text)
    reply = chat.send_turn(UserTurn("am 3.3.1957", "change", 0.9))
    assert reply.state["field"] == "/applicant/birth_place"
    reply = chat.send_turn(UserTurn("ich möchte etwas ändern", "change", 0.9))
    assert reply.state["step"] == "info", "free text: the NLU's correction wins"


def test_starting_over_mid_application_asks_first_and_keeps_answers_on_no() -> None:
    chat, _ = start("de")
    chat.send("Helga")
    reply = chat.send("von vorne")
    assert reply.state["step"] == "info" and not reply.forget
    reply = chat.send("/deny")
    assert reply.state["field"] == "/applicant/family_name"
    assert chat.draft.answers["/applicant/given_names"] == "Helga"
