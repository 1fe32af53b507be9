"""The durable outbox between "citizen confirmed" and "back office has it".

The citizen gets the reference at once; delivery happens later, retried with
exponential backoff until it succeeds. Payloads are stored encrypted, and only
payloads that pass the schema are stored at all: an invalid payload would be
retried forever and never accepted.

Nothing personal is kept once the back office has it: delivery deletes the row
and its files (Art. 5(1)(e) GDPR) and leaves only the reference with its time in
`outbox_delivered`, so a reference is never handed out twice (a new submission
under a delivered reference would be taken for a repeat and dropped). The
application type is read from the sealed payload; its plaintext column, kept for
databases made before, is written empty (`forget_plain_applications` empties old rows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.contracts import payload_problems
from bot.storage.attachments import StoredFile, file_table, insert_files, select_files
from bot.storage.crypto import DataBox
from bot.storage.database import UtcDateTime, metadata, utcnow

PENDING = "pending"
DELIVERED = "delivered"

BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(hours=1)
DEFAULT_LEASE = timedelta(minutes=2)

outbox_table = sa.Table(
    "outbox",
    metadata,
    sa.Column("reference", sa.String(32), primary_key=True),
    sa.Column("application", sa.String(64), nullable=False),  # legacy plaintext; written empty
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, default=PENDING),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", UtcDateTime, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("delivered_at", UtcDateTime, nullable=True),
    sa.Column("last_error", sa.String(100), nullable=True),
    sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
)

outbox_files = file_table("outbox_attachments")

delivered_table = sa.Table(
    "outbox_delivered",
    metadata,
    sa.Column("reference", sa.String(32), primary_key=True),
    sa.Column("delivered_at", UtcDateTime, nullable=False),
)


class InvalidPayload(ValueError):
    """The payload fails the contract; it is not stored.

    `problems` holds the full messages (they may quote personal data);
    `str()` names only the JSON Pointers, so logging the exception is safe.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        where = sorted({p.split(":", 1)[0] for p in self.problems})
        super().__init__(f"payload fails the contract at {', '.join(where)}")


class ReferenceConflict(ValueError):
    """Another, different payload is already stored under this reference; draw a new one."""


