"""Guessing resume codes: failed attempts are limited per conversation, client and overall.

Each test drives the real turn handler against a real database (SQLite and
PostgreSQL) and fails on a main whose only limit was a counter in the draft.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.definitions import load_applications
from bot.forms.dialogue import Reply
from bot.storage.crypto import DataBox
from bot.storage.resume_codes import new_code
from bot.storage.resume_limits import OVERALL, PER_CLIENT, PER_CONVERSATION, resume_attempts
from bot.turns import Turns
from tests.conftest import Clock
from tests.test_dialogue import turn


def say(turns: Turns, sender: str, text: str, client: str | None = None) -> Reply:
    said = replace(turn(text), client=client) if client else turn(text)
    return turns.handle(sender, said, "rest", "de")[1]


def first_key(reply: Reply) -> str:
    return reply.parts[0]["key"]


def paused_code(turns: Turns, sender: str) -> str:
    turns.handle(sender, turn("/start", application="grundsicherung"), "rest", "de")
    say(turns, sender, "Helga")
    reply = say(turns, sender, "/pause")
    return reply.parts[0]["params"]["code"]


def test_fifty_fresh_conversations_guessing_codes_hit_the_overall_limit(
    turns: Turns, clock: Clock
) -> None:
    code = paused_code(turns, "web-owner")
    answers = [
        first_key(say(turns, f"guesser-{n}", new_code()))
        for n in range(50)
        for _ in range(PER_CONVERSATION.attempts - 2)
    ]
    assert answers[: OVERALL.attempts] == ["common.resume_unknown"] * OVERALL.attempts
    assert set(answers[OVERALL.attempts :]) == {"common.resume_busy"}
    # while the limit holds, not even the right code is checked ...
    assert first_key(say(turns, "web-citizen", code)) == "common.resume_busy"
    assert turns.drafts.load("web-owner") is not None
    # ... and once the window has passed, it works again
    clock.now += OVERALL.window + timedelta(seconds=1)
    assert first_key(say(turns, "web-citizen", code)) == "common.resumed"


def test_start_does_not_reset_the_conversations_counter(turns: Turns) -> None:
    for _ in range(PER_CONVERSATION.attempts):
        assert first_key(say(turns, "web-1", new_code())) == "common.resume_unknown"
    say(turns, "web-1", "/start")
    say(turns, "web-1", "/cancel")
    assert first_key(say(turns, "web-1", new_code())) == "common.resume_locked"


def test_the_count_survives_a_restart_and_holds_for_the_clients_new_conversations(
    engine, box: DataBox, clock: Clock
) -> None:
    first = Turns(engine, box, load_applications(), clock)
    for n in range(PER_CLIENT.attempts):
        reply = say(first, f"web-{n // 2}", new_code(), client="c0ffee")
        assert first_key(reply) == "common.resume_unknown"
    restarted = Turns(engine, box, load_applications(), clock)
    assert first_key(say(restarted, "web-new", new_code(), client="c0ffee")) == (
        "common.resume_busy"
    )
    assert first_key(say(restarted, "web-other", new_code(), client="beef")) == (
        "common.resume_unknown"
    ), "another client is not affected"


def test_only_keyed_hashes_are_stored_and_old_attempts_are_purged(
    engine, turns: Turns, clock: Clock
) -> None:
    say(turns, "web-sender-7", new_code(), client="client-key-7")
    with engine.connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(resume_attempts.select()) for v in row)
    assert "web-sender-7" not in stored and "client-key-7" not in stored
    clock.now += timedelta(days=2)
    assert turns.limits.purge() == 1


def test_the_log_names_the_limit_but_not_the_code_or_conversation(
    turns: Turns, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(PER_CONVERSATION.attempts):
        say(turns, "web-secret-sender", new_code())
    guess = new_code()
    with caplog.at_level(logging.DEBUG):
        assert first_key(say(turns, "web-secret-sender", guess)) == "common.resume_locked"
    assert "conversation limit" in caplog.text
    assert guess not in caplog.text and "web-secret-sender" not in caplog.text


def test_a_right_code_after_a_typo_still_resumes(turns: Turns) -> None:
    code = paused_code(turns, "web-owner")
    assert first_key(say(turns, "tg-5", new_code())) == "common.resume_unknown"
    assert first_key(say(turns, "tg-5", code)) == "common.resumed"
