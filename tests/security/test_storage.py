"""Storage trust boundaries: private files, no personal plaintext, retention, key rotation.

Real processes (`python -m bot.cli ...`), real databases and files; every test
fails on a main without these protections.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.backoffice.inbox import Inbox
from bot.definitions import load_applications
from bot.delivery.outbox import (
    DELIVERED,
    Outbox,
    ReferenceConflict,
    outbox_files,
    outbox_table,
)
from bot.delivery.targets import InboxTarget
from bot.delivery.worker import DeliveryWorker
from bot.housekeeping import tidy
from bot.service import create_app
from bot.storage.attachments import AttachmentStore, attachments_table
from bot.storage.crypto import DataBox, InvalidToken
from bot.storage.database import create_tables, make_engine, utcnow
from bot.storage.rotation import reencrypt, sealed_columns
from bot.storage.trackers import events_table
from bot.turns import Turns
from tests.conftest import example, free_port
from tests.rest import fictional_pdf
from tests.test_dialogue import turn

ROOT = Path(__file__).resolve().parents[2]
DAY = 24 * 3600
TOKEN = "t" * 40  # a fictional back-office token, long enough


def cli_env(var: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTRAGSLOTSE_")}
    return {
        **env,
        "ANTRAGSLOTSE_VAR_DIR": str(var),
        "ANTRAGSLOTSE_BACKOFFICE_TOKEN": TOKEN,
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def start_service(env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    args = ["--port", str(port), "--backoffice-port", str(free_port())]
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "service", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    return process, port


def wait_healthy(process: subprocess.Popen, port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("service did not come up")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def old_tracker_db(path: Path, box: DataBox) -> None:
    """A tracker database as Rasa's store writes it: one event 40 days old, one fresh."""
    engine = make_engine(f"sqlite:///{path}")
    table = sa.Table(
        "events",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("type_name", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)),
        sa.Column("action_name", sa.String(255)),
        sa.Column("data", sa.Text),
    )
    table.metadata.create_all(engine)
    now = time.time()
    with engine.begin() as conn:
        for stamp in (now - 40 * DAY, now):
            sealed = box.seal(json.dumps({"event": "user", "text": "Helga"}).encode())
            conn.execute(
                table.insert().values(
                    sender_id="web-1",
                    type_name="user",
                    timestamp=stamp,
                    intent_name="need_asylum",
                    data=sealed.decode("ascii"),
                )
            )
    engine.dispose()


def test_service_makes_its_files_private_and_purges_trackers_on_a_timer(tmp_path: Path) -> None:
    var = tmp_path / "var"
    (var / "log").mkdir(parents=True)
    var.chmod(0o755)
    (var / "log").chmod(0o755)
    old_log = var / "log" / "service.log"
    old_log.write_text("")
    old_log.chmod(0o644)
    key = DataBox.generate_key()
    (var / "data.key").write_text(key + "\n")
    (var / "data.key").chmod(0o600)
    tracker = var / "tracker.db"
    old_tracker_db(tracker, DataBox([key]))
    process, port = start_service(cli_env(var, ANTRAGSLOTSE_TRACKER_DB=str(tracker)))
    try:
        wait_healthy(process, port)
        time.sleep(1)  # the retention loop's first round runs right after start
        assert mode(var) == 0o700 and mode(var / "log") == 0o700
        assert mode(old_log) == 0o600
        for name in ("antragslotse.db", "data.key", "lookup.key", "tracker.db"):
            assert mode(var / name) == 0o600, name
        for extra in var.glob("*.db-*"):  # SQLite's WAL and shared-memory files
            assert mode(extra) == 0o600, extra.name
        engine = make_engine(f"sqlite:///{tracker}")
        with engine.connect() as conn:
            rows = conn.execute(sa.select(events_table)).all()
        engine.dispose()
        assert len(rows) == 1, "the 40 days old event is purged without any tracker save"
        assert rows[0].intent_name is None, "no intent name in plaintext next to a sender"
    finally:
        stop(process)


@pytest.mark.parametrize("loose", [0o644, 0o640, 0o620])
def test_service_refuses_a_key_file_others_can_read(tmp_path: Path, loose: int) -> None:
    var = tmp_path / "var"
    var.mkdir(mode=0o700)
    key = DataBox.generate_key()
    (var / "data.key").write_text(key + "\n")
    (var / "data.key").chmod(loose)
    process, _port = start_service(cli_env(var))
    try:
        out, err = process.communicate(timeout=60)
    finally:
        stop(process)
    assert process.returncode != 0
    said = (out + err).decode()
    assert "data.key" in said and "chmod 600" in said
    assert key not in said and key[:16] not in said
    assert "Traceback" not in said
    assert mode(var / "data.key") == loose, "left for the operator: the key may have leaked"


