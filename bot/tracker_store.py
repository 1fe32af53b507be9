"""Rasa's SQL tracker store, with every event encrypted at rest.

Rasa keeps each user message and each bot message (summaries included) in its
tracker store in plain text; for social data that is not acceptable (§ 35 SGB I,
Art. 9 GDPR). This store seals the event JSON with the project's data key, and a
`Restarted` event (sent when the citizen cancels) deletes the conversation's
earlier events instead of merely hiding them. Rasa's plaintext `intent_name` and
`action_name` columns stay empty: an intent such as `need_asylum` next to a
conversation id is personal data, and Rasa reads neither column back.

Old events are purged here on every 200th save and, on a timer, by the service
(bot/storage/trackers.py), so a quiet bot forgets too.

A turn reads only the last `TAIL_EVENTS` events of the session, so its work does
not grow with the conversation: Rasa hands the tracker to the policies, the action
server and the NLG endpoint, and all of them walked every event of a long session.
Every `CHECKPOINT_EVERY` events the store writes the current slot values again
(marked `SlotSet` events, database only), so the tail always carries them.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, Restarted, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from bot import rasa_speedups
from bot.storage.crypto import DataBox
from bot.storage.retention import retention

PURGE_EVERY_SAVES = 200
TAIL_EVENTS = 40  # four or five turns; the rules look at one
CHECKPOINT_EVERY = 16  # with a turn's events and a checkpoint still within TAIL_EVENTS
CHECKPOINT = "antragslotse_checkpoint"
# Set on the trackers this store hands out or saves (trackers are not hashable, and a
# copy of one has the same events stored).
STORED = "_antragslotse_stored_events"


# Both reads of a turn go by index, whatever the session's length: the session's start
# (sender, type) and its last events (sender, id). Rasa indexes only the sender.
_EVENT = SQLTrackerStore.SQLEvent
TAIL_INDEXES = (
    sa.Index("ix_events_sender_type_id", _EVENT.sender_id, _EVENT.type_name, _EVENT.id),
    sa.Index("ix_events_sender_id_id", _EVENT.sender_id, _EVENT.id),
)


def _is_checkpoint(type_name: str | None, metadata: dict[str, Any] | None) -> bool:
    """A session start or our marked slot values: from here on the slots are known."""
    if type_name == SessionStarted.type_name:
        return True
    return type_name == SlotSet.type_name and CHECKPOINT in (metadata or {})


def _secure_delete(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA secure_delete=ON")


def _url_parts(db_url: str) -> dict[str, Any]:
    """Rasa's SQL store takes its database in parts; a cluster names it by one URL."""
    url = make_url(db_url)
    return {
        "dialect": url.drivername,
        "host": url.host,
        "port": url.port,
        "db": url.database,
        "username": url.username,
        "password": url.password,
    }


class EncryptedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, db_url: str | None = None, **kwargs: Any) -> None:
        rasa_speedups.apply()  # Rasa creates its tracker store before the first turn
        if db_url and "://" in db_url:  # else a SQLite file (`db:`), as Rasa's own store
            kwargs.update(_url_parts(db_url))
        super().__init__(*args, **kwargs)
        self.box = DataBox.from_env()
        self.saves = 0
        if self.engine.dialect.name == "postgresql":
            self._reconnect_after_restarts()
        if self.engine.dialect.name == "sqlite":
            # What a cancel or the retention deletes is overwritten, not left in free pages.
            sa.event.listen(self.engine, "connect", _secure_delete)
            self.engine.dispose()  # connections opened so far lack it
        for index in TAIL_INDEXES:  # new databases got them from Rasa's create_all
            index.create(self.engine, checkfirst=True)

    def _reconnect_after_restarts(self) -> None:
        """Rasa's engine without `pool_pre_ping`: after a PostgreSQL restart every pooled
        connection is dead, and the first turn of each would fail once more."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sessionmaker(bind=self.engine)

    def purge(self, now: float | None = None) -> int:
        """Delete events older than the retention period (bot/storage/retention.py)."""
        cutoff = (now or time.time()) - retention().total_seconds()
        with self.session_scope() as session:
            deleted = session.query(self.SQLEvent).filter(self.SQLEvent.timestamp < cutoff).delete()
            session.commit()
        return deleted

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        with self.session_scope() as session:
            events = list(self._new_events(session, tracker))
            restarts = [i for i, e in enumerate(events) if isinstance(e, Restarted)]
            if restarts:
                session.query(self.SQLEvent).filter(
                    self.SQLEvent.sender_id == tracker.sender_id
                ).delete()
                events = events[restarts[-1] :]
            if _events_since_checkpoint(tracker) >= CHECKPOINT_EVERY:
                events += _checkpoint(tracker)
            for event in events:
                self._add(session, tracker.sender_id, event)
            session.commit()
        setattr(tracker, STORED, len(tracker.events))
        self.saves += 1
        if self.saves % PURGE_EVERY_SAVES == 1:
            self.purge()

    def _new_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events after those stored; Rasa's own count for trackers it built itself."""
        stored = getattr(tracker, STORED, None)
        if stored is None:
            return self._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, None)

    def _add(self, session: Any, sender_id: str, event: Event) -> None:
        data = event.as_dict()
        session.add(
            self.SQLEvent(
                sender_id=sender_id,
                type_name=event.type_name,
                timestamp=data.get("timestamp"),
                intent_name=None,
                action_name=None,
                data=self.box.seal(json.dumps(data).encode()).decode("ascii"),
            )
        )

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            if fetch_events_from_all_sessions:
                events = self._open(self._event_query(session, sender_id, True).all())
            else:
                events = self._tail(session, sender_id)
        if not self.domain or not events:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, STORED, len(tracker.events))
        return tracker

    def _tail(self, session: Any, sender_id: str) -> list[dict[str, Any]]:
        """The session's last events, from a checkpoint on; all of it for older sessions."""
        event = self.SQLEvent
        started = (
            session.query(sa.func.max(event.id))
            .filter(event.sender_id == sender_id, event.type_name == SessionStarted.type_name)
            .scalar()
        )
        query = session.query(event).filter(event.sender_id == sender_id)
        if started is not None:
            query = query.filter(event.id >= started)
        newest = query.order_by(event.id.desc()).limit(TAIL_EVENTS).all()
        events = self._open(reversed(newest))
        if len(events) < TAIL_EVENTS or any(
            _is_checkpoint(e.get("event"), e.get("metadata")) for e in events
        ):
            return events
        return self._open(query.order_by(event.id).all())  # written before checkpoints existed

    def _open(self, rows: Iterable[Any]) -> list[dict[str, Any]]:
        return [json.loads(self.box.open(row.data.encode("ascii"))) for row in rows]


def _events_since_checkpoint(tracker: DialogueStateTracker) -> int:
    for count, event in enumerate(reversed(tracker.events)):
        if _is_checkpoint(event.type_name, event.metadata):
            return count
    return len(tracker.events)


def _checkpoint(tracker: DialogueStateTracker) -> list[Event]:
    """Every slot's value as of now, so a tail starting after the session start is whole."""
    now = time.time()
    return [
        SlotSet(name, slot.value, timestamp=now, metadata={CHECKPOINT: True})
        for name, slot in tracker.slots.items()
    ]
