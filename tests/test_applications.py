"""Every application end to end over REST, in German: the office gets the contract's example.

The scripts in tests/dialogues/<id>.py are what a citizen types; they run
against the real stack (trained model, action server, NLG, outbox, inbox),
upload a real PDF where the example has an attached document, and compare the
delivered payload with contracts/examples/<id>.example.json.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.contracts import payload_problems
from bot.definitions import load_applications
from bot.stack import Stack
from bot.submission.payload import parse_pointer
from tests.conftest import example
from tests.rest import RestCitizen, fictional_pdf, wait_for_delivery

pytestmark = pytest.mark.stack

APPLICATIONS = sorted(load_applications())
RUN_ENVELOPE = ("reference", "submitted_at", "language", "channel")
TIMINGS = Path(__file__).resolve().parents[1] / "build" / "e2e-timings.json"


def script_of(app_id: str) -> Any:
    return importlib.import_module(f"tests.dialogues.{app_id}")


def complete(
    citizen: RestCitizen, app_id: str, script: list[tuple[str, str]]
) -> tuple[str, dict[str, Any]]:
    """Answer every question of the script, check the summary, submit; (reference, state)."""
    text, state = citizen.say("/start", language="de", application=app_id)
    for field, answer in script:
        assert (state["step"], state["field"]) == ("ask", field), f"expected {field}: {text}"
        if answer == "@upload":
            document = state["input"]["document"]
            sent = citizen.upload(document, fictional_pdf())
            assert sent.status_code == 201, sent.text
            answer = f'/inform{{"value":"{sent.json()["attachment_id"]}"}}'
        text, state = citizen.say(answer)
        assert state["step"] != "invalid", f"{answer!r} for {field}: {text}"
    assert state["step"] == "summary", text
    assert state["progress"]["answered"] == state["progress"]["total"]
    text, state = citizen.say(state["choices"][0]["payload"])
    assert state["step"] == "submitted", text
    return state["reference"], state


def _record_timing(app_id: str, seconds: float, questions: int) -> None:
    TIMINGS.parent.mkdir(exist_ok=True)
    timings = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    timings[app_id] = {"seconds": round(seconds, 1), "answers": questions}
    TIMINGS.write_text(json.dumps(timings, indent=2))


def _without_attachment_ids(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in d.items() if k != "attachment_id"} for d in documents]


@pytest.mark.parametrize("app_id", APPLICATIONS)
def test_example_dialogue_delivers_the_contract_example(stack: Stack, app_id: str) -> None:
    module = script_of(app_id)
    citizen = RestCitizen(stack)
    started = time.monotonic()
    reference, _ = complete(citizen, app_id, module.EXAMPLE_DE)
    _record_timing(app_id, time.monotonic() - started, len(module.EXAMPLE_DE))

    delivered = wait_for_delivery(stack, reference)
    payload, expected = delivered["payload"], example(module.EXAMPLE_PAYLOAD_ID)
    assert payload_problems(payload) == []
    assert (payload["reference"], payload["language"], payload["channel"]) == (
        reference,
        "de",
        "rest",
    )
    for key in set(payload) | set(expected):
        if key in RUN_ENVELOPE:
            continue
        if key == "documents":
            assert _without_attachment_ids(payload[key]) == _without_attachment_ids(expected[key])
        else:
            assert payload.get(key) == expected.get(key), key

    attached = {d["attachment_id"] for d in payload["documents"] if d["status"] == "attached"}
    files = {a["id"]: a for a in delivered["attachments"]}
    assert set(files) == attached
    for attachment_id in attached:
        assert files[attachment_id]["media_type"] == "application/pdf"
        got = requests.get(
            f"{stack.backoffice_url}/backoffice/api/submissions/{reference}/attachments/{attachment_id}",
            headers={"Authorization": f"Bearer {stack.token}"},
            timeout=30,
        )
        assert got.status_code == 200 and got.content.startswith(b"%PDF-")
        assert hashlib.sha256(got.content).hexdigest() == files[attachment_id]["sha256"]


def _present(payload: dict[str, Any], pointer: str) -> bool:
    node: Any = payload
    for segment in parse_pointer(pointer):
        if isinstance(node, list):
            if not segment.isdigit() or int(segment) >= len(node):
                return False
            node = node[int(segment)]
        elif isinstance(node, dict) and segment in node:
            node = node[segment]
        else:
            return False
    return True


BRANCHES = [
    (app_id, name) for app_id in APPLICATIONS for name in sorted(script_of(app_id).BRANCHES)
]


@pytest.mark.parametrize(("app_id", "branch"), BRANCHES)
def test_conditional_paths_deliver_valid_payloads(stack: Stack, app_id: str, branch: str) -> None:
    spec = script_of(app_id).BRANCHES[branch]
    reference, _ = complete(RestCitizen(stack), app_id, spec["script"])
    payload = wait_for_delivery(stack, reference)["payload"]
    assert payload_problems(payload) == []
    assert [p for p in spec["present"] if not _present(payload, p)] == []
    assert [p for p in spec["absent"] if _present(payload, p)] == []


def test_every_application_has_two_alternative_paths() -> None:
    for app_id in APPLICATIONS:
        assert len(script_of(app_id).BRANCHES) >= 2, app_id


def test_pause_on_one_channel_resume_on_another_then_status(stack: Stack) -> None:
    script = script_of("wohngeld").EXAMPLE_DE
    web = RestCitizen(stack)
    text, state = web.say("/start", language="de", application="wohngeld")
    for _field, answer in script[:5]:
        text, state = web.say(answer)
    asked = state["field"]
    text, state = web.say("Ich möchte eine Pause machen und später weitermachen")
    assert state["step"] == "paused", text
    code = re.search(r"[2-9A-Z]{5}-[2-9A-Z]{5}", text)
    assert code and "30 Tage" in text

    phone = RestCitizen(stack)  # another sender id, as from another channel
    text, state = phone.say("Hallo")
    text, state = phone.say(f"Ich habe einen Code: {code[0]}")
    assert (state["step"], state["field"]) == ("ask", asked), text
    for _field, answer in script[5:]:
        if answer == "@upload":
            sent = phone.upload(state["input"]["document"], fictional_pdf())
            answer = f'/inform{{"value":"{sent.json()["attachment_id"]}"}}'
        text, state = phone.say(answer)
    text, state = phone.say(state["choices"][0]["payload"])
    reference = state["reference"]
    wait_for_delivery(stack, reference)

    text, state = phone.say(f"Wie ist der Stand von {reference}?")
    assert "angekommen" in text, text
    stranger = RestCitizen(stack)
    stranger.say("Hallo")
    text, state = stranger.say(f"Wie ist der Stand von {reference}?")
    assert "angekommen" not in text and reference in text, text


def test_a_renamed_executable_is_refused_and_the_question_stays(stack: Stack) -> None:
    citizen = RestCitizen(stack)
    citizen.say("/start", language="de", application="bildung_teilhabe")
    refused = citizen.upload("benefit_notice", b"MZ\x90\x00" + b"\x00" * 500, "bescheid.pdf")
    assert refused.status_code == 415
    assert "PDF" in refused.json()["message"]