def sealed_values(engine: Any) -> list[tuple[str, bytes]]:
    found = []
    with engine.connect() as conn:
        for table, column in sealed_columns(engine):
            for (value,) in conn.execute(sa.select(column).where(column.is_not(None))):
                found.append((f"{table.name}.{column.name}", bytes(value)))
    return found


def test_rotate_key_reencrypts_everything_and_codes_keep_working(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir(mode=0o700)
    old_key = DataBox.generate_key()
    (var / "data.key").write_text(old_key + "\n")
    (var / "data.key").chmod(0o600)
    tracker = var / "tracker.db"
    legacy = DataBox([old_key])  # as every process made it before: no lookup.key yet
    old_tracker_db(tracker, legacy)
    engine = make_engine(f"sqlite:///{var / 'antragslotse.db'}")
    create_tables(engine)
    turns = Turns(engine, legacy, load_applications())
    turns.handle("web-1", turn("/start", application="grundsicherung"), "rest", "de")
    turns.files.add("web-1", "rental_contract", fictional_pdf())
    turns.handle("web-1", turn("Helga"), "rest", "de")
    code = turns.handle("web-1", turn("/pause"), "rest", "de")[1].parts[0]["params"]["code"]
    files = tuple(turns.files.load("web-1", list(turns.files.owned("web-1"))))
    Outbox(engine, legacy).put(example(), attachments=files)
    inbox = Inbox(engine, legacy)
    inbox.receive("AL-2026-TEST1", "wohngeld", example("wohngeld"), attachments=files)
    inbox.set_status("AL-2026-TEST1", "accepted", note="Bescheid folgt")
    before = len(sealed_values(engine))

    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "rotate-key"],
        cwd=ROOT,
        env=cli_env(var, ANTRAGSLOTSE_TRACKER_DB=str(tracker)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    keys = (var / "data.key").read_text().split()
    assert len(keys) == 2 and keys[1] == old_key and mode(var / "data.key") == 0o600
    assert keys[0] not in done.stdout + done.stderr and old_key not in done.stdout + done.stderr

    only_new = DataBox([keys[0]])
    values = sealed_values(engine)
    assert len(values) == before >= 8
    undecryptable = []
    for where, token in values:
        try:
            only_new.open(token)
        except InvalidToken:
            undecryptable.append(where)
    assert undecryptable == []
    tracker_engine = make_engine(f"sqlite:///{tracker}")
    with tracker_engine.connect() as conn:
        for (data,) in conn.execute(sa.select(events_table.c.data)):
            only_new.open(data.encode("ascii"))
    tracker_engine.dispose()

    os.environ["ANTRAGSLOTSE_VAR_DIR"] = str(var)
    try:
        after = Turns(engine, DataBox.from_env(), load_applications())
    finally:
        del os.environ["ANTRAGSLOTSE_VAR_DIR"]
    reply = after.handle("tg-2", turn(code), "rest", "de")[1]
    assert reply.parts[0]["key"] == "common.resumed", "a code issued before the rotation"
    assert after.drafts.load("tg-2").answers


def raw_text(engine: Any, *tables: sa.Table) -> str:
    with engine.connect() as conn:
        return " ".join(
            bytes(v).decode("latin-1") if isinstance(v, (bytes, memoryview)) else str(v)
            for table in tables
            for row in conn.execute(sa.select(table))
            for v in row
        )


def test_no_document_kind_or_application_type_in_plaintext(engine, box: DataBox) -> None:
    files = AttachmentStore(engine, box)
    files.add("web-1", "disability_proof", fictional_pdf())
    stored = tuple(files.load("web-1", list(files.owned("web-1"))))
    Outbox(engine, box).put(example(), attachments=stored)
    text = raw_text(engine, attachments_table, outbox_table, outbox_files)
    assert "disability_proof" not in text and "grundsicherung" not in text
    assert files.owned("web-1") == {stored[0].id: "disability_proof"}
    assert Outbox(engine, box).due()[0].attachments[0].kind == "disability_proof"


def test_delivered_submissions_and_their_files_leave_the_outbox(engine, box: DataBox) -> None:
    files = AttachmentStore(engine, box)
    files.add("web-1", "rental_contract", fictional_pdf())
    stored = tuple(files.load("web-1", list(files.owned("web-1"))))
    outbox, inbox = Outbox(engine, box), Inbox(engine, box)
    outbox.put(example(), attachments=stored)
    assert asyncio.run(DeliveryWorker(outbox, InboxTarget(inbox)).run_once()) == 1
    with engine.connect() as conn:
        left = [
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (outbox_table, outbox_files)
        ]
    assert left == [0, 0]
    assert inbox.attachments(example()["reference"])[0].data == stored[0].data


def test_a_database_from_before_is_migrated_and_stays_readable(engine, box: DataBox) -> None:
    legacy = sa.Table(
        "attachments_before",
        sa.MetaData(),
        *(c.copy() for c in attachments_table.columns if c.name != "kind_sealed"),
    )
    legacy.name = "attachments"  # the table as older versions created it
    with engine.begin() as conn:
        conn.execute(attachments_table.delete())
        conn.exec_driver_sql('ALTER TABLE attachments DROP COLUMN "kind_sealed"')
        conn.execute(
            legacy.insert().values(
                id="att_1",
                owner="web-1",
                kind="disability_proof",
                media_type="application/pdf",
                size_bytes=3,
                sha256="0" * 64,
                data=box.seal(b"pdf"),
                created_at=utcnow(),
            )
        )
    create_tables(engine)  # adds the new column in place
    assert tidy(engine, box)["plaintext document kinds sealed"] == 1
    assert "disability_proof" not in raw_text(engine, attachments_table)
    assert AttachmentStore(engine, box).owned("web-1") == {"att_1": "disability_proof"}


def test_the_tracker_store_keeps_no_intent_names_in_plaintext(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.tracker_store import EncryptedSQLTrackerStore

    monkeypatch.setenv("ANTRAGSLOTSE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("ANTRAGSLOTSE_DATA_KEY", raising=False)
    path = tmp_path / "tracker.db"
    store = EncryptedSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
    said = UserUttered("Ich brauche Asyl", intent={"name": "need_asylum", "confidence": 0.9})
    asyncio.run(store.save(DialogueStateTracker.from_events("web-1", [said])))
    raw = " ".join(p.read_bytes().decode("latin-1") for p in tmp_path.glob("tracker.db*"))
    assert "need_asylum" not in raw and "Asyl" not in raw
    loaded = asyncio.run(store.retrieve("web-1"))
    assert loaded.latest_message.intent["name"] == "need_asylum"


def test_reencrypt_covers_every_sealed_column_on_both_databases(engine) -> None:
    old_key, new_key = DataBox.generate_key(), DataBox.generate_key()
    box = DataBox([old_key])
    files = AttachmentStore(engine, box)
    files.add("web-1", "disability_proof", fictional_pdf())
    stored = tuple(files.load("web-1", list(files.owned("web-1"))))
    Outbox(engine, box).put(example(), attachments=stored)
    Inbox(engine, box).receive("AL-2026-TEST2", "wohngeld", example("wohngeld"), attachments=stored)
    counts = reencrypt(engine, DataBox([new_key, old_key]))
    assert counts["attachments.kind_sealed"] == 1 and counts["inbox_attachments.data"] == 1
    only_new = DataBox([new_key])
    for _where, token in sealed_values(engine):
        only_new.open(token)


def test_a_delivered_reference_is_not_handed_out_again(engine, box: DataBox) -> None:
    outbox = Outbox(engine, box)
    outbox.put(example())
    outbox.mark_delivered(example()["reference"])
    with pytest.raises(ReferenceConflict):
        outbox.put(example("wohngeld") | {"reference": example()["reference"]})


def test_a_delivered_copy_an_older_version_kept_is_gone_once_the_service_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the back office can erase anything; only the reference stays, never reused."""
    monkeypatch.setenv("ANTRAGSLOTSE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ANTRAGSLOTSE_BACKOFFICE_TOKEN", TOKEN)
    for name in ("ANTRAGSLOTSE_DB_URL", "ANTRAGSLOTSE_DATA_KEY", "ANTRAGSLOTSE_LOOKUP_KEY"):
        monkeypatch.delenv(name, raising=False)
    engine, box = make_engine(), DataBox.from_env()
    create_tables(engine)
    outbox = Outbox(engine, box)
    outbox.put(
        example(),
        attachments=(AttachmentStore(engine, box).add("web-1", "rent_contract", fictional_pdf()),),
    )
    with engine.begin() as conn:  # what older versions left behind after delivery
        conn.execute(outbox_table.update().values(status=DELIVERED, delivered_at=utcnow()))
    create_app("http://127.0.0.1:9", name=f"legacy_{tmp_path.name}", backoffice_port=free_port())
    assert raw_text(engine, outbox_table, outbox_files) == ""
    assert outbox.status(example()["reference"]) == DELIVERED
    with pytest.raises(ReferenceConflict):
        outbox.put(example())


def test_a_deleted_draft_leaves_no_trace_in_the_database_file(tmp_path: Path, box: DataBox) -> None:
    """Not even its ciphertext: SQLite overwrites what it deletes (secure_delete)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'erase.db'}")
    create_tables(engine)
    turns = Turns(engine, box, load_applications())
    turns.handle("web-erase", turn("/start", application="wohngeld"), "rest", "de")
    turns.handle("web-erase", turn("Quxerasea"), "rest", "de")
    with engine.connect() as conn:
        sealed = bytes(conn.exec_driver_sql("SELECT data FROM drafts").scalar_one())
    turns.forget("web-erase")
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("erase.db*"))
    assert sealed[:40] not in stored
