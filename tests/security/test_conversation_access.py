"""Who may speak for a conversation: only the browser the server gave the id to, a
trusted REST client with the token, and our own Rasa on the internal ports.

Each test here is an attack that worked before the conversation id became a credential.
"""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.error
import urllib.request
import uuid
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import requests
import socketio
from sanic import Sanic

from bot.channels import MAX_MESSAGE_CHARS
from bot.channels.rest import TokenRestInput
from bot.nlg.texts import t
from bot.stack import Stack
from tests.rest import RestCitizen, call, fictional_pdf

TURN_S = 60


class WebCitizen:
    """A browser tab on the socket.io channel, as the chat page talks to it."""

    def __init__(self, client: socketio.AsyncClient) -> None:
        self.client = client
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.session: dict[str, str] = {}
        client.on("bot_uttered", self.messages.put)

    async def say(self, text: str, **metadata: Any) -> dict[str, Any]:
        return await self.client.call(
            "user_uttered", {"message": text, "metadata": metadata}, timeout=TURN_S
        )

    async def state(self) -> dict[str, Any]:
        """The state object of the next bot message that has one."""
        while True:
            message = await asyncio.wait_for(self.messages.get(), TURN_S)
            if "custom" in message:
                return message["custom"]


@asynccontextmanager
async def web_citizen(
    stack: Stack, auth: dict[str, Any] | None = None
) -> AsyncIterator[WebCitizen]:
    client = socketio.AsyncClient()
    citizen = WebCitizen(client)
    await client.connect(stack.rasa_url, transports=["polling"], auth=auth)
    citizen.session = await client.call("session_request", auth or {})
    try:
        yield citizen
    finally:
        await client.eio.disconnect(abort=True)  # not waiting out the open long-poll


def rest_app(monkeypatch: pytest.MonkeyPatch, token: str | None) -> Sanic:
    """Rasa's REST route as our channel mounts it; a refused request never reaches NLU."""
    if token is None:
        monkeypatch.delenv("ANTRAGSLOTSE_REST_TOKEN", raising=False)
    else:
        monkeypatch.setenv("ANTRAGSLOTSE_REST_TOKEN", token)

    async def dialogue(_message: Any) -> None:
        raise AssertionError("a refused request must not reach the dialogue")

    app = Sanic(f"rest_{uuid.uuid4().hex}")
    app.blueprint(TokenRestInput().blueprint(dialogue), url_prefix="/webhooks/rest")
    return app


# ------------------------------------------------------------------------- REST


def test_the_rest_channel_is_off_without_a_configured_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = rest_app(monkeypatch, token=None)
    body = {"sender": "someone", "message": "hallo"}
    _, answer = app.test_client.post("/webhooks/rest/webhook", json=body)
    assert answer.status == 403
    _, health = app.test_client.get("/webhooks/rest/")
    assert health.status == 403


def test_the_rest_channel_wants_its_token_and_a_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    token = "a" * 40
    app = rest_app(monkeypatch, token)
    body = {"sender": "someone", "message": "hallo"}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": token}):
        _, answer = app.test_client.post("/webhooks/rest/webhook", json=body, headers=headers)
        assert answer.status == 401, headers
    bearer = {"Authorization": f"Bearer {token}"}
    for bad in (
        {"message": "hallo", "metadata": {"language": "en"}},
        {"sender": "", "message": "hallo"},
        {"sender": ["x"], "message": "hallo"},
    ):
        _, answer = app.test_client.post("/webhooks/rest/webhook", json=bad, headers=bearer)
        assert answer.status == 400, bad
    assert answer.json["message"] == t("channel.rest_sender", "de")
    _, answer = app.test_client.post("/webhooks/rest/webhook", data="{not json", headers={**bearer})
    assert answer.status == 400


def test_a_second_client_without_the_token_gets_nothing_of_anothers_conversation(
    stack: Stack,
) -> None:
    citizen = RestCitizen(stack)
    citizen.say("/start", language="de", application="wohngeld")
    for token in (None, "guessed-" + "x" * 32):
        status, body = call(
            citizen.url, {"sender": citizen.sender, "message": "/repeat"}, token=token
        )
        assert status == 401
        assert "text" not in json.dumps(body) and "custom" not in json.dumps(body)


# ----------------------------------------------------------------------- socket.io


def test_a_page_cannot_choose_or_adopt_a_conversation_id(stack: Stack) -> None:
    async def attack() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        async with web_citizen(stack) as victim:
            await victim.say("/start", language="de", application="wohngeld")
            seen["victim"] = await victim.state()
            victim_id = seen["victim id"] = victim.session["session_id"]
            for auth in ({"session_id": victim_id}, {"session_id": victim_id, "token": "0" * 64}):
                async with web_citizen(stack, auth) as intruder:
                    seen.setdefault("intruder ids", []).append(intruder.session["session_id"])
                    await intruder.say("/repeat")
                    seen.setdefault("intruder states", []).append(await intruder.state())
            seen["victim heard"] = victim.messages.qsize()
            # The victim's own tab, reconnecting with its token, continues its conversation.
            async with web_citizen(stack, victim.session) as same_tab:
                seen["rejoined"] = same_tab.session["session_id"] == victim_id
                await same_tab.say("/repeat")
                seen["repeated"] = await same_tab.state()
        return seen

    seen = asyncio.run(attack())
    assert seen["victim"]["application"] == "wohngeld"
    assert seen["victim id"] not in seen["intruder ids"]
    assert len(set(seen["intruder ids"])) == 2
    assert seen["victim heard"] == 0, "nothing the intruders said reached the victim's page"
    # The intruders got fresh conversations: no application, no field of the victim's.
    for state in seen["intruder states"]:
        assert state.get("application") is None and state["step"] != "ask"
    assert seen["rejoined"] and seen["repeated"]["application"] == "wohngeld"


