"""Resume codes: a short secret that brings a paused draft into any conversation.

Only a keyed hash of the code is stored. Ten characters from 30 unambiguous
symbols, each group of five with at least one digit and one letter (so a code
never looks like a word), give about 3.6e14 codes (48 bits), and each conversation may try
only a few wrong ones, so guessing someone's code is hopeless while reading it
aloud on the phone stays easy.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.parsing.resume_code import ALPHABET, looks_like_code
from bot.storage.crypto import DataBox
from bot.storage.database import UtcDateTime, metadata, utcnow

GROUP = 5

resume_codes_table = sa.Table(
    "resume_codes",
    metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
)


def _group() -> str:
    while True:
        group = "".join(secrets.choice(ALPHABET) for _ in range(GROUP))
        if looks_like_code(group):
            return group


def new_code() -> str:
    """Two groups, each with a digit and a letter: 19.1 million per group, 48 bits in all."""
    return f"{_group()}-{_group()}"


class ResumeCodes:
    def __init__(self, engine: Engine, box: DataBox) -> None:
        self.engine, self.box = engine, box

    def issue(self, sender_id: str) -> str:
        """A fresh code for the conversation's draft; earlier codes of it stop working."""
        code = new_code()
        with self.engine.begin() as conn:
            conn.execute(
                resume_codes_table.delete().where(resume_codes_table.c.sender_id == sender_id)
            )
            conn.execute(
                resume_codes_table.insert().values(
                    code_hash=self.box.fingerprint(code), sender_id=sender_id, created_at=utcnow()
                )
            )
        return code

    def owner(self, code: str) -> str | None:
        """The conversation whose draft the code opens, if any."""
        c = resume_codes_table.c
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(c.sender_id).where(c.code_hash == self.box.fingerprint(code.upper()))
            ).scalar_one_or_none()

    def move(self, old_sender: str, new_sender: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                resume_codes_table.update()
                .where(resume_codes_table.c.sender_id == old_sender)
                .values(sender_id=new_sender)
            )

    def delete_for(self, sender_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                resume_codes_table.delete().where(resume_codes_table.c.sender_id == sender_id)
            )

    def purge_orphans(self, owners_table: sa.Table) -> int:
        """Delete codes whose draft is gone (expired, cancelled)."""
        c = resume_codes_table.c
        with self.engine.begin() as conn:
            return conn.execute(
                resume_codes_table.delete().where(
                    c.sender_id.not_in(sa.select(owners_table.c.sender_id))
                )
            ).rowcount
