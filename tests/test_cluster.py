"""Two instances of every part behind HAProxy, on the machine's PostgreSQL and Redis.

The same commands and settings the container files use (deploy/): `Cluster` is
what `python -m bot.cli run --instances N` starts.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis.asyncio as aioredis
import socketio
import sqlalchemy as sa

from bot.cluster import Cluster
from bot.contracts import payload_problems
from bot.nlg.texts import t
from bot.stack import free_port
from tests.conftest import PG_URL
from tests.rest import RestCitizen, call, wait_for_delivery
from tests.scripts import GRUNDSICHERUNG_DE

pytestmark = pytest.mark.stack


def _unusable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _admin_engine() -> sa.engine.Engine:
    """The test server's maintenance database: creating, dropping and blocking databases."""
    return sa.create_engine(
        sa.engine.make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if shutil.which("haproxy") is None:
        _unusable("HAProxy is not installed (apt-get install haproxy)")
    var = tmp_path_factory.mktemp("cluster-var")
    database = f"antragslotse_test_{uuid.uuid4().hex[:12]}"
    db_url = str(sa.engine.make_url(PG_URL).set(database=database))
    running = Cluster(
        instances=2,
        rasa_port=free_port(),
        action_port=free_port(),
        service_port=free_port(),
        backoffice_port=free_port(),
        env={
            "ANTRAGSLOTSE_VAR_DIR": str(var),
            "ANTRAGSLOTSE_DB_URL": db_url,
            "ANTRAGSLOTSE_BACKOFFICE_TOKEN": secrets.token_urlsafe(32),
            "ANTRAGSLOTSE_REST_TOKEN": secrets.token_urlsafe(32),
        },
        log_dir=var / "log",
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()
        admin = _admin_engine()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.dispose()


def test_what_one_instance_sends_reaches_a_page_connected_to_another(cluster: Cluster) -> None:
    """A time-limit warning is sent by whichever instance holds the timer: Redis carries it."""

    async def talk() -> tuple[dict, dict]:
        messages: asyncio.Queue[dict] = asyncio.Queue()
        client = socketio.AsyncClient()
        client.on("bot_uttered", messages.put)
        await client.connect(cluster.rasa_url, transports=["polling"])  # sticky by address
        issued = await client.call("session_request", {})
        await client.call("user_uttered", {"message": "/start", "metadata": {"language": "de"}})
        answer = await asyncio.wait_for(messages.get(), 30)
        other = socketio.AsyncRedisManager(
            "redis://127.0.0.1:6379/0", channel="antragslotse-socketio", write_only=True
        )
        await other.emit("bot_uttered", {"text": "Noch 2 Minuten"}, room=issued["session_id"])
        pushed = await asyncio.wait_for(messages.get(), 10)
        await client.eio.disconnect(abort=True)  # not waiting out the open long-poll
        return answer, pushed

    answer, pushed = asyncio.run(talk())
    assert answer["custom"]["step"] == "menu"
    assert pushed == {"text": "Noch 2 Minuten"}


@contextmanager
def database_away(db_url: str) -> Iterator[None]:
    """What the parts see while PostgreSQL restarts: their connections cut, new ones refused."""
    name = sa.engine.make_url(db_url).database
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
    try:
        yield
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.dispose()


def test_a_postgresql_restart_asks_to_try_again_and_loses_nothing(cluster: Cluster) -> None:
    citizen = RestCitizen(cluster)
    _, state = citizen.say("/start", language="de", application="grundsicherung")
    half = len(GRUNDSICHERUNG_DE) // 2
    for _, answer in GRUNDSICHERUNG_DE[:half]:
        _, state = citizen.say(answer)
    field, answer = GRUNDSICHERUNG_DE[half]
    assert state["field"] == field
    body = {"sender": citizen.sender, "message": answer, "metadata": {}}
    with database_away(cluster.environment()["ANTRAGSLOTSE_DB_URL"]):
        status, reply = call(citizen.url, body, token=cluster.rest_token)
    texts = [reply["message"]] if status == 503 else [m.get("text") for m in reply]
    assert status in (200, 503)
    assert texts == [t("channel.unavailable", "de")]
    with database_away(cluster.environment()["ANTRAGSLOTSE_DB_URL"]):
        pass  # a restart between two turns: every pooled connection is dead afterwards
    for field, answer in GRUNDSICHERUNG_DE[half:]:  # the same answer again, then the rest
        assert (state["step"], state["field"]) == ("ask", field)
        _, state = citizen.say(answer)
    assert state["step"] == "summary"
    _, state = citizen.say(state["choices"][0]["payload"])
    delivered = wait_for_delivery(cluster, state["reference"])
    assert payload_problems(delivered["payload"]) == []


def test_the_web_chat_asks_to_try_again_while_postgresql_restarts(cluster: Cluster) -> None:
    """Whichever part meets the dead database first (Rasa's tracker store: the refusal comes
    in the acknowledgement and the page keeps the text; the action: as the bot's answer),
    the page shows the localized "try again", and once the database is back the same text
    is answered as usual."""
    url = cluster.environment()["ANTRAGSLOTSE_DB_URL"]
    turn = {"message": "/start", "metadata": {"language": "de"}}

    async def talk() -> tuple[dict, str, dict, dict]:
        messages: asyncio.Queue[dict] = asyncio.Queue()
        client = socketio.AsyncClient()
        client.on("bot_uttered", messages.put)
        await client.connect(cluster.rasa_url, transports=["polling"])
        await client.call("session_request", {})
        with database_away(url):
            refused = await client.call("user_uttered", turn, timeout=60)
            if refused.get("ok"):
                shown = (await asyncio.wait_for(messages.get(), 60))["text"]
            else:
                shown = refused["message"]
        taken = await client.call("user_uttered", turn, timeout=60)
        answer = await asyncio.wait_for(messages.get(), 60)
        await client.disconnect()
        return refused, shown, taken, answer

    refused, shown, taken, answer = asyncio.run(talk())

    assert refused in ({"ok": True}, {"ok": False, "error": "unavailable", "message": shown})
    assert shown == t("channel.unavailable", "de")
    assert taken == {"ok": True}
    assert answer["text"] and answer["text"] != shown


def test_conversations_and_pushed_messages_go_on_after_redis_drops_every_client(
    cluster: Cluster,
) -> None:
    """A Redis restart as the parts see it: the lock store's and socket.io's connections cut."""

    async def talk() -> tuple[dict, dict]:
        messages: asyncio.Queue[dict] = asyncio.Queue()
        client = socketio.AsyncClient()
        client.on("bot_uttered", messages.put)
        await client.connect(cluster.rasa_url, transports=["polling"])
        issued = await client.call("session_request", {})
        await client.call("user_uttered", {"message": "/start", "metadata": {"language": "de"}})
        await asyncio.wait_for(messages.get(), 30)
        redis = aioredis.Redis(host="127.0.0.1", port=6379)
        for kind in ("normal", "pubsub"):
            await redis.execute_command("CLIENT", "KILL", "TYPE", kind)
        await redis.close()
        _, state = await asyncio.to_thread(
            RestCitizen(cluster).say, "/start", language="de", application="wohngeld"
        )
        other = socketio.AsyncRedisManager(
            "redis://127.0.0.1:6379/0", channel="antragslotse-socketio", write_only=True
        )
        for _ in range(20):  # the pub/sub listener reconnects within seconds
            await other.emit("bot_uttered", {"text": "Noch 2 Minuten"}, room=issued["session_id"])
            try:
                pushed = await asyncio.wait_for(messages.get(), 1)
                break
            except asyncio.TimeoutError:
                continue
        else:
            pushed = {}
        await client.eio.disconnect(abort=True)
        return state, pushed

    state, pushed = asyncio.run(talk())
    assert state["step"] == "ask"  # Rasa's lock store took the turn on a new connection
    assert pushed == {"text": "Noch 2 Minuten"}


def _rasa_process(cluster: Cluster, instance: int):  # noqa: ANN202 - a Popen
    processes = cluster.stacks[instance].processes
    return next(p for p in processes if any(Path(str(a)).name == "rasa" for a in p.args))


def test_an_application_survives_a_dead_instance_and_arrives_once(cluster: Cluster) -> None:
    """kill -9 of one Rasa process and one action server between two answers."""
    citizen = RestCitizen(cluster)
    _, state = citizen.say("/start", language="de", application="grundsicherung")
    for number, (field, answer) in enumerate(GRUNDSICHERUNG_DE):
        if number == len(GRUNDSICHERUNG_DE) // 2:
            for process in (_rasa_process(cluster, 0), cluster.stacks[0].processes[0]):
                process.send_signal(signal.SIGKILL)  # Rasa and the action server of instance 0
                process.wait()
        assert (state["step"], state["field"]) == ("ask", field)
        _, state = citizen.say(answer)
    assert state["step"] == "summary"
    _, state = citizen.say(state["choices"][0]["payload"])
    assert state["step"] == "submitted"
    delivered = wait_for_delivery(cluster, state["reference"])
    assert payload_problems(delivered["payload"]) == []
    status, listed = call(
        f"{cluster.backoffice_url}/backoffice/api/submissions", token=cluster.token
    )
    assert status == 200
    references = [s["reference"] for s in listed["items"]]
    assert references.count(state["reference"]) == 1


def test_the_cluster_keeps_its_tracker_on_postgresql(cluster: Cluster) -> None:
    engine = sa.create_engine(cluster.environment()["ANTRAGSLOTSE_TRACKER_DB"])
    with engine.connect() as conn:
        senders = conn.execute(sa.text("SELECT count(DISTINCT sender_id) FROM events")).scalar()
    engine.dispose()
    assert senders >= 2
    assert not any(Path(cluster.environment()["ANTRAGSLOTSE_VAR_DIR"]).glob("tracker.db*"))
