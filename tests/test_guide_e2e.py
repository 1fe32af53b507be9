"""The guide against the real stack: the trained model reads needs in own words.

Every held-out need description (tests/guide_heldout/<lang>.yml, never in
training) is the first message of a new conversation over REST; triage
questions are answered as that citizen would. The figures go to
build/guide-heldout.json; those of the fresh set (tests/guide_heldout_fresh,
written blind later) under its key "fresh".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.contracts import payload_problems
from bot.stack import Stack
from tests.dialogues.multilingual import ARABIC, UKRAINIAN
from tests.guide_cases import FRESH_DIR, Case, Walk, held_out, languages, score, walk
from tests.rest import RestCitizen, fictional_pdf, wait_for_delivery
from tests.scripts import GRUNDSICHERUNG_DE

pytestmark = pytest.mark.stack

FIGURES = Path(__file__).resolve().parents[1] / "build" / "guide-heldout.json"
TARGET = {"de": 0.95, "en": 0.95}  # the targets; the others 0.90
DEFAULT_TARGET = 0.90
# Not every language reaches its target yet, and a retrained model moves a language by
# up to 0.08 (two or three of 26 cases): the test guards against falling back below
# this floor; the figures against the targets are in build/guide-heldout.json.
FLOOR = 0.80


def _record(lang: str, figures: dict[str, Any], section: str | None = None) -> None:
    FIGURES.parent.mkdir(exist_ok=True)
    known = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    if section is None:
        known[lang] = figures
    else:
        known[section] = {**known.get(section, {}), lang: figures}
    FIGURES.write_text(json.dumps(known, indent=2, sort_keys=True))


def _walk_over_rest(citizen: RestCitizen, case: Case, lang: str) -> Walk:
    return walk(
        case,
        first=lambda message: citizen.say(message, language=lang)[1],
        send=lambda message: citizen.say(message)[1],
    )


def _walk_and_record(stack: Stack, lang: str, cases: list[Case], section: str | None) -> None:
    walks = [_walk_over_rest(RestCitizen(stack), case, lang) for case in cases]
    result = score(walks)
    misses = [f"{w.case.text!r}: {w.reached} for {w.case.expect}" for w in walks if not w.hit]
    _record(
        lang,
        {
            "cases": result.cases,
            "top1": round(result.top1, 3),
            "triaged": result.triaged,
            "questions": result.questions,
            "target": TARGET.get(lang, DEFAULT_TARGET),
            "misses": misses,
        },
        section,
    )
    assert result.top1 >= FLOOR, "\n".join(misses)


@pytest.mark.parametrize("lang", languages())
def test_needs_in_own_words_reach_the_right_application(stack: Stack, lang: str) -> None:
    _walk_and_record(stack, lang, held_out(lang), None)


@pytest.mark.parametrize("lang", languages(FRESH_DIR))
def test_fresh_held_out_needs_reach_the_right_application(stack: Stack, lang: str) -> None:
    _walk_and_record(stack, lang, held_out(lang, FRESH_DIR), "fresh")


def _answer_script(citizen: RestCitizen, state: dict[str, Any], script: dict[str, str]) -> dict:
    """Answer each question the form asks from the script, by its field."""
    text = ""
    while state["step"] in ("ask", "invalid"):
        assert state["step"] == "ask", text
        answer = script[state["field"]]
        if answer == "@upload":
            sent = citizen.upload(state["input"]["document"], fictional_pdf())
            answer = f'/inform{{"value":"{sent.json()["attachment_id"]}"}}'
        text, state = citizen.say(answer)
    assert state["step"] == "summary", text
    return state


GERMAN = dict(GRUNDSICHERUNG_DE)
TRIAGE = {"residence": "german_eu", "old_age": "yes", "able_to_work": "yes", "housing": "rent"}


@pytest.mark.parametrize(
    ("lang", "first", "script"),
    [
        ("de", "Meine Rente reicht nicht zum Leben", GERMAN),
        ("ar", "معاشي التقاعدي قليل وما بيكفيني للعيش", dict(ARABIC)),
        ("uk", "моєї пенсії не вистачає на життя", dict(UKRAINIAN)),
    ],
)
def test_a_need_in_own_words_ends_in_a_submitted_application(
    stack: Stack, lang: str, first: str, script: dict[str, str]
) -> None:
    citizen = RestCitizen(stack)
    text, state = citizen.say(first, language=lang)
    assert state["step"] != "menu", text
    while "question" in state.get("guide", {}):
        text, state = citizen.say(f'/inform{{"value":"{TRIAGE[state["guide"]["question"]]}"}}')
    assert state["guide"]["offer"][0] == "grundsicherung", text
    text, state = citizen.say(state["choices"][0]["payload"])
    assert state["application"] == "grundsicherung" and state["lang"] == lang
    state = _answer_script(citizen, state, script)
    text, state = citizen.say(state["choices"][0]["payload"])
    assert state["step"] == "submitted", text
    payload = wait_for_delivery(stack, state["reference"])["payload"]
    assert payload_problems(payload) == []
    assert payload["language"] == lang and payload["applicant"]["family_name"] == "Schneider"


def test_naming_an_application_first_gives_its_information_not_a_code_message(
    stack: Stack,
) -> None:
    citizen = RestCitizen(stack)
    text, state = citizen.say("Ich möchte Wohngeld beantragen", language="de")
    assert "Code" not in text and "Wohngeld können Menschen bekommen" in text
    assert state["guide"]["offer"] == ["wohngeld"]
    text, state = citizen.say("ja")
    assert (state["application"], state["step"]) == ("wohngeld", "ask")


def test_a_greeting_first_still_gets_the_menu(stack: Stack) -> None:
    text, state = RestCitizen(stack).say("hallo", language="de")
    assert state["step"] == "menu" and "Datenschutz" in text
