"""The real stack over Rasa's REST channel: trained model, action server, NLG, outbox, inbox.

A citizen completes a Grundsicherung application in German and in English,
with one invalid answer and one correction; the office then reads exactly the
expected payload from the inbox API.
"""

from __future__ import annotations

import sqlite3

import pytest

from bot.contracts import payload_problems
from bot.stack import Stack
from tests.rest import RestCitizen, call, var_dir, wait_for_delivery
from tests.scripts import GRUNDSICHERUNG_DE, GRUNDSICHERUNG_EN, comparable, expected_payload

pytestmark = pytest.mark.stack


@pytest.mark.parametrize(
    ("lang", "script", "invalid", "correction", "corrected"),
    [
        (
            "de",
            GRUNDSICHERUNG_DE,
            "nächsten Dienstag vielleicht",
            "Ich möchte meine IBAN ändern",
            "DE89 3704 0044 0532 0130 00",
        ),
        (
            "en",
            GRUNDSICHERUNG_EN,
            "sometime in spring",
            "my IBAN is wrong",
            "DE89370400440532013000",
        ),
    ],
)
def test_complete_application_over_rest(
    stack: Stack, lang, script, invalid, correction, corrected
) -> None:
    citizen = RestCitizen(stack)
    text, state = citizen.say("/start", language=lang)
    assert (state["step"], state["lang"], state["contract"]) == ("menu", lang, 1)
    assert state["choices"] and all(c["title"] for c in state["choices"])
    chosen = next(c for c in state["choices"] if c["value"] == "grundsicherung")
    text, state = citizen.say(chosen["payload"])
    for field, answer in script:
        assert (state["step"], state["field"]) == ("ask", field), text
        if field == "/applicant/birth_date":
            text, state = citizen.say(invalid)
            assert (state["step"], state["field"]) == ("invalid", field), text
        text, state = citizen.say(answer)
        assert state["step"] != "invalid", f"{answer!r} for {field}: {text}"
    assert state["step"] == "summary"
    assert state["progress"]["answered"] == state["progress"]["total"]

    text, state = citizen.say(correction)
    assert (state["step"], state["field"]) == ("ask", "/payout/bank_account/iban"), text
    text, state = citizen.say("DE89 3704 0044 0532 0130 01")
    assert state["step"] == "invalid", "a wrong checksum is caught"
    text, state = citizen.say(corrected)
    assert state["step"] == "summary"

    text, state = citizen.say(state["choices"][0]["payload"])
    assert state["step"] == "submitted"
    reference = state["reference"]
    assert reference in text

    delivered = wait_for_delivery(stack, reference)
    assert delivered["status"] == "new" and delivered["application"] == "grundsicherung"
    payload = delivered["payload"]
    assert payload_problems(payload) == []
    expected = expected_payload(lang)
    for key in expected:
        if key not in ("reference", "submitted_at"):
            assert payload[key] == expected[key], key
    assert comparable(payload) == comparable(expected)
    assert payload["reference"] == reference


def test_inbox_api_refuses_without_token(stack: Stack) -> None:
    status, body = call(f"{stack.backoffice_url}/backoffice/api/submissions")
    assert (status, body) == (401, {"error": "unauthorized"})
    status, _ = call(f"{stack.backoffice_url}/backoffice/api/submissions", token="wrong")
    assert status == 401
    status, _ = call(f"{stack.backoffice_url}/backoffice/api/submissions", token=stack.token)
    assert status == 200
    # the public port does not serve the inbox API at all
    status, _ = call(f"{stack.service_url}/backoffice/api/submissions", token=stack.token)
    assert status == 404


def test_cancel_deletes_what_was_entered(stack: Stack) -> None:
    citizen = RestCitizen(stack)
    citizen.say("/start", language="de", application="grundsicherung")
    citizen.say("Helga")
    with sqlite3.connect(var_dir(stack) / "tracker.db") as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ?", (citizen.sender,))
        sealed = [str(data).encode() for (data,) in rows]
    text, state = citizen.say("Ich möchte abbrechen")
    assert state["step"] == "info", text
    _, state = citizen.say("/affirm")
    assert state["step"] == "cancelled"
    with sqlite3.connect(var_dir(stack) / "antragslotse.db") as db:
        drafts = db.execute("SELECT count(*) FROM drafts WHERE sender_id = ?", (citizen.sender,))
        assert drafts.fetchone() == (0,)
    with sqlite3.connect(var_dir(stack) / "tracker.db") as db:
        kinds = [
            k
            for (k,) in db.execute(
                "SELECT type_name FROM events WHERE sender_id = ? ORDER BY id", (citizen.sender,)
            )
        ]
    assert kinds[0] == "restart" and "user" not in kinds, "the conversation history is gone"
    # Gone from the file too, not left in its free pages (even though it was encrypted).
    stored = b"".join(p.read_bytes() for p in var_dir(stack).glob("tracker.db*"))
    assert sealed and not any(event[:40] in stored for event in sealed)
    _, state = citizen.say("/start", language="de")
    assert state["step"] == "menu", "a new conversation starts"


def test_nothing_personal_is_stored_in_plain_text(stack: Stack) -> None:
    citizen = RestCitizen(stack)
    citizen.say("/start", language="de", application="grundsicherung")
    citizen.say("Wilhelmine")
    for name in ("tracker.db", "antragslotse.db"):
        stored = (var_dir(stack) / name).read_bytes()
        wal = var_dir(stack) / f"{name}-wal"
        stored += wal.read_bytes() if wal.exists() else b""
        assert b"Wilhelmine" not in stored, name


def test_logs_hold_no_personal_data(stack: Stack) -> None:
    """Runs after the conversations above: none of their answers may be in any log."""
    logs = b"".join(path.read_bytes() for path in stack.log_dir.glob("*.log"))
    assert logs, "the components write logs"
    for answer in (b"Schneider", b"Rheinstra", b"DE89370400440532013000", b"Wilhelmine", b"65185"):
        assert answer not in logs
