"""Form turns over the REST channel, next to a plain `rasa init` bot (issue 14's targets).

Both bots run in this script, one after the other, on this machine; compare the
ratios, not the absolute numbers:

- one conversation at a time: median and p95 of a turn (target ≤ 1.3× and ≤ 1.5×);
- flat: turns 141–150 of one 150-turn conversation against its turns 1–10 (≤ 1.2×);
- 20 conversations at once, each answering as soon as it is answered: answers per
  second (≥ 0.8× the `rasa init` bot's), p95 and errors.

    .venv/bin/python bench/turn_latency.py [--conversations 5] [--parallel 20]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.stack import Stack, free_port  # noqa: E402
from tests.scripts import GRUNDSICHERUNG_DE  # noqa: E402

RASA = str(Path(sys.executable).parent / "rasa")
BASELINE_TURNS = ["hello", "I am sad", "yes", "hi", "great", "bye"]
FLAT_TURNS = 150
HELP, REPEAT = "Was bedeutet das?", "Nochmal bitte"


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
def bench_stack(**env: str) -> Iterator[Stack]:
    """The whole bot on free ports with its own throw-away state, stopped afterwards;
    `env`: settings besides the state's (a channel to switch on)."""
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
                **env,
            },
            log_dir=Path(var) / "log",
        )
        stack.start()
        try:
            yield stack
        finally:
            stack.stop()


def form_conversation(stack: Stack) -> Callable[[], list[float]]:
    """One Grundsicherung application from its start, milliseconds per REST call."""
    url = f"{stack.rasa_url}/webhooks/rest/webhook"

    def converse() -> list[float]:
        sender = uuid.uuid4().hex
        start = ("/start", {"language": "de", "application": "grundsicherung"})
        turns = [start] + [(answer, {}) for _, answer in GRUNDSICHERUNG_DE]
        return [timed_post(url, sender, text, stack.rest_token, **meta) for text, meta in turns]

    return converse


def rest_form_turns(stack: Stack, conversations: int) -> list[float]:
    """Milliseconds per REST call, for `conversations` runs of the Grundsicherung example."""
    converse = form_conversation(stack)
    return [ms for _ in range(conversations) for ms in converse()]


def long_conversation_turns() -> list[tuple[str, dict[str, str]]]:
    """150 turns of one application: each answer followed by "what does that mean?" and
    "again, please", the last answer (which would submit) left out, then help and repeat."""
    start = [("/start", {"language": "de", "application": "grundsicherung"})]
    asked = [(text, {}) for _, answer in GRUNDSICHERUNG_DE[:-1] for text in (answer, HELP, REPEAT)]
    padding = [(HELP if i % 2 else REPEAT, {}) for i in range(FLAT_TURNS)]
    return (start + asked + padding)[:FLAT_TURNS]


def long_conversation(stack: Stack) -> list[float]:
    """Milliseconds per REST call of `long_conversation_turns`."""
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    sender = uuid.uuid4().hex
    return [
        timed_post(url, sender, text, stack.rest_token, **meta)
        for text, meta in long_conversation_turns()
    ]


def baseline_conversation(port: int) -> Callable[[], list[float]]:
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"

    def converse() -> list[float]:
        sender = uuid.uuid4().hex
        rounds = len(GRUNDSICHERUNG_DE) // len(BASELINE_TURNS) + 1
        return [timed_post(url, sender, text) for _ in range(rounds) for text in BASELINE_TURNS]

    return converse


def at_once(converse: Callable[[], list[float]], parallel: int) -> dict[str, float]:
    """`parallel` conversations at the same time; answers per second, p95, errors."""
    began = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        futures = [pool.submit(converse) for _ in range(parallel)]
    seconds = time.perf_counter() - began
    timings = [ms for f in futures if f.exception() is None for ms in f.result()]
    errors = sum(f.exception() is not None for f in futures)
    return {
        "answers": len(timings),
        "per_second": len(timings) / seconds,
        "p95": percentile(timings, 0.95) if timings else float("nan"),
        "errors": errors,
    }


@contextmanager
def rasa_init_bot() -> Iterator[int]:
    """A plain `rasa init` bot on a free port: the baseline of every ratio."""
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
            yield port
        finally:
            server.terminate()
            server.wait()
    finally:
        shutil.rmtree(project, ignore_errors=True)


def figures(timings: list[float]) -> str:
    return f"median {statistics.median(timings):7.1f} ms  p95 {percentile(timings, 0.95):7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=5)
    parser.add_argument("--parallel", type=int, default=20)
    args = parser.parse_args()
    with bench_stack() as stack:
        ours = rest_form_turns(stack, args.conversations)
        flat = long_conversation(stack)
        ours_at_once = at_once(form_conversation(stack), args.parallel)
    with rasa_init_bot() as port:
        converse = baseline_conversation(port)
        base = [ms for _ in range(args.conversations) for ms in converse()]
        base_at_once = at_once(converse, args.parallel)

    print(f"form turn, one at a time (n={len(ours)}):  {figures(ours)}")
    print(f"rasa init bot turn (n={len(base)}):        {figures(base)}")
    median = statistics.median(ours) / statistics.median(base)
    p95 = percentile(ours, 0.95) / percentile(base, 0.95)
    print(f"  ratio: median {median:.2f} (target <= 1.3), p95 {p95:.2f} (target <= 1.5)")
    early, late = statistics.median(flat[:10]), statistics.median(flat[-10:])
    print(
        f"flat: turns 1-10 median {early:.1f} ms, turns {len(flat) - 9}-{len(flat)}"
        f" median {late:.1f} ms, ratio {late / early:.2f} (target <= 1.2)"
    )
    for name, run in (("form bot", ours_at_once), ("rasa init bot", base_at_once)):
        print(
            f"{args.parallel} at once, {name}: {run['per_second']:.1f} answers/s,"
            f" p95 {run['p95']:.0f} ms, {run['errors']:.0f} errors"
        )
    share = ours_at_once["per_second"] / base_at_once["per_second"]
    print(f"  throughput ratio {share:.2f} (target >= 0.8)")


if __name__ == "__main__":
    main()
