"""Personal data stays where it belongs: never in a log, never in plaintext on disk."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot import logs
from bot.logs import DebugLoggingRefused
from bot.stack import ROOT, Stack
from tests.rest import RestCitizen, call, fictional_pdf, var_dir
from tests.security.test_conversation_access import web_citizen

# Fictional, and unlike anything else the bot or its libraries would write.
MARKER = "Quxmarkfeld"


def test_debug_logging_is_refused(tmp_path: Path) -> None:
    """Rasa logs every message text at DEBUG: the stack does not start with it."""
    stack = Stack(env={"ANTRAGSLOTSE_VAR_DIR": str(tmp_path), "LOG_LEVEL": "DEBUG"})
    with pytest.raises(DebugLoggingRefused):
        stack.start()
    assert stack.processes == []
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--port", "0"],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "debug", "ANTRAGSLOTSE_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0 and "LOG_LEVEL=debug" in run.stderr


def test_logs_rotate_by_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "LOG_FILE_BYTES", 100_000)
    child = subprocess.Popen(
        [sys.executable, "-c", "print(('x' * 99 + '\\n') * 10_000, end='')"],
        stdout=subprocess.PIPE,
    )
    assert child.stdout is not None
    logs.pump_to_rotating_file(child.stdout, tmp_path / "part.log").join(30)
    child.wait(10)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files[:2] == ["part.log", "part.log.1"] and len(files) == 1 + logs.LOG_BACKUPS
    assert all((tmp_path / name).stat().st_size <= 100_000 for name in files)


def test_a_marker_sent_everywhere_is_in_no_log_and_no_database_file(stack: Stack) -> None:
    # REST: as an answer the draft keeps, and inside a refused over-long message.
    citizen = RestCitizen(stack)
    citizen.say("/start", language="de", application="wohngeld")
    _, state = citizen.say(f"{MARKER}ina")
    assert state["field"] != "/applicant/given_names", "the name was taken"
    call(citizen.url, {"sender": citizen.sender, "message": MARKER * 1000}, stack.rest_token)
    # Broken requests: not JSON, a wrong token, odd fields.
    broken = urllib.request.Request(citizen.url, f'{{"message": "{MARKER}'.encode(), method="POST")
    broken.add_header("Authorization", f"Bearer {stack.rest_token}")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(broken, timeout=30)
    call(citizen.url, {"sender": citizen.sender, "message": MARKER}, "wrong-token")
    call(citizen.url, {"sender": [MARKER], "message": MARKER}, stack.rest_token)
    # Upload: a file name and a document code carrying it.
    for document in ("rental_contract", MARKER.lower()):
        citizen.upload(document, fictional_pdf(f"{MARKER} Mietvertrag"), f"{MARKER}.pdf")
    # The internal ports, without and with their secret but with a body they cannot use.
    for token in (None, stack.internal_token):
        call(f"{stack.action_url}/webhook", {"tracker": {"latest_message": MARKER}}, token)
        call(f"{stack.backoffice_url}/nlg", {"response": MARKER, "arguments": {}}, token)

    # The web chat: a typed answer and an over-long message.
    async def web() -> None:
        async with web_citizen(stack) as tab:
            await tab.say("/start", language="de", application="wohngeld")
            await tab.state()
            await tab.say(f"{MARKER}a")
            await tab.state()
            await tab.say(MARKER * 1000)

    asyncio.run(web())
    time.sleep(2)  # the log pumps write each line as it comes

    found = []
    checked = 0
    for path in var_dir(stack).rglob("*"):
        if path.is_file():
            checked += 1
            data = path.read_bytes()
            if MARKER.encode() in data or MARKER.lower().encode() in data:
                found.append(path.name)
    assert checked >= 4, "logs and databases were there to check"
    assert found == []
