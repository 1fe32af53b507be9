"""The full-page chat and the embeddable widget, served by our service.

    app.blueprint(chat_page_blueprint("http://127.0.0.1:5005"))

serves

- `GET /` and `GET /chat`: the page, in the language of `?lang=` or else of the
  browser's Accept-Language header (default German). `?application=<id>` is handed
  to the bot as `metadata.application` on the first message (deep link); `?embed=1`
  is the compact layout inside the widget; `?accent=RRGGBB` a brand colour, used only
  if white text on it keeps 4.5:1.
- `GET /widget.js`: the widget for a city's own pages (one `<script>` tag, see README).
- `GET /static/...`: script, styles and the vendored socket.io client (`make assets`).

The page talks to Rasa over socket.io (bot/channels/webchat.py) at `socket_url`.
Every text comes from `locales/<lang>/page.yml`. Nothing is loaded from a third party
(no CDN, no fonts) and the message text is never logged.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from bot.channels import MAX_MESSAGE_CHARS
from bot.channels.colours import usable_accent
from bot.channels.uploads import UPLOAD_PATH
from bot.languages import DEFAULT_LANGUAGE, text_direction
from bot.nlg.texts import has, supported_languages, t

STATIC_DIR = Path(__file__).resolve().parent / "static"
BLUEPRINT_NAME = "chat_page"

APPLICATION_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
ASSETS = {
    "chat.js": "application/javascript",
    "chat.css": "text/css",
    "widget.css": "text/css",
    "vendor/socket.io.min.js": "application/javascript",
}
WIDGET_ORIGINS_ENV = "ANTRAGSLOTSE_WIDGET_ORIGINS"

# Texts of the page chrome: rendered into the HTML, and relabelled by the script when
# the citizen switches language in the chat (elements with `data-text="<key>"`).
CHROME_TEXT_KEYS = (
    "title",
    "heading",
    "intro",
    "tools_label",
    "help_button",
    "human_button",
    "language_button",
    "text_smaller",
    "text_larger",
    "transcript_label",
    "input_label",
    "input_hint",
    "send",
    "upload_label",
    "new_messages",
    "receipt_heading",
    "receipt_download",
    "receipt_print",
)
# Texts only the script shows (status lines, sender labels, ...).
SCRIPT_TEXT_KEYS = (
    "sender_bot",
    "sender_user",
    "choices_label",
    "typing",
    "empty_message",
    "not_sent",
    "error_unavailable",
    "error_bad_request",
    "error_network",
    "progress_question",
    "progress_answered",
    "uploading",
    "upload_done",
    "text_size_status",
    "connecting",
    "reconnecting",
    "connected",
    "receipt_reference",
)
HTML_TEXT_KEYS = (*CHROME_TEXT_KEYS, "noscript")
WIDGET_TEXT_KEYS = ("launcher", "close", "widget_title", "frame_title")

_PLACEHOLDER_RE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def security_headers(socket_url: str, frame_ancestors: Sequence[str]) -> dict[str, str]:
    """A strict CSP: own scripts and styles, the socket.io server, framing by `frame_ancestors`."""
    parts = urlsplit(socket_url)
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    connect = f"'self' {parts.scheme}://{parts.netloc} {ws_scheme}://{parts.netloc}"
    ancestors = " ".join(["'self'", *frame_ancestors])
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; script-src 'self'; style-src 'self'; connect-src {connect}; "
            f"img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


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


def _language_buttons(current: str) -> str:
    """One button per language, named in its own language and script."""
    items = []
    for lang in page_languages():
        pressed = "true" if lang == current else "false"
        items.append(
            f'<li><button type="button" class="tool" data-language="{html.escape(lang)}" '
            f'aria-pressed="{pressed}" lang="{html.escape(lang)}" dir="{text_direction(lang)}">'
            f"{html.escape(t('page.language_name', lang))}</button></li>"
        )
    return "".join(items)


def _asset_version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _texts(keys: Sequence[str]) -> dict[str, dict[str, str]]:
    """Per page language: the texts under `keys`, and the language's writing direction."""
    return {
        lang: {"dir": text_direction(lang), **{key: t(f"page.{key}", lang) for key in keys}}
        for lang in page_languages()
    }


def chat_page_blueprint(socket_url: str) -> Blueprint:
    """The chat page, the widget script and their assets; the page talks to `socket_url`."""
    template = (STATIC_DIR / "chat.html").read_text(encoding="utf-8")
    versions = {name: _asset_version(STATIC_DIR / name) for name in ASSETS}
    texts_json = script_json(_texts((*CHROME_TEXT_KEYS, *SCRIPT_TEXT_KEYS)))
    widget_js = (
        (STATIC_DIR / "widget.js")
        .read_text(encoding="utf-8")
        .replace("/*TEXTS*/{}", script_json(_texts(WIDGET_TEXT_KEYS)))
    )
    headers = security_headers(socket_url, os.environ.get(WIDGET_ORIGINS_ENV, "").split())

    bp = Blueprint(BLUEPRINT_NAME)
    for index, (name, mime) in enumerate(ASSETS.items()):
        bp.static(
            f"/static/{name}", str(STATIC_DIR / name), name=f"asset_{index}", content_type=mime
        )

    def asset_url(name: str) -> str:
        return html.escape(f"/static/{name}?v={versions[name]}")

    @bp.get("/", name="page_root")
    @bp.get("/chat", name="page")
    async def page(request: Request) -> HTTPResponse:
        lang = negotiate_language(
            request.args.get("lang"), request.headers.get("accept-language"), page_languages()
        )
        application = request.args.get("application")
        if application is not None and not APPLICATION_RE.fullmatch(application):
            application = None
        embed = request.args.get("embed") == "1"
        values = {key: html.escape(t(f"page.{key}", lang)) for key in HTML_TEXT_KEYS}
        values.update(
            lang=html.escape(lang),
            dir=text_direction(lang),
            page_class="embedded" if embed else "full-page",
            css_url=asset_url("chat.css"),
            js_url=asset_url("chat.js"),
            socketio_url=asset_url("vendor/socket.io.min.js"),
            max_length=str(MAX_MESSAGE_CHARS),
            language_buttons=_language_buttons(lang),
            texts_json=texts_json,
            config_json=script_json(
                {
                    "lang": lang,
                    "dir": text_direction(lang),
                    "socketUrl": socket_url,
                    "uploadUrl": UPLOAD_PATH,
                    "application": application,
                    "embed": embed,
                    "accent": usable_accent(request.args.get("accent")),
                }
            ),
        )
        page_headers = {
            **headers,
            "Content-Language": lang,
            "Vary": "Accept-Language",
            "Cache-Control": "no-cache",
        }
        return response.html(render_template(template, values), headers=page_headers)

    @bp.get("/widget.js", name="widget")
    async def widget(_request: Request) -> HTTPResponse:
        return response.text(
            widget_js,
            content_type="application/javascript; charset=utf-8",
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )

    return bp
