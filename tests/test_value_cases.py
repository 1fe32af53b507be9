"""Answers written the way each language writes them parse to the payload's value.

Native digits (٣, ۳), month names (березня, Mart, مارس), decimal commas, numbers and
day ordinals as words, month and year where the day does not matter, Solar Hijri dates
and local yes/no words; the cases live in bench/value_cases.yml and (written later
without looking at the parsers) bench/value_cases_blind.yml, which the NLU bench reads
too. A fourth element holds the field's options ({day: optional}).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.nlg.texts import supported_languages
from bot.parsing import parse_answer

BENCH = Path(__file__).resolve().parents[1] / "bench"
CASES: dict[str, list[list[Any]]] = yaml.safe_load((BENCH / "value_cases.yml").read_text("utf-8"))
# Written later without looking at the parsers: 15 per language.
BLIND: dict[str, list[list[Any]]] = yaml.safe_load(
    (BENCH / "value_cases_blind.yml").read_text("utf-8")
)


def test_every_language_has_cases_for_every_kind() -> None:
    for lang in supported_languages():
        assert {case[0] for case in CASES.get(lang, [])} >= {
            "date",
            "money",
            "count",
            "boolean",
            "iban",
        }, lang


def test_every_language_has_at_least_30_cases() -> None:
    assert {lang: len(CASES.get(lang, [])) >= 30 for lang in supported_languages()} == {
        lang: True for lang in supported_languages()
    }


@pytest.mark.parametrize(
    ("lang", "kind", "text", "expected", "options"),
    [
        (lang, *case[:3], case[3] if len(case) > 3 else None)
        for lang, cases in (*CASES.items(), *BLIND.items())
        for case in cases
    ],
)
def test_value_is_parsed(lang: str, kind: str, text: str, expected: Any, options: Any) -> None:
    assert parse_answer(kind, text, lang, options) == expected
