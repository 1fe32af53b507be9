"""Where the time of a form turn goes: NLU, policy, action call, NLG call, tracker store.

Rasa runs inside this script (the same model, endpoints and tracker store as
`make run`), talking to a real action server and NLG endpoint started beside it;
each part is timed around Rasa's own methods. The 150-turn conversation of
`bench/turn_latency.py` is measured twice: reading only the session's tail (as
the bot does) and, for comparison, the whole session (as Rasa's own store does).

    .venv/bin/python bench/turn_breakdown.py
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cold_start import cpu_seconds  # noqa: E402
from bench.turn_latency import bench_stack, long_conversation_turns  # noqa: E402
from bot import tracker_store  # noqa: E402
from bot.stack import MODEL, Stack  # noqa: E402

PARTS = ("NLU", "policy", "action call", "NLG call", "tracker read", "tracker write")
CPU = ("cpu rasa", "cpu actions", "cpu service")  # the service answers the NLG calls
spent: dict[str, float] = defaultdict(float)


def timed(part: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` with its wall time added to `spent[part]` (coroutines awaited)."""
    if asyncio.iscoroutinefunction(function):

        @wraps(function)
        async def timed_coroutine(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                spent[part] += time.perf_counter() - began

        return timed_coroutine

    @wraps(function)
    def timed_call(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[part] += time.perf_counter() - began

    return timed_call


def instrument() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator
    from rasa.core.processor import MessageProcessor

    MessageProcessor.parse_message = timed("NLU", MessageProcessor.parse_message)
    MessageProcessor._predict_next_with_tracker = timed(
        "policy", MessageProcessor._predict_next_with_tracker
    )
    RemoteAction.run = timed("action call", RemoteAction.run)
    CallbackNaturalLanguageGenerator.generate = timed(
        "NLG call", CallbackNaturalLanguageGenerator.generate
    )
    store = tracker_store.EncryptedSQLTrackerStore
    store.retrieve = timed("tracker read", store.retrieve)
    store.save = timed("tracker write", store.save)


def cpu_now(parts: dict[str, int]) -> dict[str, float]:
    return {"cpu rasa": time.process_time()} | {
        f"cpu {n}": cpu_seconds(p) for n, p in parts.items()
    }


async def measure(agent: Any, parts: dict[str, int]) -> list[dict[str, float]]:
    """Per turn: milliseconds per part, the whole turn, and CPU milliseconds of all processes."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    sender, turns = uuid.uuid4().hex, []
    for text, metadata in long_conversation_turns():
        spent.clear()
        cpu_before = cpu_now(parts)
        began = time.perf_counter()
        await agent.handle_message(
            UserMessage(text, CollectingOutputChannel(), sender, metadata=metadata)
        )
        turn = {part: spent[part] * 1000 for part in PARTS}
        turn["turn"] = (time.perf_counter() - began) * 1000
        turn |= {k: (v - cpu_before[k]) * 1000 for k, v in cpu_now(parts).items()}
        turns.append(turn)
    return turns


def report(name: str, turns: list[dict[str, float]]) -> None:
    print(name)
    for label, window in (("turns 1-10", turns[:10]), ("turns 141-150", turns[-10:])):
        cells = "  ".join(
            f"{part} {statistics.median(t[part] for t in window):6.1f}"
            for part in (*PARTS, "turn", *CPU)
        )
        print(f"  {label:14s} median ms: {cells}")
    early = statistics.median(t["turn"] for t in turns[:10])
    late = statistics.median(t["turn"] for t in turns[-10:])
    print(f"  ratio turns 141-150 / 1-10: {late / early:.2f}")


async def run(stack: Stack) -> None:
    from rasa.core.agent import load_agent
    from rasa.core.utils import read_endpoints_from_path
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # As `rasa run` here (INFO at most): at DEBUG Rasa logs every state of the tracker.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    os.environ.update(stack.environment())
    endpoints = read_endpoints_from_path("endpoints.yml")
    agent = await load_agent(model_path=str(MODEL), endpoints=endpoints)
    instrument()
    actions, service = stack.processes[:2]  # Rasa runs in this process here (bot/stack.py)
    parts = {"actions": actions.pid, "service": service.pid}
    await measure(agent, parts)  # warm-up: caches filled, first requests made
    report("reading the session's tail (as the bot does):", await measure(agent, parts))
    whole = tracker_store.TAIL_EVENTS
    tracker_store.TAIL_EVENTS = 10**9
    try:
        report("reading the whole session (Rasa's own way):", await measure(agent, parts))
    finally:
        tracker_store.TAIL_EVENTS = whole


def main() -> None:
    with bench_stack() as stack:
        asyncio.run(run(stack))


if __name__ == "__main__":
    main()
