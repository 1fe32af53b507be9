"""The trained model understands phrases it never saw in training, in German and English."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

from bot.stack import MODEL

ROOT = Path(__file__).resolve().parents[1]

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
        ("jawoll, passt genau", "affirm"),
        ("nein, gibt es nicht", "deny"),
        ("ich würde gern Grundsicherung bekommen", "choose_application"),
        ("Marianne Köhler", "inform"),
        ("Schillerplatz 7", "inform"),
        ("12.08.1949", "inform"),
        ("etwa 380 Euro im Monat", "inform"),
        # pause, resume, status, information and removing an item
        ("ich würde das gern zwischenspeichern und morgen fertig machen", "pause"),
        ("kann ich jetzt aufhören und nächste Woche weitermachen", "pause"),
        ("bitte merken Sie sich meine Antworten, ich komme wieder", "pause"),
        ("Pause machen, geht das", "pause"),
        ("hab grad keine zeit mehr, später weiter", "pause"),
        ("hier mein Code zum Weitermachen: 3MR7T-KX9PB", "resume"),
        ("ich möchte meinen angefangenen Antrag weitermachen", "resume"),
        ("ich hab einen Code bekommen und will weiter", "resume"),
        ("Code 8QZ4N W2HFD bitte", "resume"),
        ("mit dem Code von gestern weitermachen", "resume"),
        ("was ist der aktuelle Stand bei WI-2026-R8T2KM", "ask_status"),
        ("ist mein Antrag inzwischen bearbeitet worden", "ask_status"),
        ("hat das Amt schon über meinen Antrag entschieden", "ask_status"),
        ("gibt es schon was Neues zu meinem Wohngeldantrag", "ask_status"),
        ("wie weit sind Sie mit meinem Antrag", "ask_status"),
        ("kann ich als Witwe Grundsicherung bekommen", "ask_who"),
        ("wer hat ein Recht auf Wohngeld", "ask_who"),
        ("bekommt mein Kind Leistungen für Bildung und Teilhabe", "ask_who"),
        ("steht mir Asylbewerberleistung zu", "ask_who"),
        ("wer darf den Aufenthaltstitel verlängern lassen", "ask_who"),
        ("was für Unterlagen muss ich für Grundsicherung einreichen", "ask_documents"),
        ("welche Belege brauche ich für BuT", "ask_documents"),
        ("muss ich für Wohngeld Nachweise hochladen", "ask_documents"),
        ("welche Papiere braucht man für die Aufenthaltserlaubnis", "ask_documents"),
        ("was muss ich an Dokumenten bereithalten", "ask_documents"),
        ("wie lange brauche ich ungefähr für den Antrag", "ask_duration"),
        ("wie lange dauert es bis zum Bescheid", "ask_duration"),
        ("wie lange dauert die Bearbeitung beim Wohngeld", "ask_duration"),
        ("wie viel Zeit muss ich einplanen", "ask_duration"),
        ("wie lange wartet man auf Asylbewerberleistungen", "ask_duration"),
        ("bitte die zweite Person wieder löschen", "remove"),
        ("Einkommen Nummer 2 bitte entfernen", "remove"),
        ("das erste Vermögen streichen", "remove"),
        ("Person 3 raus bitte", "remove"),
        ("das dritte Einkommen rausnehmen", "remove"),
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
        ("I'd like to fill in the housing benefit form", "choose_application"),
        ("extending my residence permit please", "choose_application"),
        ("Kowalski", "inform"),
        ("12 Feb 1955", "inform"),
        ("around 300 euros", "inform"),
        # pause, resume, status, information and removing an item
        ("can I stop here and finish tomorrow", "pause"),
        ("please keep my answers, I will come back", "pause"),
        ("I need to pause for a while", "pause"),
        ("save this so I can continue later", "pause"),
        ("let me take a short break", "pause"),
        ("I want to carry on with my saved application", "resume"),
        ("my code for continuing is 7WQ3N-HX2PD", "resume"),
        ("I got a code last time and want to continue", "resume"),
        ("continue from where I stopped", "resume"),
        ("code 9KT5M RZ4QB", "resume"),
        ("what is the current status of WI-2026-M3K8TP", "ask_status"),
        ("has my application been decided yet", "ask_status"),
        ("any update on my housing benefit application", "ask_status"),
        ("did the office get my application", "ask_status"),
        ("how is my application coming along", "ask_status"),
        ("can a widow get basic income support", "ask_who"),
        ("who has the right to housing benefit", "ask_who"),
        ("is my son eligible for education and participation benefits", "ask_who"),
        ("am I eligible for AsylbLG", "ask_who"),
        ("who is allowed to get Grundsicherung", "ask_who"),
        ("which papers do I need for basic income support", "ask_documents"),
        ("what proof do I need for BuT", "ask_documents"),
        ("do I need to upload documents for housing benefit", "ask_documents"),
        ("which documents are needed for the residence permit", "ask_documents"),
        ("what documents should I have ready", "ask_documents"),
        ("how long will the application take me", "ask_duration"),
        ("how long until I get a decision", "ask_duration"),
        ("how long does housing benefit processing take", "ask_duration"),
        ("how much time should I plan for this", "ask_duration"),
        ("how long is the wait for asylum seeker benefits", "ask_duration"),
        ("please delete the second person again", "remove"),
        ("remove income number 2", "remove"),
        ("delete the first asset", "remove"),
        ("take person 3 out please", "remove"),
        ("get rid of the third income", "remove"),
    ],
}


@pytest.fixture(scope="module")
def agent():
    from rasa.core.agent import Agent

    if not Path(MODEL).exists():
        pytest.fail("no trained model: run `make prepare`")
    return Agent.load(str(MODEL))


MIN_ACCURACY = 0.93  # a statistical model: a few misses are expected, many are a regression


@pytest.mark.parametrize("lang", sorted(HELD_OUT))
def test_held_out_phrases_get_their_intent(agent, lang: str) -> None:
    misses = []
    for text, intent in HELD_OUT[lang]:
        got = asyncio.run(agent.parse_message(text))["intent"]["name"]
        if got != intent:
            misses.append(f"{text!r}: {got} instead of {intent}")
    accuracy = 1 - len(misses) / len(HELD_OUT[lang])
    assert accuracy >= MIN_ACCURACY, "\n".join(misses)


@pytest.mark.parametrize("lang", sorted(HELD_OUT))
def test_every_intent_is_mostly_understood(agent, lang: str) -> None:
    """No intent may be lost as a whole: at least half of its held-out phrases hit."""
    hits: dict[str, list[bool]] = {}
    for text, intent in HELD_OUT[lang]:
        got = asyncio.run(agent.parse_message(text))["intent"]["name"]
        hits.setdefault(intent, []).append(got == intent)
    weak = {intent: found for intent, found in hits.items() if sum(found) * 2 < len(found)}
    assert weak == {}


def _training_examples() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text("utf-8")).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                found.add(line.strip().removeprefix("- ").strip().casefold())
    return found


def test_held_out_phrases_are_not_training_data() -> None:
    held_out = {text.casefold() for pairs in HELD_OUT.values() for text, _ in pairs}
    assert sorted(held_out & _training_examples()) == []
