"""Who did what in the inbox, and when: the audit log of the back-office API.

A data-protection officer must be able to answer "who read this application?"
(Art. 5(2), 30, 32 GDPR). An entry names the actor (an account login or
"machine"), the action, the reference and file id, never payload data, notes
or filters, so the log itself needs no encryption and outlives an erasure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.storage.database import UtcDateTime, metadata, utcnow

MACHINE = "machine"  # the actor name of the machine token
MAX_ENTRIES = 1000  # one page of the audit API


class AuditAction(str, Enum):
    """What an actor did; the value is what the log stores."""

    LIST = "list"
    READ = "read"
    READ_FILE = "read_file"
    READ_PDF = "read_pdf"
    SET_STATUS = "set_status"
    ERASE = "erase"
    LOGIN = "login"
    LOGOUT = "logout"
    READ_AUDIT = "read_audit"


audit_table = sa.Table(
    "backoffice_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("reference", sa.String(32), nullable=True, index=True),
    sa.Column("file_id", sa.String(64), nullable=True),
)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: AuditAction
    reference: str | None
    file_id: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "at": self.at.isoformat(timespec="seconds"),
            "actor": self.actor,
            "action": self.action.value,
            "reference": self.reference,
            "file_id": self.file_id,
        }


class AuditLog:
    """Append-only: the API records, nothing updates or deletes."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(
        self,
        actor: str,
        action: AuditAction,
        reference: str | None = None,
        file_id: str | None = None,
        now: datetime | None = None,
        conn: Connection | None = None,
    ) -> None:
        """Append one entry; inside `conn`'s transaction if given (erasure and its record)."""
        insert = audit_table.insert().values(
            at=now or utcnow(),
            actor=actor,
            action=action.value,
            reference=reference,
            file_id=file_id,
        )
        if conn is not None:
            conn.execute(insert)
            return
        with self._engine.begin() as own:
            own.execute(insert)

    def entries(
        self,
        reference: str | None = None,
        since: datetime | None = None,
        after_id: int | None = None,
        limit: int = MAX_ENTRIES,
    ) -> list[AuditEntry]:
        """Oldest first; `after_id` = the last id seen pages forward without gaps or repeats."""
        c = audit_table.c
        query = sa.select(audit_table)
        if reference is not None:
            query = query.where(c.reference == reference)
        if since is not None:
            query = query.where(c.at >= since)
        if after_id is not None:
            query = query.where(c.id > after_id)
        query = query.order_by(c.id).limit(min(limit, MAX_ENTRIES))
        with self._engine.connect() as conn:
            return [
                AuditEntry(r.id, r.at, r.actor, AuditAction(r.action), r.reference, r.file_id)
                for r in conn.execute(query)
            ]
