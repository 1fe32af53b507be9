"""Unfinished applications, encrypted, keyed by conversation.

The draft lives here rather than in Rasa slots: slots travel with every request
and the tracker keeps every past value, so the draft would be copied on each
turn and kept forever.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.forms.draft import Draft
from bot.storage.crypto import DataBox
from bot.storage.database import UtcDateTime, metadata, utcnow

drafts = sa.Table(
    "drafts",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)


class DraftStore:
    def __init__(self, engine: Engine, box: DataBox) -> None:
        self.engine, self.box = engine, box

    def load(self, sender_id: str) -> Draft | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(drafts.c.data).where(drafts.c.sender_id == sender_id)
            ).first()
        return Draft.from_dict(self.box.open_json(row.data)) if row else None

    def save(self, sender_id: str, draft: Draft) -> None:
        sealed, now = self.box.seal_json(draft.to_dict()), utcnow()
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

    def purge(self, older_than: datetime) -> int:
        """Delete drafts untouched since `older_than`; returns how many."""
        with self.engine.begin() as conn:
            return conn.execute(drafts.delete().where(drafts.c.updated_at < older_than)).rowcount

    def delete(self, sender_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(drafts.delete().where(drafts.c.sender_id == sender_id))
