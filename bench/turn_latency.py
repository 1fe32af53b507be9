"""Latency of one form turn over the REST channel, next to a plain `rasa init` bot.

Both bots run in this script, one after the other, on this machine; compare the
ratio, not the absolute numbers.

    .venv/bin/python bench/turn_latency.py [--conversations 5]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.stack import Stack  # noqa: E402
from tests.scripts import GRUNDSICHERUNG_DE  # noqa: E402

RASA = str(Path(sys.executable).parent / "rasa")
BASELINE_TURNS = ["hello", "I am sad", "yes", "hi", "great", "bye"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed_post(
    url: str, sender: str, message: str, token: str | None = None, **metadata: str
) -> float:
    body = json.dumps({"sender": sender, "message": message, "metadata": metadata}).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, body, headers)
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
    return (time.perf_counter() - began) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@contextmanager
def bench_stack() -> Iterator[Stack]:
    """The whole bot on free ports with its own throw-away state, stopped afterwards."""
    with tempfile.TemporaryDirectory() as var:
        stack = Stack(
            free_port(),
            free_port(),
            free_port(),
            backoffice_port=free_port(),
            env={
                "ANTRAGSLOTSE_VAR_DIR": var,
                "ANTRAGSLOTSE_BACKOFFICE_TOKEN": secrets.token_urlsafe(32),
                "ANTRAGSLOTSE_REST_TOKEN": secrets.token_urlsafe(32),
            },
            log_dir=Path(var) / "log",
        )
        stack.start()
        try:
            yield stack
        finally:
            stack.stop()


def rest_form_turns(stack: Stack, conversations: int) -> list[float]:
    """Milliseconds per REST call, for `conversations` runs of the Grundsicherung example."""
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    timings: list[float] = []
    for _ in range(conversations):
        sender = uuid.uuid4().hex
        timings.append(
            timed_post(
                url, sender, "/start", stack.rest_token, language="de", application="grundsicherung"
            )
        )
        timings += [
            timed_post(url, sender, answer, stack.rest_token) for _, answer in GRUNDSICHERUNG_DE
        ]
    return timings


def form_turns(conversations: int) -> list[float]:
    with bench_stack() as stack:
        return rest_form_turns(stack, conversations)


def baseline_turns(conversations: int) -> list[float]:
    project = Path(tempfile.mkdtemp(prefix="rasa-init-"))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    try:
        subprocess.run(
            [RASA, "init", "--no-prompt", "--init-dir", str(project)],
            cwd=project,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port = free_port()
        server = subprocess.Popen(
            [RASA, "run", "-p", str(port), "-i", "127.0.0.1"],
            cwd=project,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 240
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("rasa init bot did not start") from None
                    time.sleep(0.5)
            url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
            timings: list[float] = []
            for _ in range(conversations):
                sender = uuid.uuid4().hex
                for _ in range(len(GRUNDSICHERUNG_DE) // len(BASELINE_TURNS) + 1):
                    timings += [timed_post(url, sender, text) for text in BASELINE_TURNS]
            return timings
        finally:
            server.terminate()
            server.wait()
    finally:
        shutil.rmtree(project, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=5)
    args = parser.parse_args()
    results = {
        "antragslotse form turn": form_turns(args.conversations),
        "rasa init bot turn": baseline_turns(args.conversations),
    }
    for name, timings in results.items():
        print(
            f"{name:24s} n={len(timings):4d}  median={statistics.median(timings):7.1f} ms"
            f"  p95={percentile(timings, 0.95):7.1f} ms"
        )
    ours, base = (statistics.median(t) for t in results.values())
    print(f"median ratio (ours / rasa init): {ours / base:.2f}")
    turns = len(GRUNDSICHERUNG_DE)
    form = results["antragslotse form turn"]
    early = [t for i, t in enumerate(form) if i % turns < 10]
    late = [t for i, t in enumerate(form) if i % turns >= turns - 10]
    print(
        f"form turns 1-10: median {statistics.median(early):.1f} ms;"
        f" turns {turns - 9}-{turns}: median {statistics.median(late):.1f} ms"
    )


if __name__ == "__main__":
    main()
