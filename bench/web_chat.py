"""The web chat's speed and weight: a form turn in the chat page (chromium, socket.io,
from Enter to the answer on screen) next to the same turn as a bare REST call, in the
same stack and run; and the bytes a browser loads.

Compare the ratio, not the absolute numbers (this machine is noisy).

    .venv/bin/python bench/web_chat.py [--conversations 5]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.turn_latency import bench_stack, percentile, rest_form_turns  # noqa: E402
from bot.stack import Stack  # noqa: E402
from tests.scripts import GRUNDSICHERUNG_DE  # noqa: E402
from tests.web_chat import CHROMIUM, CHROMIUM_ARGS, bot_messages, wait_for_bot  # noqa: E402

STATIC = Path(__file__).resolve().parents[1] / "bot" / "channels" / "static"
PAGE_ASSETS = ("chat.js", "chat.css", "vendor/socket.io.min.js")
WIDGET_ASSETS = ("widget.js", "widget.css")


def browser_turns(stack: Stack, conversations: int) -> list[float]:
    """Milliseconds from pressing Enter in the chat page to the bot's message on screen."""
    timings: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(conversations):
            page = browser.new_context().new_page()
            page.goto(f"{stack.service_url}/chat?lang=de&application=grundsicherung")
            wait_for_bot(page, 1)
            for _, answer in GRUNDSICHERUNG_DE:
                before = bot_messages(page)
                page.locator("#message").fill(answer)
                began = time.perf_counter()
                page.locator("#message").press("Enter")
                wait_for_bot(page, before + 1)
                timings.append((time.perf_counter() - began) * 1000)
            page.context.close()
        browser.close()
    return timings


def weight(names: tuple[str, ...]) -> tuple[int, int]:
    raw = [(STATIC / name).read_bytes() for name in names]
    return sum(map(len, raw)), sum(len(gzip.compress(data)) for data in raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=5)
    args = parser.parse_args()
    with bench_stack() as stack:
        rest_form_turns(stack, 1)  # warm-up: model loaded, caches filled
        rest = rest_form_turns(stack, args.conversations)
        browser = browser_turns(stack, args.conversations)
    print(f"form turns, Grundsicherung example, {args.conversations} conversations each")
    print(f"{'channel':<10} {'turns':>6} {'median ms':>10} {'p95 ms':>8}")
    rows = (("REST call", rest), ("web chat", browser))
    for name, values in rows:
        print(
            f"{name:<10} {len(values):>6} {statistics.median(values):>10.1f} "
            f"{percentile(values, 0.95):>8.1f}"
        )
    ratio = statistics.median(browser) / statistics.median(rest)
    print(f"median web chat (socket.io, Enter to message on screen) / REST call: {ratio:.2f}")
    for label, names in (("chat page assets", PAGE_ASSETS), ("widget assets", WIDGET_ASSETS)):
        raw, packed = weight(names)
        print(f"{label}: {raw / 1024:.1f} KiB, {packed / 1024:.1f} KiB gzip")


if __name__ == "__main__":
    main()
