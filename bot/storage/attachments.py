"""Files citizens upload as proofs, encrypted, owned by their conversation until submission.

On submission they move into the outbox with the payload; a draft that is
cancelled, expires or is resumed elsewhere takes its files along or deletes them.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.parsing.files import EXTENSIONS, media_type_of
from bot.storage.crypto import DataBox
from bot.storage.database import UtcDateTime, metadata, utcnow

ORPHAN_GRACE = timedelta(hours=1)  # an upload waits this long for its draft to be saved

attachments_table = sa.Table(
    "attachments",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("owner", sa.String(255), nullable=False, index=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("media_type", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)


@dataclass(frozen=True)
class StoredFile:
    """A checked upload; `filename` is made up from kind and type, never the citizen's."""

    id: str
    kind: str
    media_type: str
    size_bytes: int
    sha256: str
    data: bytes

    @property
    def filename(self) -> str:
        return f"{self.kind}.{EXTENSIONS.get(self.media_type, 'bin')}"


def new_attachment_id() -> str:
    return f"att_{secrets.token_hex(12)}"


class AttachmentStore:
    def __init__(self, engine: Engine, box: DataBox) -> None:
        self.engine, self.box = engine, box

    def add(self, owner: str, kind: str, data: bytes) -> StoredFile:
        """Check the content and store it; raises ParseError(upload.*) for a bad file."""
        media_type = media_type_of(data)
        stored = StoredFile(
            new_attachment_id(), kind, media_type, len(data), hashlib.sha256(data).hexdigest(), data
        )
        with self.engine.begin() as conn:
            conn.execute(
                attachments_table.insert().values(
                    id=stored.id,
                    owner=owner,
                    kind=kind,
                    media_type=media_type,
                    size_bytes=stored.size_bytes,
                    sha256=stored.sha256,
                    data=self.box.seal(data),
                    created_at=utcnow(),
                )
            )
        return stored

    def owned(self, owner: str) -> dict[str, str]:
        """The conversation's uploads: id -> document kind."""
        c = attachments_table.c
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.select(c.id, c.kind).where(c.owner == owner)).all())

    def load(self, owner: str, ids: list[str]) -> list[StoredFile]:
        c = attachments_table.c
        query = sa.select(attachments_table).where(c.owner == owner, c.id.in_(ids))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            StoredFile(r.id, r.kind, r.media_type, r.size_bytes, r.sha256, self.box.open(r.data))
            for r in rows
        ]

    def move(self, old_owner: str, new_owner: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                attachments_table.update()
                .where(attachments_table.c.owner == old_owner)
                .values(owner=new_owner)
            )

    def delete_owner(self, owner: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(attachments_table.delete().where(attachments_table.c.owner == owner))

    def purge_orphans(self, owners_table: sa.Table, now: datetime | None = None) -> int:
        """Delete uploads whose conversation has no draft any more (expired or cancelled)."""
        c = attachments_table.c
        live = sa.select(owners_table.c.sender_id)
        with self.engine.begin() as conn:
            return conn.execute(
                attachments_table.delete().where(
                    c.owner.not_in(live), c.created_at < (now or utcnow()) - ORPHAN_GRACE
                )
            ).rowcount


def file_table(name: str) -> sa.Table:
    """A table of files travelling with one submission (outbox, inbox), encrypted."""
    return sa.Table(
        name,
        metadata,
        sa.Column("reference", sa.String(32), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def insert_files(
    conn: sa.engine.Connection,
    table: sa.Table,
    box: DataBox,
    reference: str,
    files: Sequence[StoredFile],
) -> None:
    for one in files:
        conn.execute(
            table.insert().values(
                reference=reference,
                id=one.id,
                kind=one.kind,
                media_type=one.media_type,
                size_bytes=one.size_bytes,
                sha256=one.sha256,
                data=box.seal(one.data),
            )
        )


def select_files(
    conn: sa.engine.Connection, table: sa.Table, box: DataBox, reference: str
) -> list[StoredFile]:
    rows = conn.execute(
        sa.select(table).where(table.c.reference == reference).order_by(table.c.id)
    ).all()
    return [
        StoredFile(r.id, r.kind, r.media_type, r.size_bytes, r.sha256, box.open(r.data))
        for r in rows
    ]
