"""Every text exists in every language, and every question has its texts."""

from __future__ import annotations

import re

import pytest

from bot.definitions import load_applications
from bot.nlg.texts import load_catalog, supported_languages

PLACEHOLDER = re.compile(r"%\{(\w+)\}")
LANGUAGES = supported_languages()
PER_FIELD = ("question", "help", "why", "label", "keywords")
PER_GROUP = ("first", "another", "help", "why", "label", "keywords")


def test_at_least_german_and_english() -> None:
    assert {"de", "en"} <= set(LANGUAGES)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "de"])
def test_every_key_exists_in_every_language(lang: str) -> None:
    german, other = load_catalog("de"), load_catalog(lang)
    assert sorted(set(german) - set(other)) == [], f"missing in {lang}"
    assert sorted(set(other) - set(german)) == [], f"only in {lang}"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "de"])
def test_placeholders_match_german(lang: str) -> None:
    german, other = load_catalog("de"), load_catalog(lang)
    for key, text in german.items():
        if isinstance(text, str):
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(str(other[key]))), key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_question_has_its_texts(lang: str) -> None:
    catalog = load_catalog(lang)
    missing = []
    for app in load_applications().values():
        base = f"apps.{app.id}"
        needed = [f"{base}.title", f"{base}.intro", f"{base}.names"]
        needed += [f"{base}.info.{topic}" for topic in ("who", "documents", "duration")]
        needed += [
            f"{base}.documents.{d.id}.{w}" for d in app.documents() for w in ("label", "help")
        ]
        needed += [f"{base}.hints.{h.id}" for h in app.hints]
        missing += [k for k in needed if k not in catalog]
        missing += [
            f"{base}.sections.{s.id}.title"
            for s in app.sections
            if f"{base}.sections.{s.id}.title" not in catalog
        ]
        for field in app.fields_by_id().values():
            keys = [f"{base}.fields.{field.id}.{what}" for what in PER_FIELD]
            keys += [f"{base}.fields.{field.id}.choices.{code}" for code in field.choices]
            if field.type not in ("choice", "multi_choice", "confirm", "boolean"):
                keys.append(f"{base}.fields.{field.id}.example")
            missing += [k for k in keys if k not in catalog]
        for group in app.groups():
            missing += [
                k for w in PER_GROUP if (k := f"{base}.groups.{group.id}.{w}") not in catalog
            ]
    assert missing == []


def _words(text: str) -> int:
    return sum(word.isalpha() for word in text.split())


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang not in ("de", "de-x-ls")])
def test_no_text_is_an_untranslated_copy_of_german(lang: str) -> None:
    """Short labels ("IBAN") and example names ("Anna Maria Schneider") may stay; sentences not."""
    german, other = load_catalog("de"), load_catalog(lang)
    copies = [
        key
        for key, text in german.items()
        if isinstance(text, str)
        and not key.endswith(".example")
        and _words(text) >= 3
        and other.get(key) == text
    ]
    assert copies == []
