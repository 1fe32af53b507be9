"""Fictional citizens' answers, as they would type them, and what the office must receive.

One source of truth: the Grundsicherung scripts live in tests/dialogues/grundsicherung.py
(EXAMPLE_DE, EXAMPLE_EN). The engine-level tests here cannot upload files, so a document
the example has "attached" is handed in "later" instead.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tests.dialogues.grundsicherung import EXAMPLE_DE, EXAMPLE_EN

EXAMPLE = (
    Path(__file__).resolve().parents[1] / "contracts" / "examples" / "grundsicherung.example.json"
)
LATER = {"de": "reiche ich später nach", "en": "I'll hand it in later"}


def _without_uploads(script: list[tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    return [(field, LATER[lang] if text == "@upload" else text) for field, text in script]


# (field asked, what the citizen types). A text starting with "/" is a button press.
GRUNDSICHERUNG_DE = _without_uploads(EXAMPLE_DE, "de")
GRUNDSICHERUNG_EN = _without_uploads(EXAMPLE_EN, "en")


def expected_payload(language: str) -> dict:
    """The contract's example application, as this dialogue delivers it.

    Differences to the example: every document is handed in later (no upload here),
    and reference, time, language and channel are those of the run.
    """
    payload = copy.deepcopy(json.loads(EXAMPLE.read_text()))
    documents = [{"kind": d["kind"], "status": "later"} for d in payload["documents"]]
    payload.update(language=language, documents=documents)
    return payload


def comparable(payload: dict) -> dict:
    """Without the fields that differ on every run."""
    return {k: v for k, v in payload.items() if k not in ("reference", "submitted_at")}
