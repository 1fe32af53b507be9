"""Helpers for the browser tests of the web chat (test_web_chat.py): launching Debian's
chromium, driving the page, axe-core, the live-region recorder."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Frame, Page

ROOT = Path(__file__).resolve().parents[1]
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
AXE_JS = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARTIFACTS = ROOT / "artifacts" / "web-chat"
STORAGE_PREFIX = "antragslotse.chat.v2:"
TURN_TIMEOUT_MS = 30_000

# Records every piece of text added to a live region, in order: what a screen reader
# would be told. Installed before the page's own scripts run.
RECORDER_JS = """
(() => {
  window.__announced = [];
  const LIVE = '[role=log],[role=status],[role=alert],[aria-live]';
  const record = (mutations) => {
    for (const m of mutations) {
      const region = (m.target.nodeType === 1 ? m.target : m.target.parentElement)
        ?.closest(LIVE);
      if (!region) continue;
      const role = region.getAttribute('role') || 'live';
      for (const node of m.addedNodes) {
        const text = (node.textContent || '').trim();
        if (text) window.__announced.push({role, text});
      }
    }
  };
  new MutationObserver(record).observe(document, {childList: true, subtree: true});
})();
"""


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} missing: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} missing: run `make test` (it runs npm ci in web/)")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core with the WCAG 2.0/2.1/2.2 A and AA tags, in the page and each of its frames."""
    source = AXE_JS.read_text(encoding="utf-8")
    found: list[dict[str, Any]] = []
    for frame in page.frames:
        if not frame.url.startswith("http"):
            continue
        frame.evaluate(source)
        found += frame.evaluate(
            """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, iframes: false})
                .then(r => r.violations.map(v => ({
                  id: v.id, help: v.help,
                  nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))""",
            AXE_TAGS,
        )
    return found


# WCAG 1.4.11: the border that shows where a control is must reach 3:1 against the page.
LOW_CONTRAST_BORDERS_JS = """() => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05); };
  const page = getComputedStyle(document.body).backgroundColor;
  return [...document.querySelectorAll('button, input')]
    .filter(e => e.offsetParent !== null && !e.disabled && e.type !== 'file')
    .map(e => [e, getComputedStyle(e)])
    .filter(([e, s]) => parseFloat(s.borderTopWidth) > 0 && ratio(s.borderTopColor, page) < 3)
    .map(([e, s]) => `${e.id || e.textContent.trim().slice(0, 30)}: ${s.borderTopColor}`);
}"""


def low_contrast_borders(page: Page) -> list[str]:
    return page.evaluate(LOW_CONTRAST_BORDERS_JS)


def widget_frame(page: Page) -> Frame:
    """The chat inside the widget's iframe on a city's page."""
    frame = page.locator("iframe").element_handle().content_frame()
    assert frame is not None
    return frame


def bot_messages(frame: Frame | Page) -> int:
    return frame.locator(".message-bot").count()


def wait_for_bot(frame: Frame | Page, count: int, timeout_ms: int = TURN_TIMEOUT_MS) -> None:
    frame.wait_for_function(
        "n => document.querySelectorAll('.message-bot').length >= n", arg=count, timeout=timeout_ms
    )


def state(frame: Frame | Page) -> dict[str, Any]:
    """The `custom` state of the last turn, as the page stored it."""
    stored = frame.evaluate(
        """prefix => Object.keys(sessionStorage).filter(k => k.startsWith(prefix))
                .map(k => sessionStorage.getItem(k))""",
        STORAGE_PREFIX,
    )
    assert len(stored) == 1, stored
    return json.loads(stored[0])["state"] or {}


def say(frame: Frame | Page, text: str) -> dict[str, Any]:
    """Type an answer, send it, wait for the bot's answer; the new state."""
    before = bot_messages(frame)
    frame.locator("#message").fill(text)
    frame.locator("#message").press("Enter")
    wait_for_bot(frame, before + 1)
    return state(frame)


def open_chat(browser: Browser, url: str, **context: Any) -> Page:
    """A fresh browser context (no stored conversation) at the chat page, first answer in."""
    page = browser.new_context(**context).new_page()
    page.add_init_script(RECORDER_JS)
    page.goto(url)
    wait_for_bot(page, 1)
    return page


def focused(frame: Frame | Page) -> str:
    """The focused element of this document: `TAG#id`, else `TAG.class`."""
    return frame.evaluate(
        """() => { const a = document.activeElement;
                   if (!a) return 'none';
                   if (a.id) return a.tagName + '#' + a.id;
                   return a.tagName + (a.className ? '.' + String(a.className).split(' ')[0] : '');
                 }"""
    )


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


CITY_PAGE = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Beispielstadt: Wohngeld</title></head>
<body>
<header><a href="#inhalt" id="city-first">Zum Inhalt</a></header>
<main id="inhalt"><h1>Wohngeld (fiktive Seite einer Stadt)</h1>
<p><a href="#formulare" id="city-forms">Formulare</a> <a href="#kontakt">Kontakt</a></p></main>
<script src="%(service)s/widget.js" defer data-lang="%(lang)s" %(extra)s></script>
</body></html>
"""


@contextmanager
def city_website(port: int, service_url: str) -> Iterator[str]:
    """A city's own page on another origin, with the widget's one script tag."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            query = dict(re.findall(r"(\w+)=([\w-]+)", self.path.partition("?")[2]))
            extra = " ".join(
                f'data-{name}="{query[name]}"' for name in ("application", "color") if name in query
            ).replace('data-color="', 'data-color="#')
            body = CITY_PAGE % {
                "service": service_url,
                "lang": query.get("lang", "de"),
                "extra": extra,
            }
            data = body.encode()
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.shutdown()
        server.server_close()
