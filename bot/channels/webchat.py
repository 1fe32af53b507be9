"""The web chat's real-time channel: Rasa's socket.io transport, made fit for the page.

Registered in credentials.yml as `bot.channels.webchat.WebChatInput`; its name stays
`socketio`. It differs from `rasa.core.channels.socketio` (Rasa 3.6) where the page
depends on it:

- one `bot_uttered` event per bot message, whole: `text`, `buttons` and the `custom`
  state object together (Rasa's own splits the text at blank lines and hands `custom`
  to `emit()` as keyword arguments, which fails for our state object);
- the server issues the conversation id (bot/channels/conversation_ids.py): a socket
  joins a conversation only by showing that conversation's token on connect or in
  `session_request`, else it gets a new one; a page can never choose or adopt an id;
- the socket joins the room of its conversation (Rasa's own forgets to await
  `enter_room`), so what the server sends on its own reaches the page, also after a
  reconnect;
- each turn's metadata carries `client`, a keyed hash of the address, for the
  resume-code limits; a page cannot set it;
- a `user_uttered` is acknowledged once its turn is answered, so the page can tell a
  lost turn from a slow one;
- an idle timer (`IdleTimers`) warns before the session runs out and pauses the draft
  when it does;
- with several Rasa instances (`ANTRAGSLOTSE_REDIS_HOST` set), sockets share a Redis
  pub/sub manager, so what one instance sends to a conversation's room reaches a page
  connected to another.

Message texts are never logged here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from bot.channels import MAX_MESSAGE_CHARS, REDIS_HOST_ENV, REDIS_PORT_ENV
from bot.channels.conversation_ids import conversation_tokens
from bot.channels.idle import IdleTimers, idle_settings
from bot.channels.metadata import client_metadata
from bot.nlg.texts import language_or_default, t

logger = logging.getLogger(__name__)

CHANNEL_NAME = "socketio"
ORIGINS_ENV = "ANTRAGSLOTSE_CHAT_ORIGINS"


def shared_rooms(environ: Mapping[str, str] = os.environ) -> AsyncRedisManager | None:
    """The Redis manager that several instances share (the lock store's Redis), if set."""
    host = environ.get(REDIS_HOST_ENV, "").strip()
    if not host:
        return None
    port = environ.get(REDIS_PORT_ENV, "6379").strip()
    return AsyncRedisManager(f"redis://{host}:{port}/0", channel="antragslotse-socketio")


def allowed_origins(configured: Any) -> list[str]:
    """Origins whose pages may connect: credentials.yml, else ANTRAGSLOTSE_CHAT_ORIGINS."""
    if isinstance(configured, str):
        configured = configured.split()
    origins = [str(o) for o in configured or []]
    return origins or os.environ.get(ORIGINS_ENV, "").split()


def valid_turn(data: Any) -> tuple[str, dict[str, Any]] | None:
    """(text, metadata) of a `user_uttered` payload, or None when it is not a chat turn."""
    if not isinstance(data, Mapping):
        return None
    text, metadata = data.get("message"), client_metadata(data.get("metadata"))
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_MESSAGE_CHARS:
        return None
    if metadata is None:
        return None
    return text, metadata


def too_long(data: Any) -> bool:
    text = data.get("message") if isinstance(data, Mapping) else None
    return isinstance(text, str) and len(text) > MAX_MESSAGE_CHARS


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
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self.origins or [],
            client_manager=shared_rooms(),
        )
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
        tokens = conversation_tokens()

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def join(sid: str, auth: Any) -> dict[str, str]:
            """Bind the socket to the conversation its token proves; else keep the one it
            has, or give it a new one."""
            shown = auth if isinstance(auth, Mapping) else {}
            async with sio.session(sid) as session:
                previous = session.get("session_id")
                if tokens.verify(shown.get("session_id"), shown.get("token")):
                    session["session_id"] = shown["session_id"]
                elif previous is None:
                    session["session_id"] = tokens.issue().conversation_id
                session_id = session["session_id"]
            if previous and previous != session_id:
                await sio.leave_room(sid, previous)
            await sio.enter_room(sid, session_id)
            return {"session_id": session_id, "token": tokens.token_for(session_id)}

        @sio.on("connect")
        async def connect(sid: str, environ: Any, auth: Any = None) -> None:
            # The page shows its conversation's token here, so messages it queued while
            # offline (sent right after the reconnect) already belong to it.
            await join(sid, auth)
            request = environ.get("sanic.request") if isinstance(environ, Mapping) else None
            if request is not None:
                async with sio.session(sid) as session:
                    session["client"] = tokens.client_key(request.remote_addr or request.ip)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> dict[str, str]:
            """The page learns its conversation id and token (acknowledgement); clients
            written for Rasa's own channel get `session_confirm` with the id as before."""
            confirmed = await join(sid, data)
            await sio.emit("session_confirm", confirmed["session_id"], room=sid)
            return confirmed

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Any = None) -> dict[str, Any]:
            session = await sio.get_session(sid)
            session_id = session.get("session_id")
            if too_long(data):
                lang = language_or_default(
                    (client_metadata(data.get("metadata")) or {}).get("language")
                )
                message = t("channel.message_too_long", lang, max=str(MAX_MESSAGE_CHARS))
                return {"ok": False, "error": "too_long", "message": message}
            turn = valid_turn(data)
            if session_id is None or turn is None:
                return {"ok": False, "error": "bad_request" if session_id else "no_session"}
            text, metadata = turn
            if session.get("client"):
                metadata["client"] = session["client"]
            assert self.idle is not None
            self.idle.stop(session_id)
            try:
                await send(session_id, text, metadata)
            except Exception as failure:  # noqa: BLE001 - logged without the text, answered
                # The database or lock store is away (a restart): the turn was not taken,
                # so the page keeps the text to send again, and says so at once.
                logger.error("a web chat turn failed: %s", type(failure).__name__)
                message = t("channel.unavailable", language_or_default(metadata.get("language")))
                return {"ok": False, "error": "unavailable", "message": message}
            self.idle.after_turn(session_id)
            return {"ok": True}

        @sio.on("session_extend")
        async def session_extend(sid: str, _data: Any = None) -> dict[str, Any]:
            session_id = (await sio.get_session(sid)).get("session_id")
            assert self.idle is not None
            extended = session_id is not None and self.idle.extend(session_id)
            return {"ok": extended}

        return blueprint
