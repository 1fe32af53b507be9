"""The built-in back-office inbox: delivered submissions, stored encrypted.

It is the default delivery target, for local runs, demos and offices without a
case-management import. `reference` is the idempotency key: a repeated delivery
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.storage.attachments import StoredFile, file_table, insert_files, select_files
from bot.storage.crypto import DataBox
from bot.storage.database import UtcDateTime, metadata, utcnow

NEW = "new"
ACCEPTED = "accepted"
REJECTED = "rejected"
STATUSES = (NEW, ACCEPTED, REJECTED)

inbox_table = sa.Table(
    "inbox_submissions",
    metadata,
    sa.Column("reference", sa.String(32), primary_key=True),
    sa.Column("application", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, default=NEW),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("status_note", sa.LargeBinary, nullable=True),
    sa.Column("status_changed_at", UtcDateTime, nullable=True),
    sa.Index("ix_inbox_submissions_status_application", "status", "application"),
)

inbox_files = file_table("inbox_attachments")


class UnknownReference(KeyError):
    """No submission with this reference."""


@dataclass(frozen=True)
class InboxEntry:
    """A line of the caseworker's list: no personal data."""

    reference: str
    application: str
    status: str
    received_at: datetime


@dataclass(frozen=True)
class InboxSubmission(InboxEntry):
    """One submission with its decrypted payload and the caseworker's note."""

    payload: dict[str, Any]
    status_note: str | None
    status_changed_at: datetime | None


class Inbox:
    """Submissions as the office received them."""

    def __init__(self, engine: Engine, box: DataBox) -> None:
        self._engine = engine
        self._box = box

    def receive(
        self,
        reference: str,
        application: str,
        payload: dict[str, Any],
        now: datetime | None = None,
        attachments: tuple[StoredFile, ...] = (),
    ) -> bool:
        """Store a delivered submission; True if new, False if the reference was already here."""
        row = {
            "reference": reference,
            "application": application,
            "status": NEW,
            "received_at": now or utcnow(),
            "payload": self._box.seal_json(payload),
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(inbox_table.insert().values(**row))
                insert_files(conn, inbox_files, self._box, reference, attachments)
        except IntegrityError:
            return False
        return True

    def attachments(self, reference: str) -> list[StoredFile]:
        with self._engine.connect() as conn:
            return select_files(conn, inbox_files, self._box, reference)

    def status(self, reference: str) -> str | None:
        """new, accepted, rejected; None if not (yet) here. Reads no personal data."""
        with self._engine.connect() as conn:
            return conn.execute(
                sa.select(inbox_table.c.status).where(inbox_table.c.reference == reference)
            ).scalar_one_or_none()

    def list(self, status: str | None = None, application: str | None = None) -> list[InboxEntry]:
        """Submissions, newest first, optionally filtered."""
        c = inbox_table.c
        query = sa.select(c.reference, c.application, c.status, c.received_at)
        if status is not None:
            query = query.where(c.status == status)
        if application is not None:
            query = query.where(c.application == application)
        query = query.order_by(c.received_at.desc(), c.reference)
        with self._engine.connect() as conn:
            return [InboxEntry(*row) for row in conn.execute(query)]

    def get(self, reference: str) -> InboxSubmission | None:
        """One submission, decrypted; None if unknown."""
        with self._engine.connect() as conn:
            row = conn.execute(
                sa.select(inbox_table).where(inbox_table.c.reference == reference)
            ).one_or_none()
        if row is None:
            return None
        note = self._box.open(row.status_note).decode("utf-8") if row.status_note else None
        return InboxSubmission(
            reference=row.reference,
            application=row.application,
            status=row.status,
            received_at=row.received_at,
            payload=self._box.open_json(row.payload),
            status_note=note,
            status_changed_at=row.status_changed_at,
        )

    def set_status(
        self,
        reference: str,
        status: str,
        note: str | None = None,
        now: datetime | None = None,
    ) -> InboxSubmission:
        """Record the caseworker's decision; the note is stored encrypted.

        Raises `ValueError` for an unknown status, `UnknownReference` if missing.
        """
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        sealed = self._box.seal(note.encode("utf-8")) if note else None
        with self._engine.begin() as conn:
            changed = conn.execute(
                inbox_table.update()
                .where(inbox_table.c.reference == reference)
                .values(status=status, status_note=sealed, status_changed_at=now or utcnow())
            ).rowcount
        if changed != 1:
            raise UnknownReference(reference)
        submission = self.get(reference)
        assert submission is not None
        return submission

    def erase(
        self,
        reference: str,
        also: Callable[[sa.engine.Connection], None] | None = None,
    ) -> bool:
        """Delete a submission and its files (Art. 17 GDPR).

        The outbox holds no copy to erase: delivery deletes its row once the
        inbox has it, and rows older versions kept are deleted when the service
        starts (bot/delivery/outbox.py, `forget_delivered`). `also` runs in the
        same transaction (the audit entry), so an erasure is never without its
        record. False if the reference is not in the inbox.
        """
        with self._engine.begin() as conn:
            removed = conn.execute(
                inbox_table.delete().where(inbox_table.c.reference == reference)
            ).rowcount
            if removed != 1:
                return False
            conn.execute(inbox_files.delete().where(inbox_files.c.reference == reference))
            if also is not None:
                also(conn)
        return True
