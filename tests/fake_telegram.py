"""A strict stand-in for Telegram's Bot API on 127.0.0.1, for tests without internet.

It answers what the real API answers for the methods our channel uses and refuses,
as Telegram does with 400 "Bad Request", what Telegram would refuse: an unknown
field, an empty or over-long text (4,096 UTF-16 code units), callback data over 64
bytes, an unknown callback query. Every refusal is also kept in `violations`, so a
test fails on it even if the channel swallowed the error. It can be told to answer
the next sends with 429 and `retry_after`, as Telegram does under load, or leave one
chat's sends unanswered, and serves files for `getFile`.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
FIELDS = {
    "sendMessage": {"chat_id", "text", "reply_markup"},
    "answerCallbackQuery": {"callback_query_id", "text", "show_alert"},
    "getFile": {"file_id"},
    "setWebhook": {"url", "secret_token", "allowed_updates", "drop_pending_updates"},
}


class BadRequest(ValueError):
    pass


def _error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


@dataclass
class Sent:
    chat_id: int
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


class FakeTelegram:
    def __init__(self, token: str) -> None:
        self.token = token
        self.sent: list[Sent] = []
        self.calls: list[str] = []  # method names, in order
        self.violations: list[str] = []
        self.answered_callbacks: list[str] = []
        self.open_callbacks: set[str] = set()
        self.files: dict[str, bytes] = {}
        self.rate_limit_next = 0  # answer that many sendMessage calls with 429
        self.hanging: set[int] = set()  # chats whose sends are not answered until released
        self.released = threading.Event()
        self.webhook: dict[str, Any] | None = None
        self.busy_seconds = 0.0  # time spent answering, for benchmarks to subtract
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeTelegram:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def to(self, chat_id: int) -> list[Sent]:
        with self._lock:
            return [sent for sent in self.sent if sent.chat_id == chat_id]

    # -- the API ----------------------------------------------------------------------

    def _call(self, method: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method not in FIELDS:
            return 404, _error(404, "Not Found")
        unknown = set(body) - FIELDS[method]
        if unknown:
            raise BadRequest(f"{method}: unknown fields {sorted(unknown)}")
        self.calls.append(method)
        if method == "sendMessage":
            if self.rate_limit_next > 0:
                self.rate_limit_next -= 1
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                }
            self.sent.append(_checked_message(body))
            return 200, {"ok": True, "result": {"message_id": len(self.sent)}}
        if method == "answerCallbackQuery":
            query = body.get("callback_query_id")
            if query not in self.open_callbacks:
                raise BadRequest(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            self.open_callbacks.discard(query)
            self.answered_callbacks.append(query)
            return 200, {"ok": True, "result": True}
        if method == "getFile":
            file_id = body.get("file_id")
            if file_id not in self.files:
                raise BadRequest("wrong file_id or the file is temporarily unavailable")
            size = len(self.files[file_id])
            result = {"file_id": file_id, "file_size": size, "file_path": f"documents/{file_id}"}
            return 200, {"ok": True, "result": result}
        if not str(body.get("url", "")).startswith("https://"):
            raise BadRequest("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = body
        return 200, {"ok": True, "result": True, "description": "Webhook was set"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                began = time.perf_counter()
                try:
                    self._post()
                finally:
                    with fake._lock:
                        fake.busy_seconds += time.perf_counter() - began

            def _post(self) -> None:
                prefix = f"/bot{fake.token}/"
                if not self.path.startswith(prefix):
                    return self._answer(401, _error(401, "Unauthorized"))
                try:
                    body = json.loads(self.rfile.read(int(self.headers["Content-Length"] or 0)))
                    if isinstance(body, dict) and body.get("chat_id") in fake.hanging:
                        fake.released.wait(60)  # a Telegram that does not answer this chat
                    with fake._lock:
                        status, answer = fake._call(self.path[len(prefix) :], body)
                except (BadRequest, ValueError, TypeError, KeyError) as refused:
                    with fake._lock:
                        fake.violations.append(f"{self.path.split('/')[-1]}: {refused}")
                    status = 400
                    answer = _error(400, f"Bad Request: {refused}")
                self._answer(status, answer)

            def do_GET(self) -> None:
                prefix = f"/file/bot{fake.token}/documents/"
                data = (
                    fake.files.get(self.path[len(prefix) :])
                    if self.path.startswith(prefix)
                    else None
                )
                if data is None:
                    return self._answer(404, _error(404, "Not Found"))
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _checked_message(body: dict[str, Any]) -> Sent:
    text, chat_id = body.get("text"), body.get("chat_id")
    if not isinstance(chat_id, int):
        raise BadRequest("chat_id must be an integer")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("message text is empty")
    if len(text.encode("utf-16-le")) // 2 > MESSAGE_LIMIT:
        raise BadRequest("message is too long")
    buttons = []
    markup = body.get("reply_markup")
    if markup is not None:
        if set(markup) != {"inline_keyboard"}:
            raise BadRequest("unsupported reply_markup")
        for row in markup["inline_keyboard"]:
            for button in row:
                if set(button) != {"text", "callback_data"} or not button["text"]:
                    raise BadRequest("inline keyboard button must have text and one action")
                if not 1 <= len(button["callback_data"].encode()) <= CALLBACK_DATA_LIMIT:
                    raise BadRequest("BUTTON_DATA_INVALID")
                buttons.append(button)
    return Sent(chat_id, text, buttons)
