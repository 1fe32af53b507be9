"""Back-office access (issue 12): own listener, token rules, throttle, accounts, audit, erasure.

The listener and token tests start the real service process (`python -m bot.cli
service`, no Rasa needed); the rest run the real back-office sanic app through
its ASGI client on a real database (SQLite file and PostgreSQL).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from sanic import Sanic

from bot.backoffice.accounts import SESSION_TTL, sessions_table
from bot.backoffice.app import create_backoffice_app
from bot.backoffice.audit import audit_table
from bot.backoffice.inbox import Inbox
from bot.backoffice.throttle import MAX_FAILURES, WINDOW_S, FailureThrottle
from bot.delivery.outbox import Outbox
from bot.stack import ROOT
from bot.storage.attachments import StoredFile
from bot.storage.crypto import DataBox
from tests.conftest import example, free_port

TOKEN = secrets.token_urlsafe(32)
MACHINE = {"Authorization": f"Bearer {TOKEN}"}
MARKER = "Zaunkoenig-Q7X4"  # a fictional family name; must never reach the audit log
PASSWORD = "Fliederweg-42-Marker"  # fictional; must never be stored in plaintext
LOGIN = "anna.beispiel"


# ------------------------------------------------------------------ helpers


def service_env(var: Path, token: str) -> dict[str, str]:
    return {
        **os.environ,
        "ANTRAGSLOTSE_VAR_DIR": str(var),
        "ANTRAGSLOTSE_DB_URL": f"sqlite:///{var / 'antragslotse.db'}",
        "ANTRAGSLOTSE_BACKOFFICE_TOKEN": token,
        "PYTHONPATH": str(ROOT),
    }


def service_args(public: int, backoffice: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bot.cli",
        "service",
        "--port",
        str(public),
        "--backoffice-port",
        str(backoffice),
        "--rasa-url",
        "http://127.0.0.1:9",
    ]


@contextmanager
def running_service(var: Path) -> Iterator[tuple[str, str]]:
    """The real service process; yields (public URL, back-office URL)."""
    public, backoffice = free_port(), free_port()
    log = open(var / "service.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        service_args(public, backoffice),
        cwd=ROOT,
        env=service_env(var, TOKEN),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    urls = (f"http://127.0.0.1:{public}", f"http://127.0.0.1:{backoffice}")
    try:
        deadline = time.monotonic() + 90
        pending = [f"{url}/health" for url in urls]
        while pending:
            assert process.poll() is None, (var / "service.log").read_text()
            assert time.monotonic() < deadline, "service not up within 90 s"
            try:
                with urllib.request.urlopen(pending[0], timeout=2):
                    pending.pop(0)
            except OSError:
                time.sleep(0.3)
        yield urls
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
            log.close()


def call(app: Sanic, method: str, path: str, **kwargs: Any) -> Any:
    async def go() -> Any:
        _, response = await getattr(app.asgi_client, method)(path, **kwargs)
        return response

    return asyncio.run(go())


def make_app(engine: Any, box: DataBox, throttle: FailureThrottle | None = None) -> Sanic:
    return create_backoffice_app(
        engine,
        box,
        lambda: TOKEN,
        name=f"bo_sec_{uuid.uuid4().hex}",
        throttle=throttle or FailureThrottle(delay_step_s=0.0),
    )


def deliver_with_marker(engine: Any, box: DataBox) -> dict[str, Any]:
    """A delivered submission whose payload carries MARKER, with one file, via the outbox."""
    payload = example()
    payload["applicant"]["family_name"] = MARKER
    proof = StoredFile(
        "att_0123456789abcdef01234567",
        "rent_contract",
        "application/pdf",
        12,
        "0" * 64,
        f"%PDF-{MARKER}".encode(),
    )
    outbox, inbox = Outbox(engine, box), Inbox(engine, box)
    outbox.put(payload, attachments=(proof,))
    [item] = outbox.due()
    inbox.receive(item.reference, item.application, item.payload, attachments=item.attachments)
    outbox.mark_delivered(item.reference)
    return payload


def add_caseworker(engine: Any, login: str, password: str) -> subprocess.CompletedProcess:
    """`python -m bot.cli caseworker add <login> --password-stdin`, as city IT would run it."""
    url = engine.url.render_as_string(hide_password=False)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "caseworker", "add", login, "--password-stdin"],
        input=password + "\n",
        text=True,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "ANTRAGSLOTSE_DB_URL": url, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def db_bytes(engine: Any) -> bytes:
    """Every byte of a SQLite database (file and WAL); empty for PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return b""
    path = Path(engine.url.database)
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def audit_rows(engine: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(audit_table)).mappings()]


# ------------------------------------------------------------------ own listener


def test_inbox_api_is_only_on_the_backoffice_port(tmp_path: Path) -> None:
    with running_service(tmp_path) as (public, backoffice):
        path = "/backoffice/api/submissions"
        assert requests.get(public + path, headers=MACHINE, timeout=10).status_code == 404
        got = requests.get(backoffice + path, headers=MACHINE, timeout=10)
        assert (got.status_code, got.json()) == (200, {"items": []})
        assert requests.get(backoffice + path, timeout=10).status_code == 401
        # and the back-office port serves nothing of the public side
        missing = requests.get(backoffice + "/chat", timeout=10)
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/json")
        assert requests.get(public + "/chat", timeout=10).status_code == 200


