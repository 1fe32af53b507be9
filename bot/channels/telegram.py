"""Telegram: the whole dialogue as text in a private chat, through our own channel.

Rasa 3.6's `telegram` channel calls `getMe` on every update, trusts any request,
drops everything but text, leaves a pressed button spinning, splits only at blank
lines and calls `setWebhook` at start (a server without internet cannot start).
This one:

- is off unless ANTRAGSLOTSE_TELEGRAM_TOKEN is set, and takes an update only with
  ANTRAGSLOTSE_TELEGRAM_SECRET in `X-Telegram-Bot-Api-Secret-Token` (401 otherwise,
  and nothing happens); `python -m bot.cli telegram-webhook <url>` registers it;
- speaks for the conversation of the Telegram user who wrote, keyed with our secret
  (bot/channels/conversation_ids.py), in private chats only;
- sends every message as text in reading order, with numbered choices
  (bot/channels/text_dialogue.py), split at 4,096 characters; buttons are an extra
  whose callback data is the choice's digest (bot/forms/numbered.py), and every
  press is answered (`answerCallbackQuery`);
- starts the dialogue in the language of the user's Telegram app when we have it;
- takes a photo or file sent while a proof is asked for as that proof, fetched from
  Telegram and checked, limited and encrypted as a web upload (bot/channels/uploads.py);
- answers a voice message with "please write" and other kinds with a short
  explanation, in that language.

    POST /webhooks/telegram/webhook   (on Rasa's port)
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import MAX_MESSAGE_CHARS
from bot.channels.conversation_ids import conversation_tokens
from bot.channels.messenger_files import MessengerFiles
from bot.channels.telegram_api import MESSAGE_LIMIT, SECRET_ENV, TelegramApi, TelegramError
from bot.channels.text_dialogue import as_text, split_message, utf16_length
from bot.forms.numbered import choice_digest
from bot.nlg.texts import language_or_default, t

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
VOICE_KINDS = ("voice", "audio", "video_note", "video")
START = "/start"


class TelegramOutput(OutputChannel):
    """One chat's answers, each a whole message in reading order."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, api: TelegramApi, chat_id: int) -> None:
        self.api = api
        self.chat_id = chat_id

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        text = as_text(message)
        if not text:
            return
        chunks = split_message(text, MESSAGE_LIMIT, utf16_length)
        choices = (message.get("custom") or {}).get("choices") or []
        buttons = [(c["title"], choice_digest(c["payload"])) for c in choices if c.get("payload")]
        for chunk in chunks[:-1]:
            await self.api.send_message(self.chat_id, chunk)
        await self.api.send_message(self.chat_id, chunks[-1], buttons or None)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class TelegramInput(InputChannel):
    """See the module docstring."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def __init__(self) -> None:
        self.api = TelegramApi.from_env()
        self.files = MessengerFiles()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("telegram_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.api else "off"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.api is None:
                return response.json({"error": "telegram_off"}, 404)
            if not _secret_ok(request.headers.get(SECRET_HEADER)):
                return response.json({"error": "telegram_secret"}, 401)
            try:
                update = request.json
            except Exception:  # sanic raises its own error for a body that is no JSON
                update = None
            if not isinstance(update, dict):
                return response.json({"error": "telegram_update"}, 400)
            try:
                await self._handle(update, on_new_message)
            except TelegramError as failure:  # Telegram itself failed: it need not resend
                logger.error("telegram update not answered: %s", failure)
            return response.json({"ok": True})

        return webhook

    async def _handle(
        self, update: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        assert self.api is not None
        message, author, text, metadata = await self._received(update)
        chat = message.get("chat") or {}
        private = chat.get("type") == "private" and isinstance(chat.get("id"), int)
        if not private or not isinstance(author.get("id"), int):
            return  # groups and channels: an application is nobody else's business
        lang = language_or_default(_primary(author.get("language_code")))
        output = TelegramOutput(self.api, chat["id"])
        sender = conversation_tokens().messenger_conversation("telegram", str(author["id"]))
        sent_file = message.get("document") or (message.get("photo") or [None])[-1]
        if isinstance(sent_file, dict) and sent_file.get("file_id"):
            size = int(sent_file.get("file_size") or 0)
            download = partial(self.api.download, str(sent_file["file_id"]), self.files.max_bytes)
            text, refusal = await self.files.take(sender, lang, size, download)
            if refusal:
                return await output.send_response("", {"text": refusal})
        if not isinstance(text, str) or not text.strip():
            kind = "voice" if any(k in message for k in VOICE_KINDS) else "unsupported"
            return await output.send_response("", {"text": t(f"messenger.{kind}", lang)})
        if len(text) > MAX_MESSAGE_CHARS:
            too_long = t("channel.message_too_long", lang, max=str(MAX_MESSAGE_CHARS))
            return await output.send_response("", {"text": too_long})
        command, _, argument = text.strip().partition(" ")
        if command == START and argument:  # a deep link t.me/<bot>?start=wohngeld
            text, metadata["application"] = START, argument
        metadata["platform_language"] = lang
        await on_new_message(
            UserMessage(text, output, sender, input_channel="telegram", metadata=metadata)
        )

    async def _received(
        self, update: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any], Any, dict[str, Any]]:
        """(message, author, text, metadata) of a typed message or a pressed button."""
        assert self.api is not None
        pressed = update.get("callback_query")
        if not isinstance(pressed, dict):
            message = update.get("message")
            message = message if isinstance(message, dict) else {}
            return message, message.get("from") or {}, message.get("text"), {}
        try:
            await self.api.answer_callback_query(str(pressed.get("id", "")))
        except TelegramError as failure:  # too late to stop the spinner: take the press anyway
            logger.warning("telegram press not acknowledged: %s", failure)
        text, metadata = _button_label(pressed)
        return pressed.get("message") or {}, pressed.get("from") or {}, text, metadata


def _secret_ok(sent: str | None) -> bool:
    expected = os.environ.get(SECRET_ENV, "")
    return bool(expected) and hmac.compare_digest((sent or "").encode(), expected.encode())


def _primary(code: Any) -> str | None:
    """Telegram's IETF tag ("pt-br", "de") as the dialogue tag we may have ("de")."""
    return code.split("-")[0].lower() if isinstance(code, str) and code else None


def _button_label(pressed: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """The pressed button's label as text, and its digest for the dialogue to check."""
    data = pressed.get("data")
    markup = (pressed.get("message") or {}).get("reply_markup") or {}
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            if button.get("callback_data") == data:
                return str(button.get("text", "")), {"choice": str(data)}
    return None, {}
