"""The full-page chat: one accessible HTML page plus a same-origin proxy to Rasa's REST channel.

    app.blueprint(chat_page_blueprint("http://127.0.0.1:5005"))

serves

- `GET /` and `GET /chat`: the page, in the language of `?lang=` or else of the
  browser's Accept-Language header (default German). `?application=<id>` is handed
  to the bot as `metadata.application` on the first message (deep link).
- `POST /chat/webhook`: `{"sender", "message", "metadata"}` passed on to
  `<rasa_url>/webhooks/rest/webhook`; the answer is Rasa's list of messages.
- `GET /static/chat.js`, `GET /static/chat.css`.

Every text on the page comes from `locales/<lang>/page.yml`. The page never sends
anything to a third party (no CDN, no fonts) and the message text is never logged.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from bot.channels.uploads import UPLOAD_PATH
from bot.nlg.texts import DEFAULT_LANGUAGE, has, supported_languages, t, text_direction

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
BLUEPRINT_NAME = "chat_page"

RASA_TIMEOUT_SECONDS = 30
MAX_BODY_BYTES = 32 * 1024
MAX_MESSAGE_CHARS = 2000
SENDER_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
APPLICATION_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")

# Texts the script needs at run time; the rest is rendered into the HTML here.
SCRIPT_TEXT_KEYS = (
    "sender_bot",
    "sender_user",
    "choices_label",
    "sending",
    "empty_message",
    "not_sent",
    "error_unavailable",
    "error_bad_request",
    "error_network",
    "progress_question",
    "progress_answered",
    "uploading",
)
# Texts rendered into the HTML template, escaped.
HTML_TEXT_KEYS = (
    "title",
    "heading",
    "intro",
    "language_nav_label",
    "transcript_label",
    "input_label",
    "input_hint",
    "send",
    "noscript",
    "upload_label",
)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

_PLACEHOLDER_RE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def page_languages() -> list[str]:
    """Languages the page itself can be shown in: those whose locale has the page texts."""
    return [lang for lang in supported_languages() if has("page.title", lang)]


def negotiate_language(
    requested: str | None, accept_language: str | None, available: Sequence[str]
) -> str:
    """`?lang=` if available, else the first available language of Accept-Language, else German."""
    by_lower = {lang.lower(): lang for lang in available}
    if requested and requested.strip().lower() in by_lower:
        return by_lower[requested.strip().lower()]
    for tag in _accepted_tags(accept_language or ""):
        if tag in by_lower:
            return by_lower[tag]
        primary = tag.split("-")[0]
        if primary in by_lower:
            return by_lower[primary]
    if DEFAULT_LANGUAGE in available or not available:
        return DEFAULT_LANGUAGE
    return available[0]


def _accepted_tags(header: str) -> list[str]:
    """Language tags of an Accept-Language header, best first (q=0 and `*` dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag.lower()))
    return [tag for _, _, tag in sorted(ranked)]


def script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element (no `</script>`, no `<!--`)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_template(template: str, values: dict[str, str]) -> str:
    """Fill `{{ name }}` placeholders with values that are already safe HTML."""

    def fill(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return _PLACEHOLDER_RE.sub(fill, template)


def _language_links(current: str, page_url: str, application: str | None) -> str:
    items = []
    for lang in page_languages():
        if lang == current:
            continue
        query = {"lang": lang}
        if application:
            query["application"] = application
        href = f"{page_url}?{urlencode(query)}"
        items.append(
            f'<li><a href="{html.escape(href)}" hreflang="{html.escape(lang)}" '
            f'lang="{html.escape(lang)}" dir="{text_direction(lang)}">'
            f"{html.escape(t('page.language_name', lang))}</a></li>"
        )
    return "".join(items)


def _asset_version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _error(status: int, code: str) -> HTTPResponse:
    return response.json({"error": code}, status=status, headers={"Cache-Control": "no-store"})


def _validated_turn(raw: bytes, content_type: str) -> dict[str, Any] | None:
    """The body to pass on to Rasa, or None when the request is not a valid chat turn."""
    if content_type.split(";")[0].strip().lower() != "application/json":
        return None
    if not raw or len(raw) > MAX_BODY_BYTES:
        return None
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict):
        return None
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not SENDER_RE.fullmatch(sender):
        return None
    if not isinstance(message, str) or not 1 <= len(message) <= MAX_MESSAGE_CHARS:
        return None
    if not message.strip():
        return None
    turn: dict[str, Any] = {"sender": sender, "message": message}
    metadata = body.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, dict):
            return None
        turn["metadata"] = metadata
    return turn


