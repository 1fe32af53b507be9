"""The socket.io channel's input checks, the time-limit settings and the vendored client."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import socketio

from bot.channels import MAX_MESSAGE_CHARS
from bot.channels.idle import MIN_WARNING_SECONDS, duration, idle_settings
from bot.channels.webchat import allowed_origins, valid_turn
from bot.stack import Stack

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "data",
    [
        None,
        "hallo",
        [],
        {},
        {"message": ""},
        {"message": "   "},
        {"message": 42},
        {"message": "x" * (MAX_MESSAGE_CHARS + 1)},
        {"message": "hallo", "metadata": "not json"},
        {"message": "hallo", "metadata": ["de"]},
        {"message": "hallo", "metadata": {"note": "x" * 5000}},
    ],
)
def test_bad_socket_messages_are_refused(data: object) -> None:
    assert valid_turn(data) is None


def test_a_page_cannot_claim_the_time_limit_sent_its_message() -> None:
    text, metadata = valid_turn(
        {"message": "/pause", "metadata": {"language": "de", "reason": "idle", "idle_seconds": 1}}
    )
    assert (text, metadata) == ("/pause", {"language": "de"})
    assert valid_turn({"message": "hallo", "metadata": json.dumps({"language": "ar"})}) == (
        "hallo",
        {"language": "ar"},
    )


def test_the_warning_always_leaves_at_least_twenty_seconds() -> None:
    settings = idle_settings(
        {"ANTRAGSLOTSE_IDLE_SECONDS": "10", "ANTRAGSLOTSE_IDLE_WARNING_SECONDS": "3"}
    )
    assert settings.warning_seconds == MIN_WARNING_SECONDS == 20
    assert settings.limit_seconds > settings.warning_seconds
    default = idle_settings({})
    assert (default.limit_seconds, default.warning_seconds) == (1200, 120)
    assert duration(120, "de") == "2 Minuten"
    assert duration(1200, "tr") == "20 dakika"


def test_allowed_origins_come_from_credentials_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTRAGSLOTSE_CHAT_ORIGINS", "http://a.example http://b.example")
    assert allowed_origins(None) == ["http://a.example", "http://b.example"]
    assert allowed_origins("https://chat.example") == ["https://chat.example"]
    assert allowed_origins(["https://c.example"]) == ["https://c.example"]


def test_the_vendored_socketio_client_is_the_locked_one() -> None:
    """`make assets` copies it from web/node_modules (pinned by web/package-lock.json)."""
    lock = json.loads((ROOT / "web" / "package-lock.json").read_text())
    locked = lock["packages"]["node_modules/socket.io-client"]["version"]
    vendored = ROOT / "bot" / "channels" / "static" / "vendor" / "socket.io.min.js"
    assert f"Socket.IO v{locked}" in vendored.read_text(encoding="utf-8")[:200]
    installed = ROOT / "web" / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
    assert installed.exists(), "run `make test` (npm ci in web/)"
    assert installed.read_bytes() == vendored.read_bytes(), "run `make assets`"


def test_the_channel_answers_bad_input_and_keeps_conversations_apart(stack: Stack) -> None:
    """A socket.io client (long-polling; the browser tests use websockets) against Rasa."""

    async def talk() -> dict[str, object]:
        seen: dict[str, object] = {}
        confirmed: asyncio.Queue[str] = asyncio.Queue()
        messages: asyncio.Queue[dict] = asyncio.Queue()
        client = socketio.AsyncClient()
        client.on("session_confirm", confirmed.put)
        client.on("bot_uttered", messages.put)
        await client.connect(stack.rasa_url, transports=["polling"])
        seen["issued"] = await client.call("session_request", {"session_id": "../../etc"})
        seen["fresh id"] = await asyncio.wait_for(confirmed.get(), 10)
        for bad in (None, "text", {"message": ""}, {"message": "x" * 5000}):
            seen[f"bad {bad!r:.20}"] = await client.call("user_uttered", bad)
        seen["nothing to extend"] = await client.call("session_extend", {})
        seen["start"] = await client.call(
            "user_uttered", {"message": "/start", "metadata": {"language": "en"}}, timeout=60
        )
        seen["answer"] = (await asyncio.wait_for(messages.get(), 10))["custom"]
        await client.eio.disconnect(abort=True)  # not waiting out the open long-poll
        return seen

    seen = asyncio.run(talk())
    assert re.fullmatch(r"[0-9a-f]{32}", str(seen["fresh id"]))  # 128 bits, the server's
    assert seen["issued"]["session_id"] == seen["fresh id"]
    bad = [value for key, value in seen.items() if key.startswith("bad ")]
    assert bad[:3] == [{"ok": False, "error": "bad_request"}] * 3
    assert bad[3]["error"] == "too_long" and "2000" in bad[3]["message"]
    assert seen["nothing to extend"] == {"ok": False}
    assert seen["start"] == {"ok": True}
    assert seen["answer"]["step"] == "menu" and seen["answer"]["lang"] == "en"


@pytest.mark.parametrize("origin_is_the_page", [True, False])
def test_only_the_chat_page_origin_may_open_the_socket(
    stack: Stack, origin_is_the_page: bool
) -> None:
    origin = stack.service_url if origin_is_the_page else "http://evil.example"
    request = urllib.request.Request(
        f"{stack.rasa_url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status, allowed = answer.status, answer.headers.get("Access-Control-Allow-Origin")
    except urllib.error.HTTPError as refused:
        status, allowed = refused.code, refused.headers.get("Access-Control-Allow-Origin")
    assert (status, allowed) == ((200, origin) if origin_is_the_page else (400, None))