@dataclass(frozen=True)
class OutboxItem:
    """One submission waiting for delivery."""

    reference: str
    application: str
    payload: dict[str, Any]
    attempts: int
    attachments: tuple[StoredFile, ...] = ()


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed attempt: 2 s, 4 s, 8 s, ... at most 1 h."""
    if attempts >= 12:  # 2 s * 2^11 already exceeds the cap
        return BACKOFF_CAP
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def safe_error_code(text: str) -> str:
    """Keep only what an error class name or `HTTP 503` needs; nothing that could be data."""
    cleaned = re.sub(r"[^A-Za-z0-9_.: -]", "", str(text))[:100].strip()
    return cleaned or "error"


class Outbox:
    """Submissions waiting for delivery, in the project database."""

    def __init__(self, engine: Engine, box: DataBox) -> None:
        self._engine = engine
        self._box = box

    def put(
        self,
        payload: dict[str, Any],
        now: datetime | None = None,
        attachments: tuple[StoredFile, ...] = (),
    ) -> bool:
        """Store a valid payload (and its files) for delivery; True if new, False if stored.

        Raises `InvalidPayload` (nothing stored) or `ReferenceConflict`.
        """
        problems = payload_problems(payload)
        if problems:
            raise InvalidPayload(problems)
        now = now or utcnow()
        reference = payload["reference"]
        if self.status(reference) == DELIVERED:
            raise ReferenceConflict(reference)  # its payload is gone; nothing to compare
        row = {
            "reference": reference,
            "application": "",
            "payload": self._box.seal_json(payload),
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(outbox_table.insert().values(**row))
                insert_files(conn, outbox_files, self._box, reference, attachments)
            return True
        except IntegrityError:
            pass
        with self._engine.connect() as conn:
            stored = conn.execute(
                sa.select(outbox_table.c.payload).where(outbox_table.c.reference == reference)
            ).scalar_one()
        if self._box.open_json(stored) != payload:
            raise ReferenceConflict(reference)
        return False

    def due(
        self,
        now: datetime | None = None,
        limit: int = 20,
        lease: timedelta | None = DEFAULT_LEASE,
    ) -> list[OutboxItem]:
        """Pending items whose time has come, oldest first.

        With a `lease`, each returned item is claimed: its next attempt moves to
        `now + lease`, so a second worker does not pick it up meanwhile, and a
        worker that dies mid-delivery does not strand it.
        """
        now = now or utcnow()
        c = outbox_table.c
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(c.reference, c.payload, c.attempts, c.next_attempt_at)
                .where(c.status == PENDING, c.next_attempt_at <= now)
                .order_by(c.next_attempt_at, c.created_at, c.reference)
                .limit(limit)
            ).all()
        items = []
        for row in rows:
            if lease is not None:
                with self._engine.begin() as conn:
                    claimed = conn.execute(
                        outbox_table.update()
                        .where(
                            c.reference == row.reference,
                            c.status == PENDING,
                            c.next_attempt_at == row.next_attempt_at,
                        )
                        .values(next_attempt_at=now + lease)
                    ).rowcount
                if claimed != 1:
                    continue
            payload = self._box.open_json(row.payload)
            with self._engine.connect() as conn:
                files = tuple(select_files(conn, outbox_files, self._box, row.reference))
            items.append(
                OutboxItem(row.reference, payload["application"], payload, row.attempts, files)
            )
        return items

    def mark_delivered(self, reference: str, now: datetime | None = None) -> None:
        """The target has it: delete the submission and its files, keep only the reference."""
        with self._engine.begin() as conn:
            conn.execute(outbox_files.delete().where(outbox_files.c.reference == reference))
            gone = conn.execute(
                outbox_table.delete().where(outbox_table.c.reference == reference)
            ).rowcount
            if gone:
                conn.execute(
                    delivered_table.insert().values(
                        reference=reference, delivered_at=now or utcnow()
                    )
                )

    def forget_delivered(self) -> int:
        """Delete rows an older version kept after delivery, with their files (migration).

        The service runs it at start, before the back office can erase anything,
        and housekeeping every round.
        """
        c = outbox_table.c
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(c.reference, c.delivered_at).where(c.status == DELIVERED)
            ).all()
        for row in rows:
            self.mark_delivered(row.reference, row.delivered_at)
        return len(rows)

    def forget_plain_applications(self) -> int:
        """Empty the application column older versions filled (migration)."""
        with self._engine.begin() as conn:
            return conn.execute(
                outbox_table.update().where(outbox_table.c.application != "").values(application="")
            ).rowcount

    def mark_failed(self, reference: str, error_code: str, now: datetime | None = None) -> datetime:
        """Count a failed attempt and schedule the next one; returns when that is.

        `error_code` must be an exception class name or an HTTP status, never
        message text (it is stored in plain text).
        """
        now = now or utcnow()
        c = outbox_table.c
        with self._engine.begin() as conn:
            # write first, so SQLite takes the write lock before reading
            counted = conn.execute(
                outbox_table.update()
                .where(c.reference == reference, c.status == PENDING)
                .values(attempts=c.attempts + 1)
            ).rowcount
            if counted != 1:
                raise KeyError(reference)
            attempts = conn.execute(
                sa.select(c.attempts).where(c.reference == reference)
            ).scalar_one()
            next_at = now + backoff(attempts)
            conn.execute(
                outbox_table.update()
                .where(c.reference == reference)
                .values(next_attempt_at=next_at, last_error=safe_error_code(error_code))
            )
        return next_at

    def pending_count(self) -> int:
        """How many submissions still wait for delivery (for health checks)."""
        with self._engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count()).where(outbox_table.c.status == PENDING)
            ).scalar_one()

    def status(self, reference: str) -> str | None:
        """`pending`, `delivered`, or None if unknown."""
        with self._engine.connect() as conn:
            delivered = conn.execute(
                sa.select(delivered_table.c.reference).where(
                    delivered_table.c.reference == reference
                )
            ).scalar_one_or_none()
            if delivered:
                return DELIVERED
            return conn.execute(
                sa.select(outbox_table.c.status).where(outbox_table.c.reference == reference)
            ).scalar_one_or_none()
