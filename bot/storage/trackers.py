"""Rasa's tracker database seen from outside Rasa: purge on a timer, rotate its key.

The tracker store (bot/tracker_store.py) lives inside the Rasa process; the
service's periodic loop and `rotate-key` reach the same database through
`ANTRAGSLOTSE_TRACKER_DB` (a SQLite file, or a URL in a cluster) without importing
Rasa. Only the columns we touch are described here, on a MetaData of its own: Rasa
creates the table, not we.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.storage.database import SQLITE_BUSY_TIMEOUT_S
from bot.storage.retention import retention

TRACKER_DB_ENV = "ANTRAGSLOTSE_TRACKER_DB"

events_table = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


def tracker_engine() -> Engine | None:
    """The tracker database, or None when there is none (yet) on this machine."""
    path = os.environ.get(TRACKER_DB_ENV, "").strip()
    if "://" in path:
        engine = sa.create_engine(path, future=True)
    elif not path or not Path(path).is_file():
        return None
    else:  # a plain engine: Rasa owns this file and its journal mode
        engine = sa.create_engine(
            f"sqlite:///{Path(path).resolve()}",
            future=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S},
        )
    if not sa.inspect(engine).has_table(events_table.name):
        engine.dispose()
        return None
    return engine


def purge_events(engine: Engine, now: float | None = None) -> int:
    """Delete events older than the retention period (bot/storage/retention.py)."""
    cutoff = (now or time.time()) - retention().total_seconds()
    with engine.begin() as conn:
        return conn.execute(events_table.delete().where(events_table.c.timestamp < cutoff)).rowcount


def forget_plain_names(engine: Engine) -> int:
    """Empty the intent and action names older versions wrote in plaintext (migration)."""
    c = events_table.c
    with engine.begin() as conn:
        return conn.execute(
            events_table.update()
            .where(sa.or_(c.intent_name.is_not(None), c.action_name.is_not(None)))
            .values(intent_name=None, action_name=None)
        ).rowcount


def purge_tracker_db(now: float | None = None) -> int:
    """Purge old events of the tracker database named by the environment, if there is one."""
    engine = tracker_engine()
    if engine is None:
        return 0
    try:
        forget_plain_names(engine)
        return purge_events(engine, now)
    finally:
        engine.dispose()
