"""Shared fixtures. `stack` runs the real bot: trained Rasa model, action server, service."""

from __future__ import annotations

import json
import os
import secrets
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.contracts import CONTRACTS_DIR
from bot.definitions import load_applications
from bot.stack import MODEL, Stack, free_port
from bot.storage.crypto import DataBox
from bot.storage.database import create_tables, make_engine, utcnow
from bot.turns import Turns
from tests.fake_telegram import FakeTelegram

# One conversation-token key for the test process and the stacks it starts, so in-process
# tests can issue web conversation ids the way the socket.io channel does.
os.environ.setdefault("ANTRAGSLOTSE_SESSION_KEY", secrets.token_hex(32))

PG_URL = os.environ.get("ANTRAGSLOTSE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


TELEGRAM_SECRET = secrets.token_urlsafe(24)


@pytest.fixture(scope="session")
def telegram() -> Iterator[FakeTelegram]:
    """Telegram's Bot API as the stack's Telegram channel sees it (tests/fake_telegram.py)."""
    fake = FakeTelegram(f"{secrets.randbelow(10**9)}:{secrets.token_urlsafe(24)}").start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, telegram: FakeTelegram) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make prepare` (the test command does it)")
    var_dir: Path = tmp_path_factory.mktemp("var")
    widget_host_port = free_port()  # a "city website" of another origin (test_web_chat.py)
    running = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        service_port=free_port(),
        backoffice_port=free_port(),
        env={
            "ANTRAGSLOTSE_VAR_DIR": str(var_dir),
            "ANTRAGSLOTSE_BACKOFFICE_TOKEN": secrets.token_urlsafe(32),
            "ANTRAGSLOTSE_DB_URL": f"sqlite:///{var_dir / 'antragslotse.db'}",
            # The tests speak REST as a city's trusted front end would (bot/channels/rest.py).
            "ANTRAGSLOTSE_REST_TOKEN": secrets.token_urlsafe(32),
            "ANTRAGSLOTSE_WIDGET_ORIGINS": f"http://127.0.0.1:{widget_host_port}",
            # Web chat time limit: warn 15 s after the last message, pause after 35 s.
            "ANTRAGSLOTSE_IDLE_SECONDS": "35",
            "ANTRAGSLOTSE_IDLE_WARNING_SECONDS": "20",
            "ANTRAGSLOTSE_TELEGRAM_TOKEN": telegram.token,
            "ANTRAGSLOTSE_TELEGRAM_SECRET": TELEGRAM_SECRET,
            "ANTRAGSLOTSE_TELEGRAM_API_URL": telegram.url,
        },
        log_dir=var_dir / "log",
    )
    running.start()
    yield running
    running.stop()


def example(name: str = "grundsicherung") -> dict[str, Any]:
    return json.loads((CONTRACTS_DIR / "examples" / f"{name}.example.json").read_text("utf-8"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A real database with all tables: a SQLite file, or a throwaway PostgreSQL schema."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        create_tables(eng)
        yield eng
        eng.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    try:
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except Exception as exc:  # noqa: BLE001 - driver missing or server down
        message = f"PostgreSQL at {PG_URL} not usable ({type(exc).__name__})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    separator = "&" if "?" in PG_URL else "?"
    eng = make_engine(f"{PG_URL}{separator}options=-csearch_path%3D{schema}")
    try:
        create_tables(eng)
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def box() -> DataBox:
    return DataBox([DataBox.generate_key()])


class Clock:
    """A clock the test moves by hand (`clock.now += timedelta(...)`)."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def turns(engine: Any, box: DataBox, clock: Clock) -> Turns:
    """The form engine with its storage, on a real database, without Rasa around it."""
    return Turns(engine, box, load_applications(), clock)
