"""Files citizens upload as proofs, encrypted, owned by their conversation until submission.

On submission they move into the outbox with the payload; a draft that is
cancelled, expires or is resumed elsewhere takes its files along or deletes them.

The document kind says something personal (`disability_proof` next to a
conversation id), so it is sealed too (`kind_sealed`); the old plaintext column
stays for databases made before and is written empty. `seal_plain_kinds` moves
values that older versions wrote in plaintext.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.parsing.files import EXTENSIONS, check_quota, checked_upload
from bot.storage.crypto import DataBox
from bot.storage.database import UtcDateTime, metadata, utcnow

ORPHAN_GRACE = timedelta(hours=1)  # an upload waits this long for its draft to be saved

attachments_table = sa.Table(
    "attachments",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("owner", sa.String(255), nullable=False, index=True),
    sa.Column("kind", sa.String(64), nullable=False),  # legacy plaintext; written empty
    sa.Column("media_type", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("kind_sealed", sa.LargeBinary, nullable=True),
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
        """Check the content and store it (images re-encoded without metadata);
        raises ParseError(upload.*) for a bad file or a full conversation."""
        self._check_quota(owner, 1)  # a full conversation costs no decoding
        checked = checked_upload(data)
        data, media_type = checked.data, checked.media_type
        stored = StoredFile(
            new_attachment_id(), kind, media_type, len(data), hashlib.sha256(data).hexdigest(), data
        )
        self._check_quota(owner, stored.size_bytes)
        with self.engine.begin() as conn:
            conn.execute(
                attachments_table.insert().values(
                    id=stored.id,
                    owner=owner,
                    kind="",
                    kind_sealed=self.box.seal(kind.encode("utf-8")),
                    media_type=media_type,
                    size_bytes=stored.size_bytes,
                    sha256=stored.sha256,
                    data=self.box.seal(data),
                    created_at=utcnow(),
                )
            )
        return stored

    def _check_quota(self, owner: str, size: int) -> None:
        """ParseError(upload.quota) if the conversation's files and bytes leave no room for `size`.

        Read outside the insert's transaction: on SQLite a read that turns into a
        write fails ("database is locked") when another writer came in between.
        Uploads racing in one conversation may each pass; the overshoot is those few.
        """
        c = attachments_table.c
        query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(c.size_bytes), 0))
        with self.engine.connect() as conn:
            held, held_bytes = conn.execute(query.where(c.owner == owner)).one()
        check_quota(int(held), int(held_bytes), size)

    def owned(self, owner: str) -> dict[str, str]:
        """The conversation's uploads: id -> document kind."""
        c = attachments_table.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(c.id, c.kind, c.kind_sealed).where(c.owner == owner)
            ).all()
        return {r.id: _kind(self.box, r) for r in rows}

    def load(self, owner: str, ids: list[str]) -> list[StoredFile]:
        c = attachments_table.c
        query = sa.select(attachments_table).where(c.owner == owner, c.id.in_(ids))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            StoredFile(
                r.id,
                _kind(self.box, r),
                r.media_type,
                r.size_bytes,
                r.sha256,
                self.box.open(r.data),
            )
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


def _kind(box: DataBox, row: Any) -> str:
    """The sealed kind, or the plaintext one of a row written before kinds were sealed."""
    return box.open(row.kind_sealed).decode("utf-8") if row.kind_sealed else row.kind


def seal_plain_kinds(engine: Engine, box: DataBox, table: sa.Table) -> int:
    """Seal kinds an older version stored in plaintext; returns how many (migration)."""
    c = table.c
    keys = list(table.primary_key.columns)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*keys, c.kind).where(c.kind != "")).all()
    for row in rows:
        with engine.begin() as conn:
            conn.execute(
                table.update()
                .where(*(key == row[i] for i, key in enumerate(keys)), c.kind == row.kind)
                .values(kind="", kind_sealed=box.seal(row.kind.encode("utf-8")))
            )
    return len(rows)


def file_table(name: str) -> sa.Table:
    """A table of files travelling with one submission (outbox, inbox), encrypted."""
    return sa.Table(
        name,
        metadata,
        sa.Column("reference", sa.String(32), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),  # legacy plaintext; written empty
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("kind_sealed", sa.LargeBinary, nullable=True),
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
                kind="",
                kind_sealed=box.seal(one.kind.encode("utf-8")),
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
        StoredFile(r.id, _kind(box, r), r.media_type, r.size_bytes, r.sha256, box.open(r.data))
        for r in rows
    ]
