"""One database for the whole project: SQLite locally, PostgreSQL in production.

The action server and the service process share the SQLite file, so SQLite runs
in WAL mode with a busy timeout. Modules add their tables to `metadata`.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.pool import StaticPool

from bot.storage import var_dir

DB_URL_ENV = "ANTRAGSLOTSE_DB_URL"
DB_FILE_NAME = "antragslotse.db"
SQLITE_BUSY_TIMEOUT_S = 30

metadata = sa.MetaData()


def database_url() -> str:
    """`ANTRAGSLOTSE_DB_URL`, else a SQLite file in the var dir (created if needed)."""
    url = os.environ.get(DB_URL_ENV, "").strip()
    if url:
        return url
    return f"sqlite:///{(var_dir() / DB_FILE_NAME).resolve()}"


def make_engine(url: str | None = None) -> Engine:
    """A SQLAlchemy 1.4 Core engine (2.0 style) for `url` or `database_url()`."""
    parsed = make_url(url or database_url())
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, future=True, pool_pre_ping=True)
    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
    }
    if parsed.database in (None, "", ":memory:"):
        kwargs["poolclass"] = StaticPool  # one shared in-memory database for all threads
    engine = sa.create_engine(parsed, future=True, **kwargs)

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite opens transactions lazily and never for reads; let SQLAlchemy
        # issue BEGIN itself so transactions mean what they say.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted rows (an erased submission, a purged draft) are overwritten, not left
        # in free pages of the file, even though they were encrypted.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _sqlite_begin(conn: sa.engine.Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def create_tables(engine: Engine, attempts: int = 3) -> None:
    """Create all tables registered on `metadata` that do not exist yet.

    Processes starting together may race on `CREATE TABLE`; the loser retries
    and then finds the tables.
    """
    for attempt in range(1, attempts + 1):
        try:
            metadata.create_all(engine)
            add_missing_columns(engine)
            return
        except sa.exc.DBAPIError:
            if attempt == attempts:
                raise
            time.sleep(0.2 * attempt)


def add_missing_columns(engine: Engine) -> list[str]:
    """Add nullable columns a newer version put on an existing table (`table.column` added).

    The only schema change we make in place: `ALTER TABLE ... ADD COLUMN` works the
    same on SQLite and PostgreSQL and needs no migration tool.
    """
    added = []
    inspector = sa.inspect(engine)
    for table in metadata.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present or not column.nullable:
                continue
            kind = column.type.compile(dialect=engine.dialect)
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'
                )
            added.append(f"{table.name}.{column.name}")
    return added


class UtcDateTime(sa.types.TypeDecorator):
    """Timezone-aware datetimes, stored as UTC on every backend.

    SQLite has no timezone type; storing naive UTC there and `timestamptz` on
    PostgreSQL makes comparisons (`next_attempt_at <= now`) behave the same.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; pass an aware datetime (UTC)")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(timezone.utc)
