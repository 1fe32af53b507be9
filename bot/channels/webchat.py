"""The web chat's real-time channel: Rasa's socket.io transport, made fit for the page.

Registered in credentials.yml as `bot.channels.webchat.WebChatInput`; its name stays
`socketio`. It differs from `rasa.core.channels.socketio` (Rasa 3.6) where the page
depends on it:

- one `bot_uttered` event per bot message, whole: `text`, `buttons` and the `custom`
  state object together (Rasa's own splits the text at blank lines and hands `custom`
  to `emit()` as keyword arguments, which fails for our state object);
- the socket joins the room of its conversation on every `session_request` (Rasa's own
  forgets to await `enter_room`), so what the server sends on its own reaches the page,
  also after a reconnect;
- a `user_uttered` is acknowledged once its turn is answered, so the page can tell a
  lost turn from a slow one;
- an idle timer (`IdleTimers`) warns before the session runs out and pauses the draft
  when it does.

Message texts are never logged here.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels import MAX_MESSAGE_CHARS
from bot.channels.idle import IdleTimers, idle_settings

logger = logging.getLogger(__name__)

CHANNEL_NAME = "socketio"
SESSION_ID_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_METADATA_BYTES = 4096
ORIGINS_ENV = "ANTRAGSLOTSE_CHAT_ORIGINS"
SERVER_METADATA = frozenset({"reason", "idle_seconds"})


def allowed_origins(configured: Any) -> list[str]:
    """Origins whose pages may connect: credentials.yml, else ANTRAGSLOTSE_CHAT_ORIGINS."""
    if isinstance(configured, str):
        configured = configured.split()
    origins = [str(o) for o in configured or []]
    return origins or os.environ.get(ORIGINS_ENV, "").split()


def valid_session_id(value: Any) -> bool:
    return isinstance(value, str) and SESSION_ID_RE.fullmatch(value) is not None


def valid_turn(data: Any) -> tuple[str, dict[str, Any]] | None:
    """(text, metadata) of a `user_uttered` payload, or None when it is not a chat turn."""
    if not isinstance(data, Mapping):
        return None
    text, metadata = data.get("message"), data.get("metadata") or {}
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_MESSAGE_CHARS:
        return None
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return None
    if not isinstance(metadata, dict) or len(json.dumps(metadata)) > MAX_METADATA_BYTES:
        return None
    # Only the server's own time limit may say why a turn was sent (bot/channels/idle.py).
    return text, {k: v for k, v in metadata.items() if k not in SERVER_METADATA}


class WebChatOutput(OutputChannel):
    """Sends each bot message whole to the conversation's room."""

    def __init__(
        self,
        sio: AsyncServer,
        event: str,
        observe: Callable[[str, Mapping[str, Any]], None] | None = None,
    ) -> None:
        self.sio, self.event, self.observe = sio, event, observe

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        whole = {k: v for k, v in message.items() if k in ("text", "buttons", "custom") and v}
        if isinstance(whole.get("custom"), Mapping) and self.observe is not None:
            self.observe(recipient_id, whole["custom"])
        await self.sio.emit(self.event, whole, room=recipient_id)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class WebChatInput(InputChannel):
    """socket.io for the web chat page and widget (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            origins=allowed_origins(credentials.get("cors_allowed_origins")),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
        )

    def __init__(self, origins: list[str], socketio_path: str = "/socket.io") -> None:
        self.origins = origins
        self.socketio_path = socketio_path
        self.sio: AsyncServer | None = None
        self.idle: IdleTimers | None = None

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return None
        return self._output()

    def _output(self) -> WebChatOutput:
        assert self.sio is not None
        observe = self.idle.observe if self.idle is not None else None
        return WebChatOutput(self.sio, "bot_uttered", observe)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.origins or [])
        self.sio = sio
        blueprint = SocketBlueprint(sio, self.socketio_path, "webchat_socketio", __name__)

        async def send(session_id: str, text: str, metadata: dict[str, Any]) -> None:
            message = UserMessage(
                text, self._output(), session_id, input_channel=CHANNEL_NAME, metadata=metadata
            )
            await on_new_message(message)

        async def connected_sockets(room: str) -> int:
            return sum(1 for _ in sio.manager.get_participants("/", room))

        self.idle = IdleTimers(idle_settings(), sio, send, connected_sockets)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def join(sid: str, requested: str) -> str:
            """Bind the socket to its conversation (and only to that one)."""
            async with sio.session(sid) as session:
                previous = session.get("session_id")
                session["session_id"] = requested
            if previous and previous != requested:
                await sio.leave_room(sid, previous)
            await sio.enter_room(sid, requested)
            return requested

        @sio.on("connect")
        async def connect(sid: str, _environ: Any, auth: Any = None) -> None:
            # The page names its conversation here, so messages it queued while offline
            # (sent right after the reconnect) already belong to it.
            if isinstance(auth, Mapping) and valid_session_id(auth.get("session_id")):
                await join(sid, auth["session_id"])

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> None:
            """Rasa's socket.io handshake, for clients written for Rasa's own channel."""
            requested = data.get("session_id") if isinstance(data, Mapping) else None
            if not valid_session_id(requested):
                requested = os.urandom(16).hex()
            await sio.emit("session_confirm", await join(sid, requested), room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Any = None) -> dict[str, Any]:
            session_id = (await sio.get_session(sid)).get("session_id")
            if session_id is None and isinstance(data, Mapping):
                if valid_session_id(data.get("session_id")):
                    session_id = await join(sid, data["session_id"])
            turn = valid_turn(data)
            if session_id is None or turn is None:
                return {"ok": False, "error": "bad_request" if session_id else "no_session"}
            assert self.idle is not None
            self.idle.stop(session_id)
            await send(session_id, *turn)
            self.idle.after_turn(session_id)
            return {"ok": True}

        @sio.on("session_extend")
        async def session_extend(sid: str, _data: Any = None) -> dict[str, Any]:
            session_id = (await sio.get_session(sid)).get("session_id")
            assert self.idle is not None
            extended = session_id is not None and self.idle.extend(session_id)
            return {"ok": extended}

        return blueprint
