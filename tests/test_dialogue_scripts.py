"""Every application's test dialogues, run through the engine alone (no model, no storage).

Fast feedback for definition authors: the same scripts that test_applications.py
sends over REST must ask exactly the listed questions and give the contract's
example. Intents are given as Rasa would classify them (see test_dialogue.py).
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import pytest

from bot.contracts import payload_problems
from bot.definitions import load_applications
from bot.forms.answers import interpret
from bot.forms.dialogue import Conversation
from bot.forms.draft import Draft
from bot.forms.plan import payload_answers, plan
from bot.nlg.render import render
from bot.nlg.texts import t
from bot.submission.submit import payload_for
from tests.conftest import example
from tests.dialogues import asylblg, bildung_teilhabe, grundsicherung
from tests.test_dialogue import turn

APPLICATIONS = load_applications()
RUN_ENVELOPE = ("reference", "submitted_at", "language", "channel")


def run(app_id: str, script: list[tuple[str, str]]) -> dict[str, Any]:
    conversation = Conversation(APPLICATIONS)
    draft, reply = conversation.respond(None, turn("/start", application=app_id), "de")
    uploads: dict[str, str] = {}
    for number, (field, text) in enumerate(script):
        assert (reply.state["step"], reply.state.get("field")) == ("ask", field), number
        if text == "@upload":
            uploads[f"att_{number:08d}"] = reply.state["input"]["document"]
            text = f'/inform{{"value":"att_{number:08d}"}}'
        said = replace(turn(text), attachments=dict(uploads))
        draft, reply = conversation.respond(draft, said, "de")
        assert reply.state["step"] != "invalid", f"{text!r} for {field}"
    assert reply.state["step"] == "summary"
    now = datetime.now(timezone.utc)
    return payload_for(APPLICATIONS[app_id], draft, "WI-2026-ABCDEF", "rest", now)


def _no_ids(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in d.items() if k != "attachment_id"} for d in documents]


@pytest.mark.parametrize("app_id", sorted(APPLICATIONS))
def test_example_script_gives_the_contract_example(app_id: str) -> None:
    module = importlib.import_module(f"tests.dialogues.{app_id}")
    payload, expected = run(app_id, module.EXAMPLE_DE), example(module.EXAMPLE_PAYLOAD_ID)
    assert payload_problems(payload) == []
    for key in (set(payload) | set(expected)) - set(RUN_ENVELOPE) - {"documents"}:
        assert payload.get(key) == expected.get(key), key
    assert _no_ids(payload["documents"]) == _no_ids(expected["documents"])


@pytest.mark.parametrize(
    ("app_id", "branch"),
    [
        (app_id, name)
        for app_id in sorted(APPLICATIONS)
        for name in importlib.import_module(f"tests.dialogues.{app_id}").BRANCHES
    ],
)
def test_branch_scripts_give_valid_payloads(app_id: str, branch: str) -> None:
    spec = importlib.import_module(f"tests.dialogues.{app_id}").BRANCHES[branch]
    assert payload_problems(run(app_id, spec["script"])) == []


# -- contract v1.1 ----------------------------------------------------------------------


def test_per_item_documents_name_their_child_in_the_payload() -> None:
    spec = bildung_teilhabe.BRANCHES["konto_nachhilfe_fahrkosten"]
    payload = run("bildung_teilhabe", spec["script"])
    assert payload_problems(payload) == []
    assert [(d["kind"], d.get("item")) for d in payload["documents"]] == [
        ("benefit_notice", None),
        ("school_confirmation", "/children/0"),
        ("school_confirmation", "/children/1"),
        ("transport_costs", "/children/0"),
        ("cost_receipts", "/children/0"),
        ("cost_receipts", "/children/1"),
    ]


def test_a_legal_guardian_and_additional_needs_reach_the_payload() -> None:
    payload = run("grundsicherung", grundsicherung.BRANCHES["heim_barauszahlung"]["script"])
    assert payload_problems(payload) == []
    assert payload["legal_guardian"]["name"] == "Sabine Krüger"
    assert payload["legal_guardian"]["scope_includes_benefits"] is True
    assert payload["legal_guardian"]["contact"]["preferred_channel"] == "email"
    assert payload["additional_needs"] == ["mobility_mark_g"]


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("de", "keine"),
        ("de", "nein"),
        ("en", "none"),
        ("ar", "لا شيء"),
        ("de", '/inform{"value":"none"}'),
    ],
)
def test_none_of_the_additional_needs_is_an_empty_list(lang: str, said: str) -> None:
    app = APPLICATIONS["grundsicherung"]
    step = next(s for s in plan(app, {}) if s.pointer == "/additional_needs")
    value = interpret(app, step, turn(said), lang)
    assert value == ["none"], "kept as the choice, so the summary can say so"
    assert payload_answers([step], {step.key: value}) == {"/additional_needs": []}


def _asked(app_id: str, script: list[tuple[str, str]], field: str) -> Draft:
    """The conversation up to the question at `field`."""
    conversation = Conversation(APPLICATIONS)
    draft, _ = conversation.respond(None, turn("/start", application=app_id), "de")
    for asked, text in script:
        if asked == field:
            return draft
        draft, _ = conversation.respond(draft, turn(text), "de")
    raise AssertionError(f"{field} is not asked")


@pytest.mark.parametrize("lang", ["de", "en", "ar", "uk"])
def test_a_bad_bamf_file_number_is_explained_in_the_citizens_language(lang: str) -> None:
    field = "/residence_status/bamf_file_number"
    draft = _asked("asylblg", asylblg.EXAMPLE_DE, field)
    draft.lang = lang
    draft, reply = Conversation(APPLICATIONS).respond(draft, turn("12345-43"), lang)
    assert (reply.state["step"], reply.state["field"]) == ("invalid", field)
    text = render({"parts": reply.parts, "state": reply.state}, lang)["text"]
    assert t("errors.text.pattern", lang) in text
    assert "1234567-439" in text, "with the example of a valid number"
    draft, reply = Conversation(APPLICATIONS).respond(draft, turn("1234567 - 439"), lang)
    assert draft.answers[field] == "1234567-439"
