"""Definition features beyond plain questions: nested and mandatory groups, several choices,
conditions over all items, documents (also one per group item), eligibility hints and
removing an item.

Small definitions in tests/definitions keep each feature visible; the five real
applications run end to end in test_applications.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.definitions import load_application
from bot.forms.dialogue import Conversation, Reply
from bot.forms.draft import Draft
from bot.forms.plan import group_arrays, payload_documents, plan
from bot.forms.turn import UserTurn
from bot.nlg.render import render
from bot.nlg.texts import t
from tests.test_dialogue import turn

HERE = Path(__file__).resolve().parent / "definitions"
WOHNGELD = load_application(HERE / "wohngeld.yml")
BUT = load_application(HERE / "bildung_teilhabe.yml")


class Talk:
    def __init__(self, app_id: str) -> None:
        self.conversation = Conversation({WOHNGELD.id: WOHNGELD, BUT.id: BUT})
        self.draft, self.reply = self.conversation.respond(
            None, turn("/start", application=app_id), "de"
        )

    def say(self, text: str, **entities: str) -> Reply:
        said = turn(text) if not entities else UserTurn(text, "inform", 1.0, entities)
        self.draft, self.reply = self.conversation.respond(self.draft, said, "de")
        return self.reply

    @property
    def field(self) -> str | None:
        return self.reply.state.get("field")

    def keys(self) -> list[str]:
        return [p["key"] for p in self.reply.parts]


def test_nested_group_items_carry_both_indexes_in_the_pointer() -> None:
    talk = Talk("wohngeld")
    talk.say("zur Miete", value="rented")
    assert talk.field == "/household_members"
    talk.say("ja")
    talk.say("Jonas")
    assert talk.field == "/household_members/0/income"
    talk.say("ja")
    assert talk.field == "/household_members/0/income/0/kind"
    talk.say("Kindergeld", value="child_benefit")
    talk.say("259")
    assert talk.field == "/household_members/0/income"
    assert talk.keys()[-1] == "apps.wohngeld.groups.member_income.another"
    talk.say("nein")
    assert talk.field == "/household_members"
    assert group_arrays(WOHNGELD) == ["/household_members", "/household_members/*/income"]


def test_max_items_ends_the_group_without_asking() -> None:
    talk = Talk("wohngeld")
    talk.say("x", value="rented")
    for name in ("A", "B", "C"):
        talk.say("ja")
        talk.say(name)
        talk.say("nein")  # no income
    assert talk.field == "/transfer_benefits/buergergeld"


def test_a_document_follows_a_condition_over_all_nested_items() -> None:
    answers = {"/housing/kind": "own_home", "/household_members#0": True}
    answers |= {"/household_members/0/given_names": "Jonas", "/household_members/0/income#0": True}
    answers |= {"/household_members/0/income/0/kind": "employment"}
    documents = [s.document.id for s in plan(WOHNGELD, answers) if s.document]
    assert documents == []
    answers["/household_members/0/income/0/kind"] = "child_benefit"
    documents = [s.document.id for s in plan(WOHNGELD, answers) if s.document]
    assert documents == ["child_benefit_notice"]
    pointers = [s.pointer for s in plan(WOHNGELD, answers) if s.document]
    assert pointers == ["/documents/0"]


def _to_buergergeld_question(talk: Talk) -> None:
    talk.say("x", value="own_home")
    talk.say("nein")
    assert talk.field == "/transfer_benefits/buergergeld"


def test_a_hint_is_said_once_and_never_blocks() -> None:
    talk = Talk("wohngeld")
    _to_buergergeld_question(talk)
    talk.say("ja")
    assert "apps.wohngeld.hints.receives_buergergeld" in talk.keys()
    assert talk.reply.state["step"] == "summary", "no documents for an owner: straight to summary"
    assert talk.keys()[0] == "apps.wohngeld.hints.receives_buergergeld", "repeated above summary"
    talk.say("/affirm")
    assert talk.reply.submit, "the citizen can submit anyway; the office decides"


def test_a_hint_over_a_sum_of_nested_items() -> None:
    talk = Talk("wohngeld")
    talk.say("x", value="own_home")
    talk.say("ja")
    talk.say("Jonas")
    talk.say("ja")
    talk.say("x", value="employment")
    talk.say("600")
    assert "apps.wohngeld.hints.high_member_income" not in talk.keys()
    talk.say("ja")
    talk.say("x", value="employment")
    talk.say("500")
    assert "apps.wohngeld.hints.high_member_income" in talk.keys()


def test_documents_are_asked_with_upload_later_or_none() -> None:
    talk = Talk("wohngeld")
    talk.say("x", value="rented")
    talk.say("nein")
    talk.say("nein")
    assert talk.field == "/documents/0"
    assert talk.reply.state["input"]["type"] == "file"
    assert talk.reply.state["input"]["document"] == "rental_contract"
    assert "common.documents_intro" in talk.keys()
    assert [c["value"] for c in talk.reply.state["choices"]] == ["later", "not_available"]
    talk.say("irgendwann vielleicht")
    assert talk.reply.state["step"] == "invalid"
    said = UserTurn("att_0123456789", "inform", 0.9, {}, {}, {"att_0123456789": "rental_contract"})
    talk.draft, talk.reply = talk.conversation.respond(talk.draft, said, "de")
    assert talk.reply.state["step"] == "summary"
    assert talk.draft.answers["document:rental_contract"] == {
        "status": "attached",
        "attachment_id": "att_0123456789",
    }


def test_an_upload_of_another_conversation_is_not_accepted() -> None:
    talk = Talk("wohngeld")
    talk.say("x", value="rented")
    talk.say("nein")
    talk.say("nein")
    talk.say("att_0123456789")  # not one of this conversation's uploads
    assert talk.reply.state["step"] == "invalid"


def test_the_first_item_of_a_mandatory_group_is_asked_without_is_there_one() -> None:
    talk = Talk("bildung_teilhabe")
    assert talk.field == "/children/0/given_names"
    assert "apps.bildung_teilhabe.groups.children.first" in talk.keys()
    talk.say("Elif")
    assert talk.reply.state["input"]["type"] == "multi_choice"
    talk.say("/inform", value="school_trips,lunch")
    assert talk.draft.answers["/children/0/requests"] == ["school_trips", "lunch"]
    assert talk.field == "/children/0/school/name", "lunch needs the school"
    talk.say("Grundschule am Beispielweg")
    assert talk.field == "/children"
    talk.say("ja")
    talk.say("Can")
    talk.say("x", value="social_cultural_participation")
    assert talk.field == "/children", "no school for participation only"


def test_removing_an_item_closes_the_gap() -> None:
    talk = Talk("bildung_teilhabe")
    for name, request in (("Elif", "social_cultural_participation"), ("Can", "lunch")):
        talk.say(name)
        talk.say("x", value=request)
        if request == "lunch":
            talk.say("Schule")
        talk.say("ja" if name == "Elif" else "nein")
    assert talk.reply.state["step"] == "summary"
    talk.say('/remove{"field":"/children/0"}')
    assert talk.keys()[0] == "common.removed"
    assert talk.draft.answers["/children/0/given_names"] == "Can"
    assert "/children/1/given_names" not in talk.draft.answers
    assert talk.reply.state["step"] == "summary"


def test_remove_without_naming_an_item_offers_the_items() -> None:
    talk = Talk("bildung_teilhabe")
    talk.say("Elif")
    talk.say("x", value="social_cultural_participation")
    talk.say("ja")
    talk.say("Can")
    said = UserTurn("etwas entfernen", "remove", 0.98)
    talk.draft, talk.reply = talk.conversation.respond(talk.draft, said, "de")
    assert [c["value"] for c in talk.reply.state["choices"]] == ["/children/0", "/children/1"]
    talk.say('/remove{"field":"/children/1"}')
    assert "/children/1/given_names" not in talk.draft.answers
    assert talk.field == "/children", "asks again whether there is another child"


@pytest.mark.parametrize("lang", ["de"])
def test_drafts_from_before_new_fields_still_load(lang: str) -> None:
    old = {"lang": lang, "phase": "menu", "unknown_old_key": 1}
    assert Draft.from_dict(old).lang == lang


def test_information_before_starting_keeps_the_menu() -> None:
    conversation = Conversation({WOHNGELD.id: WOHNGELD, BUT.id: BUT})
    draft, reply = conversation.respond(None, turn("/start"), "de")
    draft, reply = conversation.respond(
        draft, turn('/ask_documents{"application":"wohngeld"}'), "de"
    )
    keys = [p["key"] for p in reply.parts]
    assert keys[:3] == [
        "common.info_about",
        "apps.wohngeld.info.documents",
        "common.info_document_list",
    ]
    listed = reply.parts[2]["params"]["documents"]["keys"]
    assert listed == [
        "apps.wohngeld.documents.rental_contract.label",
        "apps.wohngeld.documents.child_benefit_notice.label",
    ]
    assert reply.state["step"] == "menu" and draft.application is None


def test_information_without_a_named_application_asks_which() -> None:
    conversation = Conversation({WOHNGELD.id: WOHNGELD, BUT.id: BUT})
    draft, _ = conversation.respond(None, turn("/start"), "de")
    draft, reply = conversation.respond(
        draft, UserTurn("wer kann das bekommen", "ask_who", 0.9), "de"
    )
    assert reply.parts[0]["key"] == "common.info_which"
    assert [c["payload"] for c in reply.state["choices"]] == [
        '/ask_who{"application":"wohngeld"}',
        '/ask_who{"application":"bildung_teilhabe"}',
    ]


def test_information_during_the_form_returns_to_the_question() -> None:
    talk = Talk("wohngeld")
    talk.say("x", value="rented")
    asked = talk.field
    said = UserTurn("wie lange dauert das", "ask_duration", 0.9)
    talk.draft, talk.reply = talk.conversation.respond(talk.draft, said, "de")
    assert "apps.wohngeld.info.duration" in talk.keys()
    assert talk.field == asked


def test_a_name_the_nlu_takes_for_help_is_an_answer_unless_it_is_sure() -> None:
    talk = Talk("bildung_teilhabe")
    said = UserTurn("Grundschule am Beispielweg", "help", 0.92)
    talk.draft, talk.reply = talk.conversation.respond(talk.draft, said, "de")
    assert talk.draft.answers["/children/0/given_names"] == "Grundschule am Beispielweg"
    said = UserTurn("Hilfe", "help", 0.99)
    talk.draft, talk.reply = talk.conversation.respond(talk.draft, said, "de")
    assert talk.reply.state["step"] == "help"


def test_a_valid_choice_wins_over_a_control_intent() -> None:
    talk = Talk("wohngeld")
    said = UserTurn("rented", "human", 0.9)
    talk.draft, talk.reply = talk.conversation.respond(talk.draft, said, "de")
    assert talk.draft.answers["/housing/kind"] == "rented"


def test_skipping_a_document_means_handing_it_in_later() -> None:
    talk = Talk("wohngeld")
    talk.say("x", value="rented")
    talk.say("nein")
    talk.say("nein")
    talk.say("überspringen")
    assert talk.draft.answers["document:rental_contract"] == {"status": "later"}


def _two_children_on_school_trips(talk: Talk) -> None:
    for name, more in (("Elif", "ja"), ("Can", "nein")):
        talk.say(name)
        talk.say("x", value="school_trips")
        talk.say("Grundschule am Beispielweg")
        talk.say(more)


def test_a_per_item_document_is_asked_for_each_item_and_names_it() -> None:
    talk = Talk("bildung_teilhabe")
    _two_children_on_school_trips(talk)
    assert talk.field == "/documents/0"
    talk.say("später")
    assert talk.field == "/documents/1"
    assert talk.reply.state["input"]["document"] == "cost_receipts"
    text = render({"parts": talk.reply.parts, "state": talk.reply.state}, "de")["text"]
    item = t("apps.bildung_teilhabe.groups.children.label", "de", number=2)
    label = t("apps.bildung_teilhabe.documents.cost_receipts.label", "de")
    assert f"{item} – {label}" in text, "the question names the child"
    talk.say("habe ich nicht")
    assert talk.reply.state["step"] == "summary"
    steps = plan(BUT, talk.draft.answers)
    assert payload_documents(steps, talk.draft.answers) == [
        {"kind": "cost_receipts", "status": "later", "item": "/children/0"},
        {"kind": "cost_receipts", "status": "not_available", "item": "/children/1"},
    ]


def test_the_change_list_names_each_childs_document() -> None:
    talk = Talk("bildung_teilhabe")
    _two_children_on_school_trips(talk)
    talk.say("später")
    talk.say("später")
    talk.say("etwas ändern")
    assert talk.reply.state["step"] == "info", talk.reply.parts
    titles = [
        c["title"]
        for c in render({"parts": [], "state": talk.reply.state}, "de")["custom"]["choices"]
    ]
    label = t("apps.bildung_teilhabe.documents.cost_receipts.label", "de")
    receipts = [title for title in titles if label in title]
    assert len(receipts) == len(set(receipts)) == 2, titles


def test_a_per_item_document_follows_the_items_own_answers() -> None:
    answers = {"/children/0/given_names": "Elif", "/children/0/requests": ["lunch"]}
    answers |= {"/children#1": True, "/children/1/given_names": "Can"}
    answers |= {"/children/1/requests": ["school_trips"]}
    documents = [(s.pointer, s.of_item, s.number) for s in plan(BUT, answers) if s.document]
    assert documents == [("/documents/0", "/children/1", 2)], "only Can asks for trips"


def test_removing_an_item_takes_its_documents_along() -> None:
    talk = Talk("bildung_teilhabe")
    _two_children_on_school_trips(talk)
    talk.say("später")
    talk.say("habe ich nicht")
    talk.say('/remove{"field":"/children/0"}')
    assert talk.draft.answers["/children/0/given_names"] == "Can"
    assert talk.draft.answers["/children/0/document:cost_receipts"] == {"status": "not_available"}
    assert "/children/1/document:cost_receipts" not in talk.draft.answers
    steps = plan(BUT, talk.draft.answers)
    assert payload_documents(steps, talk.draft.answers) == [
        {"kind": "cost_receipts", "status": "not_available", "item": "/children/0"}
    ]


NESTED = """
id: wohngeld
schema: urn:antragslotse:schema:wohngeld:1
sections:
  - id: household
    groups:
      - id: household_members
        pointer: /household_members
        fields:
          - {id: member_given_names, pointer: given_names, type: text}
        groups:
          - id: member_income
            pointer: income
            fields:
              - id: member_income_kind
                pointer: kind
                type: choice
                choices: [employment, pension]
  - id: documents
    documents:
      - {id: payslips, per_item: /household_members/*/income, when: {kind: employment}}
"""


def test_a_document_per_item_of_a_nested_group(tmp_path: Path) -> None:
    path = tmp_path / "wohngeld.yml"
    path.write_text(NESTED)
    app = load_application(path)
    answers = {"/household_members#0": True, "/household_members/0/given_names": "Jonas"}
    answers |= {"/household_members/0/income#0": True, "/household_members/0/income#1": True}
    answers |= {"/household_members/0/income/0/kind": "pension"}
    answers |= {"/household_members/0/income/1/kind": "employment"}
    step = next(s for s in plan(app, answers) if s.document)
    assert (step.of_item, step.number, step.parent_number) == (
        "/household_members/0/income/1",
        2,
        1,
    )
    assert step.key == "/household_members/0/income/1/document:payslips"