def test_short_machine_token_stops_the_service(tmp_path: Path) -> None:
    short = "short-but-not-32-" + secrets.token_hex(3)  # 23 characters
    done = subprocess.run(
        service_args(free_port(), free_port()),
        cwd=ROOT,
        env=service_env(tmp_path, short),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "ANTRAGSLOTSE_BACKOFFICE_TOKEN" in done.stderr and "32" in done.stderr
    assert short not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


# ------------------------------------------------------------------ throttle


def test_wrong_tokens_are_slowed_then_refused_with_429(engine: Any, box: DataBox) -> None:
    app = make_app(engine, box, FailureThrottle(delay_step_s=0.05, max_delay_s=1.0))
    path = "/backoffice/api/submissions"
    took = []
    for attempt in range(MAX_FAILURES):
        started = time.monotonic()
        wrong = {"Authorization": f"Bearer {secrets.token_urlsafe(32)}"}
        assert call(app, "get", path, headers=wrong).status_code == 401, attempt
        took.append(time.monotonic() - started)
    assert took[-1] >= 0.45 and took[-1] > took[0] + 0.3  # a growing delay
    refused = call(app, "get", path, headers={"Authorization": "Bearer guess-11"})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= WINDOW_S
    assert "error" in refused.json
    # once blocked, even the right token gets nothing from this address
    assert call(app, "get", path, headers=MACHINE).status_code == 429


def test_wrong_passwords_count_toward_the_same_limit(engine: Any, box: DataBox) -> None:
    assert add_caseworker(engine, LOGIN, PASSWORD).returncode == 0
    app = make_app(engine, box)
    for attempt in range(MAX_FAILURES):
        wrong = {"login": LOGIN, "password": f"not-it-{attempt}-xxxxxx"}
        assert call(app, "post", "/backoffice/api/session", json=wrong).status_code == 401
    right = {"login": LOGIN, "password": PASSWORD}
    refused = call(app, "post", "/backoffice/api/session", json=right)
    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert call(app, "get", "/backoffice/api/submissions", headers=MACHINE).status_code == 429


# ------------------------------------------------------------------ accounts and audit


def test_caseworker_reads_and_the_audit_log_says_who_what_when(engine: Any, box: DataBox) -> None:
    created = add_caseworker(engine, LOGIN, PASSWORD)
    assert created.returncode == 0, created.stderr
    payload = deliver_with_marker(engine, box)
    reference = payload["reference"]
    app = make_app(engine, box)

    wrong = call(
        app, "post", "/backoffice/api/session", json={"login": LOGIN, "password": "x" * 12}
    )
    assert wrong.status_code == 401
    before = datetime.now(timezone.utc).replace(microsecond=0)
    login = call(
        app, "post", "/backoffice/api/session", json={"login": LOGIN, "password": PASSWORD}
    )
    assert login.status_code == 201, login.json
    session = {"Authorization": f"Bearer {login.json['token']}"}
    expires = datetime.fromisoformat(login.json["expires_at"])
    assert timedelta(0) <= expires - before - SESSION_TTL <= timedelta(minutes=1)

    read = call(app, "get", f"/backoffice/api/submissions/{reference}", headers=session)
    assert read.status_code == 200 and read.json["payload"] == payload
    [file_info] = read.json["attachments"]
    path = f"/backoffice/api/submissions/{reference}/attachments/{file_info['id']}"
    assert call(app, "get", path, headers=session).status_code == 200
    status = call(
        app,
        "post",
        f"/backoffice/api/submissions/{reference}/status",
        headers=session,
        json={"status": "accepted", "note": f"Frau {MARKER} angerufen"},
    )
    assert status.status_code == 200
    assert call(app, "get", "/backoffice/api/submissions", headers=MACHINE).status_code == 200

    audit = call(app, "get", f"/backoffice/api/audit?reference={reference}", headers=MACHINE)
    assert audit.status_code == 200
    entries = [(e["actor"], e["action"], e["reference"]) for e in audit.json["items"]]
    assert entries == [
        (LOGIN, "read", reference),
        (LOGIN, "read_file", reference),
        (LOGIN, "set_status", reference),
    ]
    assert audit.json["items"][1]["file_id"] == file_info["id"]
    for item in audit.json["items"]:
        assert before <= datetime.fromisoformat(item["at"]) <= before + timedelta(minutes=1)
    everything = call(app, "get", "/backoffice/api/audit", headers=MACHINE).json["items"]
    assert ("machine", "list") in {(e["actor"], e["action"]) for e in everything}
    assert (LOGIN, "login") in {(e["actor"], e["action"]) for e in everything}
    since = (before + timedelta(days=1)).isoformat()
    later = call(app, "get", "/backoffice/api/audit", params={"since": since}, headers=MACHINE)
    assert later.status_code == 200 and later.json["items"] == []

    # the audit log and the database file hold no payload, note or password in plaintext
    assert MARKER not in repr(audit_rows(engine)) and MARKER not in audit.text
    raw = db_bytes(engine)
    assert MARKER.encode() not in raw and PASSWORD.encode() not in raw
    with engine.connect() as conn:
        stored_hash = conn.execute(
            sa.text("SELECT password_hash FROM backoffice_accounts")
        ).scalar()
    assert stored_hash.startswith("$argon2id$")

    # log out: the token stops working
    assert call(app, "delete", "/backoffice/api/session", headers=session).status_code == 204
    assert call(app, "get", "/backoffice/api/submissions", headers=session).status_code == 401


def test_expired_or_disabled_session_is_401(engine: Any, box: DataBox) -> None:
    assert add_caseworker(engine, LOGIN, PASSWORD).returncode == 0
    assert add_caseworker(engine, "ben.beispiel", PASSWORD).returncode == 0
    app = make_app(engine, box)

    def session_of(login: str) -> dict[str, str]:
        got = call(
            app, "post", "/backoffice/api/session", json={"login": login, "password": PASSWORD}
        )
        assert got.status_code == 201
        return {"Authorization": f"Bearer {got.json['token']}"}

    anna, ben = session_of(LOGIN), session_of("ben.beispiel")
    assert call(app, "get", "/backoffice/api/submissions", headers=anna).status_code == 200
    # eight hours and a minute later (moved in the database, as the clock would)
    with engine.begin() as conn:
        conn.execute(
            sessions_table.update()
            .where(sessions_table.c.login == LOGIN)
            .values(expires_at=datetime.now(timezone.utc) - timedelta(minutes=1))
        )
    expired = call(app, "get", "/backoffice/api/submissions", headers=anna)
    assert (expired.status_code, expired.json) == (401, {"error": "unauthorized"})

    url = engine.url.render_as_string(hide_password=False)
    disabled = subprocess.run(
        [sys.executable, "-m", "bot.cli", "caseworker", "disable", "ben.beispiel"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "ANTRAGSLOTSE_DB_URL": url, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert disabled.returncode == 0, disabled.stderr
    assert call(app, "get", "/backoffice/api/submissions", headers=ben).status_code == 401
    again = call(
        app, "post", "/backoffice/api/session", json={"login": "ben.beispiel", "password": PASSWORD}
    )
    assert again.status_code == 401


# ------------------------------------------------------------------ erasure


def test_erasure_removes_the_submission_and_its_files_and_is_audited(
    engine: Any, box: DataBox
) -> None:
    payload = deliver_with_marker(engine, box)
    reference = payload["reference"]
    app = make_app(engine, box)
    erased = call(app, "delete", f"/backoffice/api/submissions/{reference}", headers=MACHINE)
    assert erased.status_code == 200 and erased.json["reference"] == reference

    for path in ("", "/pdf", "/attachments/att_0123456789abcdef01234567"):
        gone = call(app, "get", f"/backoffice/api/submissions/{reference}{path}", headers=MACHINE)
        assert gone.status_code == 404, path
    listed = call(app, "get", "/backoffice/api/submissions", headers=MACHINE).json["items"]
    assert reference not in {i["reference"] for i in listed}
    again = call(app, "delete", f"/backoffice/api/submissions/{reference}", headers=MACHINE)
    assert again.status_code == 404
    with engine.connect() as conn:
        for table in ("inbox_submissions", "inbox_attachments", "outbox", "outbox_attachments"):
            left = conn.execute(
                sa.text(f"SELECT count(*) FROM {table} WHERE reference = :r"), {"r": reference}
            ).scalar()
            assert left == 0, table
    audit = call(app, "get", f"/backoffice/api/audit?reference={reference}", headers=MACHINE)
    assert [(e["actor"], e["action"]) for e in audit.json["items"]] == [("machine", "erase")]
    assert MARKER not in repr(audit_rows(engine))
    assert Inbox(engine, box).status(reference) is None  # the bot no longer finds it either


@pytest.mark.parametrize(
    "query",
    ["since=yesterday", "reference=..%2F..", "limit=0", "limit=99999", "after=-1", "limit=%F0"],
)
def test_audit_bad_parameters_are_400(sqlite_app: Sanic, query: str) -> None:
    got = call(sqlite_app, "get", f"/backoffice/api/audit?{query}", headers=MACHINE)
    assert got.status_code == 400 and isinstance(got.json["error"], str)


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"[]", b'{"login": 1, "password": "x"}', b'{"login": "a"}', b'{"x": 1}'],
)
def test_login_bad_body_is_400(sqlite_app: Sanic, body: bytes) -> None:
    got = call(sqlite_app, "post", "/backoffice/api/session", content=body)
    assert got.status_code == 400 and isinstance(got.json["error"], str)


@pytest.fixture
def sqlite_app(tmp_path: Path, box: DataBox) -> Iterator[Sanic]:
    from bot.storage.database import create_tables, make_engine

    eng = make_engine(f"sqlite:///{tmp_path / 'bo.db'}")
    create_tables(eng)
    yield make_app(eng, box)
    eng.dispose()
