"""Property-based fuzzing of every input from outside, against the whole running bot.

Generated inputs (hypothesis) go to Rasa's REST channel, the socket.io channel, the
upload endpoint and the inbox API; the property is "no server error": no 5xx, every
socket.io call acknowledged, and no traceback in any log afterwards.

    .venv/bin/python bench/fuzz.py [--examples 2500]   # per surface; 4 surfaces

Prints the number of inputs per surface, the answers' status codes and the failures.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.turn_latency import bench_stack  # noqa: E402
from bot.stack import Stack  # noqa: E402

TIMEOUT_S = 60

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=8,
)
words = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["/start", "/repeat", "ja", "nein", "Wohngeld", "/pause", "hallo"]),
    st.text(min_size=1900, max_size=2100),
)
odd = st.one_of(words, json_values)
odd_bodies = st.fixed_dictionaries(
    {},
    optional={
        "sender": st.one_of(st.uuids().map(lambda u: u.hex), odd),
        "message": st.one_of(words, odd),
        "metadata": st.one_of(
            st.fixed_dictionaries(
                {}, optional={"language": odd, "application": odd, "reason": odd}
            ),
            odd,
        ),
    },
)
# Half the inputs are well-formed turns, so the fuzzing also reaches NLU and the dialogue.
turn_bodies = st.fixed_dictionaries(
    {"sender": st.uuids().map(lambda u: u.hex), "message": words},
    optional={
        "metadata": st.fixed_dictionaries(
            {},
            optional={
                "language": st.sampled_from(["de", "en", "ar", "uk", "xx"]) | odd,
                "application": st.sampled_from(["wohngeld", "asylblg", "none"]) | odd,
            },
        )
    },
)
chat_bodies = st.one_of(turn_bodies, odd_bodies)


class Tally:
    """What each surface answered, and what counts as a failure."""

    def __init__(self) -> None:
        self.inputs: collections.Counter[str] = collections.Counter()
        self.answers: dict[str, collections.Counter[str]] = collections.defaultdict(
            collections.Counter
        )
        self.failures: list[str] = []

    def saw(self, surface: str, answer: str, failed: bool = False) -> None:
        self.inputs[surface] += 1
        self.answers[surface][answer] += 1
        if failed:
            self.failures.append(f"{surface}: {answer}")


def fuzz(examples: int, strategy: st.SearchStrategy[Any], check: Callable[[Any], None]) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(value: Any) -> None:
        check(value)

    run()


def fuzz_rest(stack: Stack, tally: Tally, examples: int) -> None:
    url = f"{stack.rasa_url}/webhooks/rest/webhook"

    def check(case: tuple[Any, bool]) -> None:
        body, with_token = case
        headers = {"Authorization": f"Bearer {stack.rest_token}"} if with_token else {}
        answer = requests.post(url, json=body, headers=headers, timeout=TIMEOUT_S)
        tally.saw("rest", str(answer.status_code), answer.status_code >= 500)

    fuzz(examples, st.tuples(st.one_of(chat_bodies, json_values), st.booleans()), check)


def fuzz_socket(stack: Stack, tally: Tally, examples: int) -> None:
    async def session() -> socketio.AsyncClient:
        client = socketio.AsyncClient()
        await client.connect(stack.rasa_url, transports=["polling"])
        return client

    loop = asyncio.new_event_loop()
    client = loop.run_until_complete(session())
    events = ["user_uttered", "session_request", "session_extend"]

    def check(case: tuple[str, Any]) -> None:
        event, data = case
        try:
            ack = loop.run_until_complete(client.call(event, data, timeout=TIMEOUT_S))
            tally.saw("socket.io", f"{event} ok={ack.get('ok', '-')}", not isinstance(ack, dict))
        except socketio.exceptions.TimeoutError:
            tally.saw("socket.io", f"{event} no acknowledgement", True)

    fuzz(examples, st.tuples(st.sampled_from(events), st.one_of(chat_bodies, odd)), check)
    loop.run_until_complete(client.eio.disconnect(abort=True))
    loop.close()


def fuzz_uploads(stack: Stack, tally: Tally, examples: int) -> None:
    url = f"{stack.service_url}/chat/upload"
    fields = st.one_of(
        st.fixed_dictionaries(
            {
                "sender": st.uuids().map(lambda u: u.hex),
                "document": st.sampled_from(["rental_contract", "benefit_notice", "x"]),
            },
            optional={"lang": st.sampled_from(["de", "fa", "zz"]) | st.text(max_size=8)},
        ),
        st.dictionaries(
            st.sampled_from(["sender", "token", "document", "lang", "other"]),
            st.text(max_size=80),
        ),
    )
    files = st.one_of(
        st.binary(max_size=2048),
        st.binary(max_size=512).map(lambda b: b"%PDF-1.4\n" + b + b"\n%%EOF"),
        st.binary(max_size=512).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),
    )

    def check(case: tuple[dict[str, str], bytes, bool]) -> None:
        form, data, with_token = case
        headers = {"Authorization": f"Bearer {stack.rest_token}"} if with_token else {}
        answer = requests.post(
            url, data=form, files={"file": ("x", data)}, headers=headers, timeout=TIMEOUT_S
        )
        tally.saw("upload", str(answer.status_code), answer.status_code >= 500)

    fuzz(examples, st.tuples(fields, files, st.booleans()), check)


def fuzz_inbox(stack: Stack, tally: Tally, examples: int) -> None:
    base = f"{stack.backoffice_url}/backoffice/api"
    auth = {"Authorization": f"Bearer {stack.token}"}
    params = st.dictionaries(
        st.sampled_from(["status", "application", "since", "limit", "reference", "other"]),
        st.text(max_size=40),
    )
    paths = st.one_of(
        st.just("/submissions"),
        st.text(max_size=30).map(lambda r: f"/submissions/{requests.utils.quote(r, safe='')}"),
        st.text(max_size=30).map(lambda r: f"/submissions/WI-2026-{requests.utils.quote(r)}/pdf"),
        st.just("/audit"),
    )

    def check(case: tuple[str, str, dict[str, str], Any]) -> None:
        method, path, query, body = case
        if method == "POST":
            path = f"{path}/status"
        answer = requests.request(
            method,
            base + path,
            params=query,
            data=json.dumps(body) if method == "POST" else None,
            headers=auth,
            timeout=TIMEOUT_S,
        )
        tally.saw("inbox", f"{method} {answer.status_code}", answer.status_code >= 500)

    methods = st.sampled_from(["GET", "GET", "POST"])
    fuzz(examples, st.tuples(methods, paths, params, json_values), check)


def tracebacks(stack: Stack) -> int:
    return sum(
        path.read_text("utf-8", "replace").count("Traceback")
        for path in stack.log_dir.glob("*.log*")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2500, help="per surface")
    args = parser.parse_args()
    tally = Tally()
    began = time.monotonic()
    with bench_stack() as stack:
        for surface in (fuzz_rest, fuzz_socket, fuzz_uploads, fuzz_inbox):
            surface(stack, tally, args.examples)
        time.sleep(2)  # the log pumps write each line as it comes
        traced = tracebacks(stack)
    print(f"inputs: {sum(tally.inputs.values())} in {time.monotonic() - began:.0f} s")
    for surface, count in tally.inputs.items():
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(tally.answers[surface].items()))
        print(f"  {surface:10} {count:6}   {answers}")
    print(f"server errors: {len(tally.failures)}   tracebacks in logs: {traced}")
    for failure in tally.failures[:20]:
        print("  ", failure)
    sys.exit(1 if tally.failures or traced else 0)


if __name__ == "__main__":
    main()
