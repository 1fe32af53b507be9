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

from bot.definitions import load_applications
from bot.forms.dialogue import Conversation
from bot.submission.schemas import payload_problems
from bot.submission.submit import payload_for
from tests.conftest import example
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
