"""The guide: a need in own words leads to the right application, by data alone.

The conversation is driven as Rasa would classify each message (the intent is
given); tests/test_guide_e2e.py sends the same through the real model.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.definitions import load_applications
from bot.forms.dialogue import Conversation, Reply
from bot.forms.draft import Draft
from bot.forms.guide import GUIDE_FILE, load_guide
from bot.forms.plan import plan
from bot.forms.turn import UserTurn
from bot.nlg.texts import has, supported_languages
from bot.parsing.resume_code import ALPHABET, find_resume_code
from bot.storage.resume_codes import new_code

ROOT = Path(__file__).resolve().parents[1]
NEEDS_DIR = ROOT / "data" / "nlu" / "needs"
GUIDE = load_guide()


def said(text: str, intent: str = "inform", **metadata: str) -> UserTurn:
    if text.startswith("/"):
        name, _, entities = text[1:].partition("{")
        return UserTurn(text, name, 1.0, json.loads("{" + entities) if entities else {}, metadata)
    return UserTurn(text, intent, 0.9, {}, metadata)


class Citizen:
    def __init__(self, lang: str = "de") -> None:
        self.conversation = Conversation(load_applications())
        self.draft: Draft | None = None
        self.lang = lang

    def send(self, text: str, intent: str = "inform") -> Reply:
        self.draft, reply = self.conversation.respond(
            self.draft, said(text, intent, language=self.lang), self.lang
        )
        return reply


def keys(reply: Reply) -> list[str]:
    return [part["key"] for part in reply.parts]


def offered(reply: Reply) -> list[str]:
    return [c["value"] for c in reply.state.get("choices", []) if c["value"] != "menu"]


# -- the first message counts -------------------------------------------------------------


def test_a_described_need_gets_the_welcome_then_the_recommendation() -> None:
    citizen = Citizen()
    reply = citizen.send("Meine Rente reicht nicht zum Leben", "need_pension")
    assert keys(reply)[:2] == ["common.welcome", "common.privacy"]
    assert "common.menu" not in keys(reply)
    assert "guide.because.pension" in keys(reply)
    assert offered(reply) == ["grundsicherung"]
    reply = citizen.send('/choose_application{"application":"grundsicherung"}')
    assert citizen.draft.application == "grundsicherung" and reply.state["step"] == "ask"


def test_a_named_application_gets_its_information_and_an_offer_not_a_code_message() -> None:
    citizen = Citizen()
    reply = citizen.send("Ich möchte Wohngeld beantragen", "choose_application")
    assert "common.resume_unknown" not in keys(reply)
    assert "apps.wohngeld.info.who" in keys(reply) and offered(reply) == ["wohngeld"]
    reply = citizen.send("ja", "affirm")
    assert citizen.draft.application == "wohngeld" and reply.state["step"] == "ask"


def test_a_misspelt_application_name_is_understood() -> None:
    reply = Citizen().send("wohngelt antrag", "choose_application")
    assert offered(reply) == ["wohngeld"]


def test_a_greeting_alone_still_gets_the_menu() -> None:
    reply = Citizen().send("hallo", "greet")
    assert keys(reply) == ["common.welcome", "common.privacy", "common.menu"]


def test_a_need_described_later_in_the_menu_is_guided_too() -> None:
    citizen = Citizen()
    citizen.send("hallo", "greet")
    reply = citizen.send("die miete ist zu hoch", "need_housing_costs")
    assert reply.state["step"] == "info" and citizen.draft.phase == "guide"
    assert keys(reply)[-1] == "guide.questions.housing.question"


def test_other_offices_are_named_kindly() -> None:
    for intent, office in [
        ("need_jobcenter", "jobcenter"),
        ("need_kindergeld", "familienkasse"),
        ("need_elterngeld", "elterngeldstelle"),
    ]:
        reply = Citizen().send("…", intent)
        assert f"guide.refer.{office}" in keys(reply) and reply.state["step"] == "menu"


# -- triage --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("intent", "answers", "expected"),
    [
        ("need_living", ['/inform{"value":"asylum"}', "nein"], ["asylblg"]),
        ("need_living", ["deutsch", "ja"], ["grundsicherung"]),
        ("need_living", ["Deutsch", "nein", "nein, auf Dauer nicht"], ["grundsicherung"]),
        ("need_housing_costs", ["zur Miete", "nein", "keine Kinder"], ["wohngeld"]),
        ("need_housing_costs", ["Eigentum", "1990", "ja"], ["wohngeld", "bildung_teilhabe"]),
        ("need_housing_costs", ["Miete", "3. März 1950"], ["grundsicherung", "wohngeld"]),
        ("need_asylum", ["ja"], ["asylblg", "bildung_teilhabe"]),
    ],
)
def test_triage_answers_in_buttons_or_words_lead_to_an_application(
    intent: str, answers: list[str], expected: list[str]
) -> None:
    citizen = Citizen()
    reply = citizen.send("…", intent)
    for answer in answers:
        assert citizen.draft.phase == "guide", keys(reply)
        reply = citizen.send(answer)
    assert offered(reply) == expected, keys(reply)


def test_triage_asks_at_most_three_questions_then_refers_to_the_jobcenter() -> None:
    citizen = Citizen()
    questions = [keys(citizen.send("ich brauche geld", "need_living"))[-1]]
    for answer in ["Deutsch oder aus einem EU-Land", "nein", "ja"]:
        reply = citizen.send(answer)
        questions.append(keys(reply)[-1])
    assert len(questions[:-1]) == 3 == GUIDE.max_questions
    assert "guide.refer.jobcenter" in keys(reply) and reply.state["step"] == "menu"


def test_an_unclear_triage_answer_is_asked_again_with_help() -> None:
    citizen = Citizen()
    citizen.send("ich brauche geld", "need_living")
    reply = citizen.send("vielleicht morgen")
    assert keys(reply)[0] == "guide.unclear" and citizen.draft.guide["question"] == "residence"
    reply = citizen.send("Hilfe", "help")
    assert keys(reply)[0] == "guide.questions.residence.help"


def test_an_age_between_the_limits_asks_for_the_birth_date() -> None:
    citizen = Citizen()
    citizen.send("Miete zu hoch", "need_housing_costs")
    citizen.send("Miete")
    reply = citizen.send("ich bin 66")
    assert keys(reply)[0] == "guide.questions.old_age.need_birth_date"
    reply = citizen.send("72 Jahre")
    assert offered(reply) == ["grundsicherung", "wohngeld"]


def test_triage_answers_prefill_the_application() -> None:
    citizen = Citizen()
    citizen.send("Miete zu hoch", "need_housing_costs")
    citizen.send("zur Miete")
    citizen.send("03.03.1950")
    reply = citizen.send('/choose_application{"application":"grundsicherung"}')
    assert "guide.prefilled" in keys(reply)
    answers = citizen.draft.answers
    assert answers["/applicant/birth_date"] == "1950-03-03"
    assert answers["/housing/kind"] == "rented"
    assert answers["/eligibility/reason"] == "age_limit_reached"


def test_facts_guessed_from_words_are_not_prefilled() -> None:
    citizen = Citizen()
    citizen.send("ich bin krank und kann nicht arbeiten", "need_unable_to_work")
    reply = citizen.send("Deutsch")
    assert offered(reply) == ["grundsicherung"]
    citizen.send("ja", "affirm")
    assert "/eligibility/reason" not in citizen.draft.answers


def test_the_offer_can_be_declined_for_the_menu() -> None:
    citizen = Citizen()
    citizen.send("Meine Rente reicht nicht", "need_pension")
    reply = citizen.send("/start")
    assert reply.state["step"] == "menu" and citizen.draft.phase == "menu"


def test_a_question_about_the_offered_application_keeps_the_offer() -> None:
    citizen = Citizen()
    citizen.send("Meine Rente reicht nicht", "need_pension")
    reply = citizen.send("welche unterlagen brauche ich", "ask_documents")
    assert "apps.grundsicherung.info.documents" in keys(reply)
    assert offered(reply) == ["grundsicherung"]


# -- retirement age ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "today", "reached"),
    [
        ("1958-03-03", "2024-03-03", True),  # 66 years
        ("1958-03-03", "2024-03-02", False),
        ("1960-08-31", "2027-01-01", True),  # 66 years 4 months: end of December 2026
        ("1960-08-31", "2026-12-30", False),
        ("1940-05-05", "2005-05-05", True),  # 65 before 1947
        ("1970-01-01", "2036-12-31", False),  # 67 from 1964
        ("1970-01-01", "2037-01-01", True),
    ],
)
def test_the_pension_age_follows_the_year_of_birth(born: str, today: str, reached: bool) -> None:
    assert (
        GUIDE.reached_retirement_age(date.fromisoformat(born), date.fromisoformat(today)) is reached
    )


# -- resume codes are not ordinary words -----------------------------------------------------


@pytest.mark.parametrize("text", ["Ich möchte Wohngeld beantragen", "Bescheid", "wartezeiten"])
def test_ten_letter_words_are_not_resume_codes(text: str) -> None:
    assert find_resume_code(text) is None


def test_codes_already_issued_keep_working_as_printed() -> None:
    assert find_resume_code("mein code: KXMPQ-RSTVW") == "KXMPQ-RSTVW"
    assert find_resume_code("k7pm2qdx9a") == "K7PM2-QDX9A"
    assert find_resume_code("kxmpqrstvw", expected=True) == "KXMPQ-RSTVW"


def test_new_codes_have_a_digit_and_a_letter_in_each_group() -> None:
    for _ in range(200):
        code = new_code()
        assert find_resume_code(code.replace("-", "").lower()) == code
        for group in code.split("-"):
            assert set(group) <= set(ALPHABET)
            assert any(c.isdigit() for c in group) and any(c.isalpha() for c in group)


# -- the guide's data fits the applications and the texts ---------------------------------------


def test_every_rule_names_known_applications_questions_and_texts() -> None:
    apps = load_applications()
    raw = yaml.safe_load(GUIDE_FILE.read_text("utf-8"))
    for rule in (*GUIDE.recommend, *GUIDE.also):
        assert set(rule.apply) <= set(apps) and set(rule.after) <= set(apps)
        assert has(f"guide.because.{rule.because}", "de")
        for fact in rule.when:
            assert fact in GUIDE.questions or any(
                fact in (n.facts or {}) or fact == "topic" for n in GUIDE.needs.values()
            ), fact
        if rule.refer:
            assert has(f"guide.refer.{rule.refer}", "de")
    for need in GUIDE.needs.values():
        assert need.refer is None or has(f"guide.refer.{need.refer}", "de")
    for question in GUIDE.questions.values():
        for code in question.choices:
            assert has(f"guide.questions.{question.id}.choices.{code}", "de")
    assert set(raw["prefill"]) <= set(apps)


def test_prefilled_answers_are_valid_answers_of_the_application() -> None:
    apps = load_applications()
    for app_id, pointers in GUIDE.prefill.items():
        fields = {step.field.pointer: step.field for step in plan(apps[app_id], {}) if step.field}
        fields |= {
            step.field.pointer: step.field
            for step in plan(apps[app_id], {p: None for p in pointers})
            if step.field
        }
        for pointer, sources in pointers.items():
            assert pointer in fields, f"{app_id}: {pointer}"
            for source in sources:
                for value in (source.values or {}).values():
                    assert value in fields[pointer].choices, f"{app_id}: {pointer} {value}"


@pytest.mark.parametrize("lang", supported_languages())
def test_every_need_has_training_data_in_every_language(lang: str) -> None:
    data = yaml.safe_load((NEEDS_DIR / f"{lang}.yml").read_text("utf-8"))
    counts = {block["intent"]: len(block["examples"].strip().splitlines()) for block in data["nlu"]}
    assert {intent: counts.get(intent, 0) >= 15 for intent in GUIDE.intents()} == {
        intent: True for intent in GUIDE.intents()
    }


def test_a_need_ranked_second_after_a_meaningless_answer_still_guides() -> None:
    citizen = Citizen()
    ranked = UserTurn(
        "das geld reicht nicht bis zum monatsende",
        "inform",
        0.6,
        metadata={"language": "de"},
        ranking={"inform": 0.6, "need_living": 0.3, "need_pension": 0.1},
    )
    citizen.draft, reply = citizen.conversation.respond(None, ranked, "de")
    assert citizen.draft.phase == "guide" and citizen.draft.guide["facts"]["topic"] == "living"


def test_a_plain_yes_as_first_message_is_no_need() -> None:
    citizen = Citizen()
    ranked = UserTurn("ja", "affirm", 0.9, ranking={"affirm": 0.9, "need_living": 0.08})
    citizen.draft, reply = citizen.conversation.respond(None, ranked, "de")
    assert reply.state["step"] == "menu" and citizen.draft.phase == "menu"


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("wohn gelt", "need_kindergeld", "wohngeld"),
        ("Wohngeldantrag stellen", "inform", "wohngeld"),
        ("but my study visa runs out", "need_residence_permit", "aufenthaltstitel_verlaengerung"),
    ],
)
def test_names_are_found_misspelt_split_or_inside_words_but_not_in_ordinary_words(
    text: str, intent: str, expected: str
) -> None:
    assert offered(Citizen("en" if text.startswith("but") else "de").send(text, intent)) == [
        expected
    ]


def test_arabic_letter_variants_still_name_the_application() -> None:
    reply = Citizen("ar").send("بدي قدم على الضمان الاساسى", "choose_application")
    assert offered(reply) == ["grundsicherung"]
