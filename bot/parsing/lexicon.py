"""Loads the word lists in vocab/*.yml, which are data so translators can extend them."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from bot.yaml_files import read_yaml

from .languages import accepted_languages
from .text import fold

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"


@cache
def load(name: str) -> dict[str, Any]:
    """vocab/<name>.yml, with each language's own vocab/<lang>/<name>.yml merged in.

    A language's file holds either the list itself (negations, lead-ins) or the
    sections of the shared file ({"yes": [...], "no": [...]}), so a translator
    adds a language without touching the others.
    """
    data = read_yaml(VOCAB_DIR / f"{name}.yml") or {}
    if not isinstance(data, dict):
        raise TypeError(f"vocab/{name}.yml must be a mapping")
    for path in sorted(VOCAB_DIR.glob(f"*/{name}.yml")):
        lang, extra = path.parent.name, read_yaml(path) or []
        if isinstance(extra, dict):
            for section, entries in extra.items():
                data.setdefault(section, {})[lang] = entries
        else:
            data[lang] = extra
    return data


def words(entry: dict[str, Iterable[str]] | None, lang: str | None) -> list[str]:
    """The entries of a {language: [words]} mapping for the accepted languages (None: all)."""
    if not entry:
        return []
    found: list[str] = []
    for code in accepted_languages(lang) if lang is not None else entry:
        found.extend(str(word) for word in entry.get(code) or ())
    return found


@lru_cache(maxsize=32)
def lead_ins(lang: str | None) -> tuple[str, ...]:
    """Phrases such as "my name is" that come before a free-text answer, longest first."""
    return tuple(sorted(words(load("lead_ins"), lang), key=len, reverse=True))


@lru_cache(maxsize=32)
def negations(lang: str | None) -> frozenset[str]:
    """Folded words such as "kein" or "not" that turn a matching label into its opposite."""
    return frozenset(fold(word) for word in words(load("negations"), lang))


def has_negation(folded_text: str, lang: str | None = None) -> bool:
    """Whether a folded text contains a negation word (of any language when lang is None)."""
    return not negations(lang).isdisjoint(folded_text.split())
