"""A long conversation: each turn reads a short tail, yet nothing is lost or doubled."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Restarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import tracker_store
from bot.tracker_store import TAIL_EVENTS, EncryptedSQLTrackerStore

SLOT = {"type": "text", "influence_conversation": False, "mappings": [{"type": "custom"}]}
DOMAIN = Domain.from_dict(
    {"slots": {name: dict(SLOT) for name in ("language", "field")}, "actions": ["action_step"]}
)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EncryptedSQLTrackerStore:
    monkeypatch.setenv("ANTRAGSLOTSE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("ANTRAGSLOTSE_DATA_KEY", raising=False)
    return EncryptedSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))


def turn(store: EncryptedSQLTrackerStore, number: int, saves: int = 1) -> DialogueStateTracker:
    """What Rasa does with one message: read, add the turn's events, save."""
    tracker = asyncio.run(store.get_or_create_tracker("web-1"))
    tracker.update(UserUttered(f"answer {number}", intent={"name": "inform", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_step"))
    if number == 2:
        tracker.update(SlotSet("language", "ar"))
    tracker.update(SlotSet("field", f"field {number}"))
    for _ in range(saves - 1):
        asyncio.run(store.save(tracker))  # Rasa may save more than once in a turn
    tracker.update(BotUttered(f"question {number + 1}"))
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))
    return tracker


def said(tracker: DialogueStateTracker) -> list[str]:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def test_a_long_conversation_reads_a_short_tail_with_every_slot_value(store) -> None:
    for number in range(150):
        turn(store, number, saves=2 if number % 7 == 0 else 1)
    tail = asyncio.run(store.retrieve("web-1"))
    assert len(tail.events) <= TAIL_EVENTS
    assert tail.get_slot("language") == "ar"  # set once, in turn 2
    assert tail.get_slot("field") == "field 149"
    assert said(tail)[-1] == "answer 149"
    assert said(tail) == [f"answer {n}" for n in range(150 - len(said(tail)), 150)]
    everything = asyncio.run(store.retrieve_full_tracker("web-1"))
    assert said(everything) == [f"answer {n}" for n in range(150)]


def test_a_session_stored_before_checkpoints_is_read_whole_once(store, monkeypatch) -> None:
    monkeypatch.setattr(tracker_store, "CHECKPOINT_EVERY", 10**6)
    for number in range(40):
        turn(store, number)
    monkeypatch.undo()
    old = asyncio.run(store.retrieve("web-1"))
    assert said(old) == [f"answer {n}" for n in range(40)]
    assert old.get_slot("language") == "ar"
    turn(store, 40)  # this save writes a checkpoint
    tail = asyncio.run(store.retrieve("web-1"))
    assert len(tail.events) <= TAIL_EVENTS
    assert (tail.get_slot("language"), tail.get_slot("field")) == ("ar", "field 40")


def test_a_restart_still_deletes_what_came_before(store) -> None:
    for number in range(30):
        turn(store, number)
    tracker = asyncio.run(store.retrieve("web-1"))
    tracker.update(Restarted())
    asyncio.run(store.save(tracker))
    everything = asyncio.run(store.retrieve_full_tracker("web-1"))
    assert said(everything) == []
    assert everything.get_slot("language") is None
