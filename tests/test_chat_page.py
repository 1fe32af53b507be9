"""The chat page and widget script as the service serves them (no browser here; the
browser tests are in test_web_chat.py)."""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic

from bot.channels.chat_page import (
    CHROME_TEXT_KEYS,
    HTML_TEXT_KEYS,
    SCRIPT_TEXT_KEYS,
    WIDGET_TEXT_KEYS,
    chat_page_blueprint,
    negotiate_language,
    page_languages,
)
from bot.channels.colours import contrast_with_white, usable_accent
from bot.languages import text_direction
from bot.nlg.texts import t

STATIC_DIR = Path(__file__).resolve().parents[1] / "bot" / "channels" / "static"
SOCKET_URL = "http://127.0.0.1:5005"


def make_app() -> Sanic:
    app = Sanic(f"chat_page_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(chat_page_blueprint(SOCKET_URL))
    return app


def get_page(app: Sanic, path: str = "/", **headers: str) -> tuple[Any, str]:
    _, resp = app.test_client.get(path, headers=headers)
    return resp, resp.text


def script_blob(page: str, element_id: str) -> Any:
    match = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', page, re.S
    )
    assert match, f"no #{element_id} JSON blob"
    return json.loads(match.group(1))


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
    assert f'<title data-text="title">{html.escape(t("page.title", lang))}</title>' in page
    for key in HTML_TEXT_KEYS:
        assert html.escape(t(f"page.{key}", lang)) in page, key
    # The transcript exists before the first message, labelled, with an empty list.
    assert re.search(
        r'<div id="log" class="log" role="log" '
        rf'aria-label="{re.escape(html.escape(t("page.transcript_label", lang)))}"',
        page,
    )
    assert '<ol id="messages" class="messages"></ol>' in page
    assert 'role="status"' in page and 'role="alert"' in page
    label = html.escape(t("page.input_label", lang))
    assert f'data-text="input_label">{label}</label>' in page
    # Help, a person, language and text size: the same buttons at the same place.
    for key in ("help_button", "human_button", "language_button", "text_smaller", "text_larger"):
        assert f'data-text="{key}">{html.escape(t(f"page.{key}", lang))}</button>' in page


def test_texts_for_the_script_come_from_the_locale_files(app: Sanic) -> None:
    _, page = get_page(app, "/?lang=de")
    texts = script_blob(page, "texts")
    # Every page language, so the page can follow a language switch in the chat.
    assert sorted(texts) == sorted(page_languages())
    for lang, values in texts.items():
        expected = {k: t(f"page.{k}", lang) for k in (*CHROME_TEXT_KEYS, *SCRIPT_TEXT_KEYS)}
        assert values == {"dir": text_direction(lang), **expected}
    for lang in ("de", "ar"):
        _, page = get_page(app, f"/?lang={lang}&embed=1")
        assert script_blob(page, "config") == {
            "lang": lang,
            "dir": text_direction(lang),
            "socketUrl": SOCKET_URL,
            "uploadUrl": "/chat/upload",
            "application": None,
            "embed": True,
            "accent": None,
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


def test_every_language_is_offered_in_its_own_language(app: Sanic) -> None:
    _, page = get_page(app, "/?lang=de&application=wohngeld")
    for lang in page_languages():
        pressed = "true" if lang == "de" else "false"
        assert (
            f'data-language="{lang}" aria-pressed="{pressed}" lang="{lang}" '
            f'dir="{text_direction(lang)}">{html.escape(t("page.language_name", lang))}</button>'
        ) in page
    assert script_blob(page, "config")["application"] == "wohngeld"


@pytest.mark.parametrize(
    ("accent", "expected"),
    [("005ca9", "#005ca9"), ("#0B4F8A", "#0b4f8a"), ("ffd700", None), ("red", None), ("", None)],
)
def test_a_brand_colour_is_used_only_with_readable_white_text(
    app: Sanic, accent: str, expected: str | None
) -> None:
    assert usable_accent(accent) == expected
    _, page = get_page(app, f"/?accent={accent.replace('#', '%23')}")
    assert script_blob(page, "config")["accent"] == expected


def test_contrast_formula_matches_wcag_reference_values() -> None:
    assert round(contrast_with_white("000000"), 1) == 21.0
    assert round(contrast_with_white("767676"), 2) == 4.54  # the classic AA grey
    assert round(contrast_with_white("ffffff"), 1) == 1.0


def test_deep_link_parameter_is_validated(app: Sanic) -> None:
    _, page = get_page(app, "/?lang=de&application=%3C%2Fscript%3E")
    assert script_blob(page, "config")["application"] is None
    assert "</script>" not in page.split('id="config">')[1].split("</script>")[0]


def test_page_loads_nothing_from_other_sites(app: Sanic) -> None:
    resp, page = get_page(app, "/")
    assert not re.search(r'(src|href)="(https?:)?//', page)
    policy = resp.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "connect-src 'self' http://127.0.0.1:5005 ws://127.0.0.1:5005;" in policy
    assert policy.endswith("frame-ancestors 'self'")
    for asset in ("chat.css", "chat.js", "widget.js", "widget.css"):
        assert "http://" not in (STATIC_DIR / asset).read_text(encoding="utf-8")
        assert "https://" not in (STATIC_DIR / asset).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("asset", "mime"),
    [
        ("chat.js", "javascript"),
        ("chat.css", "text/css"),
        ("vendor/socket.io.min.js", "javascript"),
    ],
)
def test_assets_are_served(app: Sanic, asset: str, mime: str) -> None:
    _, page = get_page(app, "/")
    url = re.search(rf'"(/static/{re.escape(asset)}\?v=\w+)"', page).group(1)
    _, resp = app.test_client.get(url)
    assert resp.status == 200
    assert mime in resp.headers["content-type"]
    assert resp.body == (STATIC_DIR / asset).read_bytes()


def test_widget_script_carries_the_texts_of_every_language(app: Sanic) -> None:
    _, resp = app.test_client.get("/widget.js")
    assert resp.status == 200
    assert "javascript" in resp.headers["content-type"]
    blob = re.search(r"var TEXTS = (\{.*?\});\n", resp.text).group(1)
    texts = json.loads(blob)
    assert sorted(texts) == sorted(page_languages())
    assert texts["ar"] == {"dir": "rtl", **{k: t(f"page.{k}", "ar") for k in WIDGET_TEXT_KEYS}}


def test_script_holds_no_user_facing_german_or_english_words() -> None:
    """Texts live in locales/: spot-check that none of them is copied into the assets."""
    js = "".join((STATIC_DIR / n).read_text(encoding="utf-8") for n in ("chat.js", "widget.js"))
    template = (STATIC_DIR / "chat.html").read_text(encoding="utf-8")
    for lang in ("de", "en"):
        for key in SCRIPT_TEXT_KEYS + HTML_TEXT_KEYS + WIDGET_TEXT_KEYS:
            if key == "heading":  # the product name, also in code comments
                continue
            text = t(f"page.{key}", lang)
            assert not re.search(rf"[\"'`]{re.escape(text)}", js), key  # no string literal
            assert text not in template, key
    # Outside tags and placeholders the template has no text of its own.
    assert not re.sub(r"<[^>]*>|\{\{ \w+ \}\}", "", template).strip()