def chat_page_blueprint(rasa_url: str) -> Blueprint:
    """The chat page, its assets and the webhook proxy to the Rasa server at `rasa_url`."""
    rasa_webhook = f"{rasa_url.rstrip('/')}/webhooks/rest/webhook"
    # chat.html is a template, not an asset: `{{ name }}` placeholders, filled in `page`.
    template = (STATIC_DIR / "chat.html").read_text(encoding="utf-8")
    versions = {name: _asset_version(STATIC_DIR / name) for name in ("chat.js", "chat.css")}

    bp = Blueprint(BLUEPRINT_NAME)
    bp.static("/static/chat.js", str(STATIC_DIR / "chat.js"), name="chat_js")
    bp.static("/static/chat.css", str(STATIC_DIR / "chat.css"), name="chat_css")

    @bp.get("/", name="page_root")
    @bp.get("/chat", name="page")
    async def page(request: Request) -> HTTPResponse:
        lang = negotiate_language(
            request.args.get("lang"), request.headers.get("accept-language"), page_languages()
        )
        direction = text_direction(lang)
        application = request.args.get("application")
        if application is not None and not APPLICATION_RE.fullmatch(application):
            application = None

        url_for = request.app.url_for
        page_url = url_for(f"{BLUEPRINT_NAME}.page")
        values = {key: html.escape(t(f"page.{key}", lang)) for key in HTML_TEXT_KEYS}
        values.update(
            lang=html.escape(lang),
            dir=direction,
            css_url=html.escape(
                url_for("static", name=f"{BLUEPRINT_NAME}.chat_css") + f"?v={versions['chat.css']}"
            ),
            js_url=html.escape(
                url_for("static", name=f"{BLUEPRINT_NAME}.chat_js") + f"?v={versions['chat.js']}"
            ),
            form_action=html.escape(url_for(f"{BLUEPRINT_NAME}.webhook")),
            max_length=str(MAX_MESSAGE_CHARS),
            language_links=_language_links(lang, page_url, application),
            texts_json=script_json({key: t(f"page.{key}", lang) for key in SCRIPT_TEXT_KEYS}),
            config_json=script_json(
                {
                    "lang": lang,
                    "dir": direction,
                    "webhook": url_for(f"{BLUEPRINT_NAME}.webhook"),
                    "uploadUrl": UPLOAD_PATH,
                    "application": application,
                }
            ),
        )
        headers = {
            **SECURITY_HEADERS,
            "Content-Language": lang,
            "Vary": "Accept-Language",
            "Cache-Control": "no-cache",
        }
        return response.html(render_template(template, values), headers=headers)

    @bp.post("/chat/webhook", name="webhook")
    async def webhook(request: Request) -> HTTPResponse:
        turn = _validated_turn(request.body or b"", request.headers.get("content-type", ""))
        if turn is None:
            return _error(400, "bad_request")
        try:
            timeout = aiohttp.ClientTimeout(total=RASA_TIMEOUT_SECONDS)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.post(rasa_webhook, json=turn) as answer:
                    if answer.status != 200:
                        logger.warning("Rasa REST channel answered HTTP %s", answer.status)
                        return _error(502, "bot_unavailable")
                    messages = await answer.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            # Only the kind of failure: the exception text could quote the request.
            logger.warning("Rasa REST channel unreachable (%s)", type(exc).__name__)
            return _error(502, "bot_unavailable")
        if not isinstance(messages, list):
            logger.warning("Rasa REST channel answered something other than a list")
            return _error(502, "bot_unavailable")
        return response.json(messages, headers={"Cache-Control": "no-store"})

    return bp
