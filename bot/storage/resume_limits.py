"""Failed resume-code attempts, counted in the database so that guessing stays hopeless.

A code has 48 bits; what keeps guessing hopeless is how few guesses anyone gets.
The count lives in the database, not in the draft (which `/start` forgets) nor
in memory (which a restart forgets), so it holds across restarts and instances.

Three sliding windows, each a named limit:
- per conversation: the citizen's own typos; `/start` does not reset it;
- per client: a server-set, already hashed key the channels put in the message
  metadata (`client`), so fresh conversations from one browser or address share it;
- overall: a guesser spread over many conversations and addresses still hits it.
  While it holds, nobody can resume (the price of stopping such a guesser); it
  lifts by itself when the window has passed.

Only keyed hashes of the conversation and the client are stored, never the ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.storage.crypto import DataBox
from bot.storage.database import UtcDateTime, metadata, utcnow


@dataclass(frozen=True)
class Limit:
    """At most `attempts` failed attempts within `window`."""

    name: str
    attempts: int
    window: timedelta


PER_CONVERSATION = Limit("conversation", 5, timedelta(hours=24))
PER_CLIENT = Limit("client", 10, timedelta(hours=1))
OVERALL = Limit("overall", 100, timedelta(minutes=10))
LIMITS = (PER_CONVERSATION, PER_CLIENT, OVERALL)
KEEP_FOR = max(limit.window for limit in LIMITS)  # older attempts count for nothing

resume_attempts = sa.Table(
    "resume_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation", sa.String(64), nullable=False, index=True),
    sa.Column("client", sa.String(64), nullable=True, index=True),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
)


class ResumeLimits:
    """Records failed resume attempts and says whether a limit is reached."""

    def __init__(
        self, engine: Engine, box: DataBox, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.engine, self.box, self.clock = engine, box, clock

    def _hash(self, scope: str, value: str | None) -> str | None:
        return None if value is None else self.box.fingerprint(f"resume-attempt:{scope}:{value}")

    def exceeded(self, sender: str, client: str | None) -> Limit | None:
        """The first limit reached for this conversation and client, or None."""
        now, c = self.clock(), resume_attempts.c
        scopes = [
            (PER_CONVERSATION, c.conversation == self._hash("conversation", sender)),
            (PER_CLIENT, c.client == self._hash("client", client) if client else None),
            (OVERALL, sa.true()),
        ]
        with self.engine.connect() as conn:
            for limit, where in scopes:
                if where is None:
                    continue
                count = conn.execute(
                    sa.select(sa.func.count()).where(where, c.at > now - limit.window)
                ).scalar_one()
                if count >= limit.attempts:
                    return limit
        return None

    def record_failure(self, sender: str, client: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                resume_attempts.insert().values(
                    conversation=self._hash("conversation", sender),
                    client=self._hash("client", client),
                    at=self.clock(),
                )
            )

    def purge(self) -> int:
        """Delete attempts older than the longest window; they no longer count."""
        with self.engine.begin() as conn:
            return conn.execute(
                resume_attempts.delete().where(resume_attempts.c.at <= self.clock() - KEEP_FOR)
            ).rowcount
