"""A confirmed draft becomes exactly one valid outbox entry, or a logged bug and nothing."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.definitions import load_applications
from bot.delivery.outbox import Outbox
from bot.forms.draft import Draft
from bot.storage.crypto import DataBox
from bot.storage.database import utcnow
from bot.storage.drafts import DraftStore
from bot.submission.reference import is_reference
from bot.submission.submit import submit
from tests.scripts import GRUNDSICHERUNG_DE
from tests.test_dialogue import start


@pytest.fixture
def outbox(engine, box: DataBox) -> Outbox:
    return Outbox(engine, box)


def completed_draft():
    chat, _ = start("de")
    for _, text in GRUNDSICHERUNG_DE:
        chat.send(text)
    return chat.draft


def test_confirmed_draft_goes_to_the_outbox(outbox: Outbox) -> None:
    reference = submit(load_applications()["grundsicherung"], completed_draft(), outbox, "rest")
    assert reference is not None and is_reference(reference) and reference.startswith("WI-")
    assert outbox.pending_count() == 1 and outbox.status(reference) == "pending"


def test_payload_failing_the_schema_is_a_logged_bug_not_a_delivery(
    outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    draft = completed_draft()
    draft.answers["/applicant/address/postal_code"] = "6518X"  # a parser bug would do this
    with caplog.at_level(logging.INFO):
        assert submit(load_applications()["grundsicherung"], draft, outbox, "rest") is None
    assert outbox.pending_count() == 0
    assert "/applicant/address/postal_code" in caplog.text
    assert "6518X" not in caplog.text and "Schneider" not in caplog.text


def test_abandoned_drafts_are_deleted_after_the_retention_period(engine, box: DataBox) -> None:
    store = DraftStore(engine, box)
    store.save("old", Draft(lang="de", answers={"/applicant/given_names": "Helga"}))
    assert store.purge(utcnow() - timedelta(days=7)) == 0, "fresh drafts stay"
    assert store.purge(utcnow() + timedelta(seconds=1)) == 1
    assert store.load("old") is None