def test_an_upload_needs_the_conversations_token(stack: Stack) -> None:
    async def conversation() -> dict[str, str]:
        async with web_citizen(stack) as citizen:
            return citizen.session

    session = asyncio.run(conversation())
    url = f"{stack.service_url}/chat/upload"
    files = {"file": ("mietvertrag.pdf", fictional_pdf(), "application/pdf")}
    form = {"sender": session["session_id"], "document": "rental_contract", "lang": "en"}
    for token in (None, "f" * 64):
        refused = requests.post(url, data={**form, "token": token}, files=files, timeout=30)
        assert refused.status_code == 403
        assert refused.json()["message"] == t("channel.upload_forbidden", "en")
    accepted = requests.post(url, data={**form, "token": session["token"]}, files=files, timeout=30)
    assert accepted.status_code == 201


# ----------------------------------------------------------------- oversized, odd input


def test_a_huge_message_gets_a_localized_refusal_on_every_channel(stack: Stack) -> None:
    huge = "Zyxwvu " * (1_500_000 // 7)
    status, body = call(
        RestCitizen(stack).url,
        {"sender": uuid.uuid4().hex, "message": huge, "metadata": {"language": "en"}},
        token=stack.rest_token,
    )
    assert status == 413
    assert body["message"] == t("channel.message_too_long", "en", max=MAX_MESSAGE_CHARS)

    async def web() -> dict[str, Any]:
        async with web_citizen(stack) as citizen:
            return await citizen.say("x" * (MAX_MESSAGE_CHARS + 1), language="uk")

    refused = asyncio.run(web())
    assert refused["ok"] is False
    assert refused["message"] == t("channel.message_too_long", "uk", max=MAX_MESSAGE_CHARS)


@pytest.mark.parametrize(
    "metadata",
    [{"application": [1]}, {"application": {"a": 1}, "language": 5}, {"language": ["de"]}],
)
def test_odd_metadata_gets_the_normal_welcome(stack: Stack, metadata: dict[str, Any]) -> None:
    status, messages = call(
        RestCitizen(stack).url,
        {"sender": uuid.uuid4().hex, "message": "/start", "metadata": metadata},
        token=stack.rest_token,
    )
    assert status == 200
    states = [m["custom"] for m in messages if "custom" in m]
    assert [s["step"] for s in states] == ["menu"]

    async def web() -> dict[str, Any]:
        async with web_citizen(stack) as citizen:
            await citizen.say("/start", **metadata)
            return await citizen.state()

    assert asyncio.run(web())["step"] == "menu"


# ------------------------------------------------------------------ internal ports


def outside_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET: nothing is sent
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_the_action_server_and_nlg_answer_only_our_rasa(stack: Stack) -> None:
    body = json.dumps({"next_action": "action_step", "tracker": {}}).encode()
    for url in (f"{stack.action_url}/webhook", f"{stack.backoffice_url}/nlg"):
        for token in (None, "wrong"):
            status, answer = call(url, json.loads(body), token=token)
            assert status == 401, url
            assert "text" not in json.dumps(answer)
    # With the secret the NLG endpoint renders, so the secret is what was missing.
    status, rendered = call(
        f"{stack.backoffice_url}/nlg",
        {"response": "utter_turn", "arguments": {"parts": [], "state": {}}},
        token=stack.internal_token,
    )
    assert status == 200 and rendered["custom"]["step"] == "info"

    # A deflate bomb (100 MB of zeros in 100 kB) is refused, not inflated.
    bomb = zlib.compress(b"0" * 100_000_000)
    request = urllib.request.Request(
        f"{stack.action_url}/webhook",
        bomb,
        {
            "Content-Encoding": "deflate",
            "Content-Type": "application/json",
            "Authorization": f"Bearer {stack.internal_token}",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413

    address = outside_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    for port in (stack.action_port, stack.rasa_port, stack.service_port):
        with socket.socket() as probe, pytest.raises(OSError):
            probe.settimeout(2)
            probe.connect((address, port))


def test_a_trusted_front_end_names_its_citizens_for_the_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One front end serves many citizens from one address: the resume-code limits must
    count each of them, never the raw name, and a page can never set the key itself."""
    monkeypatch.setenv("ANTRAGSLOTSE_REST_TOKEN", "b" * 40)
    heard: list[dict[str, Any]] = []

    async def dialogue(message: Any) -> None:
        heard.append(message.metadata)

    app = Sanic(f"rest_{uuid.uuid4().hex}")
    app.blueprint(TokenRestInput().blueprint(dialogue), url_prefix="/webhooks/rest")
    bearer = {"Authorization": "Bearer " + "b" * 40}
    for client in ("citizen-a", "citizen-b", None):
        metadata = {"language": "de", **({"client": client} if client else {})}
        body = {"sender": uuid.uuid4().hex, "message": "hallo", "metadata": metadata}
        _, answer = app.test_client.post("/webhooks/rest/webhook", json=body, headers=bearer)
        assert answer.status == 200
    keys = [m["client"] for m in heard]
    assert len(set(keys)) == 3 and not {"citizen-a", "citizen-b"} & set(keys)
    assert all(m["language"] == "de" for m in heard)
