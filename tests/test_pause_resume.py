"""Pause with a resume code, resume in any conversation, expiry, status and uploads.

These run the dialogue with the real stores (SQLite and PostgreSQL); intents
are given as Rasa would classify them (see test_dialogue.py).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sanic import Sanic

from bot.backoffice.inbox import Inbox
from bot.channels.conversation_ids import conversation_tokens
from bot.channels.uploads import upload_blueprint
from bot.forms.dialogue import Reply
from bot.parsing.resume_code import ALPHABET as RESUME_ALPHABET
from bot.storage.attachments import AttachmentStore
from bot.storage.crypto import DataBox
from bot.turns import Turns
from tests.conftest import Clock
from tests.rest import fictional_pdf
from tests.test_dialogue import turn

CODE = re.compile(rf"[{RESUME_ALPHABET}]{{5}}-[{RESUME_ALPHABET}]{{5}}")
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def say(turns: Turns, sender: str, text: str, **metadata: str) -> Reply:
    return turns.handle(sender, turn(text, **metadata), "rest", "de")[1]


def started(turns: Turns, sender: str) -> Reply:
    say(turns, sender, "/start", application="grundsicherung")
    say(turns, sender, "Helga")
    return say(turns, sender, "Schneider")


def paused_code(turns: Turns, sender: str) -> tuple[str, Reply]:
    reply = say(turns, sender, "/pause")
    assert reply.state["step"] == "paused"
    code = reply.parts[0]["params"]["code"]
    assert CODE.fullmatch(code)
    return code, reply


def test_pause_gives_a_code_and_the_date_of_deletion(turns: Turns, clock: Clock) -> None:
    started(turns, "web-1")
    code, reply = paused_code(turns, "web-1")
    valid_until = reply.parts[0]["params"]["valid_until"]["value"]
    assert valid_until == (clock.now + timedelta(days=30)).date().isoformat()
    assert code not in str(turns.drafts.box.fingerprint(code)), "only a keyed hash is stored"


def test_after_the_time_limit_only_the_code_reaches_the_draft(turns: Turns) -> None:
    """A shared screen: whoever comes next to the same conversation finds nothing."""
    started(turns, "web-shared")
    idle = {"reason": "idle", "idle_seconds": 1200}
    reply = turns.handle("web-shared", turn("/pause", **idle), "socketio", "de")[1]
    assert reply.state["step"] == "paused"
    code = reply.parts[-1]["params"]["code"]
    assert turns.drafts.load("web-shared") is None
    assert say(turns, "web-shared", "/start").state["step"] == "menu"
    resumed = say(turns, "web-shared", code)
    assert resumed.state["field"] == "/applicant/birth_date"  # where Helga Schneider stopped
    assert turns.drafts.load("web-shared").application == "grundsicherung"


def test_resume_on_another_conversation_continues_the_draft(turns: Turns) -> None:
    asked = started(turns, "web-1")
    code, _ = paused_code(turns, "web-1")
    reply = say(turns, "telegram-9", f"Mein Code ist {code.lower().replace('-', ' ')}")
    assert reply.parts[0]["key"] == "common.resumed"
    assert reply.state["field"] == asked.state["field"] == "/applicant/birth_date"
    assert turns.drafts.load("web-1") is None, "the draft moved, it was not copied"
    draft = turns.drafts.load("telegram-9")
    assert draft.answers["/applicant/family_name"] == "Schneider"


def test_a_wrong_code_finds_nothing_and_repeated_guessing_stops(turns: Turns) -> None:
    started(turns, "web-1")
    paused_code(turns, "web-1")
    for _ in range(5):
        reply = say(turns, "attacker", "/resume", code="ABCDE-FGHJK")
        reply = say(turns, "attacker", "ABCDE-FGHJK")
        assert reply.parts[0]["key"] == "common.resume_unknown"
    reply = say(turns, "attacker", "ABCDE-FGHJK")
    assert reply.parts[0]["key"] == "common.resume_locked"


@pytest.mark.parametrize(("days", "restored"), [(29, True), (31, False)])
def test_codes_expire_30_days_after_the_last_edit(
    turns: Turns, clock: Clock, days: int, restored: bool
) -> None:
    started(turns, "web-1")
    code, _ = paused_code(turns, "web-1")
    clock.now += timedelta(days=days)
    reply = say(turns, "web-2", code)
    assert (reply.parts[0]["key"] == "common.resumed") is restored
    if not restored:
        assert turns.drafts.purge() == 1, "the expired draft is deleted"


def test_status_only_for_the_submitting_conversation(turns: Turns, box: DataBox) -> None:
    started(turns, "web-1")
    draft = turns.drafts.load("web-1")
    draft.phase, draft.references = "submitted", ["WI-2026-7K3M9Q"]
    turns.drafts.save("web-1", draft)
    Inbox(turns.inbox._engine, box).receive("WI-2026-7K3M9Q", "grundsicherung", {"x": 1})

    reply = say(turns, "web-1", "Wie ist der Stand von WI-2026-7K3M9Q?")
    assert reply.parts[0]["key"] == "common.status.new"
    reply = say(turns, "someone-else", "/ask_status")
    reply = say(turns, "someone-else", "Wie ist der Stand von WI-2026-7K3M9Q?")
    assert reply.parts[-1]["key"] != "common.status.new"
    assert any(p["key"] == "common.status_not_here" for p in reply.parts)


def test_status_after_resuming_with_the_code(turns: Turns) -> None:
    started(turns, "web-1")
    code, _ = paused_code(turns, "web-1")
    draft = turns.drafts.load("web-1")
    draft.phase, draft.references = "submitted", ["WI-2026-7K3M9Q"]
    turns.drafts.save("web-1", draft)
    say(turns, "phone-2", code)
    reply = say(turns, "phone-2", "Stand von WI-2026-7K3M9Q?")
    assert reply.parts[0]["key"] == "common.status.unknown", "allowed, not yet in the inbox"


def test_uploads_are_checked_by_content_and_stored_encrypted(engine, box: DataBox) -> None:
    files = AttachmentStore(engine, box)
    pdf = fictional_pdf()
    stored = files.add("web-1", "rental_contract", pdf)
    assert stored.media_type == "application/pdf"
    assert files.owned("web-1") == {stored.id: "rental_contract"}
    assert files.load("web-1", [stored.id])[0].data == pdf
    with engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT data FROM attachments").scalar_one()
    assert b"%PDF" not in bytes(raw)


def test_upload_endpoint_accepts_a_pdf_and_refuses_a_renamed_executable(
    engine, box: DataBox
) -> None:
    app = Sanic(f"uploads_{id(engine)}")
    app.blueprint(upload_blueprint(AttachmentStore(engine, box)))
    web = conversation_tokens().issue()
    form = {"sender": web.conversation_id, "token": web.token, "document": "rental_contract"}
    form["lang"] = "en"
    _, ok = app.test_client.post(
        "/chat/upload", data=form, files={"file": ("mietvertrag.pdf", fictional_pdf())}
    )
    assert ok.status == 201 and ok.json["attachment_id"].startswith("att_")
    _, bad = app.test_client.post(
        "/chat/upload", data=form, files={"file": ("mietvertrag.pdf", EXECUTABLE)}
    )
    assert bad.status == 415 and bad.json["error"] == "upload.type"
    assert "PDF" in bad.json["message"], "a localized explanation for the citizen"
    assert AttachmentStore(engine, box).owned(web.conversation_id) == {
        ok.json["attachment_id"]: "rental_contract"
    }
