"""Delivery worker, inbox, and the inbox API.

Worker and inbox run on real SQLite and PostgreSQL (fresh schema per test; if
PostgreSQL is unreachable they skip, except under CI=true where they fail).
The API runs in-process through sanic-testing's ASGI client.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sanic import Sanic

from bot.backoffice.app import create_backoffice_app
from bot.backoffice.inbox import Inbox, UnknownReference
from bot.backoffice.pdf import latin1_safe, payload_lines, render_pdf
from bot.backoffice.throttle import FailureThrottle
from bot.delivery.outbox import DELIVERED, Outbox, outbox_table
from bot.delivery.targets import DeliveryError, DeliveryTarget, InboxTarget, RoutingTarget
from bot.delivery.worker import DeliveryWorker
from bot.storage.crypto import DataBox
from bot.storage.database import create_tables, make_engine
from tests.conftest import example

T0 = datetime(2026, 11, 20, 9, 15, tzinfo=timezone.utc)
TOKEN = "test-token-7f3c2a91-5e0b-4d8c-9a3f-0c1d2e3f4a5b"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Any:
    eng = make_engine(f"sqlite:///{tmp_path / 'api.db'}")
    create_tables(eng)
    yield eng
    eng.dispose()


class FlakyTarget:
    """Fails a given number of times (with personal data in the message), then delivers."""

    name = "flaky"

    def __init__(self, inner: DeliveryTarget, failures: int) -> None:
        self.inner, self.failures, self.calls = inner, failures, 0

    async def deliver(
        self, reference: str, application: str, payload: dict[str, Any], attachments: tuple = ()
    ) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            name = payload["applicant"]["family_name"]
            raise ConnectionError(f"could not deliver the application of {name}")
        await self.inner.deliver(reference, application, payload, attachments)


# ------------------------------------------------------------------ worker


def test_worker_delivers_to_inbox(engine: Any, box: DataBox) -> None:
    outbox, inbox = Outbox(engine, box), Inbox(engine, box)
    payload = example()
    outbox.put(payload, now=T0)
    worker = DeliveryWorker(outbox, InboxTarget(inbox))
    assert isinstance(InboxTarget(inbox), DeliveryTarget)

    assert asyncio.run(worker.run_once(now=T0)) == 1
    assert asyncio.run(worker.run_once(now=T0 + timedelta(hours=2))) == 0
    assert outbox.status(payload["reference"]) == DELIVERED
    assert outbox.pending_count() == 0
    [entry] = inbox.list()
    assert (entry.reference, entry.application, entry.status) == (
        payload["reference"],
        "grundsicherung",
        "new",
    )
    assert inbox.get(payload["reference"]).payload == payload


def test_failing_target_is_retried_with_backoff_and_delivers_once(
    engine: Any, box: DataBox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    outbox, inbox = Outbox(engine, box), Inbox(engine, box)
    payload = example()
    reference = payload["reference"]
    outbox.put(payload, now=T0)
    target = FlakyTarget(InboxTarget(inbox), failures=2)
    worker = DeliveryWorker(outbox, target)

    def at(seconds: float) -> int:
        return asyncio.run(worker.run_once(now=T0 + timedelta(seconds=seconds)))

    assert at(0) == 0 and target.calls == 1  # fails; next attempt after 2 s
    with engine.connect() as conn:
        assert conn.execute(sa.select(outbox_table.c.last_error)).scalar() == "ConnectionError"
    assert at(1) == 0 and target.calls == 1  # not yet due
    assert at(2) == 0 and target.calls == 2  # fails again; next attempt after 4 s more
    assert at(5) == 0 and target.calls == 2
    assert at(6) == 1 and target.calls == 3  # delivered
    assert at(3600) == 0 and target.calls == 3  # and never again
    assert [e.reference for e in inbox.list()] == [reference]
    assert outbox.status(reference) == DELIVERED
    assert reference in caplog.text and "ConnectionError" in caplog.text
    for private in ("Schneider", "Helga", "DE89370400440532013000", "Rheinstraße"):
        assert private not in caplog.text


def test_delivery_error_code_is_recorded(engine: Any, box: DataBox) -> None:
    class Down:
        name = "down"

        async def deliver(
            self, reference: str, application: str, payload: dict, attachments: tuple = ()
        ) -> None:
            raise DeliveryError("HTTP 503")

    outbox = Outbox(engine, box)
    outbox.put(example(), now=T0)
    assert asyncio.run(DeliveryWorker(outbox, Down()).run_once(now=T0)) == 0
    with engine.connect() as conn:
        row = conn.execute(sa.select(outbox_table)).one()
    assert (row.last_error, row.attempts, row.status) == ("HTTP 503", 1, "pending")


def test_run_forever_delivers_until_stopped(engine: Any, box: DataBox) -> None:
    outbox, inbox = Outbox(engine, box), Inbox(engine, box)
    outbox.put(example())

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(
            DeliveryWorker(outbox, InboxTarget(inbox), poll_interval=0.05).run_forever(stop)
        )
        for _ in range(100):
            if outbox.pending_count() == 0:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, timeout=5)

    asyncio.run(scenario())
    assert outbox.pending_count() == 0
    assert len(inbox.list()) == 1


def test_routing_target_picks_per_application(engine: Any, box: DataBox) -> None:
    inbox = Inbox(engine, box)
    other = FlakyTarget(InboxTarget(inbox), failures=0)
    router = RoutingTarget(InboxTarget(inbox), {"wohngeld": other})
    payload = example("wohngeld")
    asyncio.run(router.deliver(payload["reference"], "wohngeld", payload))
    asyncio.run(router.deliver("WI-2026-ZZZZZZ", "grundsicherung", example()))
    assert other.calls == 1
    assert len(inbox.list()) == 2


# ------------------------------------------------------------------ inbox


def test_inbox_receive_is_idempotent(engine: Any, box: DataBox) -> None:
    inbox = Inbox(engine, box)
    payload = example()
    assert inbox.receive(payload["reference"], "grundsicherung", payload, now=T0) is True
    inbox.set_status(payload["reference"], "accepted", "Bescheid folgt")
    changed = {**payload, "channel": "telegram"}
    later = T0 + timedelta(hours=1)
    assert inbox.receive(payload["reference"], "grundsicherung", changed, now=later) is False
    stored = inbox.get(payload["reference"])
    assert stored.payload == payload
    assert stored.received_at == T0
    assert (stored.status, stored.status_note) == ("accepted", "Bescheid folgt")


def test_inbox_list_filters_and_status(engine: Any, box: DataBox) -> None:
    inbox = Inbox(engine, box)
    for number, name in enumerate(["grundsicherung", "wohngeld", "asylblg"]):
        payload = example(name)
        inbox.receive(payload["reference"], name, payload, now=T0 + timedelta(minutes=number))
    assert [e.application for e in inbox.list()] == ["asylblg", "wohngeld", "grundsicherung"]
    assert [e.application for e in inbox.list(application="wohngeld")] == ["wohngeld"]
    reference = example("wohngeld")["reference"]
    updated = inbox.set_status(reference, "rejected", "Unterlagen fehlen", now=T0)
    assert (updated.status, updated.status_note, updated.status_changed_at) == (
        "rejected",
        "Unterlagen fehlen",
        T0,
    )
    assert [e.reference for e in inbox.list(status="rejected")] == [reference]
    assert inbox.list(status="rejected", application="asylblg") == []
    assert inbox.get("WI-2026-NOPE22") is None
    with pytest.raises(UnknownReference):
        inbox.set_status("WI-2026-NOPE22", "accepted", None)
    with pytest.raises(ValueError):
        inbox.set_status(reference, "lost", None)


def test_inbox_is_encrypted_at_rest(engine: Any, box: DataBox) -> None:
    inbox = Inbox(engine, box)
    payload = example()
    inbox.receive(payload["reference"], "grundsicherung", payload)
    inbox.set_status(payload["reference"], "accepted", "Frau Schneider angerufen")
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT * FROM inbox_submissions")).mappings().one()
    raw = b"".join(
        bytes(v) if isinstance(v, (bytes, memoryview)) else str(v).encode() for v in row.values()
    )
    assert b"Schneider" not in raw and b"angerufen" not in raw


# ------------------------------------------------------------------ API


@pytest.fixture
def api(sqlite_engine: Any, box: DataBox) -> tuple[Sanic, Inbox, dict[str, str | None]]:
    inbox = Inbox(sqlite_engine, box)
    settings: dict[str, str | None] = {"token": TOKEN}
    # These tests are about the API's answers; tests/security/ tests the throttle.
    lenient = FailureThrottle(max_failures=10_000, delay_step_s=0.0)
    app = create_backoffice_app(
        sqlite_engine,
        box,
        lambda: settings["token"],
        name=f"backoffice_test_{uuid.uuid4().hex}",
        throttle=lenient,
    )
    return app, inbox, settings


def call(app: Sanic, method: str, path: str, **kwargs: Any) -> Any:
    """One request through the ASGI client, in its own event loop."""

    async def go() -> Any:
        _, response = await getattr(app.asgi_client, method)(path, **kwargs)
        return response

    return asyncio.run(go())


def deliver(inbox: Inbox, name: str, minutes: int = 0) -> dict[str, Any]:
    payload = example(name)
    inbox.receive(payload["reference"], name, payload, now=T0 + timedelta(minutes=minutes))
    return payload


def test_api_needs_the_token(api: Any) -> None:
    app, inbox, settings = api
    payload = deliver(inbox, "grundsicherung")
    paths = [
        ("get", "/backoffice/api/submissions"),
        ("get", f"/backoffice/api/submissions/{payload['reference']}"),
        ("get", f"/backoffice/api/submissions/{payload['reference']}/pdf"),
        ("post", f"/backoffice/api/submissions/{payload['reference']}/status"),
    ]
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer Tökén".encode()},
        {"Authorization": "Bearer "},
    ):
        for method, path in paths:
            response = call(app, method, path, headers=headers)
            assert response.status_code == 401, (headers, path)
            assert response.json == {"error": "unauthorized"}
    settings["token"] = None  # no token configured: nobody gets in
    response = call(app, "get", "/backoffice/api/submissions", headers={"Authorization": "Bearer "})
    assert response.status_code == 401
    response = call(app, "get", "/backoffice/api/submissions", headers=AUTH)
    assert response.status_code == 401
    assert inbox.get(payload["reference"]).status == "new"


def test_api_list_and_filter(api: Any) -> None:
    app, inbox, _ = api
    deliver(inbox, "grundsicherung", 0)
    wohngeld = deliver(inbox, "wohngeld", 1)
    response = call(app, "get", "/backoffice/api/submissions", headers=AUTH)
    assert response.status_code == 200
    items = response.json["items"]
    assert [i["application"] for i in items] == ["wohngeld", "grundsicherung"]
    assert set(items[0]) == {"reference", "application", "status", "received_at"}
    assert items[0]["received_at"] == "2026-11-20T09:16:00+00:00"

    response = call(app, "get", "/backoffice/api/submissions?application=wohngeld", headers=AUTH)
    assert [i["reference"] for i in response.json["items"]] == [wohngeld["reference"]]
    response = call(app, "get", "/backoffice/api/submissions?status=accepted", headers=AUTH)
    assert response.json == {"items": []}
    response = call(app, "get", "/backoffice/api/submissions?status=&application=", headers=AUTH)
    assert len(response.json["items"]) == 2
    for bad in ("status=lost", "application=Wohn%20geld"):
        response = call(app, "get", f"/backoffice/api/submissions?{bad}", headers=AUTH)
        assert response.status_code == 400 and "error" in response.json


def test_api_get_returns_exactly_the_delivered_payload(
    sqlite_engine: Any, box: DataBox, api: Any
) -> None:
    app, inbox, _ = api
    outbox = Outbox(sqlite_engine, box)
    payload = example()
    outbox.put(payload)
    asyncio.run(DeliveryWorker(outbox, InboxTarget(inbox)).run_once())
    response = call(app, "get", f"/backoffice/api/submissions/{payload['reference']}", headers=AUTH)
    assert response.status_code == 200
    body = response.json
    assert body["payload"] == payload
    assert json.dumps(body["payload"]) == json.dumps(payload)  # key order kept too
    assert body["attachments"] == []
    assert (body["reference"], body["application"], body["status"]) == (
        payload["reference"],
        "grundsicherung",
        "new",
    )
    assert response.headers["cache-control"] == "no-store"


def test_api_status_change(api: Any) -> None:
    app, inbox, _ = api
    payload = deliver(inbox, "grundsicherung")
    path = f"/backoffice/api/submissions/{payload['reference']}/status"
    response = call(
        app, "post", path, headers=AUTH, json={"status": "accepted", "note": "Bewilligt ab 12/2026"}
    )
    assert response.status_code == 200
    assert response.json["status"] == "accepted"
    stored = inbox.get(payload["reference"])
    assert (stored.status, stored.status_note) == ("accepted", "Bewilligt ab 12/2026")
    response = call(app, "get", "/backoffice/api/submissions?status=accepted", headers=AUTH)
    assert [i["reference"] for i in response.json["items"]] == [payload["reference"]]
    response = call(app, "post", path, headers=AUTH, json={"status": "rejected"})
    assert response.status_code == 200 and inbox.get(payload["reference"]).status == "rejected"


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"\xff\xfe\x00",
        b"[]",
        b'"accepted"',
        b'{"status": "new"}',
        b'{"status": "lost"}',
        b'{"note": "x"}',
        b'{"status": "accepted", "note": 5}',
        b'{"status": "accepted", "extra": 1}',
        json.dumps({"status": "accepted", "note": "x" * 2001}).encode(),
    ],
)
def test_api_status_bad_input_is_400(api: Any, body: bytes) -> None:
    app, inbox, _ = api
    payload = deliver(inbox, "grundsicherung")
    path = f"/backoffice/api/submissions/{payload['reference']}/status"
    response = call(app, "post", path, headers=AUTH, content=body)
    assert response.status_code == 400
    assert isinstance(response.json["error"], str)
    assert inbox.get(payload["reference"]).status == "new"


def test_api_unknown_reference_is_404(api: Any) -> None:
    app, _, _ = api
    for method, path, extra in [
        ("get", "/backoffice/api/submissions/WI-2026-ZZZZZZ", {}),
        ("get", "/backoffice/api/submissions/WI-2026-ZZZZZZ/pdf", {}),
        ("get", "/backoffice/api/submissions/not-a-reference", {}),
        ("get", "/backoffice/api/submissions/WI-2026-ZZZZZZ/attachments/att_7f3c2a91", {}),
        (
            "post",
            "/backoffice/api/submissions/WI-2026-ZZZZZZ/status",
            {"json": {"status": "accepted"}},
        ),
    ]:
        response = call(app, method, path, headers=AUTH, **extra)
        assert response.status_code == 404, path
        assert response.json == {"error": "not found"}


def test_api_pdf(api: Any) -> None:
    app, inbox, _ = api
    payload = deliver(inbox, "grundsicherung")
    response = call(
        app, "get", f"/backoffice/api/submissions/{payload['reference']}/pdf", headers=AUTH
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert payload["reference"].encode() in response.content


# ------------------------------------------------------------------ PDF


def test_pdf_labels_come_from_the_schema() -> None:
    lines = {(line.label, line.value) for line in payload_lines(example())}
    assert ("Familienname", "Schneider") in lines
    assert ("Geburtsdatum", "03.03.1957") in lines
    assert ("Kaltmiete monatlich", "420,00 €") in lines
    assert ("Vermögen des Haushalts (1)", None) in lines
    assert ("Weitere Personen im Haushalt", "keine") in lines
    assert ("Angaben sind vollständig und richtig", "ja") in lines
    assert ("Leistungsschlüssel (LeiKa)", "urn:de:fim:leika:leistung:99107009017000") in lines


@pytest.mark.parametrize("font", [True, None], ids=["unicode-font", "core-font"])
def test_pdf_renders_any_script(font: Any) -> None:
    payload = example()
    payload["applicant"]["given_names"] = "Олена Łucja محمد 李"
    pdf = render_pdf(
        reference=payload["reference"],
        application="grundsicherung",
        status="accepted",
        received_at=T0,
        payload=payload,
        font=font,
    )
    assert pdf.startswith(b"%PDF") and payload["reference"].encode() in pdf


def test_latin1_fallback() -> None:
    assert latin1_safe("Müller – 5 € „ok“ Łódź Олена") == 'Müller - 5 EUR "ok" Lódz ?????'


# ------------------------------------------------------------------ throttle


def test_throttle_window_slides_and_delay_grows() -> None:
    now = [1000.0]
    throttle = FailureThrottle(
        max_failures=3, window_s=60, delay_step_s=0.5, max_delay_s=1.0, clock=lambda: now[0]
    )
    assert [throttle.fail("10.0.0.1") for _ in range(3)] == [0.5, 1.0, 1.0]
    assert throttle.retry_after("10.0.0.1") == 60
    assert throttle.retry_after("10.0.0.2") is None  # per address
    now[0] += 59.5
    assert throttle.retry_after("10.0.0.1") == 1
    now[0] += 0.5  # the oldest failure leaves the window
    assert throttle.retry_after("10.0.0.1") is None
