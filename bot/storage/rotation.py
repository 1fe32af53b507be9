"""Key rotation: a new first data key, and every sealed value re-encrypted under it.

Sealed values are found by type, not by a list that could fall behind: every
`LargeBinary` column of a table on `metadata` holds a Fernet token (tables set
`info={"sealed": False}` on a column to say otherwise), and Rasa's tracker
events hold one as text. Each value is re-encrypted on its own, compared and
swapped, so a row changed meanwhile is left for the next run rather than
overwritten. The resume codes' lookup key is separate (bot/storage/crypto.py),
so issued codes keep working.

Run it while the bot is stopped: a process still holding only the old keys cannot
read what was re-encrypted under the new one.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.storage.crypto import DataBox, _split_keys, check_private
from bot.storage.database import metadata
from bot.storage.trackers import events_table

TABLE_PACKAGES = ("bot.storage", "bot.submission", "bot.backoffice")  # where tables live


def load_all_tables() -> None:
    """Import every module that may put a table on `metadata`."""
    for name in TABLE_PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.iter_modules(package.__path__, f"{name}."):
            importlib.import_module(module.name)


def sealed_columns(engine: Engine) -> Iterator[tuple[sa.Table, sa.Column]]:
    """Sealed columns of the tables that exist in this database."""
    load_all_tables()
    present = set(sa.inspect(engine).get_table_names())
    for table in metadata.sorted_tables:
        if table.name not in present:
            continue
        for column in table.columns:
            if isinstance(column.type, sa.LargeBinary) and column.info.get("sealed", True):
                yield table, column


def _reencrypt_column(engine: Engine, box: DataBox, table: sa.Table, column: sa.Column) -> int:
    keys = list(table.primary_key.columns)
    with engine.connect() as conn:
        ids = conn.execute(sa.select(*keys).where(column.is_not(None))).all()
    done = 0
    for ident in ids:
        match = [key == value for key, value in zip(keys, ident, strict=True)]
        with engine.begin() as conn:
            old = conn.execute(sa.select(column).where(*match)).scalar_one_or_none()
            if old is None:
                continue
            is_text = isinstance(old, str)
            new = box.rotate(old.encode("ascii") if is_text else old)
            done += conn.execute(
                table.update()
                .where(*match, column == old)
                .values({column.name: new.decode("ascii") if is_text else new})
            ).rowcount
    return done


def reencrypt(engine: Engine, box: DataBox, tracker: Engine | None = None) -> dict[str, int]:
    """Re-encrypt every sealed value under `box`'s first key; counts per `table.column`.

    Raises `InvalidToken` if a value opens with none of the keys (nothing is lost:
    values done so far are valid under the new key, the rest untouched).
    """
    counts = {
        f"{table.name}.{column.name}": _reencrypt_column(engine, box, table, column)
        for table, column in sealed_columns(engine)
    }
    if tracker is not None:
        counts["events.data (tracker)"] = _reencrypt_column(
            tracker, box, events_table, events_table.c.data
        )
    return counts


def _write_keys(path: Path, keys: list[str]) -> None:
    """Replace the key file atomically, mode 0600."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write("\n".join(keys) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def add_first_key(path: Path) -> None:
    """Put a fresh key first in the key file; the old ones stay so old tokens still open."""
    check_private(path)
    _write_keys(path, [DataBox.generate_key(), *_split_keys(path.read_text("ascii"))])


def drop_old_keys(path: Path) -> int:
    """Keep only the first key; returns how many were dropped. Only after `reencrypt`."""
    check_private(path)
    keys = _split_keys(path.read_text("ascii"))
    _write_keys(path, keys[:1])
    return len(keys) - 1
