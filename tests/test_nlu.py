"""The trained model understands phrases it never saw in training, in every dialogue language."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

from bot.stack import MODEL
from tests.guide_cases import FRESH_DIR
from tests.guide_cases import HELD_OUT_DIR as GUIDE_HELD_OUT_DIR
from tests.guide_cases import held_out as guide_cases
from tests.guide_cases import languages as guide_languages

ROOT = Path(__file__).resolve().parents[1]


HELD_OUT_DIR = ROOT / "tests" / "nlu_heldout"


def _held_out() -> dict[str, list[tuple[str, str]]]:
    """language -> (phrase, intent), from tests/nlu_heldout/<lang>.yml."""
    found: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(HELD_OUT_DIR.glob("*.yml")):
        by_intent = yaml.safe_load(path.read_text("utf-8")) or {}
        found[path.stem] = [(t, i) for i, texts in by_intent.items() for t in texts]
    return found


HELD_OUT = _held_out()


@pytest.fixture(scope="module")
def agent():
    from rasa.core.agent import Agent

    if not Path(MODEL).exists():
        pytest.fail("no trained model: run `make prepare`")
    return Agent.load(str(MODEL))


MIN_ACCURACY = 0.90  # a statistical model: a few misses are expected, many are a regression


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
    for path in (ROOT / "data" / "nlu").rglob("*.yml"):
        for block in yaml.safe_load(path.read_text("utf-8")).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                found.add(line.strip().removeprefix("- ").strip().casefold())
    return found


def test_held_out_phrases_are_not_training_data() -> None:
    held_out = {text.casefold() for pairs in HELD_OUT.values() for text, _ in pairs}
    assert sorted(held_out & _training_examples()) == []


def test_held_out_need_descriptions_are_not_training_data() -> None:
    descriptions = {
        c.text.casefold()
        for directory in (GUIDE_HELD_OUT_DIR, FRESH_DIR)
        for lang in guide_languages(directory)
        for c in guide_cases(lang, directory)
    }
    assert sorted(descriptions & _training_examples()) == []


@pytest.mark.parametrize("directory", [GUIDE_HELD_OUT_DIR, FRESH_DIR], ids=["first", "fresh"])
@pytest.mark.parametrize("lang", guide_languages())
def test_every_language_has_twenty_held_out_need_descriptions(lang: str, directory: Path) -> None:
    assert len(guide_cases(lang, directory)) >= 20
