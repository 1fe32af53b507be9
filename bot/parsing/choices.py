"""One of several options, by code, number, label, part of a label, or a near-miss.

The steps go from exact to loose, and each stops with "ambiguous" when it finds
more than one option, so a vague answer leads to a question, not a wrong guess.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from . import lexicon
from .errors import ParseError
from .text import clean, fold

FUZZY_CUTOFF = 0.8
_MIN_PART_LENGTH = 3  # "ver" may start "verheiratet"; "v" starts too much
_NUMBER = re.compile(r"(?i)(?:nr|no|num|nummer|number|option|#)?\s*\.?\s*([0-9]{1,3})\s*[.):]?")

Choices = Sequence[tuple[str, Sequence[str]]]


def choices_from_options(
    options: Mapping[str, Any] | None,
) -> list[tuple[str, list[str]]]:
    """The "choices" option in any of the shapes a YAML definition may use.

    [[code, [labels]]], [{code: ..., labels: [...], synonyms: [...]}], or {code: [labels]};
    labels may also be {language: label or [labels]}, and then all languages count.
    """
    raw = (options or {}).get("choices")
    if not raw:
        raise ValueError("input type 'choice' needs options['choices']")
    items = raw.items() if isinstance(raw, Mapping) else raw
    result: list[tuple[str, list[str]]] = []
    for item in items:
        if isinstance(item, Mapping):
            code = item["code"]
            labels = [
                *_as_list(item.get("labels") or item.get("label")),
                *_as_list(item.get("synonyms")),
            ]
        else:
            code, labels = item[0], _as_list(item[1])
        result.append((str(code), labels))
    return result


def _as_list(value: Any) -> list[str]:
    """Labels as a flat list: a string, a list, or {language: label or [labels]}."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [label for item in value.values() for label in _as_list(item)]
    if isinstance(value, (list, tuple)):
        return [label for item in value for label in _as_list(item)]
    return [str(value)]


def _ambiguous(codes: Sequence[str], choices: Choices) -> ParseError:
    labels = [next(iter(labels), code) for code, labels in choices if code in codes]
    return ParseError("choice.ambiguous", options=" / ".join(labels))


def _decide(codes: list[str], choices: Choices) -> str | None:
    unique = list(dict.fromkeys(codes))
    if len(unique) > 1:
        raise _ambiguous(unique, choices)
    return unique[0] if unique else None


def _labels_in_text(folded: str, keyed: list[tuple[str, str]], negated: bool) -> list[str]:
    """Codes whose label appears as whole words in the answer, longest match winning.

    "ich bekomme kein Wohngeld" matches "Kein Wohngeld", not also "Wohngeld", because
    the shorter match lies inside the longer one.
    """
    spans: list[tuple[int, int, str]] = []
    for code, key in keyed:
        if negated and not lexicon.has_negation(key):
            continue
        for match in re.finditer(rf"(?<!\w){re.escape(key)}(?!\w)", folded):
            spans.append((match.start(), match.end(), code))
    return [
        code
        for start, end, code in sorted(spans)
        if not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in spans)
    ]


def _fuzzy(folded: str, keyed: list[tuple[str, str]], choices: Choices) -> str | None:
    scores: dict[str, float] = {}
    for code, key in keyed:
        ratio = difflib.SequenceMatcher(None, folded, key, autojunk=False).ratio()
        scores[code] = max(scores.get(code, 0.0), ratio)
    best = max(scores.values(), default=0.0)
    if best < FUZZY_CUTOFF:
        return None
    return _decide([code for code, score in scores.items() if score == best], choices)


def parse_choice(text: str, choices: Choices) -> str:
    """choices: (code, [localized labels and synonyms]) pairs in display order. Returns the code."""
    value = clean(text)
    folded = fold(value)
    if not folded:
        raise ParseError("choice.unknown")
    codes = [code for code, _labels in choices]
    keyed = [(code, fold(label)) for code, labels in choices for label in labels if fold(label)]

    for code in codes:  # the code itself, as buttons send it
        if value == code or fold(code) == folded:
            return code
    number = _NUMBER.fullmatch(value)
    if number:
        index = int(number[1])
        if 1 <= index <= len(codes):
            return codes[index - 1]
        raise ParseError("choice.unknown")
    exact = _decide([code for code, key in keyed if key == folded], choices)
    if exact:
        return exact
    negated = lexicon.has_negation(folded)
    found = _decide(_labels_in_text(folded, keyed, negated), choices)
    if found:
        return found
    if len(folded) >= _MIN_PART_LENGTH and not negated:
        found = _decide([code for code, key in keyed if folded in key], choices)
        if found:
            return found
    found = _fuzzy(folded, keyed, choices)
    if found:
        return found
    raise ParseError("choice.unknown")


# "und", "and", "и", "і", "та", "ve", "ile", "و", "و" ... between the options named.
_CONJUNCTIONS = "und|and|sowie|oder|or|и|или|і|та|або|ve|veya|ile|ya da|و|یا|او"
_LIST_SEPARATORS = re.compile(
    rf"\s*(?:[,;/&+\n،]|(?<!\w)(?:{_CONJUNCTIONS})(?!\w))\s*", re.IGNORECASE
)


def parse_choices(text: str, choices: Choices) -> list[str]:
    """Several options in one answer ("Mittagessen und Ausflüge", "1, 3"), in the order named.

    Labels found whole in the answer come first, so a label that itself contains
    "und" is not cut in two; otherwise each part between separators must be an option.
    """
    folded = fold(clean(text))
    keyed = [(code, fold(label)) for code, labels in choices for label in labels if fold(label)]
    keyed += [(code, fold(code)) for code, _labels in choices]
    found = _labels_in_text(folded, keyed, lexicon.has_negation(folded))
    parts = [p for p in _LIST_SEPARATORS.split(clean(text)) if p.strip()]
    if not found or len(dict.fromkeys(found)) < len(parts):
        found = [parse_choice(part, choices) for part in parts]
    if not found:
        raise ParseError("choice.unknown")
    return list(dict.fromkeys(found))
