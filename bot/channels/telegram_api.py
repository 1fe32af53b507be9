"""Telegram's Bot API, as far as the channel needs it, with its limits kept.

Calls `<api url>/bot<token>/<method>` and downloads `<api url>/file/bot<token>/<path>`
(ANTRAGSLOTSE_TELEGRAM_API_URL, default https://api.telegram.org, so tests point it
at a fake). A 429 is waited out as Telegram says (`retry_after`) and the same call
made again, so one chat's messages are never dropped or reordered; a Telegram that
does not answer costs only the conversation waiting for it. Nothing of a message is
logged, only the method and the outcome.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import httpx

logger = logging.getLogger(__name__)

TOKEN_ENV = "ANTRAGSLOTSE_TELEGRAM_TOKEN"
SECRET_ENV = "ANTRAGSLOTSE_TELEGRAM_SECRET"
API_URL_ENV = "ANTRAGSLOTSE_TELEGRAM_API_URL"
DEFAULT_API_URL = "https://api.telegram.org"
MESSAGE_LIMIT = 4096  # characters of one message, in UTF-16 code units
CALLBACK_DATA_LIMIT = 64  # bytes
MAX_RETRY_AFTER = 60.0  # seconds we wait for one 429 before giving the send up
ATTEMPTS = 5  # per call, over 429s, 5xx and timeouts


class TelegramError(RuntimeError):
    """Telegram refused a call for good, or did not answer after every attempt."""


class TelegramApi:
    def __init__(self, token: str, api_url: str = DEFAULT_API_URL, timeout: float = 10.0) -> None:
        self._base = f"{api_url.rstrip('/')}/bot{token}"
        self._files = f"{api_url.rstrip('/')}/file/bot{token}"
        self._client = httpx.AsyncClient(timeout=timeout)

    @classmethod
    def from_env(cls) -> TelegramApi | None:
        token = os.environ.get(TOKEN_ENV, "").strip()
        if not token:
            return None
        return cls(token, os.environ.get(API_URL_ENV, "").strip() or DEFAULT_API_URL)

    async def call(self, method: str, **fields: Any) -> Any:
        """`result` of a Bot API method; 429 and passing failures are retried in place."""
        for attempt in range(1, ATTEMPTS + 1):
            backoff = float(min(2**attempt, 10))
            try:
                answer = await self._client.post(f"{self._base}/{method}", json=fields)
            except httpx.TransportError as failure:
                reason, wait = type(failure).__name__, backoff
            else:
                body = _json(answer)
                if answer.status_code == 429:
                    retry_after = (body.get("parameters") or {}).get("retry_after") or 1
                    reason, wait = "429", min(float(retry_after), MAX_RETRY_AFTER)
                elif answer.status_code >= 500:
                    reason, wait = str(answer.status_code), backoff
                elif body.get("ok"):
                    return body.get("result")
                else:
                    description = body.get("description", "")
                    raise TelegramError(f"{method}: {answer.status_code} {description}")
            logger.warning("telegram %s: %s, again in %.0f s", method, reason, wait)
            await asyncio.sleep(wait)
        raise TelegramError(f"{method}: no answer after {ATTEMPTS} attempts")

    async def send_message(
        self, chat_id: int, text: str, buttons: list[tuple[str, str]] | None = None
    ) -> None:
        """One message; buttons (label, callback data) one per row, so long labels stay whole."""
        fields: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if buttons:
            rows = [[{"text": label, "callback_data": data}] for label, data in buttons]
            fields["reply_markup"] = {"inline_keyboard": rows}
        await self.call("sendMessage", **fields)

    async def answer_callback_query(self, callback_query_id: str) -> None:
        """Stops the button's spinner; Telegram wants it within seconds of the press."""
        await self.call("answerCallbackQuery", callback_query_id=callback_query_id)

    async def download(self, file_id: str, max_bytes: int) -> bytes | None:
        """A file the citizen sent; None when Telegram says it is larger than we take."""
        found = await self.call("getFile", file_id=file_id)
        if int(found.get("file_size") or 0) > max_bytes or not found.get("file_path"):
            return None
        answer = await self._client.get(f"{self._files}/{found['file_path']}")
        if answer.status_code != 200:
            raise TelegramError(f"file download: {answer.status_code}")
        return answer.content if len(answer.content) <= max_bytes else None

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.call(
            "setWebhook",
            url=url,
            secret_token=secret,
            allowed_updates=["message", "callback_query"],
            drop_pending_updates=False,
        )


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
