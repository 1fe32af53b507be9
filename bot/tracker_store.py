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
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Restarted
from rasa.shared.core.trackers import DialogueStateTracker

from bot.storage.crypto import DataBox
from bot.storage.retention import retention

PURGE_EVERY_SAVES = 200


def _secure_delete(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA secure_delete=ON")


class EncryptedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.box = DataBox.from_env()
        self.saves = 0
        if self.engine.dialect.name == "sqlite":
            # What a cancel or the retention deletes is overwritten, not left in free pages.
            sa.event.listen(self.engine, "connect", _secure_delete)
            self.engine.dispose()  # connections opened so far lack it

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
            events = list(self._additional_events(session, tracker))
            restarts = [i for i, e in enumerate(events) if isinstance(e, Restarted)]
            if restarts:
                session.query(self.SQLEvent).filter(
                    self.SQLEvent.sender_id == tracker.sender_id
                ).delete()
                events = events[restarts[-1] :]
            for event in events:
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=None,
                        action_name=None,
                        data=self.box.seal(json.dumps(data).encode()).decode("ascii"),
                    )
                )
            session.commit()
        self.saves += 1
        if self.saves % PURGE_EVERY_SAVES == 1:
            self.purge()

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions).all()
            events = [json.loads(self.box.open(row.data.encode("ascii"))) for row in rows]
        if not self.domain or not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
