"""Turns through the Telegram channel next to the REST channel, in one run (issue 15).

One stack, with its Telegram channel pointed at the strict fake of the Bot API
(tests/fake_telegram.py). The same Grundsicherung answers go turn by turn to a
REST conversation and to a Telegram chat, alternating, so both see the same
machine load. A Telegram turn is the webhook call until its 200, which Rasa gives
after the answer is sent; the fake's own time for the calls of that turn is
subtracted. Also counted: Bot API calls per turn.

    .venv/bin/python bench/messenger.py [--turns 200]
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.turn_latency import bench_stack, percentile, timed_post  # noqa: E402
from bot.channels.telegram import SECRET_HEADER, WEBHOOK_PATH  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402
from tests.scripts import GRUNDSICHERUNG_DE  # noqa: E402


def answers(turns: int) -> list[str]:
    """Whole applications, one after the other, until `turns` messages."""
    one = ["/start", '/choose_application{"application":"grundsicherung"}']
    one += [answer for _, answer in GRUNDSICHERUNG_DE] + ["/cancel", "/affirm"]
    return (one * (turns // len(one) + 1))[:turns]


def telegram_turn(url: str, secret: str, user_id: int, text: str) -> float:
    update = {
        "update_id": secrets.randbelow(2**31),
        "message": {
            "message_id": 1,
            "from": {"id": user_id, "is_bot": False, "first_name": "B", "language_code": "de"},
            "chat": {"id": user_id, "type": "private"},
            "date": int(time.time()),
            "text": text,
        },
    }
    headers = {"Content-Type": "application/json", SECRET_HEADER: secret}
    request = urllib.request.Request(url, json.dumps(update).encode(), headers)
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
    return (time.perf_counter() - began) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args()
    telegram = FakeTelegram(f"1:{secrets.token_urlsafe(16)}").start()
    secret = secrets.token_urlsafe(16)
    channel = {
        "ANTRAGSLOTSE_TELEGRAM_TOKEN": telegram.token,
        "ANTRAGSLOTSE_TELEGRAM_SECRET": secret,
        "ANTRAGSLOTSE_TELEGRAM_API_URL": telegram.url,
    }
    try:
        with bench_stack(**channel) as stack:
            rest_url = f"{stack.rasa_url}/webhooks/rest/webhook"
            hook = f"{stack.rasa_url}{WEBHOOK_PATH}"
            rest_ms, telegram_ms, calls = [], [], []
            for text in answers(args.turns):
                rest_ms.append(timed_post(rest_url, "bench-rest", text, stack.rest_token))
                before, fake_before = len(telegram.calls), telegram.busy_seconds
                took = telegram_turn(hook, secret, 4242, text)
                telegram_ms.append(took - (telegram.busy_seconds - fake_before) * 1000)
                calls.append(len(telegram.calls) - before)
    finally:
        telegram.stop()
    for name, values in (("REST", rest_ms), ("Telegram", telegram_ms)):
        print(
            f"{name:9} turn (n={len(values)}): median {statistics.median(values):6.1f} ms"
            f"  p95 {percentile(values, 0.95):6.1f} ms"
        )
    ratio = statistics.median(telegram_ms) / statistics.median(rest_ms)
    print(f"  Telegram / REST: median {ratio:.2f}")
    print(
        f"Bot API calls per turn: mean {statistics.mean(calls):.2f}, max {max(calls)}"
        f"; violations of the API's rules: {len(telegram.violations)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
