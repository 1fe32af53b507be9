"""data/languages.yml agrees with what each language needs elsewhere.

A language is added by an entry in the table plus its texts, training data and
held-out sets (README, "Adding a language"); these tests name what is missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from num2words import num2words

from bot.languages import LANGUAGES, primary_language, spacy_languages
from bot.nlg.texts import supported_languages
from bot.nlp.multilingual import language_of
from bot.parsing.number_words import words_to_digits

ROOT = Path(__file__).resolve().parents[1]
PER_LANGUAGE_FILES = (
    "data/nlu/{}.yml",
    "data/nlu/needs/{}.yml",
    "tests/nlu_heldout/{}.yml",
    "tests/guide_heldout/{}.yml",
    "tests/guide_heldout_fresh/{}.yml",
)


def test_the_table_and_the_locales_folders_name_the_same_languages() -> None:
    assert set(LANGUAGES) == set(supported_languages())


def test_the_contract_accepts_every_dialogue_language() -> None:
    schema = json.loads((ROOT / "contracts" / "common.schema.json").read_text("utf-8"))
    enum = schema["$defs"]["envelope"]["properties"]["language"]["enum"]
    assert set(enum) == set(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_training_data_and_held_out_sets(lang: str) -> None:
    missing = [name.format(lang) for name in PER_LANGUAGE_FILES]
    assert [name for name in missing if not (ROOT / name).is_file()] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_longer_messages_reach_the_pipeline_of_their_language(lang: str) -> None:
    """Script, a language's own letters and py3langid route by the table's entries."""
    held_out = yaml.safe_load((ROOT / "tests" / "nlu_heldout" / f"{lang}.yml").read_text("utf-8"))
    phrases = [text for texts in held_out.values() for text in texts if len(text.split()) >= 4]
    routed = [language_of(text) for text in phrases]
    assert LANGUAGES[lang].spacy in spacy_languages()
    assert routed.count(LANGUAGES[lang].spacy) >= 0.9 * len(phrases)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_number_words_are_read_in_every_language(lang: str) -> None:
    """The table's number-word source reads what num2words writes for the language."""
    written = num2words(347, lang=primary_language(lang))
    assert words_to_digits(f"{written} Euro", lang) == "347 Euro"
