"""A citizen and a caseworker talking to the real stack over HTTP, for end-to-end tests."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import requests
from fpdf import FPDF

from bot.stack import Stack


def call(url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def fictional_pdf(title: str = "Mietvertrag (fiktives Beispiel)") -> bytes:
    """A real, small PDF document, as a citizen's scanner would make one."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=title)
    return bytes(pdf.output())


class RestCitizen:
    def __init__(self, stack: Stack, sender: str | None = None) -> None:
        self.stack = stack
        self.url = f"{stack.rasa_url}/webhooks/rest/webhook"
        self.sender = sender or uuid.uuid4().hex

    def say(self, message: str, **metadata: str) -> tuple[str, dict[str, Any]]:
        status, messages = call(
            self.url,
            {"sender": self.sender, "message": message, "metadata": metadata},
            token=self.stack.rest_token,
        )
        assert status == 200
        states = [m["custom"] for m in messages if "custom" in m]
        assert len(states) == 1, f"exactly one state object per turn, got {messages}"
        text = "\n".join(m["text"] for m in messages if m.get("text"))
        return text, states[0]

    def upload(self, document: str, data: bytes, filename: str = "scan.pdf") -> requests.Response:
        return requests.post(
            f"{self.stack.service_url}/chat/upload",
            data={"sender": self.sender, "document": document, "lang": "de"},
            files={"file": (filename, data, "application/pdf")},
            # A trusted front end on the REST channel uploads for its own conversations.
            headers={"Authorization": f"Bearer {self.stack.rest_token}"},
            timeout=60,
        )


def var_dir(stack: Stack) -> Path:
    return Path(stack.environment()["ANTRAGSLOTSE_VAR_DIR"])


def wait_for_delivery(stack: Stack, reference: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, body = call(
            f"{stack.backoffice_url}/backoffice/api/submissions/{reference}", token=stack.token
        )
        if status == 200:
            return body
        time.sleep(0.5)
    raise AssertionError(f"{reference} not delivered to the inbox within 30 s")
