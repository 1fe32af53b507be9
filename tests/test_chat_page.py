"""The full-page chat: page rendering, language choice, the webhook proxy, and (marked
`browser`) one real conversation in Chromium against the running stack."""

from __future__ import annotations

import html
import json
import logging
import os
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic

from bot.channels.chat_page import (
    HTML_TEXT_KEYS,
    SCRIPT_TEXT_KEYS,
    chat_page_blueprint,
    negotiate_language,
    page_languages,
)
from bot.nlg.texts import t

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STATIC_DIR = Path(__file__).resolve().parents[1] / "bot" / "channels" / "static"


def closed_port_url() -> str:
    """A local URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def make_app(rasa_url: str | None = None) -> Sanic:
    app = Sanic(f"chat_page_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(chat_page_blueprint(rasa_url or closed_port_url()))
    return app


def get_page(app: Sanic, path: str = "/", **headers: str) -> tuple[Any, str]:
    _, resp = app.test_client.get(path, headers=headers)
    return resp, resp.text


def script_blob(page: str, element_id: str) -> dict[str, Any]:
    match = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', page, re.S
    )
    assert match, f"no #{element_id} JSON blob"
    return json.loads(match.group(1))


class FakeRasa:
    """A REST channel double that records what it got and answers with `reply`."""

    def __init__(self, reply: Any, status: int = 200) -> None:
        self.reply, self.status, self.received = reply, status, []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("content-length", 0))
                fake.received.append((self.path, json.loads(self.rfile.read(length))))
                body = json.dumps(fake.reply).encode()
                self.send_response(fake.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeRasa:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def app() -> Iterator[Sanic]:
    yield make_app()


# ---------------------------------------------------------------------- the page


@pytest.mark.parametrize("lang", ["de", "en"])
def test_page_is_rendered_in_the_requested_language(app: Sanic, lang: str) -> None:
    resp, page = get_page(app, f"/?lang={lang}")
    assert resp.status == 200
    assert resp.headers["content-type"].startswith("text/html")
    assert resp.headers["content-language"] == lang
    assert f'<html lang="{lang}" dir="ltr"' in page
    assert f"<title>{html.escape(t('page.title', lang))}</title>" in page
    assert f"<h1>{html.escape(t('page.heading', lang))}</h1>" in page
    for key in HTML_TEXT_KEYS:
        assert html.escape(t(f"page.{key}", lang)) in page, key
    # The transcript exists before the first message, labelled, with an empty list.
    assert re.search(
        r'<div id="log" class="log" role="log" aria-live="polite" '
        rf'aria-label="{re.escape(html.escape(t("page.transcript_label", lang)))}"',
        page,
    )
    assert '<ol id="messages" class="messages"></ol>' in page
    assert 'role="status"' in page
    label = html.escape(t("page.input_label", lang))
    assert f'<label for="message" class="composer-label">{label}</label>' in page
    assert '<button type="submit" class="send">' in page


def test_texts_for_the_script_come_from_the_locale_files(app: Sanic) -> None:
    for lang in ("de", "en"):
        _, page = get_page(app, f"/?lang={lang}")
        assert script_blob(page, "texts") == {k: t(f"page.{k}", lang) for k in SCRIPT_TEXT_KEYS}
        config = script_blob(page, "config")
        assert config == {
            "lang": lang,
            "dir": "ltr",
            "webhook": "/chat/webhook",
            "uploadUrl": "/chat/upload",
            "application": None,
        }


def test_page_and_chat_path_serve_the_same_page(app: Sanic) -> None:
    _, root = get_page(app, "/?lang=en")
    _, chat = get_page(app, "/chat?lang=en")
    assert root == chat


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("en-GB,en;q=0.9,de;q=0.8", "en"),
        ("fr-FR, fr;q=0.9, en;q=0.5", "en"),
        ("de-DE,en;q=0.9", "de"),
        ("en;q=0.2, de;q=0.8", "de"),
        ("fr", "de"),
        ("", "de"),
    ],
)
def test_language_from_accept_language(app: Sanic, accept_language: str, expected: str) -> None:
    _, page = get_page(app, "/", **{"Accept-Language": accept_language})
    assert f'<html lang="{expected}"' in page


def test_query_parameter_wins_over_header_and_bad_values_are_ignored(app: Sanic) -> None:
    _, page = get_page(app, "/?lang=de", **{"Accept-Language": "en"})
    assert '<html lang="de"' in page
    _, page = get_page(app, "/?lang=%22%3E%3Cscript%3E", **{"Accept-Language": "en"})
    assert '<html lang="en"' in page
    assert "<script>" not in page


def test_negotiate_language_unit() -> None:
    assert negotiate_language("EN", None, ["de", "en"]) == "en"
    assert negotiate_language(None, "*, en;q=0.1", ["de", "en"]) == "en"
    assert negotiate_language(None, "en;q=0", ["de", "en"]) == "de"
    assert negotiate_language(None, "en;q=bogus", ["de", "en"]) == "de"
    assert {"de", "en"} <= set(page_languages())


def test_language_switch_link_keeps_the_deep_link(app: Sanic) -> None:
    _, page = get_page(app, "/?lang=de&application=wohngeld")
    assert (
        '<a href="/chat?lang=en&amp;application=wohngeld" hreflang="en" lang="en" dir="ltr">'
        f"{html.escape(t('page.language_name', 'en'))}</a>"
    ) in page
    assert script_blob(page, "config")["application"] == "wohngeld"


def test_deep_link_parameter_is_validated(app: Sanic) -> None:
    _, page = get_page(app, "/?lang=de&application=%3C%2Fscript%3E")
    assert script_blob(page, "config")["application"] is None
    assert "</script>" not in page.split('id="config">')[1].split("</script>")[0]


def test_page_loads_nothing_from_other_sites(app: Sanic) -> None:
    resp, page = get_page(app, "/")
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "script-src 'self'" in resp.headers["content-security-policy"]
    for asset in ("chat.css", "chat.js"):
        assert "http://" not in (STATIC_DIR / asset).read_text(encoding="utf-8")
        assert "https://" not in (STATIC_DIR / asset).read_text(encoding="utf-8")


@pytest.mark.parametrize(("asset", "mime"), [("chat.js", "javascript"), ("chat.css", "text/css")])
def test_assets_are_served(app: Sanic, asset: str, mime: str) -> None:
    _, page = get_page(app, "/")
    url = re.search(rf'"(/static/{re.escape(asset)}\?v=\w+)"', page).group(1)
    _, resp = app.test_client.get(url)
    assert resp.status == 200
    assert mime in resp.headers["content-type"]
    assert resp.body == (STATIC_DIR / asset).read_bytes()


def test_script_holds_no_user_facing_german_or_english_words() -> None:
    """Texts live in locales/: spot-check that none of them is copied into the assets."""
    js = (STATIC_DIR / "chat.js").read_text(encoding="utf-8")
    template = (STATIC_DIR / "chat.html").read_text(encoding="utf-8")
    for lang in ("de", "en"):
        for key in SCRIPT_TEXT_KEYS + HTML_TEXT_KEYS:
            if key == "heading":  # the product name, also in code comments
                continue
            text = t(f"page.{key}", lang)
            assert not re.search(rf"[\"'`]{re.escape(text)}", js), key  # no string literal
            assert text not in template, key
    # Outside tags and placeholders the template has no text of its own.
    assert not re.sub(r"<[^>]*>|\{\{ \w+ \}\}", "", template).strip()


# ---------------------------------------------------------------- the webhook proxy


BAD_BODIES = [
    b"not json",
    b"[]",
    b'"text"',
    b"{}",
    json.dumps({"message": "hallo"}).encode(),
    json.dumps({"sender": "abc"}).encode(),
    json.dumps({"sender": "", "message": "hallo"}).encode(),
    json.dumps({"sender": "a" * 65, "message": "hallo"}).encode(),
    json.dumps({"sender": "a b", "message": "hallo"}).encode(),
    json.dumps({"sender": "abc\n", "message": "hallo"}).encode(),
    json.dumps({"sender": 42, "message": "hallo"}).encode(),
    json.dumps({"sender": "abc", "message": ""}).encode(),
    json.dumps({"sender": "abc", "message": "   "}).encode(),
    json.dumps({"sender": "abc", "message": "x" * 2001}).encode(),
    json.dumps({"sender": "abc", "message": ["hallo"]}).encode(),
    json.dumps({"sender": "abc", "message": "hallo", "metadata": "de"}).encode(),
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_webhook_rejects_bad_bodies(app: Sanic, body: bytes) -> None:
    _, resp = app.test_client.post(
        "/chat/webhook", content=body, headers={"content-type": "application/json"}
    )
    assert resp.status == 400
    assert resp.json == {"error": "bad_request"}


def test_webhook_requires_a_json_content_type(app: Sanic) -> None:
    body = json.dumps({"sender": "abc", "message": "hallo"}).encode()
    _, resp = app.test_client.post(
        "/chat/webhook", content=body, headers={"content-type": "text/plain"}
    )
    assert resp.status == 400
    assert resp.json == {"error": "bad_request"}


def test_webhook_answers_502_when_rasa_is_unreachable(
    app: Sanic, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "mein Geburtsdatum ist der 3. März 1958"
    with caplog.at_level(logging.DEBUG):
        _, resp = app.test_client.post(
            "/chat/webhook", json={"sender": "abc-DEF_123", "message": secret}
        )
    assert resp.status == 502
    assert resp.json == {"error": "bot_unavailable"}
    assert secret not in caplog.text


def test_webhook_passes_the_turn_through() -> None:
    reply = [
        {"recipient_id": "abc", "text": "Guten Tag!\nWas möchten Sie beantragen?"},
        {"recipient_id": "abc", "custom": {"contract": 1, "lang": "de", "step": "menu"}},
    ]
    turn = {
        "sender": "abc",
        "message": "x" * 2000,
        "metadata": {"language": "de", "application": "wohngeld"},
    }
    with FakeRasa(reply) as rasa:
        app = make_app(rasa.url + "/")
        _, resp = app.test_client.post("/chat/webhook", json=turn)
    assert resp.status == 200
    assert resp.json == reply
    assert rasa.received == [("/webhooks/rest/webhook", turn)]


@pytest.mark.parametrize(("status", "reply"), [(500, {"error": "x"}), (200, {"not": "a list"})])
def test_webhook_answers_502_when_rasa_fails(status: int, reply: Any) -> None:
    with FakeRasa(reply, status=status) as rasa:
        app = make_app(rasa.url)
        _, resp = app.test_client.post("/chat/webhook", json={"sender": "a", "message": "b"})
    assert resp.status == 502
    assert resp.json == {"error": "bot_unavailable"}


# ---------------------------------------------------- a real conversation in a browser


@pytest.mark.browser
def test_browser_conversation(stack: Any) -> None:
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    from playwright.sync_api import expect, sync_playwright

    lang = "de"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 800})
            page.goto(f"{stack.service_url}/?lang={lang}")
            assert page.locator("html").get_attribute("lang") == lang

            # The labelled log exists, and the bot's greeting arrives in it.
            log = page.get_by_role("log", name=t("page.transcript_label", lang), exact=True)
            expect(log).to_have_count(1)
            assert log.get_attribute("role") == "log"
            assert log.get_attribute("aria-label") == t("page.transcript_label", lang)
            bot_messages = log.locator("li.message-bot")
            expect(bot_messages.first).to_be_visible(timeout=60_000)
            for item in log.locator("li").all():
                assert (item.locator(".visually-hidden").first.text_content() or "").strip()

            # Answer choices are real buttons in a group labelled by the question.
            groups = log.locator('[role="group"]')
            expect(groups.first).to_be_visible()
            group = groups.last
            label_id = group.get_attribute("aria-labelledby")
            assert label_id and page.locator(f"#{label_id}").inner_text().strip()
            choice = group.locator("button").first
            assert choice.evaluate("el => el.tagName") == "BUTTON"
            assert choice.get_attribute("type") == "button"

            # Clicking the first choice shows its title as the user's answer; the bot goes on.
            title = choice.inner_text().strip()
            answered = bot_messages.count()
            choice.click()
            expect(log.locator("li.message-user").last).to_contain_text(title)
            expect(bot_messages.nth(answered)).to_be_visible(timeout=30_000)
            expect(choice).to_be_disabled()

            # Typing into the labelled input and pressing Enter keeps the focus there.
            field = page.get_by_label(t("page.input_label", lang), exact=True)
            expect(field).to_be_focused()
            answered = bot_messages.count()
            field.fill("Hilfe")
            field.press("Enter")
            expect(field).to_be_focused()
            expect(field).to_have_value("")
            expect(log.locator("li.message-user").last).to_contain_text("Hilfe")
            expect(bot_messages.nth(answered)).to_be_visible(timeout=30_000)
            expect(field).to_be_focused()

            # Every button is a target of at least 24x24 CSS px (WCAG 2.5.8).
            buttons = page.locator("button")
            assert buttons.count() >= 2
            for index in range(buttons.count()):
                box = buttons.nth(index).bounding_box()
                assert box is not None, f"button {index} is not rendered"
                assert box["width"] >= 24 and box["height"] >= 24, (index, box)
        finally:
            browser.close()
