"""Unfinished applications, encrypted, keyed by conversation.

The draft lives here rather than in Rasa slots: slots travel with every request
and the tracker keeps every past value, so the draft would be copied on each
turn and kept forever. A draft nobody edited for the retention period (30 days
by default) is gone: `load` no longer returns it and `purge` deletes it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.forms.draft import Draft
from bot.storage.crypto import DataBox
from bot.storage.database import UtcDateTime, metadata, utcnow
from bot.storage.retention import retention

drafts = sa.Table(
    "drafts",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)


class DraftStore:
    def __init__(
        self, engine: Engine, box: DataBox, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.engine, self.box, self.clock = engine, box, clock

    def _cutoff(self) -> datetime:
        return self.clock() - retention()

    def load(self, sender_id: str) -> Draft | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(drafts.c.data).where(
                    drafts.c.sender_id == sender_id, drafts.c.updated_at >= self._cutoff()
                )
            ).first()
        return Draft.from_dict(self.box.open_json(row.data)) if row else None

    def expires_at(self, sender_id: str) -> datetime | None:
        """When the draft will be deleted unless edited again."""
        with self.engine.connect() as conn:
            updated = conn.execute(
                sa.select(drafts.c.updated_at).where(drafts.c.sender_id == sender_id)
            ).scalar_one_or_none()
        return updated + retention() if updated else None

    def save(self, sender_id: str, draft: Draft) -> None:
        sealed, now = self.box.seal_json(draft.to_dict()), self.clock()
        with self.engine.begin() as conn:
            updated = conn.execute(
                drafts.update()
                .where(drafts.c.sender_id == sender_id)
                .values(data=sealed, updated_at=now)
            )
            if updated.rowcount == 0:
                conn.execute(
                    drafts.insert().values(sender_id=sender_id, data=sealed, updated_at=now)
                )

    def move(self, old_sender: str, new_sender: str) -> None:
        """The draft now belongs to another conversation (resumed there)."""
        with self.engine.begin() as conn:
            conn.execute(drafts.delete().where(drafts.c.sender_id == new_sender))
            conn.execute(
                drafts.update().where(drafts.c.sender_id == old_sender).values(sender_id=new_sender)
            )

    def purge(self, older_than: datetime | None = None) -> int:
        """Delete drafts untouched since `older_than` (default: the retention period)."""
        cutoff = older_than or self._cutoff()
        with self.engine.begin() as conn:
            return conn.execute(drafts.delete().where(drafts.c.updated_at < cutoff)).rowcount

    def delete(self, sender_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(drafts.delete().where(drafts.c.sender_id == sender_id))
