"""The trained model understands phrases it never saw in training, in German and English."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.stack import MODEL

HELD_OUT = {
    "de": [
        ("was genau soll ich da eintragen", "help"),
        ("das versteh ich nicht ganz", "help"),
        ("wofür wollen Sie das wissen", "why"),
        ("warum ist das wichtig", "why"),
        ("bitte noch mal die vorige Frage", "go_back"),
        ("können Sie das noch einmal sagen", "repeat"),
        ("meine Postleitzahl ist falsch", "change"),
        ("ich hab beim Geburtsort was Falsches geschrieben", "change"),
        ("kann ich bitte mit einer Sachbearbeiterin reden", "human"),
        ("ich will den Antrag nicht mehr machen", "cancel"),
        ("das möchte ich lieber nicht sagen", "skip"),
        ("ja genau", "affirm"),
        ("nein, gibt es nicht", "deny"),
        ("ich würde gern Grundsicherung bekommen", "choose_application"),
        ("Marianne Köhler", "inform"),
        ("Schillerplatz 7", "inform"),
        ("12.08.1949", "inform"),
        ("etwa 380 Euro im Monat", "inform"),
    ],
    "en": [
        ("what am I supposed to write here", "help"),
        ("why would you need to know that", "why"),
        ("take me to the question before", "go_back"),
        ("sorry, could you ask that again", "repeat"),
        ("the street I gave is wrong", "change"),
        ("I need to speak to someone at the office", "human"),
        ("stop this and delete everything", "cancel"),
        ("I would prefer not to answer that", "skip"),
        ("yes that is all correct", "affirm"),
        ("no, I don't have any", "deny"),
        ("can I get basic income support please", "choose_application"),
        ("Kowalski", "inform"),
        ("12 Feb 1955", "inform"),
        ("around 300 euros", "inform"),
    ],
}


@pytest.fixture(scope="module")
def agent():
    from rasa.core.agent import Agent

    if not Path(MODEL).exists():
        pytest.fail("no trained model: run `make prepare`")
    return Agent.load(str(MODEL))


@pytest.mark.parametrize(
    ("text", "intent"), [pair for pairs in HELD_OUT.values() for pair in pairs]
)
def test_held_out_phrase_gets_its_intent(agent, text: str, intent: str) -> None:
    parsed = asyncio.run(agent.parse_message(text))
    assert parsed["intent"]["name"] == intent, parsed["intent_ranking"][:3]
