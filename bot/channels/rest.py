"""Rasa's REST channel, for trusted clients only: a city's own front end, tests, benchmarks.

Registered in credentials.yml as `bot.channels.rest.TokenRestInput`; its name and URL
stay `rest` and `/webhooks/rest/webhook`, with the same request and answer as Rasa's
(contracts/conversation.md). It differs where Rasa's would let anyone speak for any
conversation:

- off unless `ANTRAGSLOTSE_REST_TOKEN` is set (403 to everything); then every request
  needs `Authorization: Bearer <token>` (401 without it);
- a request without a `sender` gets 400, never the shared `default` conversation;
- a message over 2,000 characters gets a localized 413 before NLU; the text is never
  logged, not even when handling it fails (Rasa's logs it then);
- metadata is cleaned like the web chat's (bot/channels/metadata.py) and gets
  `client` for the resume-code limits: the address, or, because one front end serves
  many citizens, the front end's own name for its citizen (`metadata.client`), hashed;
  `input_channel` is always `rest`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import MAX_MESSAGE_CHARS, REST_TOKEN_ENV, SENDER_RE
from bot.channels.conversation_ids import conversation_tokens, rest_token_ok
from bot.channels.metadata import client_metadata
from bot.languages import DEFAULT_LANGUAGE
from bot.nlg.texts import language_or_default, t

logger = logging.getLogger(__name__)


def _client_of(body: dict[str, Any], request: Request) -> str | None:
    """Who the citizen is for the resume-code limits: a trusted front end serves many
    citizens from one address, so it may name its own citizen (`metadata.client`)."""
    sent = body.get("metadata")
    named = sent.get("client") if isinstance(sent, dict) else None
    if isinstance(named, str) and 0 < len(named) <= 128:
        return f"rest:{named}"
    return request.remote_addr or request.ip


def _error(status: int, error: str, lang: str = DEFAULT_LANGUAGE, **params: Any) -> HTTPResponse:
    message = t(f"channel.{error}", lang, **params)
    return response.json({"error": error, "message": message}, status)


class TokenRestInput(InputChannel):
    """See the module docstring."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("rest_webhook_with_token", __name__)

        @webhook.middleware("request")
        async def only_with_the_token(request: Request) -> HTTPResponse | None:
            if not os.environ.get(REST_TOKEN_ENV):
                return _error(403, "rest_disabled")
            if not rest_token_ok(request.headers.get("Authorization")):
                return _error(401, "rest_token")
            return None

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # sanic raises its own error for a body that is no JSON
                body = None
            if not isinstance(body, dict):
                return _error(400, "rest_bad_request")
            metadata = client_metadata(body.get("metadata"))
            lang = language_or_default((metadata or {}).get("language"))
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not SENDER_RE.fullmatch(sender):
                return _error(400, "rest_sender", lang)
            if not isinstance(text, str) or metadata is None:
                return _error(400, "rest_bad_request", lang)
            if len(text) > MAX_MESSAGE_CHARS:
                return _error(413, "message_too_long", lang, max=str(MAX_MESSAGE_CHARS))
            client = conversation_tokens().client_key(_client_of(body, request))
            if client:
                metadata["client"] = client
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel="rest", metadata=metadata)
                )
            except Exception as failure:  # noqa: BLE001 - logged without the text, answered
                logger.error("a REST turn failed: %s", type(failure).__name__)
                return _error(503, "unavailable", lang)
            return response.json(collector.messages)

        return webhook
