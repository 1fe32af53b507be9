"""Shared fixtures. `stack` runs the real bot: trained Rasa model, action server, service."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.stack import MODEL, Stack


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make prepare` (the test command does it)")
    var_dir: Path = tmp_path_factory.mktemp("var")
    running = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        service_port=free_port(),
        env={
            "ANTRAGSLOTSE_VAR_DIR": str(var_dir),
            "ANTRAGSLOTSE_BACKOFFICE_TOKEN": secrets.token_urlsafe(16),
            "ANTRAGSLOTSE_DB_URL": f"sqlite:///{var_dir / 'antragslotse.db'}",
        },
        log_dir=var_dir / "log",
    )
    running.start()
    yield running
    running.stop()
